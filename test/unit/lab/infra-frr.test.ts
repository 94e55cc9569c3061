// The infrastructure routers' frr.conf: generated from the topology, and accepted by Debian's
// own vtysh parser (vtysh -C needs no running daemon; research §8.6).
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { spawnSync } from 'child_process';
import { infraFrrConf } from '../../../src/lab/infra-frr';
import { tunnelFilter } from '../../../src/lab/infra-extras';
import { loadTopology } from '../../../src/lab/topology';

const topo = loadTopology();
const hasVtysh = fs.existsSync('/usr/bin/vtysh');

describe('infrastructure FRR config', () => {
  test('ifog: policy in and out, default-originate, IPv6-only sessions', () => {
    const conf = infraFrrConf('ifog', topo.routers.ifog, topo.rpki);
    expect(conf).toContain('router bgp 34927\n bgp router-id 198.51.100.44\n no bgp default ipv4-unicast');
    expect(conf).toContain('ipv6 prefix-list N0-IN seq 5 permit 2a06:9801:1c::/48');
    expect(conf).toContain('ipv6 prefix-list N0-OUT seq 5 permit 2001:db8:e::/64');
    expect(conf).toContain('route-map N1-IN deny 10'); // transit: accept nothing
    expect(conf).toContain('route-map N1-OUT permit 10\nexit'); // transit: announce any
    expect(conf).toMatch(/ address-family ipv6 unicast\n {2}network 2001:db8:e::\/64\n {2}neighbor 2001:db8:ffff:44::2 activate\n {2}neighbor 2001:db8:ffff:44::2 route-map N0-IN in\n {2}neighbor 2001:db8:ffff:44::2 route-map N0-OUT out\n {2}neighbor 2001:db8:ffff:44::2 default-originate\n/);
    expect(conf).not.toContain('address-family ipv4 unicast');
  });

  (hasVtysh ? test : test.skip).each(['transit', 'ifog', 'lagrange'])('vtysh -C accepts the config of %s', (name) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'infra-frr-'));
    fs.writeFileSync(path.join(dir, 'frr.conf'), infraFrrConf(name, topo.routers[name], topo.rpki));
    fs.writeFileSync(path.join(dir, 'vtysh.conf'), '');
    const r = spawnSync('/usr/bin/vtysh', ['--config_dir', dir, '-C', '-f', path.join(dir, 'frr.conf')], { encoding: 'utf8' });
    expect({ code: r.status, out: r.stdout.trim() }).toEqual({ code: 0, out: '' });
  });

  test('ifog validates origins strictly against the lab cache; lagrange does not', () => {
    const ifog = infraFrrConf('ifog', topo.routers.ifog, topo.rpki);
    expect(ifog).toContain(`rpki\n rpki polling_period 5\n rpki cache ${topo.rpki!.address} ${topo.rpki!.port} preference 1\nexit\n`);
    expect(ifog).toContain('route-map N0-IN deny 1\n match rpki invalid\nexit\nroute-map N0-IN deny 2\n match rpki notfound\nexit\n');
    expect(ifog).toContain('  neighbor 2001:db8:ffff:44::2 soft-reconfiguration inbound');
    expect(infraFrrConf('lagrange', topo.routers.lagrange, topo.rpki)).not.toMatch(/rpki/);
    expect(() => infraFrrConf('ifog', topo.routers.ifog)).toThrow(/rpki cache/);
  });

  test('originate_invalid: originated and sent to every neighbour, even through prefix filters', () => {
    const lagrange = { ...topo.routers.lagrange, bgp: { ...topo.routers.lagrange.bgp!, originate_invalid: ['2001:db8:e:ff::/64'] } };
    const conf = infraFrrConf('lagrange', lagrange, topo.rpki);
    expect(conf).toContain('  network 2001:db8:e:ff::/64\n');
    expect(conf).toContain('ipv6 prefix-list N0-OUT seq 10 permit 2001:db8:e:ff::/64');
  });

  test('tunnel ends accept vxlan only from the configured far end', () => {
    expect(tunnelFilter(topo.routers.ifog)).toContain('udp dport 4790 ip saddr != { 198.51.100.10 } drop');
    expect(tunnelFilter(topo.routers.transit)).toBeNull();
  });
});
