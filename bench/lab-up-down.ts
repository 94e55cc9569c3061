// Measures `lab up` (per phase) and `lab down` of the default topology and prints a table.
// Not a test. Run as root: node -r ./scripts/ts-require.js bench/lab-up-down.ts
// (or, after a build: node dist/bench/lab-up-down.js).
import { labUp } from '../src/lab/up';
import { labDown } from '../src/lab/down';

async function main(): Promise<void> {
  const rounds = Number(process.argv[2] ?? 1);
  const rows: Array<[string, number]> = [];
  for (let i = 0; i < rounds; i++) {
    const t0 = Date.now();
    const up = await labUp({ say: () => undefined });
    const upMs = Date.now() - t0;
    for (const p of up.phases) rows.push([`  up: ${p.phase}`, p.ms]);
    rows.push([`lab up (round ${i + 1})`, upMs]);
    const t1 = Date.now();
    await labDown(undefined, () => undefined);
    rows.push([`lab down (round ${i + 1})`, Date.now() - t1]);
  }
  const w = Math.max(...rows.map((r) => r[0].length));
  console.log(`${'step'.padEnd(w)}  ms`);
  for (const [name, ms] of rows) console.log(`${name.padEnd(w)}  ${String(ms).padStart(6)}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
