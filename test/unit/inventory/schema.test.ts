// Table-driven malformed inventories: each case mutates a valid base (inventory/lab.yaml) and
// names the exact path of the issue it must produce and a fragment of the rule's wording.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import YAML from 'yaml';
import { InventoryError, type InventoryIssue } from '../../../src/inventory/errors';
import { loadInventorySources, type InventorySource } from '../../../src/inventory/load';
import { HostSchema, HostVarsSchema } from '../../../src/inventory/schema';

const BASE_TEXT = readFileSync(join(__dirname, '../../../inventory/lab.yaml'), 'utf8');
type Doc = any;

function issuesOf(sources: InventorySource[]): InventoryIssue[] {
  try {
    loadInventorySources(sources);
  } catch (e) {
    if (e instanceof InventoryError) return e.issues;
    throw e;
  }
  return [];
}

interface Case {
  name: string;
  /** change the base document… */
  mutate?: (d: Doc) => void;
  /** …or give the files outright */
  sources?: (base: Doc) => InventorySource[];
  path: string;
  rule: string | RegExp;
  file?: string;
}

const r01 = (d: Doc) => d.hosts.router01;
const v01 = (d: Doc) => d.hosts.vps01;

const CASES: Case[] = [
  // ---- AS numbers
  { name: 'ASN 0', mutate: (d) => (d.operator.asn = 0), path: 'operator.asn', rule: 'must be an AS number: an integer 1..4294967295 (got 0)' },
  { name: 'ASN 2^32', mutate: (d) => (d.operator.asn = 4294967296), path: 'operator.asn', rule: 'an integer 1..4294967295 (got 4294967296)' },
  { name: 'ASN "abc"', mutate: (d) => (d.operator.asn = 'abc'), path: 'operator.asn', rule: '(got "abc")' },
  { name: 'ASN negative', mutate: (d) => (d.operator.asn = -1), path: 'operator.asn', rule: 'must be an AS number' },
  { name: 'ASN not an integer', mutate: (d) => (d.operator.asn = 201379.5), path: 'operator.asn', rule: 'must be an AS number' },
  { name: 'neighbor remote_as 0', mutate: (d) => (r01(d).bgp.neighbors[1].remote_as = 0), path: 'hosts.router01.bgp.neighbors[1].remote_as', rule: 'must be an AS number' },
  // ---- prefixes
  { name: 'prefix /129', mutate: (d) => (d.operator.prefixes = ['2001:db8::/129']), path: 'operator.prefixes[0]', rule: 'prefix length 129 is out of range 0..128' },
  { name: 'prefix with host bits', mutate: (d) => (d.operator.prefixes = ['2a06:9801:1c::1/48']), path: 'operator.prefixes[0]', rule: 'has host bits set (the network is 2a06:9801:1c::/48)' },
  { name: 'prefix without length', mutate: (d) => (d.operator.prefixes = ['2a06:9801:1c::']), path: 'operator.prefixes[0]', rule: 'is not of the form address/length' },
  { name: 'no operator prefixes', mutate: (d) => (d.operator.prefixes = []), path: 'operator.prefixes', rule: 'at least 1 entry' },
  { name: 'announce outside the AS', mutate: (d) => (r01(d).bgp.announce = ['2001:db8::/32']), path: 'hosts.router01.bgp.announce[0]', rule: "2001:db8::/32 is not inside the operator's prefixes" },
  { name: 'route dest with host bits', mutate: (d) => (r01(d).routes[1].dest = '2a06:9801:1c:1000::1/52'), path: 'hosts.router01.routes[1].dest', rule: 'has host bits set' },
  // ---- addresses
  { name: 'IPv4 octet 256', mutate: (d) => (r01(d).outer_ipv4 = '198.51.100.256'), path: 'hosts.router01.outer_ipv4', rule: 'must be an IPv4 address (got "198.51.100.256")' },
  { name: 'IPv6 where IPv4 belongs', mutate: (d) => (r01(d).bgp.router_id = '2001:db8::1'), path: 'hosts.router01.bgp.router_id', rule: 'must be an IPv4 address' },
  { name: 'interface inet6 without length', mutate: (d) => (r01(d).interfaces[0].inet6 = '2001:db8:100::96'), path: 'hosts.router01.interfaces[0].inet6', rule: 'is not of the form address/length' },
  { name: 'interface inet /33', mutate: (d) => (r01(d).interfaces[0].inet = '198.51.100.10/33'), path: 'hosts.router01.interfaces[0].inet', rule: 'prefix length 33 is out of range 0..32' },
  { name: 'address that is a number', mutate: (d) => (v01(d).tunnels[0].inner.local = 5), path: 'hosts.vps01.tunnels[0].inner.local', rule: 'must be an IPv6 address (optionally written addr/128) (got 5)' },
  { name: 'loopback /64', mutate: (d) => (r01(d).loopback = ['2a06:9801:1c::1/64']), path: 'hosts.router01.loopback[0]', rule: 'must be an IPv6 address' },
  { name: 'loopback outside the AS', mutate: (d) => (r01(d).loopback = ['2001:db8::1']), path: 'hosts.router01.loopback[0]', rule: "is not inside the operator's prefixes (2a06:9801:1c::/48)" },
  { name: 'service address outside the AS', mutate: (d) => (v01(d).service_addresses[0].address = '2001:db8:203::10'), path: 'hosts.vps01.service_addresses[0].address', rule: "2001:db8:203::10 is not inside the operator's prefixes" },
  { name: 'inner tunnel address outside the AS', mutate: (d) => (v01(d).tunnels[0].inner.local = '2001:db8::2'), path: 'hosts.vps01.tunnels[0].inner.local', rule: "is not inside the operator's prefixes" },
  { name: 'service address claimed twice', mutate: (d) => (d.hosts.dcgw01.service_addresses[0].address = '2a06:9801:1c:1000::10'), path: 'hosts.dcgw01.service_addresses[0].address', rule: 'is also claimed by hosts.vps01.service_addresses[0].address' },
  // ---- MTU, MSS
  { name: 'MTU 1279', mutate: (d) => (r01(d).tunnels[1].mtu = 1279), path: 'hosts.router01.tunnels[1].mtu', rule: 'must be an MTU of 1280..9000' },
  { name: 'MTU 9001', mutate: (d) => (r01(d).tunnels[1].mtu = 9001), path: 'hosts.router01.tunnels[1].mtu', rule: '(got 9001)' },
  { name: 'MTU as a string', mutate: (d) => (r01(d).tunnels[1].mtu = '1440'), path: 'hosts.router01.tunnels[1].mtu', rule: '(got "1440")' },
  { name: 'MSS above mtu - 60', mutate: (d) => (v01(d).tunnels[0].mss = 1400), path: 'hosts.vps01.tunnels[0].mss', rule: 'must be at most mtu - 60 = 1380' },
  { name: 'MSS without pf', mutate: (d) => delete v01(d).pf, path: 'hosts.vps01.tunnels[0].mss', rule: 'needs pf' },
  // ---- FIBs
  { name: 'tunnel FIB beyond net.fibs', mutate: (d) => (v01(d).tunnels[0].fib = 2), path: 'hosts.vps01.tunnels[0].fib', rule: 'FIB 2 does not exist: fibs (net.fibs) is 2, so the FIBs are 0..1' },
  { name: 'route FIB beyond net.fibs', mutate: (d) => (v01(d).routes[2].fib = 5), path: 'hosts.vps01.routes[2].fib', rule: 'FIB 5 does not exist' },
  { name: 'FIB -1', mutate: (d) => (v01(d).tunnels[0].tunnelfib = -1), path: 'hosts.vps01.tunnels[0].tunnelfib', rule: 'must be a FIB number: an integer 0..65534' },
  { name: 'fibs 0', mutate: (d) => (v01(d).fibs = 0), path: 'hosts.vps01.fibs', rule: 'must be the number of FIBs (net.fibs): an integer 1..65535' },
  { name: 'service address FIB disagrees with its interface', mutate: (d) => (v01(d).service_addresses[0].fib = 0), path: 'hosts.vps01.service_addresses[0].fib', rule: 'is 0 but gif0 is in FIB 1' },
  // ---- tunnels
  { name: 'tunnel remote that is no host', mutate: (d) => (r01(d).tunnels[0].remote = 'x'), path: 'hosts.router01.tunnels[0].remote', rule: 'must be an IPv4 address or the name of an inventory host (got "x")' },
  { name: 'tunnel remote IPv6', mutate: (d) => (r01(d).tunnels[0].remote = '2001:db8:100::44'), path: 'hosts.router01.tunnels[0].remote', rule: 'must be an IPv4 address or the name of an inventory host (got "2001:db8:100::44")' },
  { name: 'tunnel remote misspelt', mutate: (d) => (r01(d).tunnels[1].remote = 'vps02'), path: 'hosts.router01.tunnels[1].remote', rule: 'did you mean vps01' },
  { name: 'tunnel remote is itself', mutate: (d) => (r01(d).tunnels[1].remote = 'router01'), path: 'hosts.router01.tunnels[1].remote', rule: 'names this host itself' },
  { name: 'tunnel with no way back', mutate: (d) => (v01(d).tunnels[0].remote = '198.51.100.10'), path: 'hosts.router01.tunnels[1].remote', rule: 'host vps01 has no tunnel back to router01' },
  { name: 'tunnel ends that do not mirror', mutate: (d) => (v01(d).tunnels[0].inner.peer = '2a06:9801:1c:ffff::9'), path: 'hosts.router01.tunnels[1].inner', rule: 'does not mirror the other end, vps01 tunnels[0].inner' },
  { name: 'tunnel kind against its name', mutate: (d) => (r01(d).tunnels[1].kind = 'gre'), path: 'hosts.router01.tunnels[1].name', rule: 'must be gre<N> for a tunnel of kind gre' },
  { name: 'unknown tunnel kind', mutate: (d) => (r01(d).tunnels[1].kind = 'ipip'), path: 'hosts.router01.tunnels[1].kind', rule: 'must be one of gif, gre (got "ipip")' },
  { name: 'duplicate tunnel name', mutate: (d) => (r01(d).tunnels[2].name = 'gif0'), path: 'hosts.router01.tunnels[2].name', rule: 'duplicate interface name "gif0" (also tunnels[1])' },
  { name: 'tunnel to a host without outer_ipv4', mutate: (d) => delete v01(d).outer_ipv4, path: 'hosts.router01.tunnels[1].remote', rule: 'names vps01, which has no outer_ipv4' },
  { name: 'tunnel local with no outer_ipv4 to default to', mutate: (d) => delete v01(d).outer_ipv4, path: 'hosts.vps01.tunnels[0].local', rule: 'is required when the host has no outer_ipv4' },
  // ---- names with shell metacharacters
  { name: 'host name with a command', mutate: (d) => (d.hosts['router01; rm -rf /'] = d.hosts.router01), path: 'hosts["router01; rm -rf /"]', rule: 'must be a host name' },
  { name: 'host name $(x)', mutate: (d) => (d.hosts['$(x)'] = d.hosts.vps01), path: 'hosts["$(x)"]', rule: 'must be a host name' },
  { name: 'group member $(x)', mutate: (d) => (d.groups.edge.hosts = ['$(x)']), path: 'groups.edge.hosts[0]', rule: 'must be a host name' },
  { name: 'interface name with a command', mutate: (d) => (r01(d).interfaces[0].name = 'vtnet0; reboot'), path: 'hosts.router01.interfaces[0].name', rule: 'must be a FreeBSD interface name' },
  { name: 'description with $( )', mutate: (d) => (r01(d).tunnels[0].description = 'ifog $(reboot)'), path: 'hosts.router01.tunnels[0].description', rule: 'must be 1-80 characters of letters' },
  { name: 'ssh user with a command', mutate: (d) => (d.defaults.ssh.user = 'root;id'), path: 'defaults.ssh.user', rule: 'must be a user name' },
  { name: 'env var name in lower case', mutate: (d) => (r01(d).bgp.neighbors[0].password = { env: 'pw; echo' }), path: 'hosts.router01.bgp.neighbors[0].password.env', rule: 'must be an environment variable name' },
  // ---- structure
  { name: 'unknown host key', mutate: (d) => (r01(d).tunels = []), path: 'hosts.router01.tunels', rule: 'unknown key "tunels" (did you mean "tunnels"?)' },
  { name: 'unknown tunnel key', mutate: (d) => (r01(d).tunnels[0].remote_ip = '1.2.3.4'), path: 'hosts.router01.tunnels[0].remote_ip', rule: 'unknown key "remote_ip"' },
  { name: 'unknown top-level key', mutate: (d) => (d.host = {}), path: 'host', rule: 'unknown key "host" (did you mean "hosts"?)' },
  { name: 'missing role', mutate: (d) => delete r01(d).role, path: 'hosts.router01.role', rule: 'is required' },
  { name: 'unknown role', mutate: (d) => (r01(d).role = 'firewall'), path: 'hosts.router01.role', rule: 'must be one of router, vps, dcgw' },
  { name: 'missing ssh host in every layer', mutate: (d) => delete d.defaults.ssh.host, path: 'hosts.router01.ssh.host', rule: 'is required' },
  { name: 'missing operator', mutate: (d) => delete d.operator, path: 'operator', rule: 'is required in one of the inventory files' },
  { name: 'tunnels not a list', mutate: (d) => (r01(d).tunnels = 'gif0'), path: 'hosts.router01.tunnels', rule: 'must be a list (got "gif0")' },
  { name: 'ssh port out of range', mutate: (d) => (r01(d).ssh.port = 70000), path: 'hosts.router01.ssh.port', rule: 'must be a TCP port' },
  { name: 'group member that is no host', mutate: (d) => (d.groups.edge.hosts = ['vps01', 'vps09']), path: 'groups.edge.hosts[1]', rule: 'names no host in the inventory (got "vps09")' },
  { name: 'group named like a host', mutate: (d) => (d.groups.vps01 = { hosts: [] }), path: 'groups.vps01', rule: 'has the name of a host' },
  { name: 'the reserved name all', mutate: (d) => (d.groups.all = { hosts: [] }), path: 'groups.all', rule: 'is reserved' },
  // ---- routes, sysctls, frr, verify
  { name: 'blackhole with a next hop', mutate: (d) => (r01(d).routes[3].via = '2001:db8::1'), path: 'hosts.router01.routes[3].via', rule: 'must be omitted for a blackhole route' },
  { name: 'normal route without next hop', mutate: (d) => delete r01(d).routes[1].via, path: 'hosts.router01.routes[1].via', rule: 'is required for a normal route' },
  { name: 'route via an unknown interface', mutate: (d) => (r01(d).routes[1].via = 'gif9'), path: 'hosts.router01.routes[1].via', rule: 'names no interface or tunnel of this host (got "gif9"' },
  { name: 'route via another family', mutate: (d) => (r01(d).routes[1].via = '198.51.100.1'), path: 'hosts.router01.routes[1].via', rule: 'is an IPv4 address but dest 2a06:9801:1c:1000::/52 is IPv6' },
  { name: 'an OpenBSD sysctl', mutate: (d) => (r01(d).sysctls = { 'net.inet.gre.allow': 1 }), path: 'hosts.router01.sysctls["net.inet.gre.allow"]', rule: 'does not exist on FreeBSD' },
  { name: 'frr without zebra first', mutate: (d) => (r01(d).frr.daemons = ['bgpd', 'zebra']), path: 'hosts.router01.frr.daemons', rule: 'must start with zebra' },
  { name: 'echo URL not http', mutate: (d) => (d.groups.edge.vars.verify.echo_url = 'ftp://[2001:db8:e::80]/'), path: 'groups.edge.vars.verify.echo_url', rule: 'must be an http:// or https:// URL' },
  { name: 'expected source not on the host', mutate: (d) => (v01(d).verify.expect_source = '2a06:9801:1c:2000::10'), path: 'hosts.vps01.verify.expect_source', rule: 'is not an address of this host' },
  // ---- files
  {
    name: 'YAML syntax error',
    sources: () => [{ file: 'bad.yaml', text: 'hosts:\n  router01:\n    role: [router\n' }],
    path: '',
    rule: /^YAML syntax error: /,
    file: 'bad.yaml',
  },
  {
    name: 'the same host twice in one file',
    sources: () => [{ file: 'bad.yaml', text: 'hosts:\n  vps01: {}\n  vps01: {}\n' }],
    path: '',
    rule: 'duplicate key',
    file: 'bad.yaml',
  },
  {
    name: 'the same host in two files',
    sources: (base) => [
      { file: 'a.yaml', text: YAML.stringify(base) },
      { file: 'b.yaml', text: YAML.stringify({ hosts: { vps01: base.hosts.vps01 } }) },
    ],
    path: 'hosts.vps01',
    rule: 'duplicate host "vps01": already defined in a.yaml',
    file: 'b.yaml',
  },
  {
    name: 'operator in two files',
    sources: (base) => [
      { file: 'a.yaml', text: YAML.stringify(base) },
      { file: 'b.yaml', text: YAML.stringify({ operator: base.operator }) },
    ],
    path: 'operator',
    rule: 'is already defined in a.yaml',
    file: 'b.yaml',
  },
  {
    name: 'a file that is a list',
    sources: () => [{ file: 'list.yaml', text: '- router01\n' }],
    path: '',
    rule: 'must be a mapping (got a list)',
    file: 'list.yaml',
  },
];

describe('malformed inventories', () => {
  it('has enough cases', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(40);
  });

  it.each(CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const base = YAML.parse(BASE_TEXT);
    let sources: InventorySource[];
    if (c.sources) sources = c.sources(base);
    else {
      c.mutate!(base);
      sources = [{ file: 'lab.yaml', text: YAML.stringify(base) }];
    }
    const issues = issuesOf(sources);
    const at = issues.filter((i) => i.path === c.path && i.file === (c.file ?? 'lab.yaml'));
    if (at.length === 0) throw new Error(`no issue at "${c.path}"; got:\n${new InventoryError(issues).format()}`);
    const matches = at.filter((i) => (typeof c.rule === 'string' ? i.message.includes(c.rule) : c.rule.test(i.message)));
    if (matches.length === 0) throw new Error(`no issue at "${c.path}" matches ${String(c.rule)}; got:\n${new InventoryError(issues).format()}`);
  });
});

describe('the schema', () => {
  it('fills defaults in a merged host', () => {
    const h = HostSchema.parse({ ssh: { host: '127.0.0.1', user: 'root' }, role: 'vps' });
    expect(h).toMatchObject({ fibs: 1, tunnels: [], routes: [], sysctls: {}, forwarding: { ipv4: false, ipv6: false } });
    expect(h.ssh.port).toBe(22);
  });

  it('lets a layer leave out anything, including nested keys, without filling defaults', () => {
    const layer = HostVarsSchema.parse({ ssh: { port: 2202 }, verify: { echo_url: 'http://[2001:db8:e::80]/' } });
    expect(layer).toEqual({ ssh: { port: 2202 }, verify: { echo_url: 'http://[2001:db8:e::80]/' } });
  });

  it('refuses unknown keys in a layer too', () => {
    expect(HostVarsSchema.safeParse({ ssh: { prot: 22 } }).success).toBe(false);
  });
});
