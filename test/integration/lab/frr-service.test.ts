// The lab's rc.d/frr against real Debian FRR 8.4 daemons, in a throwaway namespace (needs root).
import { RealTestHost } from './_real-host';
import { exec } from '../../helpers/fake-host';
import { freshInstall } from '../../../src/lab/freebsd/fresh-install';

jest.setTimeout(120_000);

describe('service frr on real FRR daemons', () => {
  let host: RealTestHost;
  beforeAll(async () => {
    host = await RealTestHost.create(`pvt-h1-frr${process.pid % 1000}`);
    const files = freshInstall({ hostname: 'itest', interfaces: [] });
    for (const [path, content] of Object.entries(files)) await host.fs.write(path, content);
    await host.fs.write('/etc/rc.conf', files['/etc/rc.conf'] + 'frr_enable="YES"\nfrr_daemons="mgmtd zebra staticd bgpd"\n');
    await host.fs.write('/usr/local/etc/frr/frr.conf', 'frr defaults traditional\nip forwarding\nipv6 forwarding\nipv6 route 2001:db8:100::/48 blackhole\nrouter bgp 65010\n bgp router-id 192.0.2.1\n!\n');
  });
  afterAll(async () => {
    if (!host) return;
    await exec(host, ['service', 'frr', 'stop']);
    // Whatever survived (a failed test), by the pids in the host's own pidfiles.
    for (const d of ['zebra', 'staticd', 'bgpd']) {
      const pid = (await host.fs.read(`/var/run/frr/${d}.pid`))?.trim();
      if (pid) await host.run(['kill', '-9', pid], { ns: 'all' });
    }
    await host.destroy();
  });

  it('starts zebra, staticd and bgpd and loads the integrated config', async () => {
    const r = await exec(host, ['service', 'frr', 'start']);
    // The daemons' own start-up messages (zebra's Linux MPLS notice) come between the lines.
    expect(r.stdout).toMatch(/^Checking intergrated config\.\.\.\nStarting zebra\.\n(.*\n)*Starting staticd\.\n(.*\n)*Starting bgpd\.\n/);
    expect(r.code).toBe(0);
    const status = await exec(host, ['service', 'frr', 'status']);
    expect(status.stdout).toMatch(/^zebra is running as pid \d+\.\nstaticd is running as pid \d+\.\nbgpd is running as pid \d+\.\n$/);
    const route = await host.run(['/usr/bin/vtysh', '--config_dir', '/usr/local/etc/frr', '-c', 'show ipv6 route static'], { ns: 'all' });
    expect(route.stdout).toContain('2001:db8:100::/48');
    const running = await host.run(['/usr/bin/vtysh', '--config_dir', '/usr/local/etc/frr', '-c', 'show running-config'], { ns: 'all' });
    expect(running.stdout).toContain('router bgp 65010');
  });

  it('reloads a changed config with frr-reload.py', async () => {
    await host.fs.write('/usr/local/etc/frr/frr.conf', 'frr defaults traditional\nip forwarding\nipv6 forwarding\nipv6 route 2001:db8:200::/48 blackhole\nrouter bgp 65010\n bgp router-id 192.0.2.1\n!\n');
    const r = await exec(host, ['service', 'frr', 'reload']);
    expect(r.code).toBe(0);
    const route = await host.run(['/usr/bin/vtysh', '--config_dir', '/usr/local/etc/frr', '-c', 'show ipv6 route static'], { ns: 'all' });
    expect(route.stdout).toContain('2001:db8:200::/48');
    expect(route.stdout).not.toContain('2001:db8:100::/48');
  });

  it('stops every daemon', async () => {
    const r = await exec(host, ['service', 'frr', 'stop']);
    expect(r.stdout).toMatch(/Stopping bgpd\.\nWaiting for PIDS: \d+\.\nStopping staticd\./);
    const status = await exec(host, ['service', 'frr', 'status']);
    expect(status).toEqual({ stdout: 'zebra is not running.\nstaticd is not running.\nbgpd is not running.\n', stderr: "frr: mgmtd is not part of FRR 8.4, the lab's FRR; skipped\n", code: 1 });
  });
});
