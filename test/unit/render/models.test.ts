import * as path from 'path';
import { InvalidInputError } from '../../../src/errors';
import { validatePlay } from '../../../src/engine/playbook';
import { loadInventory, resolveHost } from '../../../src/inventory';
import type { HostConfig } from '../../../src/inventory/schema';
import { renderFrr } from '../../../src/render/frr';
import {
  frrModel,
  frrSecrets,
  interfaceAliases,
  kernelModules,
  pfModel,
  rcModel,
  serviceAddressInterfaces,
  tunnelModels,
} from '../../../src/render/models';
import { renderPf } from '../../../src/render/pf';
import { rcConfGroups, rcConfVars } from '../../../src/render/rc-conf';
import { playbook as router } from '../../../playbooks/router';
import { playbook as vps } from '../../../playbooks/vps';
import { playbook as dcgw } from '../../../playbooks/dcgw';

const root = path.resolve(__dirname, '../../..');
const lab = loadInventory(path.join(root, 'inventory/lab.yaml'));
const other = loadInventory(path.join(root, 'fixtures/inventory/other-network.yaml'));
const host = (inv: typeof lab, name: string): HostConfig => resolveHost(inv, name);
const vars = (h: HostConfig) => new Map(rcConfVars(rcModel(h)));
/** an editable copy of a resolved (frozen) host */
const copy = (h: HostConfig): HostConfig => structuredClone(h);

describe('lab inventory: router01', () => {
  const r = host(lab, 'router01');
  const v = vars(r);

  test('tunnels resolve their far end to the other hosts\' outer addresses', () => {
    expect(tunnelModels(r).map((t) => [t.name, t.kind, t.src, t.dst, t.mtu])).toEqual([
      ['gre0', 'gre', '198.51.100.10', '198.51.100.44', 1476],
      ['gif0', 'gif', '198.51.100.10', '203.0.113.10', 1440],
      ['gif1', 'gif', '198.51.100.10', '192.0.2.10', 1280],
    ]);
    expect(v.get('cloned_interfaces')).toBe('gre0 gif0 gif1');
    expect(v.get('create_args_gif0')).toBe('tunnel 198.51.100.10 203.0.113.10');
    expect(v.get('ifconfig_gre0_ipv6')).toBe('inet6 2001:db8:ffff:44::2 2001:db8:ffff:44::1 prefixlen 128');
    expect(v.get('ifconfig_gif1_descr')).toBe('dcgw01');
  });

  test('forwarding, the loopback alias, routes and FRR become rc.conf variables', () => {
    expect(v.get('gateway_enable')).toBe('YES');
    expect(v.get('ipv6_gateway_enable')).toBe('YES');
    expect(v.get('ifconfig_lo0_alias0')).toBe('inet6 2a06:9801:1c::1 prefixlen 128');
    expect(v.get('defaultrouter')).toBe('198.51.100.1');
    const routes = v.get('ipv6_static_routes')!.split(' ').map((n) => v.get(`ipv6_route_${n}`));
    expect(routes).toEqual([
      '2a06:9801:1c:1000:: -prefixlen 52 2a06:9801:1c:ffff::2',
      '2a06:9801:1c:2000:: -prefixlen 52 2a06:9801:1c:ffff::6',
      '2a06:9801:1c:: -prefixlen 48 ::1 -blackhole',
    ]);
    expect(v.get('frr_enable')).toBe('YES');
    expect(v.get('frr_daemons')).toBe('zebra staticd bgpd');
    expect(v.has('pf_enable')).toBe(false);
    expect(pfModel(r)).toBeUndefined();
  });

  test('gre needs if_gre; the FRR model carries ASN, router id, announcements and sessions', () => {
    expect(kernelModules(r)).toEqual(['if_gre']);
    const m = frrModel(r, {})!;
    expect(m).toMatchObject({ hostname: 'router01', asn: 201379, routerId: '198.51.100.10', announce: ['2a06:9801:1c::/48'], maxAcceptedLength: 48 });
    expect(m.neighbors).toEqual([
      { address: '2001:db8:ffff:44::1', remoteAs: 34927, description: 'ifog', updateSource: '2001:db8:ffff:44::2' },
      { address: '2001:db8:100::45', remoteAs: 209735, description: 'lagrange' },
    ]);
    expect(renderFrr(m).text).toContain('router bgp 201379\n bgp router-id 198.51.100.10\n');
  });
});

describe('lab inventory: vps01 and dcgw01 (service addresses in FIB 1 behind a tunnel)', () => {
  test('the service address is an alias of the tunnel in its FIB; routes per FIB', () => {
    const h = host(lab, 'vps01');
    const [t] = tunnelModels(h);
    expect(t).toMatchObject({ name: 'gif0', src: '203.0.113.10', dst: '198.51.100.10', fib: 1, tunnelfib: 0, aliases: ['2a06:9801:1c:1000::10'] });
    const v = vars(h);
    expect(v.get('ifconfig_gif0')).toBe('mtu 1440 fib 1 tunnelfib 0 up');
    expect(v.get('ifconfig_gif0_alias0')).toBe('inet6 2a06:9801:1c:1000::10 prefixlen 128');
    expect(v.get('defaultrouter')).toBe('203.0.113.1');
    expect(v.get('ipv6_defaultrouter')).toBe('2001:db8:203::1');
    const [name] = v.get('ipv6_static_routes')!.split(' ');
    expect(v.get(`ipv6_route_${name}`)).toBe('default 2a06:9801:1c:ffff::1 -fib 1');
    expect(v.get('gateway_enable')).toBe('NO');
    expect(v.get('pf_enable')).toBe('YES');
    expect(v.has('frr_enable')).toBe(false);
    expect(frrModel(h)).toBeUndefined();
    expect(interfaceAliases(h)).toEqual([]);
  });

  test('pf clamps each host\'s own MSS and sends replies back into the tunnel', () => {
    const vpsPf = pfModel(host(lab, 'vps01'))!;
    expect(vpsPf.mss).toEqual([{ iface: 'gif0', maxMss: 1380 }]);
    expect(vpsPf.replyTo).toEqual([{ iface: 'gif0', gateway: '2a06:9801:1c:ffff::1', to: '2a06:9801:1c:1000::10' }]);
    const dcgwPf = pfModel(host(lab, 'dcgw01'))!;
    expect(dcgwPf.mss).toEqual([{ iface: 'gif0', maxMss: 1140 }]);
    expect(renderPf(dcgwPf).text).toContain('scrub on gif0 all max-mss 1140');
    expect(dcgwPf.skip).toEqual(['lo0']);
  });
});

describe('another network (fixtures/inventory/other-network.yaml)', () => {
  test('edge1: interface routes, a reject /48, IPv4 default, forwarding per family, default FRR daemons', () => {
    const e = host(other, 'edge1');
    const v = vars(e);
    expect(v.get('gateway_enable')).toBe('NO');
    expect(v.get('ipv6_gateway_enable')).toBe('YES');
    expect(v.get('defaultrouter')).toBe('198.51.100.1');
    const routes = v.get('ipv6_static_routes')!.split(' ').map((n) => v.get(`ipv6_route_${n}`));
    expect(routes).toEqual(['2001:db8:4000:10:: -prefixlen 64 -interface gif0', '2001:db8:4000:20:: -prefixlen 64 -interface gif1', '2001:db8:4000:: -prefixlen 48 ::1 -reject']);
    expect(v.get('frr_daemons')).toBe('mgmtd zebra staticd bgpd');
    expect(v.get('ifconfig_lo0_alias0')).toBe('inet6 2001:db8:4000::1 prefixlen 128');
    expect(kernelModules(e)).toEqual([]);
    const m = frrModel(e, {})!;
    expect(m.asn).toBe(65540);
    expect(m.neighbors[1]).toEqual({ address: '198.51.100.1', remoteAs: 64501, description: 'upstream-two', ebgpMultihop: 2 });
  });

  test('web-a: a service address without an interface goes on the only tunnel in its FIB', () => {
    const w = host(other, 'web-a');
    expect([...serviceAddressInterfaces(w)]).toEqual([['gif0', ['2001:db8:4000:10::80']]]);
    expect(vars(w).get('ifconfig_gif0_alias0')).toBe('inet6 2001:db8:4000:10::80 prefixlen 128');
    expect(pfModel(w)).toEqual({ hostname: 'web-a', skip: ['lo0'], mss: [{ iface: 'gif0', maxMss: 1420 }], replyTo: [] });
    expect(rcConfGroups(rcModel(w)).map((g) => g.name)).toEqual(['forwarding', 'tunnels', 'routes', 'pf']);
  });

  test('a service address whose FIB holds no single tunnel must name its interface', () => {
    const w = copy(host(other, 'web-a'));
    w.service_addresses[0].fib = 1;
    expect(() => serviceAddressInterfaces(w)).toThrow(/needs an "interface": no tunnel is in FIB 1/);
  });
});

describe('BGP passwords', () => {
  const withPassword = () => {
    const r = copy(host(lab, 'router01'));
    r.bgp!.neighbors[0].password = { env: 'PV_TEST_IFOG_PW' };
    return r;
  };

  test('read from the named environment variable into a Secret, masked in the rendered diff text', () => {
    const m = frrModel(withPassword(), { PV_TEST_IFOG_PW: 'md5-key-1' })!;
    expect(frrSecrets(m).map((s) => s.value)).toEqual(['md5-key-1']);
    const out = renderFrr(m);
    expect(out.text).toContain('neighbor 2001:db8:ffff:44::1 password md5-key-1');
    expect(out.masked).not.toContain('md5-key-1');
  });

  test('a missing variable is an input error naming it, raised when the playbook builds its tasks', () => {
    expect(() => frrModel(withPassword(), {})).toThrow(InvalidInputError);
    expect(() => frrModel(withPassword(), {})).toThrow(/PV_TEST_IFOG_PW, which is not set/);
    delete process.env.PV_TEST_IFOG_PW;
    expect(() => router.tasks(withPassword())).toThrow(/PV_TEST_IFOG_PW/);
  });
});

describe('playbooks', () => {
  const names = (pb: typeof router, h: HostConfig) => {
    const tasks = pb.tasks(h);
    validatePlay(pb, tasks);
    return tasks.map((t) => t.name);
  };

  test('router01: modules, fibs, sysctls, rc.conf, runtime, verification, then FRR, then routing checks', () => {
    const n = names(router, host(lab, 'router01'));
    const at = (name: string) => {
      const i = n.indexOf(name);
      expect(i).toBeGreaterThanOrEqual(0);
      return i;
    };
    expect(n[0]).toBe('kld: if_gre');
    expect(at('sysctl: net.inet6.ip6.forwarding')).toBeLessThan(at('rc.conf: forwarding'));
    expect(at('rc.conf: frr')).toBeLessThan(at('tunnel: gre0'));
    expect(at('tunnel: gif1')).toBeLessThan(at('aliases: lo0'));
    expect(at('aliases: lo0')).toBeLessThan(at('static routes'));
    // FRR waits only for the tunnel its BGP session runs over (gre0 to ifog), not for the
    // downstream tunnels, whose far ends may not be provisioned yet
    expect(at('static routes')).toBeLessThan(at('verify: tunnels to BGP neighbours'));
    const frrTask = router.tasks(host(lab, 'router01')).find((t) => t.name === 'frr: /usr/local/etc/frr/frr.conf');
    expect(frrTask?.dependsOn).toEqual(['verify: tunnels to BGP neighbours']);
    expect(n.slice(at('frr: /usr/local/etc/frr/frr.conf'))).toEqual([
      'frr: /usr/local/etc/frr/frr.conf',
      'frr: running',
      'frr: daemon modules',
      'frr: running config matches frr.conf',
      'verify: tunnels',
      'verify: routing',
    ]);
    expect(n.some((x) => x.startsWith('pf') || x.startsWith('loader'))).toBe(false);
  });

  test('vps01 and dcgw01: net.fibs before the tunnel that uses FIB 1, pf after the routes, no FRR', () => {
    for (const [pb, name] of [[vps, 'vps01'], [dcgw, 'dcgw01']] as const) {
      const h = host(lab, name);
      const tasks = pb.tasks(h);
      const n = tasks.map((t) => t.name);
      expect(n.slice(0, 2)).toEqual(['kld: pf', 'loader: net.fibs']);
      expect(tasks.find((t) => t.name === 'tunnel: gif0')?.dependsOn).toEqual(['loader: net.fibs']);
      expect(n.indexOf('pf: /etc/pf.conf')).toBeGreaterThan(n.indexOf('static routes'));
      expect(n.indexOf('pf: enabled')).toBe(n.indexOf('pf: /etc/pf.conf') + 1);
      expect(n.some((x) => x.startsWith('frr'))).toBe(false);
      expect(n[n.length - 1]).toBe('verify: routing');
    }
  });
});
