// pf: /etc/pf.conf (checked with `pfctl -nf` before it replaces the old file) and pf enabled.
// Formats from research §9 and pfctl.c: `pfctl -s info` starts with "Status: Enabled for …" or
// "Status: Disabled …"; without the pf module /dev/pf is missing and pfctl exits 1.
import { sh } from '../shell/quote';
import { defineFact, type Fact } from '../engine/fact';
import type { Handler } from '../engine/playbook';
import { defineTask, type Task } from '../engine/task';
import type { Rendered } from '../render/rendered';
import { fileTask } from './file';

export const PF_CONF = '/etc/pf.conf';
export const PF_CONF_TASK = `pf: ${PF_CONF}`;
export const RELOAD_PF = 'reload pf';

const LOCKOUT_HINT = 'pf rules can cut the SSH session: check them with pfctl -nf /etc/pf.conf and keep a console at hand';

/** Loads the rules again once at the end of a play that changed the file. */
export const reloadPfHandler: Handler = { command: sh`pfctl -f ${PF_CONF}`, hint: LOCKOUT_HINT };

/** The rules file. The handler loads it; pfEnabledTask loads it when it enables pf. */
export function pfConfTask(conf: Rendered): Task {
  return fileTask({
    name: PF_CONF_TASK,
    path: PF_CONF,
    content: conf.text,
    mode: '0644',
    validate: (tmp) => sh`pfctl -nf ${tmp}`,
    notify: [RELOAD_PF],
    risk: 'connectivity',
    hint: LOCKOUT_HINT,
  });
}

export type PfStatus = 'Enabled' | 'Disabled';

export function pfStatusFact(): Fact<PfStatus> {
  return defineFact({
    id: 'pfctl:-s info',
    command: sh`pfctl -s info`,
    parse({ stdout, stderr, code }) {
      // no pf module yet: pf is certainly not enabled (the module task loads it before we act)
      if (code !== 0 && /\/dev\/pf/.test(stderr)) return 'Disabled';
      const m = /^Status: (Enabled|Disabled)\b/m.exec(stdout);
      if (code !== 0 || !m) throw new Error(`pfctl -s info (exit ${code}): ${(stderr || stdout).trim()}`);
      return m[1] as PfStatus;
    },
  });
}

export function pfEnabledTask(o: { dependsOn?: string[] } = {}): Task {
  return defineTask({
    name: 'pf: enabled',
    facts: { status: pfStatusFact() },
    plan: ({ status }) =>
      status === 'Enabled' ? [] : [{ summary: 'enable pf with /etc/pf.conf', diff: { kind: 'value', key: 'pf', before: status, after: 'Enabled' } }],
    // load the rules first: enabling with none loaded would run without the MSS clamp and reply-to
    apply: async (_changes, io) => {
      await io.exec(sh`pfctl -f ${PF_CONF} && pfctl -e`);
    },
    risk: 'connectivity',
    dependsOn: o.dependsOn,
    hint: LOCKOUT_HINT,
  });
}
