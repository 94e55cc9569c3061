import { FakeHost, exec } from '../../helpers/fake-host';
import { expectCase } from './freebsd-fixture';
import { freshInstall } from '../../../src/lab/freebsd/fresh-install';
import { rcScripts } from '../../../src/lab/freebsd/rc.d';
import { RELOAD_ARGV, VTYSH_BOOT_ARGV, daemonArgv, frrSettings } from '../../../src/lab/freebsd/rc.d/frr';
import type { RunResult, ServiceScript } from '../../../src/lab/freebsd/types';
import { ok } from '../../../src/lab/freebsd/types';

/** A lab host whose FRR daemons are simulated: starting one writes its pidfile, kill ends it. */
class FrrHost extends FakeHost {
  readonly procs = new Map<string, string>(); // pid -> daemon
  private nextPid = 4100;
  failStart = new Set<string>();

  constructor(rcConf: string) {
    super('router01', freshInstall({ hostname: 'router01', interfaces: [] }));
    this.files.set('/etc/rc.conf', this.files.get('/etc/rc.conf') + rcConf);
    this.onRun = (argv) => this.simulate(argv);
  }

  private simulate(argv: string[]): RunResult | undefined {
    if (argv[0] === 'cat' && argv[1].startsWith('/proc/')) {
      const d = this.procs.get(argv[1].split('/')[2]);
      return d ? { stdout: d + '\n', stderr: '', code: 0 } : { stdout: '', stderr: 'No such file', code: 1 };
    }
    if (argv[0] === '/bin/sh' && argv[2].startsWith('/usr/lib/frr/')) {
      const daemon = argv[2].split(' ')[0].split('/').pop()!;
      if (this.failStart.has(daemon)) return { stdout: 'boom\n', stderr: '', code: 1 };
      const pid = String(this.nextPid++);
      this.procs.set(pid, daemon);
      this.files.set(`/var/run/frr/${daemon}.pid`, pid + '\n');
      if (daemon === 'zebra') this.files.set('/var/run/frr/zserv.api', ''); // zebra's API socket
      return undefined;
    }
    if (argv[0] === 'kill') this.procs.delete(argv[2]);
    if (argv[0] === 'rm') this.files.delete(argv[2]);
    return undefined;
  }

  commandsRun(): string[] {
    return this.runs.map((r) => r.argv.join(' '));
  }
}

describe('service(8) for rc.subr scripts', () => {
  const calls: string[] = [];
  const labtest: ServiceScript = {
    rcvar: 'labtest_enable',
    commands: {
      start: async () => (calls.push('start'), ok('Starting labtest.\n')),
      stop: async () => (calls.push('stop'), ok('Stopping labtest.\n')),
      check: async () => ok('checked\n'),
    },
  };
  beforeAll(() => {
    rcScripts.labtest = labtest;
  });
  afterAll(() => {
    delete rcScripts.labtest;
  });
  beforeEach(() => {
    calls.length = 0;
  });

  it('refuses start when the rcvar is not YES, on stdout with exit 0', async () => {
    const host = new FakeHost('r', freshInstall({ hostname: 'r', interfaces: [] }));
    await expectCase(host, 'service', 'generic-start-disabled');
    expect(calls).toEqual([]);
    expect(await exec(host, ['service', 'labtest', 'quietstart'])).toEqual({ stdout: '', stderr: '', code: 0 });
  });

  it('onestart runs a disabled service; start runs an enabled one', async () => {
    const host = new FakeHost('r', freshInstall({ hostname: 'r', interfaces: [] }));
    expect((await exec(host, ['service', 'labtest', 'onestart'])).stdout).toBe('Starting labtest.\n');
    host.files.set('/etc/rc.conf', host.files.get('/etc/rc.conf') + 'labtest_enable="YES"\n');
    expect((await exec(host, ['service', 'labtest', 'start'])).stdout).toBe('Starting labtest.\n');
    expect((await exec(host, ['service', 'labtest', 'restart'])).stdout).toBe('Stopping labtest.\nStarting labtest.\n');
    expect(calls).toEqual(['start', 'start', 'stop', 'start']);
    expect((await exec(host, ['service', 'labtest', 'enabled'])).code).toBe(0);
    expect((await exec(host, ['service', 'labtest', 'check'])).stdout).toBe('checked\n');
    expect((await exec(host, ['service', 'labtest', 'rcvar'])).stdout).toBe('# labtest\n#\nlabtest_enable="YES"\n#   (default: "")\n\n');
  });

  it('rejects unknown directives and unknown services', async () => {
    const host = new FakeHost('r', freshInstall({ hostname: 'r', interfaces: [] }));
    host.files.set('/etc/rc.conf', 'labtest_enable="YES"\n');
    const r = await exec(host, ['service', 'labtest', 'frobnicate']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("/etc/rc.d/labtest: unknown directive 'frobnicate'.\nUsage: /etc/rc.d/labtest [fast|force|one|quiet](start|stop|restart|rcvar|enable|disable|delete|enabled|describe|extracommands|status|poll|check)\n");
    await expectCase(host, 'service', 'unknown-service');
  });
});

describe('service -e / -l', () => {
  it('lists enabled scripts by path, and installed scripts by name', async () => {
    const host = new FrrHost('frr_enable="YES"\n');
    expect((await exec(host, ['service', '-e'])).stdout).toBe('/usr/local/etc/rc.d/frr\n');
    expect((await exec(host, ['service', '-l'])).stdout.split('\n')).toContain('frr');
    host.files.delete('/usr/local/etc/rc.d/frr');
    expect((await exec(host, ['service', '-e'])).stdout).toBe('');
    expect((await exec(host, ['service', 'frr', 'start'])).code).toBe(1);
  });
});

describe('rc.d/frr (the net/frr10 port on Debian FRR 8.4)', () => {
  const enabled = 'frr_enable="YES"\nfrr_daemons="mgmtd zebra staticd bgpd"\n';

  it('does nothing on start/stop when frr_enable is not YES, like the port', async () => {
    const host = new FrrHost('frr_daemons="mgmtd zebra staticd bgpd"\n');
    await expectCase(host, 'service', 'frr-start-disabled');
    await expectCase(host, 'service', 'frr-status-disabled');
    expect(host.procs.size).toBe(0);
  });

  it('builds the daemon argv from the port defaults and rc.conf flags', async () => {
    const host = new FrrHost(enabled + 'bgpd_flags="-A 127.0.0.1 -p 179"\nfrr_default_profile="datacenter"\n');
    const s = await frrSettings(host);
    expect(s.daemons).toEqual(['mgmtd', 'zebra', 'staticd', 'bgpd']);
    expect(daemonArgv('zebra', s)).toEqual(['/usr/lib/frr/zebra', '-A', '127.0.0.1', '--limit-fds', '100000', '-F', 'datacenter', '-d', '-u', 'frr', '-g', 'frr']);
    expect(daemonArgv('bgpd', s)).toEqual(['/usr/lib/frr/bgpd', '-A', '127.0.0.1', '-p', '179', '--limit-fds', '100000', '-F', 'datacenter', '-d', '-u', 'frr', '-g', 'frr']);
    expect(daemonArgv('ospf6d', s).slice(1, 3)).toEqual(['-A', '::1']);
    expect(VTYSH_BOOT_ARGV).toEqual(['/usr/bin/vtysh', '--config_dir', '/usr/local/etc/frr', '-b']);
  });

  it('starts the daemons in order, skipping mgmtd, then loads the integrated config', async () => {
    const host = new FrrHost(enabled);
    const r = await exec(host, ['service', 'frr', 'start']);
    expect(r).toEqual({
      stdout: 'Checking intergrated config...\nStarting zebra.\nStarting staticd.\nStarting bgpd.\n',
      stderr: "frr: mgmtd is not part of FRR 8.4, the lab's FRR; skipped\n",
      code: 0,
    });
    const cmds = host.commandsRun();
    const starts = cmds.filter((c) => c.startsWith('/bin/sh -c /usr/lib/frr/')).map((c) => c.split(' ')[2]);
    expect(starts).toEqual(['/usr/lib/frr/zebra', '/usr/lib/frr/staticd', '/usr/lib/frr/bgpd']);
    expect(cmds.indexOf(VTYSH_BOOT_ARGV.join(' '))).toBeGreaterThan(cmds.findIndex((c) => c.includes('/usr/lib/frr/bgpd')));
    expect(cmds).toContain('install -d -o frr -g frr -m 0755 /var/run/frr');
    expect(cmds).toContain('chown -R frr:frr /usr/local/etc/frr');
    expect(host.runs.every((x) => x.ns === 'all')).toBe(true);
    // the port creates frr.conf when missing
    expect(host.files.get('/usr/local/etc/frr/frr.conf')).toBe('log syslog informational\n');
    expect(host.kernel.services.frr).toEqual({ running: true, detail: { daemons: ['zebra', 'staticd', 'bgpd'] } });
  });

  it('status reports each daemon, and exit 1 when one is down', async () => {
    const host = new FrrHost(enabled);
    await exec(host, ['service', 'frr', 'start']);
    const up = await exec(host, ['service', 'frr', 'status']);
    expect(up.stdout).toBe('zebra is running as pid 4100.\nstaticd is running as pid 4101.\nbgpd is running as pid 4102.\n');
    expect(up.code).toBe(0);
    host.procs.delete('4102'); // bgpd died, its pidfile is stale
    const down = await exec(host, ['service', 'frr', 'status']);
    expect(down.stdout).toBe('zebra is running as pid 4100.\nstaticd is running as pid 4101.\nbgpd is not running.\n');
    expect(down.code).toBe(1);
    expect(await exec(host, ['service', 'frr', 'status', 'bgpd'])).toEqual({ stdout: 'bgpd is not running.\n', stderr: '', code: 1 });
  });

  it('refuses to start a running daemon and reports a failed start', async () => {
    const host = new FrrHost(enabled);
    await exec(host, ['service', 'frr', 'start']);
    const again = await exec(host, ['service', 'frr', 'start', 'zebra']);
    expect(again.stderr).toBe('zebra already running?  (pid=4100).\n');
    expect(again.code).toBe(1);
    const other = new FrrHost(enabled);
    other.failStart.add('bgpd');
    const r = await exec(other, ['service', 'frr', 'start']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('/usr/local/etc/rc.d/frr: WARNING: failed to start bgpd\n');
  });

  it('stops in reverse order by pidfile and removes the pidfiles', async () => {
    const host = new FrrHost(enabled);
    await exec(host, ['service', 'frr', 'start']);
    host.runs.length = 0;
    const r = await exec(host, ['service', 'frr', 'stop']);
    expect(r.stdout).toBe('Stopping bgpd.\nWaiting for PIDS: 4102.\nStopping staticd.\nWaiting for PIDS: 4101.\nStopping zebra.\nWaiting for PIDS: 4100.\n');
    expect(host.commandsRun().filter((c) => c.startsWith('kill -TERM'))).toEqual(['kill -TERM 4102', 'kill -TERM 4101', 'kill -TERM 4100']);
    expect(host.files.has('/var/run/frr/zebra.pid')).toBe(false);
    expect(host.kernel.services.frr.running).toBe(false);
    const again = await exec(host, ['service', 'frr', 'stop', 'zebra']);
    expect(again).toEqual({ stdout: '', stderr: 'zebra not running? (check /var/run/frr/zebra.pid).\n', code: 1 });
  });

  it('restart stops everything, starts again and reloads the config with vtysh -b', async () => {
    const host = new FrrHost(enabled);
    await exec(host, ['service', 'frr', 'start']);
    host.runs.length = 0;
    const r = await exec(host, ['service', 'frr', 'restart']);
    expect(r.stdout).toBe('Stopping bgpd.\nWaiting for PIDS: 4102.\nStopping staticd.\nWaiting for PIDS: 4101.\nStopping zebra.\nWaiting for PIDS: 4100.\nStarting zebra.\nStarting staticd.\nStarting bgpd.\n');
    expect(host.commandsRun()).toContain(VTYSH_BOOT_ARGV.join(' '));
  });

  it('reload runs frr-reload.py with the port paths', async () => {
    const host = new FrrHost(enabled);
    await exec(host, ['service', 'frr', 'reload']);
    expect(RELOAD_ARGV).toEqual(['/usr/bin/python3', '/usr/lib/frr/frr-reload.py', '--reload', '--bindir', '/usr/bin', '--confdir', '/usr/local/etc/frr', '--rundir', '/var/run/frr', '/usr/local/etc/frr/frr.conf']);
    expect(host.runs[host.runs.length - 1]).toEqual({ argv: RELOAD_ARGV, ns: 'all' });
    const missing = new FrrHost(enabled);
    missing.onRun = (argv) => (argv[0] === 'test' ? { stdout: '', stderr: '', code: 1 } : undefined);
    expect(await exec(missing, ['service', 'frr', 'reload'])).toEqual({ stdout: 'Please install frr-pythontools package. Required for reload\n', stderr: '', code: 0 });
  });

  it('onestart starts the daemons of a disabled frr without vtysh -b, as the port does', async () => {
    const host = new FrrHost('frr_daemons="zebra bgpd"\n');
    const r = await exec(host, ['service', 'frr', 'onestart']);
    expect(r.stdout).toBe('Starting zebra.\nStarting bgpd.\n');
    expect(host.commandsRun()).not.toContain(VTYSH_BOOT_ARGV.join(' '));
  });
});
