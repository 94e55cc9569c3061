import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import YAML from 'yaml';
import { InventoryError, type InventoryIssue } from '../../../src/inventory/errors';
import { loadInventory, loadInventorySources, type InventorySource } from '../../../src/inventory/load';

const ROOT = join(__dirname, '../../..');
const LAB = join(ROOT, 'inventory/lab.yaml');
const HOSTS = join(ROOT, 'inventory/hosts.yaml');
const OTHER = join(ROOT, 'fixtures/inventory/other-network.yaml');

/** The issues an inventory is rejected with (fails the test if it loads). */
function issuesOf(sources: InventorySource[]): InventoryIssue[] {
  try {
    loadInventorySources(sources);
  } catch (e) {
    if (e instanceof InventoryError) return e.issues;
    throw e;
  }
  throw new Error('the inventory loaded, but it should have been refused');
}

describe('the shipped inventories', () => {
  it.each([LAB, HOSTS, OTHER])('%s loads', (file) => {
    const inv = loadInventory(file);
    expect(Object.keys(inv.hosts).length).toBeGreaterThanOrEqual(3);
  });

  it('the lab and the real hosts describe the same network', () => {
    const lab = loadInventory(LAB);
    const real = loadInventory(HOSTS);
    expect(real.operator).toEqual(lab.operator);
    expect(Object.keys(real.hosts)).toEqual(Object.keys(lab.hosts));
    for (const h of Object.keys(lab.hosts)) {
      const { ssh: _a, frr: _b, bgp: bgpLab, ...netLab } = lab.hosts[h];
      const { ssh: _c, frr: _d, bgp: bgpReal, ...netReal } = real.hosts[h];
      expect(netReal).toEqual(netLab);
      expect(bgpReal?.neighbors?.map((n) => [n.address, n.remote_as])).toEqual(bgpLab?.neighbors?.map((n) => [n.address, n.remote_as]));
    }
  });

  it('normalizes addresses to the form FreeBSD prints', () => {
    const inv = loadInventory(LAB);
    expect(inv.hosts.router01.loopback).toEqual(['2a06:9801:1c::1']); // written as /128
  });

  it('combines several files into one inventory', () => {
    const doc = YAML.parse(readFileSync(LAB, 'utf8'));
    const { vps01, ...rest } = doc.hosts;
    const a = YAML.stringify({ ...doc, hosts: rest });
    const b = YAML.stringify({ hosts: { vps01 } });
    const inv = loadInventorySources([
      { file: 'a.yaml', text: a },
      { file: 'b.yaml', text: b },
    ]);
    expect(Object.keys(inv.hosts)).toEqual(['router01', 'dcgw01', 'vps01']);
  });

  it('reports a missing file by name', () => {
    expect(() => loadInventory(['/nonexistent/inventory.yaml'])).toThrow(/\/nonexistent\/inventory.yaml: cannot read the file/);
  });

  it('returns a frozen inventory', () => {
    const inv = loadInventory(LAB);
    expect(Object.isFrozen(inv.hosts.router01.tunnels)).toBe(true);
  });
});

describe('error format', () => {
  it('prints one line per issue: file, path, rule with the value', () => {
    const doc = YAML.parse(readFileSync(LAB, 'utf8'));
    doc.hosts.router01.tunnels[0].remote = 'x';
    doc.operator.asn = 0;
    try {
      loadInventorySources([{ file: 'inventory/lab.yaml', text: YAML.stringify(doc) }]);
      throw new Error('loaded');
    } catch (e) {
      expect((e as InventoryError).format().split('\n')).toEqual([
        'inventory/lab.yaml: operator.asn: must be an AS number: an integer 1..4294967295 (got 0)',
      ]); // a broken file stops before cross-host rules, so the tunnel is not reported yet
    }
    doc.operator.asn = 201379;
    try {
      loadInventorySources([{ file: 'inventory/lab.yaml', text: YAML.stringify(doc) }]);
      throw new Error('loaded');
    } catch (e) {
      expect((e as InventoryError).format()).toBe(
        'inventory/lab.yaml: hosts.router01.tunnels[0].remote: must be an IPv4 address or the name of an inventory host (got "x")',
      );
      expect((e as InventoryError).issues[0].line).toBeGreaterThan(1);
    }
  });

  it('reports a YAML syntax error with file, line and column', () => {
    const issues = issuesOf([{ file: 'broken.yaml', text: 'operator:\n  asn: 1\n  prefixes: [2001:db8::/48\nhosts: {}\n' }]);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ file: 'broken.yaml', path: '', line: 4, column: 1 });
    expect(new InventoryError(issues).format()).toMatch(/^broken\.yaml:4:1: YAML syntax error: /);
  });

  it('reports a value inherited from group vars where it is written', () => {
    const doc = YAML.parse(readFileSync(LAB, 'utf8'));
    delete doc.hosts.vps01.verify;
    delete doc.hosts.dcgw01.verify;
    doc.groups.edge.vars.verify.expect_source = '2a06:9801:1c::99';
    const issues = issuesOf([{ file: 'lab.yaml', text: YAML.stringify(doc) }]);
    expect(issues.map((i) => i.path)).toEqual(['groups.edge.vars.verify.expect_source', 'groups.edge.vars.verify.expect_source']);
    expect(issues[0].message).toMatch(/2a06:9801:1c::99 is not an address of this host/);
  });
});

describe('gateways route(8) would refuse', () => {
  const lab = readFileSync(LAB, 'utf8');
  it('a FIB 0 gateway on no subnet of the host is refused before any host is contacted (a migration that kept the old gateway)', () => {
    // vps01 at a /24 of another provider, its default route still to the old provider's gateway
    const moved = lab.replace('{ name: vtnet0, fib: 0, inet: 203.0.113.10/25', '{ name: vtnet0, fib: 0, inet: 192.0.2.77/24');
    const issues = issuesOf([{ file: 'lab.yaml', text: moved }]);
    expect(issues.map((i) => `${i.path} ${i.message}`).join('\n')).toMatch(
      /hosts\.vps01\.routes\[0\]\.via gateway 203\.0\.113\.1 is on no subnet of this host in FIB 0 \(192\.0\.2\.77\/24\): route\(8\) would refuse it/,
    );
  });
  it('a gateway a non-default route of the same FIB reaches is accepted, as ifa_ifwithroute does', () => {
    // router01: a /64 of the edge reached through vps01's tunnel peer, then a host behind it
    const recursive = lab.replace(
      '      - { dest: "2a06:9801:1c:2000::/52", via: "2a06:9801:1c:ffff::6" }',
      '      - { dest: "2a06:9801:1c:2000::/52", via: "2a06:9801:1c:ffff::6" }\n      - { dest: "2a06:9801:1c:3000::/52", via: "2a06:9801:1c:2000::1" }',
    );
    expect(recursive).not.toBe(lab);
    expect(() => loadInventorySources([{ file: 'lab.yaml', text: recursive }])).not.toThrow();
    // the same gateway, reached only by the default route: refused
    const viaDefault = lab.replace(
      '      - { dest: "2a06:9801:1c:2000::/52", via: "2a06:9801:1c:ffff::6" }',
      '      - { dest: "2a06:9801:1c:2000::/52", via: "2a06:9801:1c:ffff::6" }\n      - { dest: "2a06:9801:1c:3000::/52", via: "2001:db8:999::1" }',
    );
    expect(issuesOf([{ file: 'lab.yaml', text: viaDefault }]).map((i) => i.message).join('\n')).toMatch(/gateway 2001:db8:999::1 is on no subnet of this host in FIB 0/);
  });
  it('a FIB 1 gateway is judged against FIB 1: the tunnel peer there is on-link', () => {
    const wrong = lab.replace('{ dest: "::/0", via: "2a06:9801:1c:ffff::1", fib: 1 }', '{ dest: "::/0", via: "2a06:9801:1c:ffff::9", fib: 1 }');
    const issues = issuesOf([{ file: 'lab.yaml', text: wrong }]);
    expect(issues.map((i) => `${i.path} ${i.message}`).join('\n')).toMatch(/hosts\.vps01\.routes\[2\]\.via gateway 2a06:9801:1c:ffff::9 is on no subnet of this host in FIB 1 \(2a06:9801:1c:ffff::1 \(tunnel peer\)\)/);
  });
});
