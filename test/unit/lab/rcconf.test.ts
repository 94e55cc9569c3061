import { deleteRcVar, formatAssignment, getRcVar, isYes, parseRcConf, rcVariables, setRcVar } from '../../../src/lab/freebsd/rcconf';
import { freshInstall } from '../../../src/lab/freebsd/fresh-install';

const SAMPLE = [
  '# router',
  'hostname="router01"',
  "ifconfig_vtnet0='inet 198.51.100.10 netmask 255.255.255.0'",
  'gateway_enable=YES   # forward v4',
  '',
  'kld_list="if_gre"',
  'cloned_interfaces="gif0 ${extra_ifs}"',
  'kld_list="if_gre pf"',
  '',
].join('\n');

describe('rc.conf parsing', () => {
  it('reads double, single and unquoted values, the last assignment winning', () => {
    const vars = rcVariables(SAMPLE);
    expect(vars.get('hostname')).toBe('router01');
    expect(vars.get('ifconfig_vtnet0')).toBe('inet 198.51.100.10 netmask 255.255.255.0');
    expect(vars.get('gateway_enable')).toBe('YES');
    expect(vars.get('kld_list')).toBe('if_gre pf');
    expect(vars.get('cloned_interfaces')).toBe('gif0 ${extra_ifs}'); // references stay text
  });

  it('decodes backslash escapes inside double quotes and concatenated words', () => {
    expect(getRcVar('a="say \\"hi\\" \\\\ there"\n', 'a')).toBe('say "hi" \\ there');
    expect(getRcVar("b=one'two three'\"four\"\n", 'b')).toBe('onetwo threefour');
  });

  it('accepts loader.conf names with dots', () => {
    expect(rcVariables('net.fibs="2"\nif_gre_load="YES"\n')).toEqual(new Map([['net.fibs', '2'], ['if_gre_load', 'YES']]));
  });

  it('reports unterminated quotes with their line number', () => {
    expect(parseRcConf('a="1"\nb="2\nc=3\n').errors).toEqual([{ line: 2, message: 'Syntax error: Unterminated quoted string' }]);
    expect(parseRcConf('echo "x\n').errors).toHaveLength(1);
    expect(parseRcConf("# it's a comment\n").errors).toEqual([]);
  });

  it('checkyesno semantics', () => {
    for (const y of ['YES', 'yes', 'True', 'on', '1']) expect(isYes(y)).toBe(true);
    for (const n of ['NO', 'no', '', 'YES ', undefined]) expect(isYes(n)).toBe(false);
  });
});

describe('rc.conf editing', () => {
  it('replaces the last assignment in place and keeps every other line byte for byte', () => {
    const out = setRcVar(SAMPLE, 'kld_list', 'if_gre pf pflog');
    const before = SAMPLE.split('\n');
    const after = out.split('\n');
    expect(after).toHaveLength(before.length);
    expect(after[7]).toBe('kld_list="if_gre pf pflog"');
    expect(after.filter((_, i) => i !== 7)).toEqual(before.filter((_, i) => i !== 7));
  });

  it('appends new variables as name="value", adding a newline when the file lacks one', () => {
    expect(setRcVar(SAMPLE, 'frr_enable', 'YES')).toBe(SAMPLE + 'frr_enable="YES"\n');
    expect(setRcVar('a="1"', 'b', '2')).toBe('a="1"\nb="2"\n');
    expect(setRcVar('', 'b', '2')).toBe('b="2"\n');
  });

  it('quotes values so that they read back unchanged', () => {
    const value = 'say "hi" \\ `now` ${keep}';
    expect(formatAssignment('x', value)).toBe('x="say \\"hi\\" \\\\ \\`now\\` ${keep}"');
    expect(getRcVar(setRcVar('', 'x', value), 'x')).toBe(value);
  });

  it('deletes every assignment of a variable and nothing else', () => {
    const out = deleteRcVar(SAMPLE, 'kld_list');
    expect(out).toBe(SAMPLE.split('\n').filter((l) => !l.startsWith('kld_list=')).join('\n'));
    expect(getRcVar(out, 'hostname')).toBe('router01');
  });
});

describe('freshInstall', () => {
  const files = freshInstall({
    hostname: 'edge1',
    interfaces: [
      { name: 'vtnet0', inet: '192.0.2.10/24', inet6: '2001:db8::10/64' },
      { name: 'vtnet1', inet6: '2001:db8:1::1/64' },
    ],
    defaultrouter: '192.0.2.1',
    ipv6Defaultrouter: '2001:db8::1',
  });

  it('writes rc.conf as bsdinstall does for static addressing', () => {
    const rc = rcVariables(files['/etc/rc.conf']);
    expect(rc.get('hostname')).toBe('edge1');
    expect(rc.get('ifconfig_vtnet0')).toBe('inet 192.0.2.10 netmask 255.255.255.0');
    expect(rc.get('ifconfig_vtnet0_ipv6')).toBe('inet6 2001:db8::10 prefixlen 64');
    expect(rc.get('ifconfig_vtnet1')).toBeUndefined();
    expect(rc.get('ifconfig_vtnet1_ipv6')).toBe('inet6 2001:db8:1::1 prefixlen 64');
    expect(rc.get('defaultrouter')).toBe('192.0.2.1');
    expect(rc.get('ipv6_defaultrouter')).toBe('2001:db8::1');
    expect(rc.get('sshd_enable')).toBe('YES');
  });

  it('ships FreeBSD defaults for the knobs the lab implements', () => {
    const d = rcVariables(files['/etc/defaults/rc.conf']);
    expect(parseRcConf(files['/etc/defaults/rc.conf']).errors).toEqual([]);
    for (const [k, v] of Object.entries({
      gateway_enable: 'NO', ipv6_gateway_enable: 'NO', kld_list: '', cloned_interfaces: '', static_routes: '',
      ipv6_static_routes: '', defaultrouter: '', ipv6_defaultrouter: '', pf_enable: 'NO', pf_rules: '/etc/pf.conf',
      pf_flags: '', pflog_enable: 'NO', sshd_enable: 'NO', hostname: '', ipv6_activate_all_interfaces: 'NO',
      ifconfig_lo0: 'inet 127.0.0.1', rc_conf_files: '/etc/rc.conf /etc/rc.conf.local',
    })) expect([k, d.get(k)]).toEqual([k, v]);
  });

  it('has no pf.conf or frr.conf, and the frr package when asked', () => {
    expect(files['/etc/pf.conf']).toBeUndefined();
    expect(files['/usr/local/etc/frr/frr.conf']).toBeUndefined();
    expect(files['/usr/local/etc/frr/vtysh.conf']).toBe('service integrated-vtysh-config\n');
    expect(files['/usr/local/etc/rc.d/frr']).toContain('PROVIDE: frr');
    expect(files['/boot/loader.conf']).toBe('');
    expect(Object.keys(freshInstall({ hostname: 'x', interfaces: [], frr: false }))).not.toContain('/usr/local/etc/rc.d/frr');
  });
});
