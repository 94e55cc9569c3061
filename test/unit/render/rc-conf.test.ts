import { rcConfVars, routeVarName, type RcModel } from '../../../src/render/rc-conf';

const model: RcModel = {
  forwarding: true,
  tunnels: [
    {
      name: 'gif3', src: '192.0.2.1', dst: '192.0.2.99', mtu: 1400, fib: 1, tunnelfib: 0,
      inner: { local: '2001:db8:f::2', peer: '2001:db8:f::1' }, aliases: ['2001:db8:10::10'], description: 'to edge',
    },
  ],
  loopbackAliases: ['2001:db8::1'],
  routes: [
    { dest: '2001:db8::/40', type: 'blackhole' },
    { dest: '2001:db8:10::/52', gateway: '2001:db8:f::2', type: 'normal' },
    { dest: 'default', gateway: '2001:db8:f::1', type: 'normal', fib: 1 },
    { dest: '2001:db8:20::/48', type: 'reject', fib: 2 },
  ],
  frr: { daemons: 'mgmtd zebra staticd bgpd' },
  pf: true,
};
const vars = new Map(rcConfVars(model));

describe('rcConfVars', () => {
  test('forwarding goes through the gateway knobs, which rc.d/routing enforces at boot', () => {
    expect(vars.get('gateway_enable')).toBe('YES');
    expect(vars.get('ipv6_gateway_enable')).toBe('YES');
    expect(new Map(rcConfVars({ ...model, forwarding: false })).get('ipv6_gateway_enable')).toBe('NO');
  });

  test('a tunnel is a cloned interface with its endpoints, options, /128 pair and aliases', () => {
    expect(vars.get('cloned_interfaces')).toBe('gif3');
    expect(vars.get('create_args_gif3')).toBe('tunnel 192.0.2.1 192.0.2.99');
    expect(vars.get('ifconfig_gif3')).toBe('mtu 1400 fib 1 tunnelfib 0 up');
    expect(vars.get('ifconfig_gif3_ipv6')).toBe('inet6 2001:db8:f::2 2001:db8:f::1 prefixlen 128');
    expect(vars.get('ifconfig_gif3_alias0')).toBe('inet6 2001:db8:10::10 prefixlen 128');
    expect(vars.get('ifconfig_gif3_descr')).toBe('to edge');
    expect(vars.get('ifconfig_lo0_alias0')).toBe('inet6 2001:db8::1 prefixlen 128');
  });

  test('static routes use route(8) syntax with -prefixlen, ::1 for discard routes and -fib', () => {
    const names = vars.get('ipv6_static_routes')!.split(' ');
    expect(names).toHaveLength(4);
    expect(vars.get(`ipv6_route_${names[0]}`)).toBe('2001:db8:: -prefixlen 40 ::1 -blackhole');
    expect(vars.get(`ipv6_route_${names[1]}`)).toBe('2001:db8:10:: -prefixlen 52 2001:db8:f::2');
    expect(vars.get(`ipv6_route_${names[2]}`)).toBe('default 2001:db8:f::1 -fib 1');
    expect(vars.get(`ipv6_route_${names[3]}`)).toBe('2001:db8:20:: -prefixlen 48 ::1 -reject -fib 2');
  });

  test('route variable names are valid sh names and differ per FIB', () => {
    for (const r of model.routes) expect(routeVarName(r)).toMatch(/^[A-Za-z_][A-Za-z0-9_]*$/);
    expect(routeVarName({ dest: 'default', type: 'normal', gateway: '::1' })).not.toBe(
      routeVarName({ dest: 'default', type: 'normal', gateway: '::1', fib: 1 }),
    );
  });

  test('FRR and pf are enabled only when the model has them', () => {
    expect(vars.get('frr_daemons')).toBe('mgmtd zebra staticd bgpd');
    expect(vars.get('pf_rules')).toBe('/etc/pf.conf');
    const bare = new Map(rcConfVars({ ...model, frr: undefined, pf: false, tunnels: [], routes: [] }));
    expect(bare.has('frr_enable') || bare.has('pf_enable') || bare.has('cloned_interfaces')).toBe(false);
  });
});
