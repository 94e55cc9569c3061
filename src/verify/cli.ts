// `provision verify TARGET… [--json]`: a read-only compliance report. Every expectation the
// inventory implies is checked on the host that can see it (the far end of a tunnel too, when it
// is an inventory host), each with actual beside expected. Exit 0 when all pass, 1 otherwise,
// 3 for bad input (nothing contacted), as the main command.
import * as fs from 'fs';
import * as path from 'path';
import { InvalidArgumentError, type Command } from 'commander';
import { ProvisionError } from '../errors';
import { markReadOnly, readOnlyTransport } from '../engine/read-only';
import { loadInventory } from '../inventory/load';
import { resolveHost, resolveTargets } from '../inventory/resolve';
import type { HostConfig } from '../inventory/schema';
import type { Transport } from '../transport/transport';
import { EXIT } from '../cli/exit-codes';
import { DEFAULT_INVENTORY } from '../cli/run';
import { positiveInt } from '../cli/run-options';
import { farEndExpectations, hostExpectations, type Expectation } from './expectations';
import { buildReport, formatReport } from './report';
import type { HostVerify, VerifyReport } from './report-schema';
import { DEFAULT_WAIT_SECONDS, verifyHost } from './run';
import { rpkiCompliance } from '../rpki/compliance';
import type { ShellCommand } from '../shell/quote';
import { rpkiChecks } from './rpki-checks';

export interface VerifyFlags {
  inventory?: string;
  limit?: string;
  json: boolean;
  /** seconds to wait for BGP sessions and advertisements */
  wait: number;
  concurrency: number;
  acceptNewHostKeys: boolean;
}

export interface VerifyDeps {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  cwd: string;
  setExit: (code: number) => void;
  /** opens a host's SSH transport, as the main command does (src/cli/run.ts) */
  connect: (host: HostConfig, o: { acceptNewHostKeys: boolean; quiet: boolean }) => Promise<Transport>;
}

function nonNegativeInt(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('must be a whole number of seconds');
  return Number(value);
}

export function registerVerifyCommand(program: Command, deps: VerifyDeps): Command {
  return program
    .command('verify')
    .description('check that hosts work as the inventory says: tunnels up and carrying traffic, BGP sessions up and announcing, exit addresses (read-only)')
    .argument('<targets...>', 'hosts, groups, or "all"')
    .option('-i, --inventory <file>', `inventory file (default: ${DEFAULT_INVENTORY})`)
    .option('-l, --limit <names>', 'comma-separated hosts or groups to narrow the targets to')
    .option('--json', 'print the report as one JSON document (schema: src/verify/report-schema.ts)')
    .option('--wait <seconds>', 'how long to wait for BGP sessions to come up', nonNegativeInt, DEFAULT_WAIT_SECONDS)
    .option('-c, --concurrency <n>', 'hosts checked at once', positiveInt, 5)
    .option('--accept-new-host-keys', 'add unknown host keys to known_hosts (a changed key is still refused)')
    .action(async (targets: string[], o: { inventory?: string; limit?: string; json?: boolean; wait: number; concurrency: number; acceptNewHostKeys?: boolean }) => {
      const flags: VerifyFlags = {
        inventory: o.inventory,
        limit: o.limit,
        json: Boolean(o.json),
        wait: o.wait,
        concurrency: o.concurrency,
        acceptNewHostKeys: Boolean(o.acceptNewHostKeys),
      };
      deps.setExit(await runVerify(targets, flags, deps));
    });
}

interface Job {
  host: HostConfig;
  expectations: Expectation[];
}

/** The hosts to contact and what to check on each: the targets in full, far ends for their tunnels. */
export function planVerification(inventoryFile: string, targets: string[], limit?: string): Job[] {
  const inv = loadInventory(inventoryFile);
  const names = resolveTargets(inv, targets, limit);
  const jobs: Job[] = names.map((name) => {
    const host = resolveHost(inv, name);
    return { host, expectations: hostExpectations(host) };
  });
  const farEnds = new Set(jobs.flatMap((j) => j.host.tunnels.map((t) => t.remote_host).filter((h): h is string => !!h && !names.includes(h))));
  for (const name of farEnds) {
    const host = resolveHost(inv, name);
    jobs.push({ host, expectations: farEndExpectations(host, names) });
  }
  return jobs;
}

export async function runVerify(targets: string[], flags: VerifyFlags, deps: VerifyDeps): Promise<number> {
  let jobs: Job[];
  try {
    const file = path.resolve(deps.cwd, flags.inventory ?? DEFAULT_INVENTORY);
    if (!flags.inventory && !fs.existsSync(file)) throw new ProvisionError('E_INVALID_INPUT', `no inventory: ${DEFAULT_INVENTORY} does not exist here; pass --inventory FILE`);
    jobs = planVerification(file, targets, flags.limit);
  } catch (err) {
    if (err instanceof ProvisionError && err.code === 'E_INVALID_INPUT') {
      deps.stderr(`provision verify: ${err.message}\n${err.ctx.hint ? `hint: ${err.ctx.hint}\n` : ''}`);
      return EXIT.invalid;
    }
    throw err;
  }

  const results = new Array<HostVerify>(jobs.length);
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const i = next++;
      results[i] = await verifyJob(jobs[i], flags, deps);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(flags.concurrency, jobs.length)) }, worker));

  const report: VerifyReport = buildReport(results);
  deps.stdout(flags.json ? JSON.stringify(report, null, 2) + '\n' : formatReport(report));
  return report.ok ? EXIT.ok : EXIT.failed;
}

async function verifyJob(job: Job, flags: VerifyFlags, deps: VerifyDeps): Promise<HostVerify> {
  const t0 = Date.now();
  const host = job.host.name;
  const done = (extra: Partial<HostVerify>): HostVerify => ({ host, checks: [], durationMs: Date.now() - t0, ...extra });
  if (job.expectations.length === 0) return done({});
  let transport: Transport;
  try {
    transport = readOnlyTransport(await deps.connect(job.host, { acceptNewHostKeys: flags.acceptNewHostKeys, quiet: flags.json }));
  } catch (err) {
    return done({ unreachable: errorMessage(err) });
  }
  try {
    const exec = (cmd: ShellCommand) => transport.exec(cmd);
    const checks = await verifyHost(exec, job.expectations, { waitSeconds: flags.wait });
    // RPKI only where the host itself is a target (not for a far end checked on its behalf);
    // its commands are vtysh `show` commands and an RTR query: reads
    const rpki = job.expectations.some((e) => e.kind === 'bgp-session') ? await rpkiCompliance(job.host, (cmd) => transport.exec(markReadOnly(cmd))) : undefined;
    return done({ checks: [...checks, ...(rpki ? rpkiChecks(host, rpki) : [])] });
  } catch (err) {
    // a read-only refusal is a bug here; anything else is the connection going away
    return err instanceof ProvisionError && err.code === 'E_READ_ONLY' ? done({ error: err.message }) : done({ unreachable: errorMessage(err) });
  } finally {
    await transport.close().catch(() => undefined);
  }
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
