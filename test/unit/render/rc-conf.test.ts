import { rcConfGroups, rcConfVars, routeValue, routeVarName, type RcModel } from '../../../src/render/rc-conf';

const model: RcModel = {
  forwarding: { ipv4: false, ipv6: true },
  tunnels: [
    {
      name: 'gif3', src: '192.0.2.1', dst: '192.0.2.99', mtu: 1400, fib: 1, tunnelfib: 0,
      inner: { local: '2001:db8:f::2', peer: '2001:db8:f::1' }, aliases: ['2001:db8:10::10'], description: 'to edge',
    },
  ],
  aliases: [{ iface: 'lo0', addrs: ['2001:db8::1', '2001:db8::2'] }],
  routes: [
    { family: 'inet6', dest: '2001:db8::/40', type: 'blackhole' },
    { family: 'inet6', dest: '2001:db8:10::/52', gateway: '2001:db8:f::2', type: 'normal' },
    { family: 'inet6', dest: 'default', gateway: '2001:db8:f::1', type: 'normal', fib: 1 },
    { family: 'inet6', dest: '2001:db8:20::/48', type: 'reject', fib: 2 },
    { family: 'inet6', dest: '2001:db8:30::/64', iface: 'gif3', type: 'normal' },
    { family: 'inet6', dest: 'default', gateway: '2001:db8:1::1', type: 'normal' },
    { family: 'inet', dest: 'default', gateway: '192.0.2.254', type: 'normal' },
    { family: 'inet', dest: '10.0.0.0/8', gateway: '192.0.2.253', type: 'normal', fib: 1 },
    { family: 'inet', dest: '192.0.2.128/25', type: 'blackhole' },
  ],
  frr: { daemons: 'mgmtd zebra staticd bgpd' },
  pf: true,
};
const vars = new Map(rcConfVars(model));

describe('rcConfVars', () => {
  test('forwarding goes through the gateway knobs, one per family, which rc.d/routing enforces at boot', () => {
    expect(vars.get('gateway_enable')).toBe('NO');
    expect(vars.get('ipv6_gateway_enable')).toBe('YES');
  });

  test('a tunnel is a cloned interface with its endpoints, options, /128 pair and aliases', () => {
    expect(vars.get('cloned_interfaces')).toBe('gif3');
    expect(vars.get('create_args_gif3')).toBe('tunnel 192.0.2.1 192.0.2.99');
    expect(vars.get('ifconfig_gif3')).toBe('mtu 1400 fib 1 tunnelfib 0 up');
    expect(vars.get('ifconfig_gif3_ipv6')).toBe('inet6 2001:db8:f::2 2001:db8:f::1 prefixlen 128');
    expect(vars.get('ifconfig_gif3_alias0')).toBe('inet6 2001:db8:10::10 prefixlen 128');
    expect(vars.get('ifconfig_gif3_descr')).toBe('to edge');
  });

  test('interface aliases are numbered per interface and carry the inet6 keyword', () => {
    expect(vars.get('ifconfig_lo0_alias0')).toBe('inet6 2001:db8::1 prefixlen 128');
    expect(vars.get('ifconfig_lo0_alias1')).toBe('inet6 2001:db8::2 prefixlen 128');
  });

  test('IPv6 static routes use route(8) syntax with -prefixlen, ::1 for discard routes, -interface and -fib', () => {
    const names = vars.get('ipv6_static_routes')!.split(' ');
    expect(names).toHaveLength(5);
    expect(vars.get(`ipv6_route_${names[0]}`)).toBe('2001:db8:: -prefixlen 40 ::1 -blackhole');
    expect(vars.get(`ipv6_route_${names[1]}`)).toBe('2001:db8:10:: -prefixlen 52 2001:db8:f::2');
    expect(vars.get(`ipv6_route_${names[2]}`)).toBe('default 2001:db8:f::1 -fib 1');
    expect(vars.get(`ipv6_route_${names[3]}`)).toBe('2001:db8:20:: -prefixlen 48 ::1 -reject -fib 2');
    expect(vars.get(`ipv6_route_${names[4]}`)).toBe('2001:db8:30:: -prefixlen 64 -interface gif3');
  });

  test('the default route of FIB 0 through an address is (ipv6_)defaultrouter, as the installer writes it', () => {
    expect(vars.get('ipv6_defaultrouter')).toBe('2001:db8:1::1');
    expect(vars.get('defaultrouter')).toBe('192.0.2.254');
  });

  test('IPv4 static routes use static_routes/route_NAME with -net and 127.0.0.1 for discard routes', () => {
    const names = vars.get('static_routes')!.split(' ');
    expect(names).toHaveLength(2);
    expect(vars.get(`route_${names[0]}`)).toBe('-net 10.0.0.0/8 192.0.2.253 -fib 1');
    expect(vars.get(`route_${names[1]}`)).toBe('-net 192.0.2.128/25 127.0.0.1 -blackhole');
  });

  test('host routes use -host', () => {
    expect(routeValue({ family: 'inet6', dest: '2001:db8::5/128', gateway: 'fe80::1', type: 'normal' })).toBe('-host 2001:db8::5 fe80::1');
    expect(routeValue({ family: 'inet', dest: '192.0.2.5/32', iface: 'gif0', type: 'normal' })).toBe('-host 192.0.2.5 -interface gif0');
    expect(() => routeValue({ family: 'inet', dest: '192.0.2.0/24', type: 'normal' })).toThrow(/gateway or an interface/);
  });

  test('route variable names are valid sh names and differ per FIB', () => {
    for (const r of model.routes) expect(routeVarName(r)).toMatch(/^[A-Za-z_][A-Za-z0-9_]*$/);
    expect(routeVarName({ dest: 'default' })).not.toBe(routeVarName({ dest: 'default', fib: 1 }));
  });

  test('FRR and pf are enabled only when the model has them', () => {
    expect(vars.get('frr_enable')).toBe('YES');
    expect(vars.get('frr_daemons')).toBe('mgmtd zebra staticd bgpd');
    expect(vars.get('pf_enable')).toBe('YES');
    expect(vars.get('pf_rules')).toBe('/etc/pf.conf');
    const bare = new Map(rcConfVars({ ...model, frr: undefined, pf: false, tunnels: [], routes: [] }));
    expect(bare.has('frr_enable') || bare.has('pf_enable') || bare.has('cloned_interfaces') || bare.has('ipv6_static_routes')).toBe(false);
  });

  test('groups come in boot order and empty groups are left out', () => {
    expect(rcConfGroups(model).map((g) => g.name)).toEqual(['forwarding', 'tunnels', 'addresses', 'routes', 'frr', 'pf']);
    const bare = rcConfGroups({ forwarding: { ipv4: true, ipv6: true }, tunnels: [], aliases: [], routes: [], pf: false });
    expect(bare.map((g) => g.name)).toEqual(['forwarding']);
  });
});
