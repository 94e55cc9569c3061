// --command-timeout: every remote command of a play carries the timeout, and a command that
// outlives it fails its task (exit 1) while the connection and the other hosts carry on.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runCli } from '../../../src/cli/program';
import type { CliIO } from '../../../src/cli/run';
import { EXIT } from '../../../src/cli/exit-codes';
import { TransportError } from '../../../src/transport/errors';
import type { Transport } from '../../../src/transport/transport';
import { FakeRemote } from '../../helpers/fake-transport';

const INVENTORY = `operator: { asn: 64500, prefixes: ["2001:db8::/32"] }
defaults: { ssh: { host: 127.0.0.1, user: root } }
hosts:
  a: { ssh: { port: 2201 }, role: router }
  b: { ssh: { port: 2202 }, role: router }
`;

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pv-timeout-'));
  fs.writeFileSync(path.join(dir, 'inv.yaml'), INVENTORY);
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

/** hosts whose `sysrc gateway_enable=YES` never returns: the transport times out like ssh.ts does */
function cli(hangOn: string[]) {
  const timeouts: Array<number | undefined> = [];
  let stdout = '';
  const io: CliIO = {
    stdout: (t) => void (stdout += t),
    stderr: () => undefined,
    isTTY: false,
    cwd: dir,
    connect: async (host) => {
      const remote = new FakeRemote();
      const values = new Map<string, string>([['gateway_enable', 'NO'], ['net.inet.ip.gifttl', '30']]);
      remote.handler = (cmd) => {
        const read = /^(?:sysrc|sysctl) -n '?([\w.]+)'?$/.exec(cmd);
        if (read) return { stdout: `${values.get(read[1]) ?? ''}\n` };
        const set = /^(?:sysrc|sysctl) '?([\w.]+)=([^']*)'?$/.exec(cmd);
        if (set) return void values.set(set[1], set[2]), { stdout: '' };
        return undefined;
      };
      const inner = remote.transport(host.name);
      const t: Transport = {
        host: host.name,
        get roundTrips() {
          return inner.roundTrips;
        },
        async exec(script, o) {
          timeouts.push(o?.timeoutMs);
          if (hangOn.includes(host.name) && script.text.startsWith('sysrc gateway_enable')) {
            throw new TransportError('timeout', host.name, `command on ${host.name} did not finish within ${o?.timeoutMs} ms`);
          }
          return inner.exec(script, o);
        },
        close: () => inner.close(),
      };
      return t;
    },
  };
  return { io, timeouts, out: () => stdout };
}

test('the default is 300 s, for every command', async () => {
  const c = cli([]);
  expect(await runCli(['-i', 'inv.yaml', '--playbook', 'skeleton', 'a'], c.io)).toBe(EXIT.ok);
  expect(c.timeouts.length).toBeGreaterThan(1);
  expect(new Set(c.timeouts)).toEqual(new Set([300_000]));
});

test('a command past --command-timeout fails its task (exit 1); the other host converges', async () => {
  const c = cli(['a']);
  const code = await runCli(['-i', 'inv.yaml', '--command-timeout', '7', '--playbook', 'skeleton', 'a', 'b'], c.io);
  expect(code).toBe(EXIT.failed);
  expect(new Set(c.timeouts)).toEqual(new Set([7000]));
  expect(c.out()).toMatch(/did not finish within 7000 ms/);
  expect(c.out()).toMatch(/a\s+ok=\d+ changed=\d+ failed=1/);
  expect(c.out()).toMatch(/b\s+ok=0 changed=3 failed=0/);
});

test('--command-timeout must be a whole number of seconds', async () => {
  const c = cli([]);
  expect(await runCli(['-i', 'inv.yaml', '--command-timeout', '0', 'a'], c.io)).toBe(EXIT.invalid);
});
