// Shared by the integration tests: one default lab per test file, commands run on lab hosts as
// a shell on them would, and the CLI run in-process with its output captured.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { labUp } from '../../../src/lab/up';
import { labDown } from '../../../src/lab/down';
import { requireLabState } from '../../../src/lab/state';
import { execArgv } from '../../../src/lab/exec';
import { runCli } from '../../../src/cli/program';
import type { CliIO } from '../../../src/cli/run';

// the checkout: three levels up from here, or four when run built (dist/test/integration/helpers)
export const REPO = [path.resolve(__dirname, '../../..'), path.resolve(__dirname, '../../../..')].find((d) => fs.existsSync(path.join(d, 'inventory/lab.yaml')))!;
export const LAB_INVENTORY = path.join(REPO, 'inventory/lab.yaml');

// There is one default lab per machine (fixed namespace names and ports), so test files that
// run at the same time (several developers, or jest without --runInBand) take turns.
const TURN = '/run/provision-lab-test.turn';

function holderAlive(): boolean {
  try {
    const pid = Number(fs.readFileSync(path.join(TURN, 'pid'), 'utf8'));
    return pid > 0 && fs.existsSync(`/proc/${pid}`);
  } catch {
    return false;
  }
}

export async function takeTurn(timeoutMs = 600_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      fs.mkdirSync(TURN);
      fs.writeFileSync(path.join(TURN, 'pid'), String(process.pid));
      return;
    } catch {
      if (!holderAlive()) fs.rmSync(TURN, { recursive: true, force: true });
      else if (Date.now() > until) throw new Error(`the lab is busy (held by ${TURN}); gave up waiting`);
      else await new Promise((r) => setTimeout(r, 500));
    }
  }
}

export function releaseTurn(): void {
  fs.rmSync(TURN, { recursive: true, force: true });
}

/** For tests that manage the lab themselves: wait for the lab to be free, hold it for the whole file. */
export function takeLabTurns(): void {
  beforeAll(() => takeTurn(), 700_000);
  afterAll(releaseTurn);
}

/** A fresh default lab before the file's tests (any earlier lab is torn down), down after them. */
export function useLab(timeoutMs = 180_000, lab: { vrpsFile?: string } = {}): void {
  jest.setTimeout(timeoutMs);
  beforeAll(async () => {
    await takeTurn(timeoutMs * 4);
    await labDown(undefined, () => undefined);
    await labUp({ say: () => undefined, ...lab });
  }, timeoutMs * 5);
  afterAll(async () => {
    try {
      await labDown(undefined, () => undefined);
    } finally {
      releaseTurn();
    }
  });
}

/** Run a shell command on a lab host (not through the tool under test); returns stdout. */
export function onHost(host: string, command: string): { stdout: string; code: number } {
  const anchor = requireLabState().anchors[host];
  const argv = execArgv(anchor, command);
  try {
    return { stdout: execFileSync(argv[0], argv.slice(1), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }), code: 0 };
  } catch (e) {
    const err = e as { stdout?: string; status?: number };
    return { stdout: err.stdout ?? '', code: err.status ?? 1 };
  }
}

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** `provision ARGV…` in-process, as a user would type it (not a TTY). */
export async function provision(argv: string[], extra: Partial<CliIO> = {}): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const io: CliIO = {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    isTTY: false,
    cwd: REPO,
    ...extra,
  };
  const code = await runCli(argv, io);
  return { code, stdout, stderr };
}
