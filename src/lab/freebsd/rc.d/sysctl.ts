// /etc/rc.d/sysctl: apply /etc/sysctl.conf and /etc/sysctl.conf.local early in boot, with
// `sysctl -f FILE >/dev/null`: only the errors reach the console ("lastload" adds -i).
// [SRC libexec/rc/rc.d/sysctl, MEM for the exact loop]
import type { CommandResult, HostContext, ServiceScript } from '../types';

const FILES = ['/etc/sysctl.conf', '/etc/sysctl.conf.local'];

async function applyFiles(host: HostContext, extra: string[]): Promise<CommandResult> {
  let stderr = '';
  for (const file of FILES) {
    if (!(await host.fs.exists(file))) continue;
    const r = await host.invoke(['sysctl', ...extra, '-f', file]);
    stderr += r.stderr;
  }
  return { stdout: '', stderr, code: 0 };
}

export const sysctl: ServiceScript = {
  rcvar: null,
  commands: {
    start: (host) => applyFiles(host, []),
    reload: (host) => applyFiles(host, []),
    lastload: (host) => applyFiles(host, ['-i']),
  },
};
