// How the lab models a FreeBSD gif(4)/gre(4) tunnel with the only tunnel device this kernel has,
// vxlan. Both ends derive the same VNI from the unordered pair of outer addresses, so inner
// traffic flows only when each end names the other's outer address, as on FreeBSD; gif and gre
// use different UDP ports, so a gif never talks to a gre.

export type TunnelKind = 'gif' | 'gre';

const PORTS: Record<TunnelKind, number> = { gif: 4789, gre: 4790 };

function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** VNI and UDP port of the vxlan device that stands for a tunnel between outer addresses a and b. */
export function tunnelLink(kind: TunnelKind, a: string, b: string): { vni: number; port: number } {
  const pair = [a, b].sort().join('|');
  return { vni: (fnv1a(`${kind}|${pair}`) % 16_000_000) + 1, port: PORTS[kind] };
}

/**
 * A fixed, locally administered MAC for a lab host's tunnel device. Re-creating the device
 * (a retarget) keeps it, so the far end's neighbour cache never points at a stale address.
 */
export function tunnelMac(host: string, ifname: string): string {
  const h = fnv1a(`${host}/${ifname}`);
  const g = fnv1a(`${ifname}/${host}`);
  const bytes = [0x02, (h >>> 24) & 0xff, (h >>> 16) & 0xff, (h >>> 8) & 0xff, h & 0xff, g & 0xff];
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join(':');
}
