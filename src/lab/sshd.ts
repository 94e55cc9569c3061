// The real OpenSSH server of a lab FreeBSD host: Debian's sshd, started inside the host's
// namespaces, listening only on the host's mgmt0 address. Its files live in /var/run/lab/sshd
// (survives `lab reboot`); its privilege-separation dir and pid file are in the host's /var/run.
import * as fs from 'fs';
import * as path from 'path';
import { HOST_SSHD_DIR, type NodePaths } from './paths';
import { startDaemon } from './sys';

export const HOST_AUTHORIZED_KEYS = '/var/run/lab/authorized_keys';

export function sshdConfig(mgmt: string): string {
  return [
    `ListenAddress ${mgmt}:22`,
    `HostKey ${HOST_SSHD_DIR}/ssh_host_ed25519_key`,
    `AuthorizedKeysFile ${HOST_AUTHORIZED_KEYS}`,
    'PermitRootLogin prohibit-password',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'UsePAM no',
    'UseDNS no',
    'PrintMotd no',
    'PrintLastLog no',
    'PidFile /var/run/sshd.pid',
    'MaxSessions 64',
    'MaxStartups 64:30:128',
    'Subsystem sftp /usr/lib/openssh/sftp-server',
    '',
  ].join('\n');
}

/** Write the sshd files of a host (below <host>/run/lab, which the host sees as /var/run/lab). */
export function writeSshdFiles(np: NodePaths, mgmt: string, hostKeyPrivate: string, authorizedKeys: string): void {
  const d = path.join(np.runLab, 'sshd');
  fs.mkdirSync(d, { recursive: true, mode: 0o755 });
  fs.writeFileSync(path.join(d, 'sshd_config'), sshdConfig(mgmt));
  fs.writeFileSync(path.join(d, 'ssh_host_ed25519_key'), hostKeyPrivate, { mode: 0o600 });
  fs.writeFileSync(path.join(np.runLab, 'authorized_keys'), authorizedKeys, { mode: 0o644 });
}

/** Start sshd in the host's namespaces and wait until it listens (it writes its pid file then). */
export async function startSshd(anchorPid: number, np: NodePaths, timeoutMs = 10_000): Promise<void> {
  // /run/sshd: the privilege-separation directory Debian's sshd insists on.
  fs.mkdirSync(path.join(np.run, 'sshd'), { recursive: true, mode: 0o755 });
  const pidFile = path.join(np.run, 'sshd.pid');
  fs.rmSync(pidFile, { force: true });
  await startDaemon(['/usr/bin/nsenter', '-t', String(anchorPid), '-n', '-m', '-u', '--', '/usr/sbin/sshd', '-f', `${HOST_SSHD_DIR}/sshd_config`]);
  const deadline = Date.now() + timeoutMs;
  while (!fs.existsSync(pidFile)) {
    if (Date.now() > deadline) throw new Error(`sshd of ${np.dir} did not start within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
