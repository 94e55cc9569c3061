import * as fs from 'fs';
import { parseTopology, loadTopology, defaultTopologyFile, TopologyError } from '../../../src/lab/topology';
import { inPrefix, dottedNetmask, withHostPart } from '../../../src/lab/ip';

const defaultText = fs.readFileSync(defaultTopologyFile(), 'utf8');
const refused = (text: string) => {
  try {
    parseTopology(text, 'lab.yaml');
  } catch (e) {
    expect(e).toBeInstanceOf(TopologyError);
    return (e as Error).message;
  }
  throw new Error('topology was accepted');
};

describe('lab topology', () => {
  test('the default topology is valid and follows docs/lab-address-plan.md', () => {
    const t = loadTopology();
    expect(Object.keys(t.hosts)).toEqual(['router01', 'vps01', 'dcgw01']);
    expect(Object.values(t.hosts).map((h) => h.ssh_port)).toEqual([2201, 2202, 2203]);
    expect(t.hosts.router01.interfaces.vtnet0).toEqual({ segment: 'provider-a', ipv4: '198.51.100.10/24', ipv6: '2001:db8:100::96/64' });
    expect(t.routers.ifog.tunnels?.gre0).toMatchObject({ kind: 'gre', local: '198.51.100.44', remote: '198.51.100.10', mtu: 1476 });
    expect(t.routers.transit.bgp?.asn).toBe(64500);
    expect(t.segments['provider-e'].ipv4).toBe('203.0.113.128/25');
  });

  test('a wrong type is refused with the field path', () => {
    expect(refused(defaultText.replace('ssh_port: 2202', 'ssh_port: "x"'))).toMatch(/^lab\.yaml: invalid lab topology:\n {2}hosts\.vps01\.ssh_port: Invalid input: expected number/);
  });

  test('an unknown field is refused', () => {
    expect(refused(defaultText.replace('    ssh_port: 2201', '    ssh_port: 2201\n    sshport: 22'))).toMatch(/hosts\.router01: Unrecognized key: "sshport"/);
  });

  test('cross-field rules: unknown segment, address outside its segment, duplicate port, mgmt outside oob', () => {
    expect(refused(defaultText.replace('segment: provider-b,', 'segment: provider-z,'))).toMatch(/hosts\.vps01\.interfaces\.vtnet0\.segment: unknown segment "provider-z"/);
    expect(refused(defaultText.replace('ipv4: 203.0.113.10/25', 'ipv4: 203.0.113.200/25'))).toMatch(/hosts\.vps01\.interfaces\.vtnet0\.ipv4: 203\.0\.113\.200\/25 is outside segment provider-b/);
    expect(refused(defaultText.replace('ssh_port: 2203', 'ssh_port: 2201'))).toMatch(/hosts\.dcgw01\.ssh_port: port 2201 already used by hosts\.router01/);
    expect(refused(defaultText.replace('mgmt: 198.18.0.3', 'mgmt: 10.0.0.3'))).toMatch(/hosts\.dcgw01\.mgmt: must lie inside oob\.subnet/);
    expect(refused(defaultText.replace('mgmt: 198.18.0.3', 'mgmt: 198.18.0.1'))).toMatch(/hosts\.dcgw01\.mgmt: address 198\.18\.0\.1 already used by hosts\.router01/);
  });

  test('a bad interface name and bad YAML are refused', () => {
    expect(refused(defaultText.replace('      vtnet0: { segment: provider-c', '      VtNet0: { segment: provider-c'))).toMatch(/hosts\.dcgw01\.interfaces\.VtNet0/);
    expect(refused('hosts: [')).toMatch(/not valid YAML/);
  });

  test('another network can be described (nothing seed-specific is required)', () => {
    const t = parseTopology(
      [
        'name: other',
        'oob: { subnet: 10.255.0.0/24, address: 10.255.0.254 }',
        'segments: { lan: { ipv4: 10.1.0.0/24, gateway4: 10.1.0.1 } }',
        'hosts: { gw: { ssh_port: 2299, mgmt: 10.255.0.9, interfaces: { em0: { segment: lan, ipv4: 10.1.0.2/24 } } } }',
      ].join('\n'),
      'other.yaml',
    );
    expect(t.routers).toEqual({});
    expect(t.hosts.gw.interfaces.em0.ipv4).toBe('10.1.0.2/24');
  });
});

describe('address helpers', () => {
  test('inPrefix', () => {
    expect(inPrefix('203.0.113.130', '203.0.113.128/25')).toBe(true);
    expect(inPrefix('203.0.113.10', '203.0.113.128/25')).toBe(false);
    expect(inPrefix('2001:db8:100::96', '2001:db8:100::/64')).toBe(true);
    expect(inPrefix('2001:db8:101::96', '2001:db8:100::/64')).toBe(false);
    expect(inPrefix('198.51.100.1', '2001:db8::/32')).toBe(false);
  });
  test('dottedNetmask and withHostPart', () => {
    expect(dottedNetmask(25)).toBe('255.255.255.128');
    expect(dottedNetmask(0)).toBe('0.0.0.0');
    expect(withHostPart('2001:db8:204::/64', '2001:db8:203::10')).toBe('2001:db8:204::10');
    expect(withHostPart('10.9.0.0/16', '192.168.3.4')).toBe('10.9.3.4');
  });
});
