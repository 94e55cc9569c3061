import { FakeHost, exec } from '../../helpers/fake-host';
import { expectCase } from './freebsd-fixture';
import { freshInstall } from '../../../src/lab/freebsd/fresh-install';
import { getRcVar } from '../../../src/lab/freebsd/rcconf';

function freshHost(): FakeHost {
  return new FakeHost('router01', freshInstall({ hostname: 'router01', interfaces: [{ name: 'vtnet0', inet: '198.51.100.10/24' }] }));
}

describe('sysrc', () => {
  let host: FakeHost;
  beforeEach(() => {
    host = freshHost();
  });
  const rcConf = () => host.files.get('/etc/rc.conf')!;

  it('sets a variable, showing the default as the old value, and writes rc.conf', async () => {
    await expectCase(host, 'sysrc', 'set-gateway_enable');
    expect(getRcVar(rcConf(), 'gateway_enable')).toBe('YES');
    expect(host.files.get('/etc/defaults/rc.conf')).toContain('gateway_enable="NO"');
  });

  it('shows an unset old value as nothing (two spaces)', async () => {
    await expectCase(host, 'sysrc', 'set-unset');
    expect(rcConf().endsWith('create_args_gif0="tunnel 198.51.100.10 203.0.113.10"\n')).toBe(true);
  });

  it('-e shows the change as assignments', () => expectCase(host, 'sysrc', 'e-set'));

  it('queries values from defaults and rc.conf', async () => {
    await expectCase(host, 'sysrc', 'get');
    await expectCase(host, 'sysrc', 'n-get');
    await expectCase(host, 'sysrc', 'e-get');
    await expectCase(host, 'sysrc', 'unknown');
    await expectCase(host, 'sysrc', 'q-unknown');
  });

  it('-c checks without writing', async () => {
    const before = rcConf();
    await expectCase(host, 'sysrc', 'c-same');
    await expectCase(host, 'sysrc', 'c-differs');
    await expectCase(host, 'sysrc', 'cv-differs');
    await expectCase(host, 'sysrc', 'cv-same');
    await expectCase(host, 'sysrc', 'c-known');
    await expectCase(host, 'sysrc', 'c-unknown');
    expect(rcConf()).toBe(before);
  });

  it('+= and -= edit words of a list', async () => {
    await exec(host, ['sysrc', 'kld_list=if_gre']);
    await expectCase(host, 'sysrc', 'append-word');
    await expectCase(host, 'sysrc', 'append-present');
    await expectCase(host, 'sysrc', 'remove-word');
    expect(getRcVar(rcConf(), 'kld_list')).toBe('pf');
    // the variable was replaced in place: one kld_list line only
    expect(rcConf().match(/^kld_list=/gm)).toHaveLength(1);
  });

  it('-x deletes the variable from rc.conf', async () => {
    await exec(host, ['sysrc', 'frr_enable=YES']);
    await expectCase(host, 'sysrc', 'x');
    expect(getRcVar(rcConf(), 'frr_enable')).toBeUndefined();
    expect((await exec(host, ['sysrc', '-x', 'frr_enable'])).code).toBe(1);
  });

  it('-f edits other files such as /boot/loader.conf, without the rc.conf defaults', async () => {
    await expectCase(host, 'sysrc', 'f-loader.conf');
    expect(host.files.get('/boot/loader.conf')).toBe('net.fibs="2"\n');
    expect(await exec(host, ['sysrc', '-f', '/boot/loader.conf', '-n', 'net.fibs'])).toEqual({ stdout: '2\n', stderr: '', code: 0 });
    expect((await exec(host, ['sysrc', '-f', '/boot/loader.conf', 'gateway_enable'])).code).toBe(1);
    expect(getRcVar(rcConf(), 'net.fibs')).toBeUndefined();
  });

  it('writes to the rc.conf file that already sets the variable', async () => {
    host.files.set('/etc/rc.conf.local', 'gateway_enable="YES"\n');
    expect((await exec(host, ['sysrc', 'gateway_enable=NO'])).stdout).toBe('gateway_enable: YES -> NO\n');
    expect(host.files.get('/etc/rc.conf.local')).toBe('gateway_enable="NO"\n');
    expect(getRcVar(rcConf(), 'gateway_enable')).toBeUndefined();
  });

  it('refuses to touch files with syntax errors', async () => {
    host.files.set('/etc/rc.conf', 'hostname="router01"\nsshd_enable="YES"\nifconfig_vtnet0="inet 198.51.100.10\n');
    const before = rcConf();
    await expectCase(host, 'sysrc', 'syntax-error');
    expect(rcConf()).toBe(before);
  });

  it('-a lists what the rc.conf files set', async () => {
    const r = await exec(host, ['sysrc', '-a']);
    expect(r.stdout).toBe('dumpdev: AUTO\nhostname: router01\nifconfig_vtnet0: inet 198.51.100.10 netmask 255.255.255.0\nsshd_enable: YES\n');
  });

  it('prints usage for no operands or a bad option', async () => {
    expect((await exec(host, ['sysrc'])).code).toBe(1);
    expect((await exec(host, ['sysrc', '-Z'])).stderr).toMatch(/^sysrc: illegal option -- Z\nUsage: sysrc/);
  });
});
