// Thin typed access to the real Linux networking of a lab host: iproute2's JSON output and the
// device-name mapping between FreeBSD and Linux. Every program is called by absolute path.
import type { HostContext, RunResult } from './types';

export const IP = '/usr/sbin/ip';
export const NFT = '/usr/sbin/nft';

export interface LinuxAddr {
  family: 'inet' | 'inet6';
  local: string;
  /** the point-to-point peer, when the address was added with `peer` */
  address?: string;
  prefixlen: number;
  scope: string;
  noprefixroute?: boolean;
  tentative?: boolean;
}

export interface LinuxLink {
  ifindex: number;
  ifname: string;
  flags: string[];
  mtu: number;
  operstate?: string;
  address?: string;
  link_type?: string;
  ifalias?: string;
  linkinfo?: { info_kind?: string; info_data?: Record<string, unknown> };
  addr_info: LinuxAddr[];
}

export interface LinuxRoute {
  type?: string; // absent for unicast; "blackhole", "unreachable", "prohibit", "local"…
  dst: string; // "default", "192.0.2.0/24", "2001:db8::1"
  gateway?: string;
  dev?: string;
  table?: string;
  protocol?: string;
  scope?: string;
  prefsrc?: string;
  metric?: number;
  flags: string[];
}

export interface LinuxRule {
  priority: number;
  src: string;
  srclen?: number;
  iif?: string;
  ipproto?: string;
  dport?: number;
  uid_start?: number;
  uid_end?: number;
  fwmark?: string;
  fwmask?: string;
  table?: string;
  action?: string;
}

export type Family = 4 | 6;

/** FreeBSD's lo0 is Linux's lo; every other interface keeps its FreeBSD name as its Linux name. */
export function linuxName(freebsd: string): string {
  return freebsd === 'lo0' ? 'lo' : freebsd;
}

export function freebsdName(linux: string): string {
  return linux === 'lo' ? 'lo0' : linux;
}

export function ip(host: HostContext, args: string[]): Promise<RunResult> {
  return host.run([IP, ...args], { ns: 'net' });
}

/** Run `ip -j …` and parse it; a failure here is a lab fault, not a user error, so it throws. */
export async function ipJson<T>(host: HostContext, args: string[]): Promise<T> {
  const r = await ip(host, ['-j', ...args]);
  if (r.code !== 0) throw new Error(`ip ${args.join(' ')}: ${r.stderr.trim()}`);
  const text = r.stdout.trim();
  return (text === '' ? [] : JSON.parse(text)) as T;
}

/** Every link of the host with its addresses and tunnel details, in ifindex order. */
export async function listLinks(host: HostContext): Promise<LinuxLink[]> {
  const links = await ipJson<LinuxLink[]>(host, ['-d', 'addr', 'show']);
  return links.map((l) => ({ ...l, addr_info: l.addr_info ?? [] })).sort((a, b) => a.ifindex - b.ifindex);
}

export async function getLink(host: HostContext, linux: string): Promise<LinuxLink | null> {
  const r = await ip(host, ['-j', '-d', 'addr', 'show', 'dev', linux]);
  if (r.code !== 0) return null;
  const links = JSON.parse(r.stdout || '[]') as LinuxLink[];
  return links[0] ? { ...links[0], addr_info: links[0].addr_info ?? [] } : null;
}

/** Routes of one family in one Linux table ("main", a number, or "all"); a table never used is empty. */
export async function listRoutes(host: HostContext, family: Family, table: string | number): Promise<LinuxRoute[]> {
  const r = await ip(host, ['-j', `-${family}`, 'route', 'show', 'table', String(table)]);
  if (r.code !== 0 && /table does not exist/.test(r.stderr)) return [];
  if (r.code !== 0) throw new Error(`ip route show table ${table}: ${r.stderr.trim()}`);
  return JSON.parse(r.stdout.trim() || '[]') as LinuxRoute[];
}

export function listRules(host: HostContext, family: Family): Promise<LinuxRule[]> {
  return ipJson<LinuxRule[]>(host, [`-${family}`, 'rule', 'show']);
}

export function familyOf(addr: string): Family {
  return addr.includes(':') ? 6 : 4;
}

/** Linux's name of a routing table in `ip -j` output for a table number. */
export function tableName(table: number): string {
  return table === 254 ? 'main' : table === 255 ? 'local' : String(table);
}
