// What `lab up` needs from the machine, checked before anything is created, so the error says
// exactly what is missing and how to install it.
import * as fs from 'fs';
import { runProgram } from './sys';

/** A program the lab runs, and the Debian package that provides it. */
const REQUIRED: Array<{ file: string; pkg: string }> = [
  { file: '/usr/sbin/ip', pkg: 'iproute2' },
  { file: '/usr/bin/nsenter', pkg: 'util-linux' },
  { file: '/usr/bin/unshare', pkg: 'util-linux' },
  { file: '/usr/lib/frr/zebra', pkg: 'frr' },
  { file: '/usr/lib/frr/bgpd', pkg: 'frr' },
  { file: '/usr/lib/frr/staticd', pkg: 'frr' },
  { file: '/usr/bin/vtysh', pkg: 'frr' },
  { file: '/usr/lib/frr/frr-reload.py', pkg: 'frr-pythontools' },
  { file: '/usr/sbin/sshd', pkg: 'openssh-server' },
  { file: '/usr/bin/socat', pkg: 'socat' },
  { file: '/usr/sbin/nft', pkg: 'nftables' },
  { file: '/usr/bin/ping', pkg: 'iputils-ping' },
  { file: '/usr/bin/stayrtr', pkg: 'stayrtr' },
  { file: `/usr/lib/${process.arch === 'arm64' ? 'aarch64' : 'x86_64'}-linux-gnu/frr/modules/bgpd_rpki.so`, pkg: 'frr-rpki-rtrlib' },
  { file: '/usr/bin/nc', pkg: 'netcat-openbsd' },
];

export async function checkPrerequisites(): Promise<void> {
  const problems: string[] = [];
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    problems.push('the lab needs root (network namespaces, mounts): run it as root, e.g. with sudo');
  }
  const missing = REQUIRED.filter((r) => !fs.existsSync(r.file));
  const pkgs = [...new Set(missing.map((m) => m.pkg))];
  if (pkgs.length > 0) {
    problems.push(
      `missing programs: ${missing.map((m) => `${m.file} (${m.pkg})`).join(', ')}\n` +
        `  install them with: apt-get install -y --no-install-recommends ${pkgs.join(' ')}`,
    );
  }
  if (!missing.some((m) => m.file === '/usr/sbin/ip')) {
    const r = await runProgram(['/usr/sbin/ip', 'netns', 'list']);
    if (r.code !== 0) problems.push(`\`ip netns\` does not work here: ${r.stderr.trim()}`);
  }
  if (problems.length > 0) throw new Error(`cannot bring the lab up:\n- ${problems.join('\n- ')}`);
}
