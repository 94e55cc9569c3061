// The lab's wiring, as `ip` batch commands: one bridge per segment in the switch namespace, one
// veth per node interface (node side named as the topology says, e.g. vtnet0; switch side named
// p<N> with the alias "<node>/<ifname>"), the oob bridge with each host's mgmt0, and the
// addresses and routes of the infrastructure routers. No name is ever created in the root namespace.
import type { Topology } from './topology';
import { nsName, OOB_NS, SWITCH_NS } from './paths';
import { splitCidr } from './ip';
import { tunnelLink, tunnelMac } from './tunnel';

/** Linux MTU of segment links: a vxlan tunnel (50 bytes of overhead) with inner MTU 1500 fits. */
export const SEGMENT_MTU = 1600;
export const OOB_BRIDGE = 'oob';

export interface NetworkPlan {
  /** run in the root namespace: creates veth pairs directly inside the namespaces */
  create: string[];
  /** per namespace: bridges, ports, addresses, routes */
  perNs: Record<string, string[]>;
}

export function bridgeName(topo: Topology, segment: string): string {
  return `br${Object.keys(topo.segments).indexOf(segment)}`;
}

export function planNetwork(topo: Topology): NetworkPlan {
  const create: string[] = [];
  const perNs: Record<string, string[]> = { [SWITCH_NS]: [], [OOB_NS]: [] };
  const sw = perNs[SWITCH_NS];
  const oob = perNs[OOB_NS];
  for (const seg of Object.keys(topo.segments)) {
    const br = bridgeName(topo, seg);
    sw.push(`link add name ${br} type bridge`, `link set dev ${br} mtu ${SEGMENT_MTU} up`);
  }
  const oobLen = splitCidr(topo.oob.subnet).prefixlen;
  oob.push(`link add name ${OOB_BRIDGE} type bridge`, `addr add ${topo.oob.address}/${oobLen} dev ${OOB_BRIDGE}`, `link set ${OOB_BRIDGE} up`);

  let port = 0;
  const plug = (node: string, ifname: string, segment: string) => {
    const p = `p${port++}`;
    create.push(`link add name ${ifname} netns ${nsName(node)} mtu ${SEGMENT_MTU} type veth peer name ${p} netns ${SWITCH_NS} mtu ${SEGMENT_MTU}`);
    sw.push(`link set dev ${p} alias ${node}/${ifname}`, `link set dev ${p} master ${bridgeName(topo, segment)}`, `link set dev ${p} up`);
  };

  let m = 0;
  for (const [name, host] of Object.entries(topo.hosts)) {
    const ns = nsName(name);
    const mp = `m${m++}`;
    create.push(`link add name mgmt0 netns ${ns} type veth peer name ${mp} netns ${OOB_NS}`);
    oob.push(`link set dev ${mp} alias ${name}/mgmt0`, `link set dev ${mp} master ${OOB_BRIDGE}`, `link set dev ${mp} up`);
    // The host's physical interfaces stay down and unaddressed: its own rc.conf configures them.
    perNs[ns] = ['link set lo up', `addr add ${host.mgmt}/${oobLen} dev mgmt0`, 'link set mgmt0 up'];
    for (const [ifname, i] of Object.entries(host.interfaces)) plug(name, ifname, i.segment);
  }

  for (const [name, r] of Object.entries(topo.routers)) {
    const ns = nsName(name);
    const lines = ['link set lo up'];
    perNs[ns] = lines;
    for (const [ifname, i] of Object.entries(r.interfaces)) {
      plug(name, ifname, i.segment);
      if (i.ipv4) lines.push(`addr add ${i.ipv4} dev ${ifname}`);
      if (i.ipv6) lines.push(`addr add ${i.ipv6} dev ${ifname}`);
      lines.push(`link set dev ${ifname} up`);
    }
    for (const [tname, t] of Object.entries(r.tunnels ?? {})) {
      const { vni, port: udp } = tunnelLink(t.kind, t.local, t.remote);
      // nolearning: a far end that names the wrong outer address really breaks the path.
      lines.push(
        `link add name ${tname} type vxlan id ${vni} local ${t.local} remote ${t.remote} dstport ${udp} nolearning`,
        `link set dev ${tname} address ${tunnelMac(name, tname)} mtu ${t.mtu} up`,
        `addr add ${t.inner}/128 peer ${t.peer}/128 dev ${tname}`,
      );
    }
    for (const rt of r.routes ?? []) {
      // `default` takes its family from the gateway.
      lines.push(`route add ${rt.to} via ${rt.via}`);
    }
  }
  return { create, perNs };
}
