import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import YAML from 'yaml';
import { InvalidInputError } from '../../../src/errors';
import { UnknownTargetError } from '../../../src/inventory/errors';
import { loadInventory, loadInventorySources } from '../../../src/inventory/load';
import { closestNames, deepMerge, resolveHost, resolveTargets } from '../../../src/inventory/resolve';

const ROOT = join(__dirname, '../../..');
const LAB = join(ROOT, 'inventory/lab.yaml');
const lab = loadInventory(LAB);

describe('resolveHost', () => {
  it('merges defaults, group vars and the host', () => {
    const vps = resolveHost(lab, 'vps01');
    expect(vps.ssh).toEqual({
      host: '127.0.0.1',
      port: 2202,
      user: 'root',
      identity_file: '/run/provision-lab/id_ed25519',
      known_hosts: '/run/provision-lab/known_hosts',
    });
    expect(vps.fibs).toBe(2); // from group edge
    expect(vps.verify).toEqual({ echo_url: 'http://[2001:db8:e::80]/', expect_source: '2a06:9801:1c:1000::10' });
    expect(vps.groups).toEqual(['edge']);
    expect(vps.name).toBe('vps01');
  });

  it("resolves a tunnel's remote host to its outer_ipv4 and keeps the name", () => {
    const r = resolveHost(lab, 'router01');
    expect(r.tunnels.map((t) => [t.name, t.local, t.remote, t.remote_host])).toEqual([
      ['gre0', '198.51.100.10', '198.51.100.44', undefined],
      ['gif0', '198.51.100.10', '203.0.113.10', 'vps01'],
      ['gif1', '198.51.100.10', '192.0.2.10', 'dcgw01'],
    ]);
  });

  it("moving vps01 is one edit: router01's tunnel follows", () => {
    const doc = YAML.parse(readFileSync(LAB, 'utf8'));
    doc.hosts.vps01.outer_ipv4 = '203.0.113.130';
    const moved = loadInventorySources([{ file: 'lab.yaml', text: YAML.stringify(doc) }]);
    expect(resolveHost(moved, 'router01').tunnels[1].remote).toBe('203.0.113.130');
    expect(resolveHost(moved, 'vps01').tunnels[0].local).toBe('203.0.113.130');
  });

  it('defaults bgp.asn to the operator ASN', () => {
    expect(resolveHost(lab, 'router01').bgp?.asn).toBe(201379);
    expect(resolveHost(lab, 'router01').operator.asn).toBe(201379);
  });

  it('returns frozen configuration', () => {
    const r = resolveHost(lab, 'router01');
    expect(() => (r.tunnels as unknown as unknown[]).push({})).toThrow(TypeError);
  });

  it('works unchanged on another network', () => {
    const other = loadInventory(join(ROOT, 'fixtures/inventory/other-network.yaml'));
    const edge = resolveHost(other, 'edge1');
    expect(edge.bgp?.asn).toBe(65540);
    expect(edge.tunnels.map((t) => t.remote)).toEqual(['203.0.113.50', '203.0.113.60']);
    const webA = resolveHost(other, 'web-a');
    expect(webA).toMatchObject({ role: 'vps', fibs: 3, ssh: { proxy_jump: 'ops@edge1.example.net:2222', become: 'sudo' } });
  });

  it('refuses an unknown host with suggestions', () => {
    expect(() => resolveHost(lab, 'vps1')).toThrow(UnknownTargetError);
    expect(() => resolveHost(lab, 'vps1')).toThrow(/did you mean vps01/);
  });
});

describe('resolveTargets', () => {
  it('expands hosts, groups and all, in inventory order without duplicates', () => {
    expect(resolveTargets(lab, ['vps01'])).toEqual(['vps01']);
    expect(resolveTargets(lab, ['edge'])).toEqual(['vps01', 'dcgw01']);
    expect(resolveTargets(lab, ['dcgw01', 'edge', 'router01'])).toEqual(['router01', 'vps01', 'dcgw01']);
    expect(resolveTargets(lab, ['all'])).toEqual(['router01', 'vps01', 'dcgw01']);
  });

  it('narrows by --limit', () => {
    expect(resolveTargets(lab, ['all'], 'edge')).toEqual(['vps01', 'dcgw01']);
    expect(resolveTargets(lab, ['all'], 'router01,dcgw01')).toEqual(['router01', 'dcgw01']);
    expect(() => resolveTargets(lab, ['edge'], 'router01')).toThrow(InvalidInputError);
  });

  it('names the closest valid targets for an unknown one', () => {
    try {
      resolveTargets(lab, ['routr01']);
      throw new Error('resolved');
    } catch (e) {
      expect(e).toBeInstanceOf(UnknownTargetError);
      expect((e as UnknownTargetError).suggestions).toEqual(['router01']);
      expect((e as Error).message).toBe('unknown target "routr01": no host or group of that name (did you mean router01?)');
    }
    expect(() => resolveTargets(lab, ['edge'], 'edg')).toThrow(/did you mean edge/);
    expect(() => resolveTargets(lab, [])).toThrow(InvalidInputError);
  });
});

describe('helpers', () => {
  it('deepMerge merges mappings and replaces lists', () => {
    expect(deepMerge({ ssh: { host: 'a', user: 'root' }, loopback: ['1'] }, { ssh: { port: 2 }, loopback: ['2'] })).toEqual({
      ssh: { host: 'a', user: 'root', port: 2 },
      loopback: ['2'],
    });
  });

  it('closestNames ranks by edit distance and ignores distant names', () => {
    expect(closestNames('vps02', ['vps01', 'dcgw01', 'router01'])).toEqual(['vps01']);
    expect(closestNames('zzzzzz', ['vps01', 'dcgw01'])).toEqual([]);
  });
});
