// pf on real namespaces: rules loaded with the emulated pfctl really block and unblock traffic,
// states let replies of allowed connections back in, scrub max-mss clamps, and rc.d/pf works.
import { eventuallyPings, pings, teardown, triangle, type Triangle } from './_netns-host';
import { loadModule } from '../../../src/lab/freebsd/kld';
import { pf as rcPf } from '../../../src/lab/freebsd/rc.d/pf';

jest.setTimeout(60_000);

let t: Triangle | undefined;

beforeAll(async () => {
  t = await triangle('pf');
  loadModule(t.a, 'pf');
});

afterAll(() => teardown(t));

test('pf blocks a flow while enabled and lets it through when disabled', async () => {
  await t!.a.fs.write('/etc/pf.conf', 'ext_if = "vtnet0"\nset skip on lo0\nblock in quick on $ext_if inet proto icmp from 10.2.0.2 to any\n');
  expect(await eventuallyPings(t!.b.ns, '10.1.0.2')).toBe(true);
  expect(await t!.a.invoke(['pfctl', '-f', '/etc/pf.conf'])).toEqual({ stdout: '', stderr: '', code: 0 });
  // Loaded but not enabled: nothing is filtered yet.
  expect(await pings(t!.b.ns, '10.1.0.2')).toBe(true);
  expect(await t!.a.invoke(['pfctl', '-e'])).toEqual({ stdout: '', stderr: 'pf enabled\n', code: 0 });
  expect(await pings(t!.b.ns, '10.1.0.2')).toBe(false);
  expect(await eventuallyPings(t!.b.ns, '2001:db8:1::2')).toBe(true); // the rule is inet only
  // No rule passed a's own echo request, so no state exists and b's reply meets the block rule, as in pf.
  expect(await pings(t!.a.ns, '10.2.0.2')).toBe(false);
  expect(await t!.a.invoke(['pfctl', '-e'])).toEqual({ stdout: '', stderr: 'pfctl: pf already enabled\n', code: 1 });
  expect((await t!.a.must('pfctl', '-s', 'rules')).stdout).toBe('block drop in quick on vtnet0 inet proto icmp from 10.2.0.2 to any\n');
  expect((await t!.a.must('pfctl', '-s', 'info')).stdout).toMatch(/^Status: Enabled for 0 days /);
  expect(await t!.a.invoke(['pfctl', '-d'])).toEqual({ stdout: '', stderr: 'pf disabled\n', code: 0 });
  expect(await eventuallyPings(t!.b.ns, '10.1.0.2')).toBe(true);
  expect(await t!.a.invoke(['pfctl', '-d'])).toEqual({ stdout: '', stderr: 'pfctl: pf not enabled\n', code: 1 });
});

test('keep state: a host that blocks everything inbound still gets its replies', async () => {
  await t!.a.fs.write('/etc/pf.conf', 'block in all\npass out all keep state\n');
  await t!.a.must('pfctl', '-f', '/etc/pf.conf', '-e');
  expect(await pings(t!.b.ns, '10.1.0.2')).toBe(false);
  expect(await eventuallyPings(t!.a.ns, '10.2.0.2')).toBe(true);
  await t!.a.must('pfctl', '-d');
});

test('a syntax error is reported with file and line, and nothing is loaded', async () => {
  await t!.a.fs.write('/etc/pf.bad', 'pass in all\nscrub on vtnet0 all max-mss 1400\npass in on vtnet0 frm any\n');
  expect(await t!.a.invoke(['pfctl', '-nf', '/etc/pf.bad'])).toEqual({
    stdout: '',
    stderr:
      '/etc/pf.bad:2: Rules must be in order: options, ethernet, normalization, queueing, translation, filtering\n' +
      '/etc/pf.bad:3: syntax error\n',
    code: 1,
  });
  const before = t!.a.kernel.pf.rules;
  const r = await t!.a.invoke(['pfctl', '-f', '/etc/pf.bad']);
  expect(r.code).toBe(1);
  expect(r.stderr).toContain('pfctl: Syntax error in config file: pf rules not loaded\n');
  expect(t!.a.kernel.pf.rules).toBe(before);
});

test('service pf start / stop through rc.d/pf', async () => {
  await t!.a.fs.write('/etc/rc.conf', 'pf_enable="YES"\npf_rules="/etc/pf.conf"\n');
  await t!.a.fs.write('/etc/pf.conf', 'block in quick proto icmp all\n');
  const start = await rcPf.commands.start(t!.a, []);
  expect(start.stdout).toBe('Enabling pf.\n');
  expect(start.code).toBe(0);
  expect(await pings(t!.b.ns, '10.1.0.2')).toBe(false);
  const stop = await rcPf.commands.stop(t!.a, []);
  expect(stop.stdout).toBe('Disabling pf.\n');
  expect(await eventuallyPings(t!.b.ns, '10.1.0.2')).toBe(true);
});
