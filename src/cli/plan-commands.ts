// `provision plan TARGET… -o FILE` and `provision apply FILE` (saved plans: engine/plan-file.ts).
// Exit codes: plan as --check (0 nothing to do, 2 changes pending); apply as a run, except that a
// host refused because it drifted from the plan makes it 3 (unless something failed: 1).
import * as path from 'path';
import type { Command } from 'commander';
import { ProvisionError } from '../errors';
import type { FactEntry } from '../engine/host-play';
import { checkAgainstPlan, hostPlanFrom, readPlanFile, writePlanFile, PLAN_FORMAT, PLAN_VERSION, type PlanFile } from '../engine/plan-file';
import * as fs from 'fs';
import { repoFile } from '../lab/assets';
import { EXIT, exitCodeFor } from './exit-codes';
import { DEFAULT_INVENTORY, runProvision, type CliIO } from './run';
import { addFleetOptions, addLockOption, addOutputOptions, addRollbackOptions, addSelectionOptions, runFlagsOf, type RunOptions } from './run-options';

/** read at run time: importing package.json would make tsc copy it into dist */
const version = (JSON.parse(fs.readFileSync(repoFile('package.json'), 'utf8')) as { version: string }).version;

export function registerPlanCommands(program: Command, io: CliIO, setExit: (code: number) => void): void {
  const names = () => program.commands.map((c) => c.name());

  const planCmd = program
    .command('plan')
    .description('check mode, saved: write every host\'s changes and the fingerprints of the facts they come from')
    .argument('<targets...>', 'hosts, groups, or "all"')
    .requiredOption('-o, --out <file>', 'where to write the plan (JSON)');
  for (const add of [addSelectionOptions, addOutputOptions, addFleetOptions]) add(planCmd);
  planCmd.action(async (targets: string[], o: RunOptions & { out: string }) => {
    const facts = new Map<string, ReadonlyMap<string, FactEntry>>();
    const out = path.resolve(io.cwd, o.out);
    const flags = runFlagsOf(o, { check: true });
    const code = await runProvision(targets, flags, io, names, {
      prepare(job) {
        job.inspectFacts = (f) => void facts.set(job.host, new Map(f));
      },
      finish(result, jobs) {
        const plan: PlanFile = {
          format: PLAN_FORMAT,
          version: PLAN_VERSION,
          provision: version,
          created: new Date().toISOString(),
          inventory: path.resolve(io.cwd, o.inventory ?? DEFAULT_INVENTORY),
          targets,
          ...(o.limit ? { limit: o.limit } : {}),
          ...(o.playbook ? { playbook: o.playbook } : {}),
          hosts: Object.fromEntries(jobs.map((job, i) => [job.host, hostPlanFrom(result.hosts[i], job.tasks, facts.get(job.host))])),
        };
        writePlanFile(out, plan);
        const changed = Object.values(plan.hosts).reduce((n, h) => n + h.tasks.filter((t) => t.status === 'changed').length, 0);
        const msg = `plan written to ${o.out}: ${changed} task(s) to change on ${jobs.length} host(s); apply it with: provision apply ${o.out}\n`;
        (o.json ? io.stderr : io.stdout)(msg);
      },
    });
    setExit(code);
  });

  const applyCmd = program
    .command('apply')
    .description('apply a saved plan; a host whose facts drifted since the plan is refused (exit 3)')
    .argument('<plan>', 'a file written by provision plan -o');
  for (const add of [addOutputOptions, addFleetOptions, addLockOption, addRollbackOptions]) add(applyCmd);
  applyCmd.action(async (file: string, o: RunOptions) => {
    let plan: PlanFile;
    try {
      plan = readPlanFile(path.resolve(io.cwd, file));
    } catch (err) {
      if (err instanceof ProvisionError) {
        io.stderr(`provision: ${err.message}\n${err.ctx.hint ? `hint: ${err.ctx.hint}\n` : ''}`);
        return setExit(EXIT.invalid);
      }
      throw err;
    }
    if (plan.provision !== version) io.stderr(`provision: warning: the plan was made by provision ${plan.provision}, this is ${version}\n`);
    const unplanned = Object.entries(plan.hosts).filter(([, h]) => h.problem);
    for (const [host, h] of unplanned) io.stderr(`provision: ${host}: not applied: it was not planned (${h.problem})\n`);
    const targets = Object.keys(plan.hosts).filter((h) => !plan.hosts[h].problem);
    if (!targets.length) return setExit(EXIT.invalid);

    const refused = new Set<string>();
    const flags = runFlagsOf(o, { inventory: plan.inventory, playbook: plan.playbook });
    const code = await runProvision(targets, flags, io, names, {
      prepare(job) {
        const planned = plan.hosts[job.host];
        job.inspectFacts = (facts) => {
          const refusal =
            planned.playbook !== job.playbook.name
              ? { code: 'E_FACT' as const, message: `the plan was made with playbook ${planned.playbook}, the host now gets ${job.playbook.name}` }
              : checkAgainstPlan(planned, job.tasks, facts);
          if (refusal) refused.add(job.host);
          return refusal;
        };
      },
      finish(result) {
        const others = { ...result, hosts: result.hosts.filter((h) => !refused.has(h.host)) };
        const code = exitCodeFor(others);
        if (code === EXIT.failed) return code;
        for (const h of refused) io.stderr(`provision: ${h}: refused: its facts are not those of the plan; nothing was applied there\n`);
        return refused.size || unplanned.length ? EXIT.invalid : code;
      },
    });
    setExit(code);
  });
}
