// The emulated kernel of a freshly powered-on lab host: lo0, the out-of-band mgmt0 (already
// configured: management must survive anything the host's own config does) and the physical
// interfaces of the topology, down and unaddressed until the host's rc.conf configures them.
import type { IfaceMeta, KernelState } from '../freebsd/types';
import type { LabHostSpec, Topology } from '../topology';
import { dottedNetmask, splitCidr } from '../ip';

function iface(linux: string, kind: IfaceMeta['kind'], mtu: number, up: boolean): IfaceMeta {
  return { linux, kind, fib: 0, tunnelfib: 0, tunnel: null, description: null, up, mtu, inet6: [], inet: [] };
}

export function initialKernel(host: LabHostSpec, topo: Topology): KernelState {
  const lo0 = iface('lo', 'loopback', 16384, true);
  lo0.inet.push({ addr: '127.0.0.1', netmask: '255.0.0.0' });
  lo0.inet6.push({ addr: '::1', prefixlen: 128 });
  const mgmt0 = iface('mgmt0', 'mgmt', 1500, true);
  mgmt0.inet.push({ addr: host.mgmt, netmask: dottedNetmask(splitCidr(topo.oob.subnet).prefixlen) });
  const ifaces: Record<string, IfaceMeta> = { lo0, mgmt0 };
  // FreeBSD shows vtnet MTU 1500; the Linux veth is larger only so a vxlan tunnel fits inside.
  for (const name of Object.keys(host.interfaces)) ifaces[name] = iface(name, 'physical', 1500, false);
  return { kld: { loaded: [] }, sysctl: {}, ifaces, pf: { enabled: false, rules: null, rulesFile: null }, services: {}, counters: {} };
}
