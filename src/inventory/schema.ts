// The inventory's zod schema: the single source of the inventory's TypeScript types (z.infer).
// Scalar fields are parsed by small checkers so every message states the rule and the value it
// got, and addresses come out in canonical form (what FreeBSD's ifconfig/netstat print).
//
// Layering: `defaults`, `groups.<g>.vars` and `hosts.<h>` are all host layers (HostVarsSchema:
// every key optional, nested mappings partial). They are merged defaults → groups (in the order
// the groups are declared) → host: mappings merge key by key, lists and scalars REPLACE. The
// merged result must satisfy HostSchema.
import { z } from 'zod';
import { formatAddress, formatPrefix, parseAddress, parseAddressWithLength, parseIPv4, parsePrefix, type Family } from './ip';

export const ASN_MAX = 4294967295;
/** net.fibs can grow up to RT_MAXFIBS, which is UINT16_MAX (sys/net/route/route_var.h). */
export const MAX_FIBS = 65535;
/** IPv6 needs a link MTU of at least 1280 (RFC 8200 §5); 9000 is the usual jumbo-frame ceiling. */
export const MTU_MIN = 1280;
export const MTU_MAX = 9000;

/** A rule violation found by a field checker; becomes a zod issue with this message. */
class Problem {
  constructor(readonly message: string) {}
}

/** Describe a value for a message: strings and numbers as JSON, other shapes by kind. */
export function show(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string' || typeof v === 'number') return JSON.stringify(v);
  return String(v);
}

/** A field whose value `parse` checks (and may normalize); a missing value is "required". */
function field<T>(parse: (v: unknown) => T | Problem) {
  return z.unknown().transform((v, ctx): T => {
    const r = v === undefined ? new Problem('is required') : parse(v);
    if (r instanceof Problem) {
      ctx.addIssue({ code: 'custom', message: r.message });
      return z.NEVER;
    }
    return r;
  });
}

const got = (rule: string, v: unknown) => new Problem(`${rule} (got ${show(v)})`);

function matching(re: RegExp, rule: string) {
  return field((v) => (typeof v === 'string' && re.test(v) ? v : got(rule, v)));
}

function integer(min: number, max: number, rule: string) {
  return field((v) => (typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max ? v : got(rule, v)));
}

function oneOf<const T extends readonly string[]>(values: T, why = '') {
  const rule = `must be one of ${values.join(', ')}${why}`;
  return field((v) => ((values as readonly unknown[]).includes(v) ? (v as T[number]) : got(rule, v)));
}

const Bool = field((v) => (typeof v === 'boolean' ? v : got('must be true or false', v)));

// ---- names ---------------------------------------------------------------------------------

export const HOST_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;
const NAME_RULE = 'lowercase letters, digits and "-", starting with a letter or digit, at most 63 characters';
export const HostName = matching(HOST_NAME, `must be a host name: ${NAME_RULE}`);
export const GroupName = matching(HOST_NAME, `must be a group name: ${NAME_RULE}`);
/** FreeBSD interface names: a driver name and a unit number, at most IFNAMSIZ-1 = 15 characters. */
export const IFACE_NAME = /^(?=.{2,15}$)[a-z]+[0-9]+$/;
export const IfName = matching(
  IFACE_NAME,
  'must be a FreeBSD interface name: lowercase letters then a unit number, e.g. vtnet0, gif1, lo0',
);
const UserName = matching(/^[a-z_][a-z0-9_-]{0,31}$/, 'must be a user name: lowercase letters, digits, "_" and "-"');
const EnvName = matching(/^[A-Z_][A-Z0-9_]*$/, 'must be an environment variable name: A-Z, 0-9 and "_"');
const ModuleName = matching(/^[a-z][a-z0-9_]*$/, 'must be a kernel module name such as if_gre');
/** Descriptions land in rc.conf (sourced by sh) and frr.conf: no quotes, $, backslashes or newlines. */
const Description = matching(
  /^[A-Za-z0-9 _.,:;/()+@#=-]{1,80}$/,
  'must be 1-80 characters of letters, digits, spaces and _.,:;/()+@#=-',
);
const FilePath = matching(/^(\/|~\/)[^\0\n]*$/, 'must be an absolute path or start with ~/');

// ---- addresses -----------------------------------------------------------------------------

function address(family: Family | undefined, rule: string, allowHostLength = false) {
  return field((v) => {
    if (typeof v !== 'string') return got(rule, v);
    let text = v;
    if (allowHostLength && text.endsWith('/128')) text = text.slice(0, -4);
    const a = parseAddress(text);
    if (!a || (family && a.family !== family)) return got(rule, v);
    return formatAddress(a);
  });
}

function prefix(family: Family | undefined, what: string) {
  return field((v) => {
    if (typeof v !== 'string') return got(`must be ${what}`, v);
    const r = parsePrefix(v, family);
    return r.ok ? formatPrefix(r.prefix) : new Problem(`must be ${what}: ${show(v)} ${r.reason}`);
  });
}

function interfaceAddress(family: Family, what: string) {
  return field((v) => {
    if (typeof v !== 'string') return got(`must be ${what}`, v);
    const r = parseAddressWithLength(v, family);
    return r.ok ? formatPrefix(r.prefix) : new Problem(`must be ${what}: ${show(v)} ${r.reason}`);
  });
}

export const Ipv4 = address(4, 'must be an IPv4 address');
export const Ipv6 = address(6, 'must be an IPv6 address');
/** An IPv6 host address, written bare or as addr/128; stored bare. */
export const Ipv6Host = address(6, 'must be an IPv6 address (optionally written addr/128)', true);
export const IpAddress = address(undefined, 'must be an IPv4 or IPv6 address');
export const Ipv6Prefix = prefix(6, 'an IPv6 prefix (address/0..128, host bits zero)');
export const IpPrefix = prefix(undefined, 'an IP prefix (address/length, host bits zero)');

/** An address (stored bare) or a prefix: what a pf rule matches. */
const AddressOrPrefix = field((v) => {
  if (typeof v === 'string' && !v.includes('/')) {
    const a = parseAddress(v);
    if (a) return formatAddress(a);
  } else if (typeof v === 'string') {
    const r = parsePrefix(v);
    if (r.ok) return formatPrefix(r.prefix);
    return new Problem(`must be an address or a prefix: ${show(v)} ${r.reason}`);
  }
  return got('must be an address or a prefix', v);
});

/** An address or an interface name: a route's next hop, a BGP session's update-source. */
function addressOrInterface(rule: string) {
  return field((v) => {
    if (typeof v !== 'string') return got(rule, v);
    const a = parseAddress(v);
    if (a) return formatAddress(a);
    return IFACE_NAME.test(v) ? v : got(rule, v);
  });
}

/** gif/gre here carry IPv6 inside IPv4, so the far end is an IPv4 address or a host to look up. */
export const TUNNEL_REMOTE_RULE = 'must be an IPv4 address or the name of an inventory host';
const TunnelRemote = field((v) => {
  if (typeof v === 'string' && parseIPv4(v) !== undefined) return v;
  if (typeof v === 'string' && HOST_NAME.test(v)) return v; // checked against the hosts later
  return got(TUNNEL_REMOTE_RULE, v);
});

/** host name or IP address to connect to; no shell or ssh option syntax */
const SshHost = field((v) => {
  if (typeof v === 'string') {
    const a = parseAddress(v);
    if (a) return formatAddress(a);
    if (/^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$/.test(v)) return v;
  }
  return got('must be a DNS name or an IP address', v);
});
const ProxyJump = matching(
  /^([a-z_][a-z0-9_-]*@)?[A-Za-z0-9.-]+(:[0-9]{1,5})?$/,
  'must be [user@]host[:port]',
);

const EchoUrl = field((v) => {
  if (typeof v === 'string' && /^https?:\/\/\S+$/.test(v)) {
    try {
      return new URL(v).href;
    } catch {
      // fall through to the rule
    }
  }
  return got('must be an http:// or https:// URL', v);
});

// ---- numbers -------------------------------------------------------------------------------

export const Asn = integer(1, ASN_MAX, `must be an AS number: an integer 1..${ASN_MAX}`);
const Port = integer(1, 65535, 'must be a TCP port: an integer 1..65535');
export const Fibs = integer(1, MAX_FIBS, `must be the number of FIBs (net.fibs): an integer 1..${MAX_FIBS}`);
export const Fib = integer(0, MAX_FIBS - 1, `must be a FIB number: an integer 0..${MAX_FIBS - 1}`);
const Mtu = integer(MTU_MIN, MTU_MAX, `must be an MTU of ${MTU_MIN}..${MTU_MAX} (IPv6 needs at least ${MTU_MIN})`);
/** 536 is the smallest MSS every TCP must accept (RFC 9293); the upper bound is checked against the MTU. */
const Mss = integer(536, MTU_MAX - 60, `must be a TCP MSS: an integer 536..${MTU_MAX - 60}`);

// ---- sysctls -------------------------------------------------------------------------------

/** oids that look plausible but must not be set this way (research notes §0). */
const SYSCTL_REFUSED: Record<string, string> = {
  'net.inet.gre.allow': 'does not exist on FreeBSD (it is an OpenBSD sysctl); gre needs no sysctl',
  'net.fibs': 'is set by the host field "fibs", not by sysctls',
  'net.inet.ip.forwarding': 'is set by forwarding.ipv4 (rc.conf gateway_enable), which would override a sysctl',
  'net.inet6.ip6.forwarding': 'is set by forwarding.ipv6 (rc.conf ipv6_gateway_enable), which would override a sysctl',
};
const SysctlOid = field((v) => {
  if (typeof v !== 'string' || !/^[a-z][a-z0-9_]*(\.[A-Za-z0-9_%-]+)+$/.test(v)) {
    return got('must be a sysctl name such as net.inet6.ip6.use_tempaddr', v);
  }
  const refused = SYSCTL_REFUSED[v];
  return refused ? new Problem(`${v} ${refused}`) : v;
});
const SysctlValue = field((v) => {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'string' && /^[A-Za-z0-9_.,:/+-]{1,255}$/.test(v)) return v;
  return got('must be an integer or a word of letters, digits and _.,:/+-', v);
});

// ---- host ----------------------------------------------------------------------------------

export const SshSchema = z
  .object({
    host: SshHost,
    port: Port.default(22),
    user: UserName,
    identity_file: FilePath.optional(),
    known_hosts: FilePath.optional(),
    /** name of the environment variable holding the key's passphrase (never the passphrase) */
    passphrase_env: EnvName.optional(),
    proxy_jump: ProxyJump.optional(),
    /** how a non-root user gains root for commands that need it */
    become: oneOf(['sudo', 'doas'] as const).optional(),
  })
  .strict();

export const InterfaceSchema = z
  .object({
    name: IfName,
    fib: Fib.optional(),
    /** a.b.c.d/len */
    inet: interfaceAddress(4, 'an IPv4 interface address a.b.c.d/0..32').optional(),
    /** addr/len */
    inet6: interfaceAddress(6, 'an IPv6 interface address addr/0..128').optional(),
    mtu: Mtu.optional(),
    description: Description.optional(),
  })
  .strict();

export const TunnelSchema = z
  .object({
    /** gif0, gre0…: `ifconfig <name> create` picks the driver from the name */
    name: IfName,
    kind: oneOf(['gif', 'gre'] as const),
    /** outer source; defaults to the host's outer_ipv4 */
    local: Ipv4.optional(),
    /** outer destination: an IPv4 address, or an inventory host whose outer_ipv4 is used */
    remote: TunnelRemote,
    /** the /128 pair inside the tunnel */
    inner: z.object({ local: Ipv6Host, peer: Ipv6Host }).strict(),
    mtu: Mtu,
    /** FIB decapsulated packets are routed in (ifconfig fib) */
    fib: Fib.optional(),
    /** FIB the encapsulated outer packets are routed in (ifconfig tunnelfib) */
    tunnelfib: Fib.optional(),
    /** TCP MSS clamp applied by pf on this tunnel */
    mss: Mss.optional(),
    description: Description.optional(),
  })
  .strict();

export const RouteSchema = z
  .object({
    /** destination prefix, IPv4 or IPv6 (::/0 and 0.0.0.0/0 are the defaults) */
    dest: IpPrefix,
    /** gateway address, or an interface name for an interface route; none for blackhole/reject */
    via: addressOrInterface('must be a gateway address or an interface name').optional(),
    fib: Fib.optional(),
    type: oneOf(['normal', 'blackhole', 'reject'] as const).default('normal'),
  })
  .strict();

export const NeighborSchema = z
  .object({
    address: IpAddress,
    remote_as: Asn,
    description: Description.optional(),
    /** source of the session: a local address or an interface name */
    update_source: addressOrInterface('must be a local address or an interface name').optional(),
    /** TCP-MD5 password, read from this environment variable at run time */
    password: z.object({ env: EnvName }).strict().optional(),
    max_prefix: integer(1, ASN_MAX, `must be a prefix count: an integer 1..${ASN_MAX}`).optional(),
    /** eBGP multihop TTL */
    multihop: integer(1, 255, 'must be a TTL: an integer 1..255').optional(),
  })
  .strict();

/** RPKI route origin validation in bgpd (FRR's rpki module) and the ROA preflight (docs/rpki.md). */
export const RpkiSchema = z
  .object({
    /** the RTR cache (RFC 8210) bgpd and the preflight ask, as reached from the host */
    cache: z.object({ address: IpAddress, port: Port }).strict(),
    /** inbound: refuse routes whose origin is RPKI-invalid */
    drop_invalid: Bool.default(true),
    /** inbound: raise local-preference of RPKI-valid routes */
    prefer_valid: Bool.default(false),
  })
  .strict();

export const BgpSchema = z
  .object({
    /** defaults to operator.asn */
    asn: Asn.optional(),
    router_id: Ipv4,
    /** prefixes originated; each must lie inside operator.prefixes */
    announce: z.array(IpPrefix).default([]),
    neighbors: z.array(NeighborSchema).default([]),
    rpki: RpkiSchema.optional(),
  })
  .strict();

export const PfSchema = z
  .object({
    /** replies to traffic that arrived on `interface` for `to` leave via `gateway` on that interface */
    reply_to: z
      .array(z.object({ interface: IfName, gateway: IpAddress, to: AddressOrPrefix }).strict())
      .default([]),
  })
  .strict();

export const ServiceAddressSchema = z
  .object({
    address: Ipv6Host,
    fib: Fib.default(0),
    /** interface carrying the address (e.g. the tunnel in that FIB); the playbook chooses if absent */
    interface: IfName.optional(),
  })
  .strict();

export const VerifySchema = z
  .object({
    /** HTTP service that answers with the client's address */
    echo_url: EchoUrl,
    /** the address the echo service must see: one of this host's own addresses */
    expect_source: IpAddress,
  })
  .strict();

export const FRR_DAEMONS = ['mgmtd', 'zebra', 'staticd', 'bgpd', 'bfdd', 'ospfd', 'ospf6d', 'isisd', 'ripngd'] as const;

export const ROLES = ['router', 'vps', 'dcgw'] as const;

export const HostSchema = z
  .object({
    ssh: SshSchema,
    /** selects playbooks/<role>.ts */
    role: oneOf(ROLES, ' (it selects playbooks/<role>.ts)'),
    /** provider IPv4: the tunnels' outer endpoint; moving the host changes only this */
    outer_ipv4: Ipv4.optional(),
    /** net.fibs */
    fibs: Fibs.default(1),
    interfaces: z.array(InterfaceSchema).default([]),
    /** lo0 IPv6 aliases (/128) */
    loopback: z.array(Ipv6Host).default([]),
    tunnels: z.array(TunnelSchema).default([]),
    routes: z.array(RouteSchema).default([]),
    sysctls: z.record(SysctlOid, SysctlValue).default({}),
    /** kernel modules to load (kld_list); gif is in GENERIC, gre is not */
    modules: z.array(ModuleName).default([]),
    forwarding: z.object({ ipv4: Bool.default(false), ipv6: Bool.default(false) }).strict().default({ ipv4: false, ipv6: false }),
    frr: z.object({ daemons: z.array(oneOf(FRR_DAEMONS)).min(1) }).strict().optional(),
    bgp: BgpSchema.optional(),
    /** present = pf enabled */
    pf: PfSchema.optional(),
    service_addresses: z.array(ServiceAddressSchema).default([]),
    verify: VerifySchema.optional(),
  })
  .strict();

/** The merged, validated variables of one host, before references are resolved. */
export type Host = z.infer<typeof HostSchema>;

/** A host layer: every key optional, nested mappings partial, lists whole (lists replace). */
type Layer<T> = {
  [K in keyof T]?: T[K] extends readonly unknown[] ? T[K] : T[K] extends object ? Layer<T[K]> : T[K];
};
export type HostVars = Layer<Host>;

/** Builds the layer schema from HostSchema so the two can never disagree. */
function layerOf(schema: z.ZodObject): z.ZodObject {
  const shape: Record<string, z.ZodType> = {};
  for (const [key, f] of Object.entries(schema.shape)) {
    let inner: z.ZodType = f;
    while (inner instanceof z.ZodDefault || inner instanceof z.ZodOptional) inner = inner.unwrap() as z.ZodType;
    if (inner instanceof z.ZodObject) inner = layerOf(inner);
    shape[key] = inner.optional();
  }
  return z.object(shape).strict();
}
export const HostVarsSchema = layerOf(HostSchema) as unknown as z.ZodType<HostVars>;

// ---- inventory -----------------------------------------------------------------------------

export const OperatorSchema = z
  .object({
    asn: Asn,
    /** the address space this AS holds; own addresses must lie inside it */
    prefixes: z.array(IpPrefix).min(1),
  })
  .strict();

export const GroupSchema = z
  .object({
    hosts: z.array(HostName).default([]),
    vars: HostVarsSchema.default({}),
  })
  .strict();

/** One inventory file: any part of an inventory (several files are combined). */
export const InventoryFileSchema = z
  .object({
    operator: OperatorSchema.optional(),
    defaults: HostVarsSchema.optional(),
    groups: z.record(GroupName, GroupSchema).optional(),
    hosts: z.record(HostName, HostVarsSchema).optional(),
  })
  .strict();

/** A whole inventory, all files combined. */
export const InventorySchema = z
  .object({
    operator: OperatorSchema,
    defaults: HostVarsSchema.default({}),
    groups: z.record(GroupName, GroupSchema).default({}),
    hosts: z.record(HostName, HostVarsSchema),
  })
  .strict();

export type Operator = z.infer<typeof OperatorSchema>;
export type Group = z.infer<typeof GroupSchema>;
export type InventoryFile = z.infer<typeof InventoryFileSchema>;
export type Inventory = z.infer<typeof InventorySchema>;

// ---- resolved host -------------------------------------------------------------------------

export const ResolvedTunnelSchema = TunnelSchema.extend({
  local: Ipv4,
  remote: Ipv4,
  /** the inventory host the tunnel leads to, when `remote` named one */
  remote_host: HostName.optional(),
});

/** What playbooks get: merged, defaults applied, references resolved. */
export const HostConfigSchema = HostSchema.extend({
  name: HostName,
  /** groups the host belongs to, in declaration order */
  groups: z.array(GroupName),
  operator: OperatorSchema,
  tunnels: z.array(ResolvedTunnelSchema),
  bgp: BgpSchema.extend({ asn: Asn }).optional(),
});

export type HostConfig = z.infer<typeof HostConfigSchema>;
export type ResolvedTunnel = z.infer<typeof ResolvedTunnelSchema>;
export type Tunnel = z.infer<typeof TunnelSchema>;
export type Route = z.infer<typeof RouteSchema>;
export type Interface = z.infer<typeof InterfaceSchema>;
export type Neighbor = z.infer<typeof NeighborSchema>;
export type RpkiSettings = z.infer<typeof RpkiSchema>;
export type ServiceAddress = z.infer<typeof ServiceAddressSchema>;
export type SshSettings = z.infer<typeof SshSchema>;
export type Role = Host['role'];
