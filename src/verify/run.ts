// One host's verification: every probe in one exec (the engine's gather script, so the
// script is marked read-only and the output is split by random sentinels), then the verdicts.
import { randomBytes } from 'crypto';
import type { ShellCommand } from '../shell/quote';
import type { ExecResult } from '../transport/transport';
import { buildGatherScript, splitGatherOutput } from '../engine/gather';
import type { Expectation } from './expectations';
import { evaluate, type CheckResult } from './evaluate';
import { probesFor, type ProbeOptions } from './probes';

/** Transport.exec and TaskIO.exec both fit. */
export type Exec = (cmd: ShellCommand) => Promise<ExecResult>;

export const DEFAULT_WAIT_SECONDS = 45;

export interface VerifyOptions extends Partial<ProbeOptions> {
  /** for tests: a fixed sentinel */
  sentinel?: string;
}

export async function verifyHost(exec: Exec, expectations: Expectation[], o: VerifyOptions = {}): Promise<CheckResult[]> {
  if (expectations.length === 0) return [];
  const probes = probesFor(expectations, { waitSeconds: o.waitSeconds ?? DEFAULT_WAIT_SECONDS });
  const sentinel = o.sentinel ?? `__provision_verify_${randomBytes(12).toString('hex')}__`;
  const res = await exec(buildGatherScript(sentinel, probes));
  const outputs = splitGatherOutput(sentinel, probes, res.stdout, res.stderr);
  return evaluate(expectations, outputs);
}
