// The files of an emulated FreeBSD host, written into its overlay upper dirs before its anchor
// mounts them: root's login shell, the FreeBSD command surface (every emulated command is a link
// to the kernel client in /usr/local/sbin, first on root's PATH), the FRR wrappers, and the
// FreeBSD base configuration.
import * as fs from 'fs';
import * as path from 'path';
import { commands } from './freebsd/registry';
import { seedPath } from './anchor';
import type { NodePaths } from './paths';
import { repoFile } from './assets';

/** Lab programs the hosts get from src/lab/host-bin, by host path. */
const OWN_BIN: Record<string, string> = {
  'lab-kernel-client': '/usr/local/libexec/lab-kernel-client',
  vtysh: '/usr/local/bin/vtysh',
  'frr-reload.py': '/usr/local/sbin/frr-reload.py',
};

function put(np: NodePaths, hostPath: string, content: string | Buffer, mode = 0o644): void {
  const file = seedPath(np, hostPath);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content, { mode });
  fs.chmodSync(file, mode);
}

function link(np: NodePaths, hostPath: string, target: string): void {
  const file = seedPath(np, hostPath);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.symlinkSync(target, file);
}

/** root's login shell is /bin/sh, as on FreeBSD (and root's ~/.bashrc on this machine is slow). */
export function passwdWithShRoot(passwd: string): string {
  return passwd.replace(/^(root:[^:]*:0:0:[^:]*:[^:]*):[^:\n]*$/m, '$1:/bin/sh');
}

export function seedHostFiles(np: NodePaths, baseFiles: Record<string, string>): void {
  for (const d of [np.boot, np.root, np.runLab, path.join(np.run, 'frr')]) fs.mkdirSync(d, { recursive: true, mode: 0o755 });
  fs.mkdirSync(np.tmp, { recursive: true });
  fs.chmodSync(np.tmp, 0o1777);
  for (const o of ['etc', 'usr-local', 'var']) {
    fs.mkdirSync(np.upper(o), { recursive: true });
    fs.mkdirSync(np.work(o), { recursive: true });
  }
  put(np, '/etc/passwd', passwdWithShRoot(fs.readFileSync('/etc/passwd', 'utf8')));
  const hostBin = repoFile('src/lab/host-bin');
  for (const file of fs.readdirSync(hostBin)) {
    const hostPath = OWN_BIN[file] ?? `/usr/local/sbin/${file}`; // ping, ping6, setfib…
    put(np, hostPath, fs.readFileSync(path.join(hostBin, file)), 0o755);
  }
  for (const name of Object.keys(commands)) link(np, `/usr/local/sbin/${name}`, OWN_BIN['lab-kernel-client']);
  for (const [p, content] of Object.entries(baseFiles)) put(np, p, content);
}
