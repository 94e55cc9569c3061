// `provision lab move HOST --to IPV4`: the host's provider link is re-cabled to the segment that
// contains IPV4, and the host gets the new addresses the way a new provider would hand them over:
// its /etc/rc.conf lines are rewritten and the running interface is changed (with the emulated
// ifconfig and route, so the host's kernel state stays consistent). Used to rehearse a migration.
import { control } from './kernel/control';
import { inPrefix, dottedNetmask, splitCidr, withHostPart } from './ip';
import { bridgeName } from './network';
import { SWITCH_NS } from './paths';
import { requireLabState, writeLabState } from './state';
import { sys } from './sys';
import { AnchorFs } from './kernel/host-fs';
import type { Interface, Segment } from './topology';

/** rc.conf after the move: the provider's lines for `ifname` and the default routers, rewritten. */
export function movedRcConf(rc: string, ifname: string, from: { iface: Interface; seg: Segment }, to: { iface: Interface; seg: Segment }): string {
  const v4 = (i: Interface) => (i.ipv4 ? splitCidr(i.ipv4) : null);
  const oldV4 = v4(from.iface);
  const newV4 = v4(to.iface);
  const swap = (line: string, a: string | undefined, b: string | undefined) => (a && b ? line.split(a).join(b) : line);
  return rc
    .split('\n')
    .map((line) => {
      if (line.startsWith(`ifconfig_${ifname}=`) && oldV4 && newV4) {
        let l = swap(line, oldV4.addr, newV4.addr);
        l = l.replace(`netmask ${dottedNetmask(oldV4.prefixlen)}`, `netmask ${dottedNetmask(newV4.prefixlen)}`).replace(`/${oldV4.prefixlen}`, `/${newV4.prefixlen}`);
        return l;
      }
      if (line.startsWith(`ifconfig_${ifname}_ipv6=`) && from.iface.ipv6 && to.iface.ipv6) return swap(line, splitCidr(from.iface.ipv6).addr, splitCidr(to.iface.ipv6).addr);
      if (line.startsWith('defaultrouter=')) return swap(line, from.seg.gateway4, to.seg.gateway4);
      if (line.startsWith('ipv6_defaultrouter=')) return swap(line, from.seg.gateway6, to.seg.gateway6);
      return line;
    })
    .join('\n');
}

export async function labMove(host: string, to: string, dir?: string, say: (m: string) => void = console.log): Promise<void> {
  const state = requireLabState(dir);
  const topo = state.topology;
  const spec = topo.hosts[host];
  if (!spec) throw new Error(`no lab FreeBSD host named ${host}`);
  const entry = Object.entries(spec.interfaces).find(([, i]) => i.ipv4);
  if (!entry) throw new Error(`${host} has no IPv4 provider interface to move`);
  const [ifname, oldIf] = entry;
  const target = Object.entries(topo.segments).find(([, s]) => s.ipv4 && inPrefix(to, s.ipv4));
  if (!target) throw new Error(`no lab segment contains ${to} (segments: ${Object.entries(topo.segments).map(([n, s]) => `${n} ${s.ipv4 ?? '-'}`).join(', ')})`);
  const [segName, seg] = target;
  if (segName === oldIf.segment) throw new Error(`${host} ${ifname} is already on ${segName}`);
  const oldSeg = topo.segments[oldIf.segment];
  const newIf: Interface = { segment: segName, ipv4: `${to}/${splitCidr(seg.ipv4!).prefixlen}` };
  if (oldIf.ipv6 && seg.ipv6) newIf.ipv6 = `${withHostPart(seg.ipv6, splitCidr(oldIf.ipv6).addr)}/${splitCidr(seg.ipv6).prefixlen}`;

  // Re-cable: the switch side of the host's veth goes to the new segment's bridge.
  const ports = JSON.parse(await sys(['/usr/sbin/ip', '-n', SWITCH_NS, '-j', 'link', 'show'])) as Array<{ ifname: string; ifalias?: string }>;
  const port = ports.find((p) => p.ifalias === `${host}/${ifname}`);
  if (!port) throw new Error(`cannot find the switch port of ${host}/${ifname} in ${SWITCH_NS}`);
  await sys(['/usr/sbin/ip', '-n', SWITCH_NS, 'link', 'set', 'dev', port.ifname, 'master', bridgeName(topo, segName)]);

  // The provider's configuration: rc.conf lines, then the running interface and default routes.
  const fs = new AnchorFs(state.anchors[host]);
  const rc = await fs.read('/etc/rc.conf');
  if (rc !== null) await fs.write('/etc/rc.conf', movedRcConf(rc, ifname, { iface: oldIf, seg: oldSeg }, { iface: newIf, seg }));
  const steps: string[][] = [];
  const o4 = splitCidr(oldIf.ipv4!);
  const n4 = splitCidr(newIf.ipv4!);
  steps.push(['ifconfig', ifname, 'inet', o4.addr, '-alias'], ['ifconfig', ifname, 'inet', n4.addr, 'netmask', dottedNetmask(n4.prefixlen), 'alias']);
  if (oldIf.ipv6 && newIf.ipv6) {
    steps.push(['ifconfig', ifname, 'inet6', splitCidr(oldIf.ipv6).addr, '-alias'], ['ifconfig', ifname, 'inet6', splitCidr(newIf.ipv6).addr, 'prefixlen', String(splitCidr(newIf.ipv6).prefixlen), 'alias']);
  }
  if (seg.gateway4) steps.push(['route', '-n', 'delete', 'default'], ['route', '-n', 'add', 'default', seg.gateway4]);
  if (seg.gateway6) steps.push(['route', '-n', 'delete', '-inet6', 'default'], ['route', '-n', 'add', '-inet6', 'default', seg.gateway6]);
  const problems: string[] = [];
  for (const argv of steps) {
    const r = await control({ op: 'invoke', host, argv }, dir);
    if (!r.ok) throw new Error(r.error);
    // A default route that was not there is fine to miss; anything else is reported.
    if (r.result && r.result.code !== 0 && !(argv[1] === '-n' && argv[2] === 'delete')) problems.push(`${argv.join(' ')}: ${r.result.stderr.trim()}`);
  }
  spec.interfaces[ifname] = newIf;
  writeLabState(state, dir);
  say(`lab: ${host} ${ifname} moved to ${segName}: ${newIf.ipv4}${newIf.ipv6 ? ', ' + newIf.ipv6 : ''}`);
  if (problems.length) throw new Error(`${host}: the running configuration did not follow completely:\n  ${problems.join('\n  ')}`);
}
