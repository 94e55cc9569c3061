import { FakeHost, exec } from '../../helpers/fake-host';
import { boot } from '../../../src/lab/freebsd/rc';
import { freshInstall } from '../../../src/lab/freebsd/fresh-install';
import { rcScripts } from '../../../src/lab/freebsd/rc.d';
import { getSysctl } from '../../../src/lab/freebsd/sysctl';
import { isModulePresent } from '../../../src/lab/freebsd/kld';
import type { ServiceScript } from '../../../src/lab/freebsd/types';
import { ok } from '../../../src/lab/freebsd/types';

describe('boot', () => {
  const order: string[] = [];
  const saved: Record<string, ServiceScript> = {};
  // The network scripts belong to another module; recording doubles show when boot runs them.
  const recorder = (name: string, rcvar: string | null): ServiceScript => ({
    rcvar,
    commands: {
      start: async (host) => {
        order.push(`${name} fibs=${getSysctl(host, 'net.fibs')} if_gre=${isModulePresent(host, 'if_gre')}`);
        return ok(`${name} started\n`);
      },
    },
  });
  beforeAll(() => {
    for (const n of ['netif', 'pf', 'routing']) saved[n] = rcScripts[n];
    rcScripts.netif = recorder('netif', null);
    rcScripts.pf = recorder('pf', 'pf_enable');
    rcScripts.routing = recorder('routing', null);
  });
  afterAll(() => Object.assign(rcScripts, saved));
  beforeEach(() => {
    order.length = 0;
  });

  function host(extraRc = '', loader = '', sysctlConf = ''): FakeHost {
    const files = freshInstall({ hostname: 'router01', interfaces: [{ name: 'vtnet0', inet: '198.51.100.10/24' }] });
    files['/etc/rc.conf'] += extraRc;
    files['/boot/loader.conf'] = loader;
    if (sysctlConf) files['/etc/sysctl.conf'] = sysctlConf;
    return new FakeHost('router01', files);
  }

  it('applies loader.conf modules and tunables before rc, and rc scripts in rcorder', async () => {
    const h = host('pf_enable="YES"\n', 'net.fibs="2"\nif_gre_load="YES"\nnet.inet.ip.forwarding="1"\nkern.geom.label.disk_ident.enable="0"\n');
    const log = await boot(h);
    expect(order).toEqual(['netif fibs=2 if_gre=true', 'pf fibs=2 if_gre=true', 'routing fibs=2 if_gre=true']);
    expect(log).toBe('Setting hostname: router01.\nnetif started\npf started\nrouting started\n');
    expect(h.kernel.kld.loaded).toEqual(['if_gre.ko']);
    expect((await exec(h, ['kldstat', '-n', 'if_gre'])).stdout).toContain(' 2    1 ');
    // not a tunable: the loader value is ignored
    expect(getSysctl(h, 'net.inet.ip.forwarding')).toBe('0');
    expect(getSysctl(h, 'kern.hostname')).toBe('router01');
  });

  it('skips disabled services quietly', async () => {
    await boot(host());
    expect(order).toEqual(['netif fibs=1 if_gre=false', 'routing fibs=1 if_gre=false']);
  });

  it('applies sysctl.conf early, then kld_list, then lastload quietly for late OIDs', async () => {
    const h = host('kld_list="if_gre"\n', '', 'net.fibs=3\nnet.inet.ip.grettl=40\n');
    const log = await boot(h);
    expect(log).toContain("sysctl: unknown oid 'net.inet.ip.grettl' at line 2\n");
    expect(log.match(/unknown oid/g)).toHaveLength(1); // lastload uses -i
    expect(getSysctl(h, 'net.fibs')).toBe('3');
    expect(getSysctl(h, 'net.inet.ip.grettl')).toBe('40');
    expect(log.indexOf('unknown oid')).toBeLessThan(log.indexOf('Setting hostname'));
  });

  it('warns about a compiled-in module in kld_list, as rc.d/kld does', async () => {
    const log = await boot(host('kld_list="if_gif if_gre"\n'));
    expect(log).toContain("kldload: can't load if_gif: module already loaded or in kernel\n/etc/rc.d/kld: WARNING: Unable to load kernel module if_gif\n");
    expect(log).not.toContain('if_gre');
  });

  it('rebuilds the state from files only: runtime changes do not survive a reboot', async () => {
    const h = host('', 'net.fibs="2"\n');
    await boot(h);
    await exec(h, ['sysctl', 'net.fibs=4']);
    await exec(h, ['kldload', 'pf']);
    await boot(h);
    expect(getSysctl(h, 'net.fibs')).toBe('2');
    expect(h.kernel.kld.loaded).toEqual([]);
    expect((await exec(h, ['kldload', '-v', 'pf'])).stdout).toBe('Loaded pf, id=2\n');
  });

  it('starts frr last when enabled', async () => {
    const h = host('frr_enable="YES"\nfrr_daemons="zebra"\n');
    h.files.set('/var/run/frr/zserv.api', ''); // zebra's API socket, which the next daemons wait for
    const log = await boot(h);
    expect(log.indexOf('routing started')).toBeLessThan(log.indexOf('Starting zebra.'));
    expect(h.runs.map((r) => r.argv.join(' '))).toContain('/usr/bin/vtysh --config_dir /usr/local/etc/frr -b');
  });
});
