// Measures a lab migration: how long vps01's service address is unreachable from the internet
// (the lab's echo host) while vps01 moves provider (`lab move`) and `provision migrate` retargets
// the tunnel, and how many SSH round trips the migration used. Not a test. Part of
// `npm run bench` (bench/run.ts); alone, as root: node -r ./scripts/ts-require.js bench/migration.ts
// It brings up a fresh default lab and tears it down at the end (alone, it takes its turn first).
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runCli } from '../src/cli/program';
import { labDown } from '../src/lab/down';
import { labMove } from '../src/lab/move';
import { nsName } from '../src/lab/paths';
import { labUp } from '../src/lab/up';
import { JsonReportSchema } from '../src/report/json-schema';
import { LAB_INVENTORY, REPO, releaseTurn, takeTurn } from '../test/integration/helpers/lab';

const SERVICE = '2a06:9801:1c:1000::10';
const PROBE_EVERY_MS = 100;
const PROBE_FOR_MS = 60_000;

/** One ping every PROBE_EVERY_MS from the echo host's namespace, bounded; returns the stop function. */
function probe(): { stop(): Promise<Array<{ at: number; ok: boolean }>> } {
  const samples: Array<{ at: number; ok: boolean }> = [];
  let stopped = false;
  const t0 = Date.now();
  const loop = (async () => {
    while (!stopped && Date.now() - t0 < PROBE_FOR_MS) {
      const at = Date.now();
      const ok = await new Promise<boolean>((resolve) => {
        const p = spawn('/usr/sbin/ip', ['netns', 'exec', nsName('echo'), '/usr/bin/ping', '-6', '-c', '1', '-W', '1', '-n', '-q', SERVICE], { stdio: 'ignore' });
        p.on('exit', (code) => resolve(code === 0));
      });
      samples.push({ at, ok });
      const wait = at + PROBE_EVERY_MS - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      return samples;
    },
  };
}

async function cli(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), isTTY: false, cwd: REPO });
  return { code, stdout, stderr };
}

/** The migration's figures as [what, value] rows. Needs the lab turn; leaves no lab behind. */
export async function measureMigration(): Promise<Array<[string, string]>> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pv-bench-migrate-'));
  const inv = path.join(dir, 'lab.yaml');
  fs.copyFileSync(LAB_INVENTORY, inv);
  try {
    await labDown(undefined, () => undefined);
    await labUp({ say: () => undefined });
    const setup = await cli(['-i', inv, 'router01', 'vps01', 'dcgw01']);
    if (setup.code !== 0) throw new Error(`the seed network did not converge (exit ${setup.code}):\n${setup.stdout}${setup.stderr}`);

    const probes = probe();
    await new Promise((r) => setTimeout(r, 1000)); // a baseline before the move
    const tMove = Date.now();
    await labMove('vps01', '203.0.113.130', undefined, () => undefined);
    const tMigrate = Date.now();
    const m = await cli(['migrate', 'vps01', '--endpoint', '203.0.113.130', '--gateway', '203.0.113.129', '--inet6', '2001:db8:204::10/64', '--gateway6', '2001:db8:204::1', '--json', '-i', inv]);
    const tDone = Date.now();
    await new Promise((r) => setTimeout(r, 2000)); // does it stay up
    const samples = await probes.stop();
    if (m.code !== 0) throw new Error(`migrate failed (exit ${m.code}):\n${m.stdout}${m.stderr}`);

    const report = JsonReportSchema.parse(JSON.parse(m.stdout));
    const lost = samples.filter((s) => !s.ok && s.at >= tMove);
    const back = samples.find((s) => s.ok && s.at >= (lost[0]?.at ?? tMove));
    return [
      ['probes (every 100 ms from the echo host)', `${samples.length} (${samples.filter((s) => s.ok).length} answered)`],
      ['baseline before the move', samples.filter((s) => s.at < tMove).every((s) => s.ok) ? 'all answered' : 'NOT all answered'],
      ['lab move', `${tMigrate - tMove} ms`],
      ['provision migrate (wall)', `${tDone - tMigrate} ms`],
      ['outage: first lost probe → first answer after', lost.length && back ? `${back.at - lost[0].at} ms` : lost.length ? 'not back within the probe window' : 'no probe lost'],
      ['lost probes', String(lost.length)],
      ...Object.entries(report.hosts).map(([h, r]): [string, string] => [`SSH round trips: ${h}`, String(r.roundTrips)]),
      ['SSH round trips: total', String(Object.values(report.hosts).reduce((n, r) => n + r.roundTrips, 0))],
    ];
  } finally {
    await labDown(undefined, () => undefined).catch(() => undefined);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  (async () => {
    await takeTurn();
    try {
      const rows = await measureMigration();
      const w = Math.max(...rows.map((r) => r[0].length));
      for (const [k, v] of rows) console.log(`${k.padEnd(w)}  ${v}`);
    } finally {
      releaseTurn();
    }
  })().catch((e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
