// What a migrated host's new provider set up (its installer configures the provider network):
// the interface carrying the new endpoint, its IPv4 prefix length and IPv6 address, and the
// default gateways of FIB 0. `provision migrate HOST --endpoint NEW` reads them from the host at
// NEW, so the operator types only the new address; the command's flags override what was read.
import { sh } from '../shell/quote';
import { InvalidInputError } from '../errors';
import { parseIfconfig, parseNetstatRoutes, type IfconfigInterface } from '../facts/freebsd-parse';
import { networkOf, normalizeAddress, parseIPv4, parseIPv6, parsePrefix, prefixContains } from '../inventory/ip';
import type { Transport } from '../transport/transport';

export interface ProviderSide {
  iface: string;
  /** NEW with the provider's prefix length, e.g. 203.0.113.130/25 */
  inet: string;
  /** the interface's global IPv6 address with its length, when it has one */
  inet6?: string;
  /** FIB 0 default gateways */
  gateway?: string;
  gateway6?: string;
}

/** What the operator gave on the command line; each value wins over what was read. */
export interface ProviderOverrides {
  gateway?: string;
  inet6?: string;
  gateway6?: string;
}

/**
 * One round trip: the interfaces, then FIB 0's IPv4 and IPv6 tables. ifconfig prints an IPv4
 * address's mask as `netmask 0x%lx` (sbin/ifconfig/af_inet.c, in_status_nl); netstat -rn names
 * the /0 route `default` and flags a route through a gateway G (usr.bin/netstat/route.c); both
 * are read by src/facts/freebsd-parse.ts. A gateway must be on the interface's subnet, as
 * ifa_ifwithnet requires for a default route (sys/net/route.c, ifa_ifwithroute).
 */
export const PROVIDER_SIDE_COMMAND = sh`ifconfig -a; echo '%%'; netstat -rn -F 0 -f inet; echo '%%'; netstat -rn -F 0 -f inet6`;

/** `0x%lx` (ifconfig's default) or dotted (`ifconfig -f inet:dotted`) netmask → prefix length */
function maskLength(mask: string | undefined): number | undefined {
  if (mask === undefined) return undefined;
  const value = /^0x[0-9a-f]{1,8}$/i.test(mask) ? BigInt(mask) : parseIPv4(mask);
  if (value === undefined) return undefined;
  const bits = value.toString(2).padStart(32, '0');
  return /^1*0*$/.test(bits) ? bits.replace(/0+$/, '').length : undefined;
}

const defaultGateway = (text: string): string | undefined =>
  parseNetstatRoutes(text).find((r) => r.destination === 'default' && r.flags.includes('G'))?.gateway;

const refuse = (endpoint: string, what: string, flags: string) =>
  new InvalidInputError(`the host at ${endpoint}: ${what}`, { hint: `give ${flags} to say it` });

/**
 * The provider side from `PROVIDER_SIDE_COMMAND`'s output. Throws InvalidInputError naming the
 * flags that would settle what cannot be read or contradicts itself. `ownPrefixes`: the
 * operator's prefixes, whose addresses are never the provider's.
 */
export function parseProviderSide(output: string, endpoint: string, ownPrefixes: string[], given: ProviderOverrides = {}): ProviderSide {
  const [ifconfigText = '', routes4 = '', routes6 = ''] = output.split(/^%%$/m);
  const ifaces = Object.values(parseIfconfig(ifconfigText));
  const iface: IfconfigInterface | undefined = ifaces.find((i) => !i.tunnel && i.inet.some((a) => a.addr === endpoint));
  if (!iface) throw refuse(endpoint, `no interface has the address ${endpoint} (is it the host's address at the new provider?)`, '--endpoint with the address the host has');
  const length = maskLength(iface.inet.find((a) => a.addr === endpoint)!.netmask);
  if (length === undefined) throw refuse(endpoint, `${iface.name} shows no netmask for ${endpoint}`, '--endpoint');
  const inet = `${endpoint}/${length}`;

  const own = ownPrefixes.map((p) => parsePrefix(p)).flatMap((r) => (r.ok ? [r.prefix] : []));
  const global6 = iface.inet6.find((a) => !/^fe80:/i.test(a.addr) && !own.some((p) => prefixContains(p, a.addr)));
  const inet6 = given.inet6 ?? (global6 ? `${normalizeAddress(global6.addr)}/${global6.prefixlen}` : undefined);

  const gateway = given.gateway ?? defaultGateway(routes4);
  if (!gateway) throw refuse(endpoint, 'FIB 0 has no IPv4 default route', '--gateway');
  if (parseIPv4(gateway) === undefined) throw refuse(endpoint, `its IPv4 default route goes to ${gateway}, not an address`, '--gateway');
  if (!prefixContains(inet, gateway)) {
    throw refuse(endpoint, `the IPv4 gateway ${gateway} is outside ${iface.name}'s subnet ${networkOf(inet)}`, '--gateway');
  }

  let gateway6 = given.gateway6 ?? defaultGateway(routes6);
  if (gateway6 !== undefined && given.gateway6 === undefined) {
    // a link-local next hop (fe80::1%vtnet0) cannot be written as a route of the inventory
    if (gateway6.includes('%') || parseIPv6(gateway6) === undefined) throw refuse(endpoint, `its IPv6 default route goes to ${gateway6}`, '--gateway6 with a global address of the provider');
    gateway6 = normalizeAddress(gateway6);
  }
  if (gateway6 !== undefined && inet6 === undefined) throw refuse(endpoint, `${iface.name} has no global IPv6 address for the IPv6 gateway ${gateway6}`, '--inet6');
  if (gateway6 !== undefined && inet6 !== undefined && !prefixContains(inet6, gateway6)) {
    throw refuse(endpoint, `the IPv6 gateway ${gateway6} is outside ${iface.name}'s subnet ${networkOf(inet6)}`, '--gateway6 or --inet6');
  }
  return { iface: iface.name, inet, ...(inet6 ? { inet6 } : {}), gateway, ...(gateway6 ? { gateway6 } : {}) };
}

/** Reads the provider side over an open connection to the host at its new address. */
export async function readProviderSide(t: Transport, endpoint: string, ownPrefixes: string[], given: ProviderOverrides): Promise<ProviderSide> {
  const r = await t.exec(PROVIDER_SIDE_COMMAND);
  if (r.code !== 0) throw new InvalidInputError(`the host at ${endpoint}: reading its interfaces and routes failed (exit ${r.code}): ${r.stderr.trim()}`, { hint: 'give --gateway, --inet6 and --gateway6' });
  return parseProviderSide(r.stdout, endpoint, ownPrefixes, given);
}
