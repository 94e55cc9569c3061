// The pipeline every role shares: a router, a VPS and a DC gateway are the same kind of FreeBSD
// host (tunnels, FIBs, static routes, maybe pf, maybe FRR) and differ only in their inventory
// data, so one function builds all three playbooks. Not a playbook itself (no `playbook` export).
//
// Order (research §0, §2.2, §4.1): kernel modules → loader tunables (net.fibs: a tunnel's fib
// needs it first) → sysctls → rc.conf (survives a reboot) → runtime tunnels and addresses →
// runtime routes (their gateways are on the tunnels) → pf → tunnels verified → FRR (its sessions
// run over the tunnels) → BGP, prefixes and exit addresses verified.
import { definePlaybook, type Playbook, type RunContext } from '../src/engine/playbook';
import type { Task } from '../src/engine/task';
import type { HostConfig } from '../src/inventory/schema';
import { renderFrr } from '../src/render/frr';
import { frrModel, frrSecrets, interfaceAliases, kernelModules, pfModel, rcModel, tunnelModels, usesFrr } from '../src/render/models';
import { renderPf } from '../src/render/pf';
import { rcConfGroups } from '../src/render/rc-conf';
import {
  FRR_CONF_TASK,
  FRR_IN_SYNC_TASK,
  FRR_RUNNING_TASK,
  RELOAD_FRR,
  frrConfTask,
  frrInSyncTask,
  frrRunningTask,
  frrModulesTask,
  reloadFrrHandler,
} from '../src/tasks/frr';
import { aliasesTask, tunnelTask } from '../src/tasks/interfaces';
import { kernelModuleTask } from '../src/tasks/kld';
import { loaderTunableTask } from '../src/tasks/loader';
import { PF_CONF_TASK, RELOAD_PF, pfConfTask, pfEnabledTask, reloadPfHandler } from '../src/tasks/pf';
import { rcConfTask } from '../src/tasks/rc-conf';
import { staticRoutesTask } from '../src/tasks/routes';
import { sysctlTask } from '../src/tasks/sysctl';
import { verifyRoutingTask, verifyTunnelsTask } from '../src/verify/tasks';
import { daemonModules } from '../src/rpki/frr-settings';

export function hostTasks(host: HostConfig, run?: RunContext): Task[] {
  // Everything that can refuse the inventory (a missing BGP password variable, an ambiguous
  // service address) is computed first, so it fails before any host is contacted.
  const rc = rcModel(host);
  const frr = frrModel(host);
  const pf = pfModel(host);
  const secrets = frrSecrets(frr);
  const tasks: Task[] = [];

  // 1. kernel modules; pf's is loaded by rc.d/pf at boot, so it stays out of kld_list
  const modules = kernelModules(host);
  for (const m of modules) tasks.push(kernelModuleTask(m));
  if (pf && !modules.includes('pf')) tasks.push(kernelModuleTask('pf', { persist: false }));

  // 2. loader tunables: fib/tunnelfib N fails with EINVAL while N >= net.fibs (research §4.1)
  const fibsTask = host.fibs > 1 ? loaderTunableTask('net.fibs', String(host.fibs)) : undefined;
  if (fibsTask) tasks.push(fibsTask);

  // 3. sysctls: the inventory's, persisted; forwarding live only, rc.conf's knobs win at boot (§0.4)
  for (const [oid, value] of Object.entries(host.sysctls)) tasks.push(sysctlTask({ oid, value: String(value) }));
  tasks.push(sysctlTask({ oid: 'net.inet.ip.forwarding', value: host.forwarding.ipv4 ? '1' : '0', persist: false }));
  tasks.push(sysctlTask({ oid: 'net.inet6.ip6.forwarding', value: host.forwarding.ipv6 ? '1' : '0', persist: false }));

  // 4. rc.conf, one task per concern
  for (const g of rcConfGroups(rc)) tasks.push(rcConfTask(`rc.conf: ${g.name}`, g.vars));

  // 5. runtime interfaces: tunnels (after the modules and FIBs they need), then aliases
  for (const t of tunnelModels(host)) {
    const needs = [...(t.kind === 'gre' ? ['kld: if_gre'] : []), ...(fibsTask && (t.fib || t.tunnelfib) ? [fibsTask.name] : [])];
    tasks.push(tunnelTask(t, needs.length ? { dependsOn: needs } : {}));
  }
  for (const a of interfaceAliases(host)) tasks.push(aliasesTask(a.iface, a.addrs));

  // 6. runtime routes
  if (host.routes.length) tasks.push(staticRoutesTask(host.routes));

  // 7. pf
  if (pf) {
    tasks.push(pfConfTask(renderPf(pf)));
    tasks.push(pfEnabledTask({ dependsOn: [PF_CONF_TASK, 'kld: pf'] }));
  }

  // 8. the tunnels BGP sessions run over carry traffic: announcing is pointless otherwise. The
  // other tunnels (to downstream hosts, which may not be provisioned yet) are verified at the end.
  const bgpTunnels = host.tunnels.filter((t) => host.bgp?.neighbors.some((n) => n.address === t.inner.peer)).map((t) => t.name);
  const verifyBgpTunnels = bgpTunnels.length ? verifyTunnelsTask(host, { name: 'verify: tunnels to BGP neighbours', tunnels: bgpTunnels }) : undefined;
  if (verifyBgpTunnels) tasks.push(verifyBgpTunnels);

  // 9. FRR: the file, the daemons, the running config; never a restart
  if (frr) tasks.push(frrConfTask(renderFrr(frr), { secrets, dependsOn: verifyBgpTunnels ? [verifyBgpTunnels.name] : [] }));
  if (usesFrr(host)) {
    tasks.push(frrRunningTask({ dependsOn: ['rc.conf: frr', ...(frr ? [FRR_CONF_TASK] : [])] }));
    const modules = daemonModules(host);
    if (Object.keys(modules).length) tasks.push(frrModulesTask(modules, { dependsOn: [FRR_RUNNING_TASK] }));
    if (frr) tasks.push(frrInSyncTask({ secrets, dependsOn: [FRR_RUNNING_TASK] }));
  }

  // 10. every tunnel, then BGP sessions, advertised prefixes and exit addresses
  // a far end this run does not provision may not be up yet: pending, not a failure of this host
  const notInRun = run ? host.tunnels.flatMap((t) => (t.remote_host && !run.targets.includes(t.remote_host) ? [t.remote_host] : [])) : [];
  if (host.tunnels.length) tasks.push(verifyTunnelsTask(host, { notInRun }));
  if (frr || host.verify) tasks.push(verifyRoutingTask(host, frr ? { dependsOn: [FRR_IN_SYNC_TASK] } : {}));
  return tasks;
}

/** A playbook for one role, all roles built by hostTasks. */
export function routingHostPlaybook(name: string): Playbook<HostConfig> {
  return definePlaybook<HostConfig>({
    name,
    tasks: hostTasks,
    // run in this order at the end of the play: pf rules first, then FRR
    handlers: { [RELOAD_PF]: reloadPfHandler, [RELOAD_FRR]: reloadFrrHandler },
  });
}
