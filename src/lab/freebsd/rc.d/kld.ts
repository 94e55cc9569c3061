// /etc/rc.d/kld: load the modules of rc.conf's kld_list after the local disks are mounted
// (research §1.4). For each name rc.subr's `load_kld -e NAME.ko NAME` greps `kldstat -v` for
// NAME.ko and runs `kldload NAME` when it does not match; a module compiled into the kernel
// (if_gif) does not match, so kldload fails and rc prints a warning at boot.
import type { CommandResult, HostContext, ServiceScript } from '../types';
import { loadRcConf } from '../rcconf';

const SCRIPT = '/etc/rc.d/kld';

async function start(host: HostContext): Promise<CommandResult> {
  const list = ((await loadRcConf(host)).get('kld_list') ?? '').split(/\s+/).filter(Boolean);
  let stdout = '';
  let stderr = '';
  for (const kld of list) {
    const listing = await host.invoke(['kldstat', '-v']);
    // egrep -e "NAME.ko": the dot is a regex wildcard, as in rc.subr.
    if (new RegExp(`${kld.replace(/[\\^$*+?()[\]{}|]/g, '\\$&')}.ko`).test(listing.stdout)) continue;
    const r = await host.invoke(['kldload', kld]);
    stdout += r.stdout;
    stderr += r.stderr;
    if (r.code !== 0) stderr += `${SCRIPT}: WARNING: Unable to load kernel module ${kld}\n`;
  }
  return { stdout, stderr, code: 0 };
}

export const kld: ServiceScript = { rcvar: null, commands: { start } };
