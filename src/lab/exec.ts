// `provision lab exec HOST -- CMD…`: a shell command on a lab node, run as an SSH session would
// run it (root, /bin/sh -c, FreeBSD-first PATH, home /root), but without going through SSH.
import { spawn } from 'child_process';
import { quote } from '../shell/quote';
import { requireLabState } from './state';

export const SESSION_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** argv that runs `command` (one shell string, as ssh joins its arguments) on a lab node. */
export function execArgv(anchorPid: number, command: string): string[] {
  return [
    '/usr/bin/nsenter', '-t', String(anchorPid), '-n', '-m', '-u', '--wd=/root', '--',
    '/usr/bin/env', '-i', `PATH=${SESSION_PATH}`, 'HOME=/root', 'USER=root', 'LOGNAME=root', 'SHELL=/bin/sh',
    '/bin/sh', '-c', command,
  ];
}

/**
 * The shell text for `lab exec`'s arguments, as `ssh host -- …` users expect from docker exec: one
 * argument is a command line for the host's shell; several are one command whose arguments each
 * reach it unchanged (`vtysh -c 'show bgp summary'`).
 */
export function execCommandLine(args: string[]): string {
  return args.length === 1 ? args[0] : args.map(quote).join(' ');
}

/** Runs the command on the node with the terminal attached; resolves to its exit status. */
export function labExec(node: string, command: string[], dir?: string): Promise<number> {
  const state = requireLabState(dir);
  const anchor = state.anchors[node];
  if (!anchor) throw new Error(`no lab node named ${node} (nodes: ${Object.keys(state.anchors).join(', ')})`);
  const argv = execArgv(anchor, execCommandLine(command));
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), { stdio: 'inherit' });
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}
