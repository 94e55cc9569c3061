// Privilege escalation for a non-root SSH user: the remote command is prefixed with sudo or
// doas. `-n` (both tools) makes a missing NOPASSWD/nopass rule fail at once instead of waiting for
// a password on a terminal we do not have.
import { sh, ShellCommand } from '../shell/quote';

export type BecomeMethod = 'sudo' | 'doas';

/**
 * Wrap a command so it runs as root. Nothing is added when there is no method or when the SSH
 * user already is root (sudo may not even be installed on a FreeBSD base system).
 */
export function withBecome(cmd: ShellCommand, method: BecomeMethod | undefined, sshUser: string): ShellCommand {
  if (method === undefined || sshUser === 'root') return cmd;
  const prefix = method === 'sudo' ? sh`sudo -n` : sh`doas -n`;
  return sh`${prefix} ${cmd}`;
}
