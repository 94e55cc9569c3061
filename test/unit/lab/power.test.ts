import { FakeHost, exec } from '../../helpers/fake-host';

test('shutdown -r now power-cycles the host and says so', async () => {
  const h = new FakeHost();
  const r = await exec(h, ['shutdown', '-r', 'now']);
  expect(r).toEqual({ stdout: 'Shutdown NOW!\n', stderr: '', code: 0 });
  expect(h.powerCycles).toBe(1);
});

test('reboot power-cycles the host', async () => {
  const h = new FakeHost();
  expect((await exec(h, ['reboot'])).code).toBe(0);
  expect(h.powerCycles).toBe(1);
});

test('halting, powering off, a later time and bad usage are refused without a power cycle', async () => {
  const h = new FakeHost();
  for (const argv of [['shutdown', '-p', 'now'], ['shutdown', '-h', 'now'], ['shutdown', '-r', '+5'], ['shutdown', '-r'], ['shutdown', '-x', 'now'], ['reboot', 'x']]) {
    expect((await exec(h, argv)).code).toBe(1);
  }
  expect((await exec(h, ['shutdown', '-r'])).stderr).toMatch(/^usage: shutdown/);
  expect(h.powerCycles).toBe(0);
});
