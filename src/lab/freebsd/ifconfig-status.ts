// ifconfig(8)'s status output, rebuilt from the Linux device and the FreeBSD facts kept in
// kernel.ifaces. Line formats: research §5.1 (FreeBSD ifconfig source); see fixtures/freebsd/README-network.md.
import type { IfaceMeta } from './types';
import type { LinuxLink } from './linux-net';
import { freebsdName } from './linux-net';
import { hexNetmask, isLinkLocal6, networkOf } from '../ip';

/** FreeBSD's IFF_* bits, in the order ifconfig prints them. */
const IFF: Array<[string, number]> = [
  ['UP', 0x1],
  ['BROADCAST', 0x2],
  ['LOOPBACK', 0x8],
  ['POINTOPOINT', 0x10],
  ['RUNNING', 0x40],
  ['NOARP', 0x80],
  ['PROMISC', 0x100],
  ['ALLMULTI', 0x200],
  ['SIMPLEX', 0x800],
  ['MULTICAST', 0x8000],
  ['LOWER_UP', 0x1000000],
];

/** The FreeBSD facts of a Linux device the lab has no record of (created outside ifconfig). */
export function defaultMeta(link: LinuxLink): IfaceMeta {
  const lo = link.ifname === 'lo';
  return {
    linux: link.ifname,
    kind: lo ? 'loopback' : 'physical',
    fib: 0,
    tunnelfib: 0,
    tunnel: null,
    description: null,
    up: link.flags.includes('UP'),
    mtu: link.mtu,
    inet6: [],
    inet: [],
  };
}

export function isTunnel(meta: IfaceMeta): meta is IfaceMeta & { kind: 'gif' | 'gre' } {
  return meta.kind === 'gif' || meta.kind === 'gre';
}

function flagNames(link: LinuxLink, meta: IfaceMeta): string[] {
  const up = link.flags.includes('UP');
  const names = new Set<string>();
  if (up) names.add('UP');
  if (meta.kind === 'loopback') names.add('LOOPBACK');
  else if (isTunnel(meta)) names.add('POINTOPOINT');
  else names.add('BROADCAST');
  // gif/gre are RUNNING once both tunnel endpoints are set; other interfaces when up.
  const running = up && (!isTunnel(meta) || meta.tunnel !== null);
  if (running) names.add('RUNNING');
  if (link.flags.includes('PROMISC')) names.add('PROMISC');
  if (meta.kind === 'physical' || meta.kind === 'mgmt') names.add('SIMPLEX');
  names.add('MULTICAST');
  if (running && (meta.kind === 'loopback' || link.flags.includes('LOWER_UP') || isTunnel(meta))) names.add('LOWER_UP');
  return IFF.filter(([n]) => names.has(n)).map(([n]) => n);
}

function flagsField(names: string[]): string {
  const bits = IFF.filter(([n]) => names.includes(n)).reduce((acc, [, b]) => acc | b, 0);
  return `flags=${bits.toString(16)}<${names.join(',')}>`;
}

/** MTU as FreeBSD reports it: lo0 is 16384 there, Linux's lo is 65536. */
function freebsdMtu(link: LinuxLink, meta: IfaceMeta): number {
  return meta.kind === 'loopback' && link.mtu === 65536 ? 16384 : link.mtu;
}

export function groupOf(meta: IfaceMeta): string | null {
  return meta.kind === 'loopback' ? 'lo' : isTunnel(meta) ? meta.kind : null;
}

function inetLines(link: LinuxLink, meta: IfaceMeta): string[] {
  const out: string[] = [];
  for (const a of link.addr_info.filter((x) => x.family === 'inet')) {
    if (a.address) out.push(`\tinet ${a.local} --> ${a.address} netmask ${hexNetmask(a.prefixlen)}`);
    else if (meta.kind === 'loopback' || a.prefixlen >= 31) out.push(`\tinet ${a.local} netmask ${hexNetmask(a.prefixlen)}`);
    else {
      const net = networkOf(a.local, a.prefixlen);
      const bcast = net.split('.').map((o, i) => {
        const hostBits = Math.max(0, Math.min(8, 32 - a.prefixlen - (3 - i) * 8));
        return Number(o) | ((1 << hostBits) - 1);
      });
      out.push(`\tinet ${a.local} netmask ${hexNetmask(a.prefixlen)} broadcast ${bcast.join('.')}`);
    }
  }
  return out;
}

function inet6Lines(link: LinuxLink): string[] {
  const v6 = link.addr_info.filter((x) => x.family === 'inet6');
  // FreeBSD lists the link-local address first (it is configured first).
  const ordered = [...v6.filter((a) => isLinkLocal6(a.local)), ...v6.filter((a) => !isLinkLocal6(a.local))];
  const name = freebsdName(link.ifname);
  return ordered.map((a) => {
    const ll = isLinkLocal6(a.local);
    let line = `\tinet6 ${ll ? `${a.local}%${name}` : a.local}`;
    if (a.address) line += ` --> ${a.address}`;
    line += ` prefixlen ${a.prefixlen}`;
    if (a.tentative) line += ' tentative';
    if (ll) line += ` scopeid 0x${link.ifindex.toString(16)}`;
    return line;
  });
}

/** The full status block of one interface, as `ifconfig IF` prints it. */
export function formatInterface(link: LinuxLink, meta: IfaceMeta): string {
  const name = freebsdName(link.ifname);
  const lines = [`${name}: ${flagsField(flagNames(link, meta))} metric 0 mtu ${freebsdMtu(link, meta)}`];
  if (meta.description) lines.push(`\tdescription: ${meta.description}`);
  if (meta.kind === 'loopback') lines.push('\toptions=680003<RXCSUM,TXCSUM,LINKSTATE,RXCSUM_IPV6,TXCSUM_IPV6>');
  else if (isTunnel(meta)) lines.push('\toptions=80000<LINKSTATE>');
  else lines.push('\toptions=8<VLAN_MTU>');
  if ((meta.kind === 'physical' || meta.kind === 'mgmt') && link.address) lines.push(`\tether ${link.address}`);
  if (meta.tunnel) lines.push(`\ttunnel ${meta.tunnel.src.includes(':') ? 'inet6' : 'inet'} ${meta.tunnel.src} --> ${meta.tunnel.dst}`);
  lines.push(...inetLines(link, meta), ...inet6Lines(link));
  const group = groupOf(meta);
  if (group) lines.push(`\tgroups: ${group}`);
  if (meta.fib !== 0) lines.push(`\tfib: ${meta.fib}`);
  if (meta.tunnelfib !== 0) lines.push(`\ttunnelfib: ${meta.tunnelfib}`);
  if (meta.kind === 'physical' || meta.kind === 'mgmt') {
    lines.push('\tmedia: Ethernet autoselect (10Gbase-T <full-duplex>)');
    lines.push(`\tstatus: ${link.flags.includes('LOWER_UP') ? 'active' : 'no carrier'}`);
  }
  // IPv6 counts as disabled (ND6_IFF_IFDISABLED) when Linux has no IPv6 address on the device.
  const v6off = meta.kind !== 'loopback' && !link.addr_info.some((a) => a.family === 'inet6');
  lines.push(v6off ? '\tnd6 options=29<PERFORMNUD,IFDISABLED,AUTO_LINKLOCAL>' : '\tnd6 options=21<PERFORMNUD,AUTO_LINKLOCAL>');
  return lines.join('\n') + '\n';
}
