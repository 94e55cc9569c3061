// The lab topology file: segments (layer-2 networks), emulated FreeBSD hosts, and the
// infrastructure routers the lab configures itself. Validated with zod; every error names the
// field path and the rule it broke.
import * as fs from 'fs';
import { z } from 'zod';
import { parse as parseYaml } from 'yaml';
import { inPrefix, splitCidr } from './ip';
import { repoFile } from './assets';

// Linux limits a device name to 15 bytes; node names become namespace names and hostnames.
const ifName = z.string().regex(/^[a-z][a-z0-9]{0,14}$/, 'an interface name: lowercase letters and digits, at most 15');
const nodeName = z.string().regex(/^[a-z][a-z0-9-]{0,30}$/, 'a node name: lowercase letters, digits and -, at most 31');
const port = z.number().int().min(1).max(65535);
const asn = z.number().int().min(1).max(4294967295);
const prefixList = z.union([z.literal('any'), z.array(z.union([z.cidrv4(), z.cidrv6()]))]);

const segment = z
  .object({
    ipv4: z.cidrv4().optional(),
    ipv6: z.cidrv6().optional(),
    gateway4: z.ipv4().optional(),
    gateway6: z.ipv6().optional(),
  })
  .strict();

const iface = z
  .object({
    segment: z.string(),
    ipv4: z.cidrv4().optional(),
    ipv6: z.cidrv6().optional(),
  })
  .strict();

const host = z
  .object({
    ssh_port: port,
    mgmt: z.ipv4(),
    interfaces: z.record(ifName, iface),
  })
  .strict();

const neighbor = z
  .object({
    address: z.union([z.ipv4(), z.ipv6()]),
    remote_as: asn,
    description: z.string().optional(),
    /** prefixes accepted from the neighbor (exact match), or any */
    accept: prefixList,
    /** prefixes sent to the neighbor (exact match), or any */
    announce: prefixList,
    default_originate: z.boolean().optional(),
  })
  .strict();

const tunnel = z
  .object({
    kind: z.enum(['gif', 'gre']),
    local: z.ipv4(),
    remote: z.ipv4(),
    inner: z.ipv6(),
    peer: z.ipv6(),
    mtu: z.number().int().min(1280).max(1500),
  })
  .strict();

const router = z
  .object({
    forwarding: z.boolean().optional(),
    interfaces: z.record(ifName, iface),
    routes: z.array(z.object({ to: z.union([z.literal('default'), z.cidrv4(), z.cidrv6()]), via: z.union([z.ipv4(), z.ipv6()]) }).strict()).optional(),
    tunnels: z.record(ifName, tunnel).optional(),
    bgp: z
      .object({
        asn,
        router_id: z.ipv4(),
        neighbors: z.array(neighbor),
        /** prefixes this router originates (announced without needing a route) */
        originate: z.array(z.union([z.cidrv4(), z.cidrv6()])).optional(),
        /**
         * RPKI origin validation against the lab's cache (top-level `rpki`): RPKI-invalid routes
         * are refused from every neighbour; not-found ones too when reject_notfound.
         */
        rpki: z.object({ reject_notfound: z.boolean().default(false) }).strict().optional(),
        /**
         * prefixes originated (and sent to every neighbour) with this router's AS although the
         * lab's ROAs name another: RPKI-invalid routes, to test a neighbour's inbound policy
         */
        originate_invalid: z.array(z.union([z.cidrv4(), z.cidrv6()])).optional(),
      })
      .strict()
      .optional(),
    /** TCP port on which the node answers HTTP with the client's address */
    http_echo: port.optional(),
  })
  .strict();

const topologySchema = z
  .object({
    name: z.string().min(1),
    oob: z.object({ subnet: z.cidrv4(), address: z.ipv4() }).strict(),
    segments: z.record(z.string().regex(/^[a-z][a-z0-9-]*$/, 'a segment name: lowercase letters, digits and -'), segment),
    hosts: z.record(nodeName, host),
    routers: z.record(nodeName, router).default({}),
    /**
     * The lab's RPKI cache: stayrtr on infrastructure router `host`, serving the VRP file `vrps`
     * (JSON, relative to the topology file) over RTR on address:port.
     */
    rpki: z
      .object({ vrps: z.string().min(1), host: nodeName, address: z.union([z.ipv4(), z.ipv6()]), port })
      .strict()
      .optional(),
  })
  .strict()
  .superRefine((t, ctx) => {
    const issue = (p: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path: p, message });
    if (!inPrefix(t.oob.address, t.oob.subnet)) issue(['oob', 'address'], `must lie inside oob.subnet ${t.oob.subnet}`);
    const checkIfaces = (kind: 'hosts' | 'routers', node: string, ifaces: Record<string, z.infer<typeof iface>>) => {
      for (const [name, i] of Object.entries(ifaces)) {
        const at = [kind, node, 'interfaces', name];
        const seg = t.segments[i.segment];
        if (!seg) {
          issue([...at, 'segment'], `unknown segment "${i.segment}" (segments: ${Object.keys(t.segments).join(', ')})`);
          continue;
        }
        for (const fam of ['ipv4', 'ipv6'] as const) {
          const a = i[fam];
          if (!a) continue;
          const net = seg[fam];
          if (!net) issue([...at, fam], `segment ${i.segment} has no ${fam} prefix`);
          else if (!inPrefix(splitCidr(a).addr, net)) issue([...at, fam], `${a} is outside segment ${i.segment} (${net})`);
        }
      }
    };
    const ports = new Map<number, string>();
    const mgmts = new Map<string, string>();
    for (const [name, h] of Object.entries(t.hosts)) {
      checkIfaces('hosts', name, h.interfaces);
      if (name in t.routers) issue(['routers', name], `name already used by hosts.${name}`);
      if (['sw', 'oob'].includes(name)) issue(['hosts', name], 'name is reserved by the lab (sw, oob)');
      const p = ports.get(h.ssh_port);
      if (p) issue(['hosts', name, 'ssh_port'], `port ${h.ssh_port} already used by hosts.${p}`);
      ports.set(h.ssh_port, name);
      if (!inPrefix(h.mgmt, t.oob.subnet)) issue(['hosts', name, 'mgmt'], `must lie inside oob.subnet ${t.oob.subnet}`);
      const m = mgmts.get(h.mgmt);
      if (m || h.mgmt === t.oob.address) issue(['hosts', name, 'mgmt'], `address ${h.mgmt} already used by ${m ? 'hosts.' + m : 'oob.address'}`);
      mgmts.set(h.mgmt, name);
      if ('mgmt0' in h.interfaces || 'lo0' in h.interfaces) issue(['hosts', name, 'interfaces'], 'mgmt0 and lo0 are created by the lab');
    }
    if (t.rpki) {
      const r = t.routers[t.rpki.host];
      if (!r) issue(['rpki', 'host'], `unknown infrastructure router "${t.rpki.host}" (routers: ${Object.keys(t.routers).join(', ')})`);
      else if (!Object.values(r.interfaces).some((i) => [i.ipv4, i.ipv6].some((a) => a && splitCidr(a).addr === t.rpki!.address))) {
        issue(['rpki', 'address'], `${t.rpki.address} is not an address of routers.${t.rpki.host}`);
      }
    }
    for (const [name, r] of Object.entries(t.routers)) {
      if (r.bgp?.rpki && !t.rpki) issue(['routers', name, 'bgp', 'rpki'], 'needs the top-level rpki cache');
      if (['sw', 'oob'].includes(name)) issue(['routers', name], 'name is reserved by the lab (sw, oob)');
      checkIfaces('routers', name, r.interfaces);
      for (const [tname] of Object.entries(r.tunnels ?? {})) {
        if (tname in r.interfaces) issue(['routers', name, 'tunnels', tname], 'name already used by an interface');
      }
    }
  });

export type Topology = z.infer<typeof topologySchema>;
export type Segment = z.infer<typeof segment>;
export type Interface = z.infer<typeof iface>;
export type LabHostSpec = z.infer<typeof host>;
export type RouterSpec = z.infer<typeof router>;
export type NeighborSpec = z.infer<typeof neighbor>;
export type TunnelSpec = z.infer<typeof tunnel>;
export type RpkiCacheSpec = NonNullable<Topology['rpki']>;

export class TopologyError extends Error {}

/** Parse and validate topology text; `source` names the file in error messages. */
export function parseTopology(text: string, source: string): Topology {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (e) {
    throw new TopologyError(`${source}: not valid YAML: ${(e as Error).message}`);
  }
  const r = topologySchema.safeParse(raw);
  if (!r.success) {
    const lines = r.error.issues.map((i) => `  ${i.path.length ? i.path.join('.') : '(top level)'}: ${i.message}`);
    throw new TopologyError(`${source}: invalid lab topology:\n${lines.join('\n')}`);
  }
  return r.data;
}

/** The default lab (docs/lab-address-plan.md). */
export function defaultTopologyFile(): string {
  return repoFile('src/lab/default-topology.yaml');
}

export function loadTopology(file = defaultTopologyFile()): Topology {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new TopologyError(`cannot read topology file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return parseTopology(text, file);
}
