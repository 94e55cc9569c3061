import { FakeHost, exec } from '../../helpers/fake-host';
import { expectCase } from './freebsd-fixture';
import { fibCount, getSysctl, setTunable } from '../../../src/lab/freebsd/sysctl';

describe('sysctl', () => {
  let host: FakeHost;
  beforeEach(() => {
    host = new FakeHost('router01');
  });

  it('prints name: value, -n and -e', async () => {
    await expectCase(host, 'sysctl', 'net.fibs');
    await expectCase(host, 'sysctl', 'n-net.fibs');
    await expectCase(host, 'sysctl', 'e-net.fibs');
    expect((await exec(host, ['sysctl', 'net.add_addr_allfibs'])).stdout).toBe('net.add_addr_allfibs: 0\n');
    expect((await exec(host, ['sysctl', '-n', 'kern.osrelease'])).stdout).toBe('14.1-RELEASE\n');
  });

  it('grows net.fibs at runtime and refuses to shrink it, printing the old value first', async () => {
    await expectCase(host, 'sysctl', 'set-net.fibs-2');
    expect(fibCount(host)).toBe(2);
    await expectCase(host, 'sysctl', 'shrink-net.fibs');
    expect(fibCount(host)).toBe(2);
    await expectCase(host, 'sysctl', 'invalid-uint32');
  });

  it('prints only old -> new with -n', async () => {
    await expectCase(host, 'sysctl', 'n-set-net.fibs-2');
  });

  it('has no net.inet.gre node (an OpenBSD sysctl)', async () => {
    await expectCase(host, 'sysctl', 'gre-allow');
    await expectCase(host, 'sysctl', 'i-gre-allow');
    await expectCase(host, 'sysctl', 'q-gre-allow');
    await exec(host, ['kldload', 'if_gre']);
    await expectCase(host, 'sysctl', 'gre-allow');
  });

  it('-q hides warnings but not the values it sets', () => expectCase(host, 'sysctl', 'q-set-forwarding'));

  it('has gre OIDs only while if_gre is loaded', async () => {
    await expectCase(host, 'sysctl', 'grettl-without-if_gre');
    expect((await exec(host, ['sysctl', 'net.link.gre.max_nesting'])).code).toBe(1);
    await exec(host, ['kldload', 'if_gre']);
    await expectCase(host, 'sysctl', 'grettl-with-if_gre');
    expect((await exec(host, ['sysctl', 'net.link.gre.max_nesting=2'])).stdout).toBe('net.link.gre.max_nesting: 1 -> 2\n');
  });

  it('refuses read-only OIDs and tunables, and bad numbers', async () => {
    await expectCase(host, 'sysctl', 'rdtun');
    await expectCase(host, 'sysctl', 'read-only');
    await expectCase(host, 'sysctl', 'invalid-integer');
    await expectCase(host, 'sysctl', 'not-leaf');
    await expectCase(host, 'sysctl', 'usage');
  });

  it('exits with the number of failed items', () => expectCase(host, 'sysctl', 'two-failures'));

  it('lists the children of a node', async () => {
    await expectCase(host, 'sysctl', 'prefix-net.inet.ip');
    const names = (await exec(host, ['sysctl', '-N', 'net.inet6'])).stdout;
    expect(names).toBe('net.inet6.ip6.forwarding\nnet.inet6.ip6.gifhlim\n');
    const all = (await exec(host, ['sysctl', '-a'])).stdout.split('\n');
    expect(all[0]).toBe('kern.ostype: FreeBSD');
    expect(all).toContain('net.fibs: 1');
    expect(all.some((l) => l.startsWith('net.inet.ip.grettl'))).toBe(false);
  });

  it('applies a sysctl.conf file, naming the failing line', async () => {
    host.files.set('/etc/sysctl.conf', '# comment\nnet.inet.ip.forwarding=1   # route v4\n\nnet.inet.gre.allow=1\nnet.inet6.ip6.forwarding="1"\n');
    await expectCase(host, 'sysctl', 'f-sysctl.conf');
    expect((await exec(host, ['sysctl', '-f', '/nonexistent'])).code).toBe(66);
  });

  it('makes forwarding real in the host network namespace', async () => {
    await exec(host, ['sysctl', 'net.inet.ip.forwarding=1', 'net.inet6.ip6.forwarding=1']);
    expect(host.runs).toEqual([
      { argv: ['/usr/sbin/sysctl', '-qw', 'net.ipv4.ip_forward=1'], ns: 'net' },
      { argv: ['/usr/sbin/sysctl', '-qw', 'net.ipv6.conf.all.forwarding=1'], ns: 'net' },
    ]);
    await exec(host, ['sysctl', 'net.inet.ip.forwarding=0']);
    expect(host.runs[2].argv).toEqual(['/usr/sbin/sysctl', '-qw', 'net.ipv4.ip_forward=0']);
  });

  it('fails the item when Linux refuses the forwarding change', async () => {
    host.onRun = () => ({ stdout: '', stderr: 'permission denied', code: 1 });
    const r = await exec(host, ['sysctl', 'net.inet.ip.forwarding=1']);
    expect(r).toEqual({ stdout: 'net.inet.ip.forwarding: 0\n', stderr: 'sysctl: net.inet.ip.forwarding=1: Operation not permitted\n', code: 1 });
    expect(getSysctl(host, 'net.inet.ip.forwarding')).toBe('0');
  });

  it('sets the hostname in the host UTS namespace', async () => {
    expect((await exec(host, ['sysctl', 'kern.hostname=edge1'])).stdout).toBe('kern.hostname:  -> edge1\n');
    expect(host.runs).toEqual([{ argv: ['/bin/hostname', 'edge1'], ns: 'all' }]);
  });

  it('takes loader tunables only for TUN OIDs', () => {
    expect(setTunable(host, 'net.fibs', '4')).toBe(true);
    expect(setTunable(host, 'net.inet.tcp.tcbhashsize', '0x1000')).toBe(true);
    expect(setTunable(host, 'net.inet.ip.forwarding', '1')).toBe(false);
    expect(setTunable(host, 'net.fibs', 'many')).toBe(false);
    expect(getSysctl(host, 'net.fibs')).toBe('4');
    expect(getSysctl(host, 'net.inet.tcp.tcbhashsize')).toBe('4096');
    expect(getSysctl(host, 'net.inet.gre.allow')).toBeUndefined();
  });
});
