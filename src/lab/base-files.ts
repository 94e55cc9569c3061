// The files a FreeBSD host has right after the provider installed it, before the playbooks run
// (src/lab/freebsd/fresh-install.ts), with the provider's addresses from the topology.
import type { LabHostSpec, Topology } from './topology';
import { freshInstall } from './freebsd/fresh-install';

export function baseFiles(name: string, h: LabHostSpec, topo: Topology): Record<string, string> {
  const ifaces = Object.entries(h.interfaces);
  const gw = (fam: 'gateway4' | 'gateway6', addr: 'ipv4' | 'ipv6') => {
    const i = ifaces.find(([, x]) => x[addr] && topo.segments[x.segment][fam]);
    return i ? topo.segments[i[1].segment][fam] : undefined;
  };
  return freshInstall({
    hostname: name,
    interfaces: ifaces.map(([ifname, i]) => ({ name: ifname, inet: i.ipv4, inet6: i.ipv6 })),
    defaultrouter: gw('gateway4', 'ipv4'),
    ipv6Defaultrouter: gw('gateway6', 'ipv6'),
  });
}
