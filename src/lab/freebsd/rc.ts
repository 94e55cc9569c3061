// The boot of an emulated FreeBSD host: rebuild the runtime state from the host's files only,
// the way loader(8) and rc(8) do, and return the console log.
//   1. loader: /boot/loader.conf — `X_load="YES"` loads module X (or X_name), tunables such as
//      net.fibs="2" become the boot value of RWTUN/RDTUN OIDs (research §2.2).
//   2. rc, in rcorder order, each script run with "faststart" as /etc/rc does: sysctl, hostname,
//      kld, netif, pf, routing, frr, then sysctl lastload (rc.d/sysctl_lastload applies
//      sysctl.conf again with -i, for OIDs of modules loaded late). [MEM for the exact rcorder]
import type { HostContext } from './types';
import { isYes, loadRcConf, rcVariables } from './rcconf';
import { loadModule } from './kld';
import { setSysctl, setTunable } from './sysctl';
import { RC_ORDER, installed, runService } from './service';

/** Forget the runtime state this module family owns (modules, sysctls, services, kld counters). */
function resetKernel(host: HostContext): void {
  host.kernel.kld.loaded = [];
  for (const k of Object.keys(host.kernel.sysctl)) delete host.kernel.sysctl[k];
  for (const k of Object.keys(host.kernel.services)) delete host.kernel.services[k];
  for (const k of Object.keys(host.kernel.counters)) if (k.startsWith('kld.')) delete host.kernel.counters[k];
}

/** loader(8): modules and tunables from /boot/loader.conf; returns console lines. */
async function loader(host: HostContext): Promise<string> {
  const vars = rcVariables((await host.fs.read('/boot/loader.conf')) ?? '');
  let log = '';
  for (const [name, value] of vars) {
    const load = /^(.+)_load$/.exec(name);
    if (load) {
      if (!isYes(value)) continue;
      const module = vars.get(`${load[1]}_name`) ?? load[1];
      const r = loadModule(host, module);
      if (!r.ok && r.error === 'ENOENT') log += `can't find '${module}'\n`; // [MEM] loader's message
      continue;
    }
    // Anything else is a kenv variable; the kernel reads those that are tunables.
    if (name.includes('.')) setTunable(host, name, value);
  }
  return log;
}

/** Boot the host from its files; returns the console log ("Setting hostname: …", "Starting frr." …). */
export async function boot(host: HostContext): Promise<string> {
  resetKernel(host);
  let log = await loader(host);
  const step = async (name: string, verb = 'faststart') => {
    const r = await runService(host, name, verb, []);
    log += r.stdout + r.stderr;
  };
  for (const name of RC_ORDER) {
    if (name === 'kld') {
      // rc.d/hostname runs between sysctl and kld (both REQUIRE FILESYSTEMS).
      const hostname = (await loadRcConf(host)).get('hostname') ?? '';
      if (hostname) {
        const refused = await setSysctl(host, 'kern.hostname', hostname);
        log += refused ? `hostname: ${refused}\n` : `Setting hostname: ${hostname}.\n`;
      }
    }
    if (await installed(host, name)) await step(name);
  }
  await step('sysctl', 'lastload');
  return log;
}
