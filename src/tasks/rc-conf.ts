// rc.conf: a named group of rc.conf variables ("rc.conf: tunnels"), read in one command and set
// in one command. Values are compared with the EFFECTIVE value (sysrc reads
// /etc/defaults/rc.conf and every rc_conf_files), so a value equal to FreeBSD's default is ok.
// List variables (LIST_VARS) only get the missing words appended: the operator's other words
// stay, in their order, as `sysrc name+=word` would leave them (research §3).
import { sh } from '../shell/quote';
import { defineFact, type Fact } from '../engine/fact';
import { defineTask, type Change, type Task } from '../engine/task';
import { parseSysrcE } from '../facts/freebsd-parse';
import { LIST_VARS } from '../render/rc-conf';

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
// sysrc writes name="value"; these would end the quotes or be expanded when rc sources the file
/** sysrc writes name="value": these would end the quoting or be expanded by sh at every boot */
export const UNSAFE_VALUE = /["\\$`\n]/;

/** The effective value of each variable (null when unset anywhere), from one `sysrc -e` call. */
export function rcConfFact(keys: string[]): Fact<Record<string, string | null>> {
  return defineFact({
    id: `sysrc-e:${keys.join(' ')}`,
    command: sh`sysrc -e ${keys}`,
    parse({ stdout, stderr, code }) {
      // unset variables make sysrc exit 1 with one "unknown variable" line each; anything else
      // (a syntax error in an rc file) is a real failure
      const other = stderr.split('\n').filter((l) => l.trim() !== '' && !/^sysrc: unknown variable '/.test(l));
      if (code > 1 || other.length > 0) throw new Error(`sysrc -e failed (exit ${code}): ${stderr.trim()}`);
      const found = parseSysrcE(stdout);
      return Object.fromEntries(keys.map((k) => [k, found[k] ?? null]));
    },
  });
}

/** `current` with every word of `wanted` that is missing appended, in wanted's order. */
export function mergeWords(current: string | null, wanted: string): string {
  const words = (current ?? '').split(/\s+/).filter(Boolean);
  for (const w of wanted.split(/\s+/).filter(Boolean)) if (!words.includes(w)) words.push(w);
  return words.join(' ');
}

export function isListVar(key: string): boolean {
  return (LIST_VARS as readonly string[]).includes(key);
}

function assignment(c: Change): string {
  if (c.diff.kind !== 'value') throw new Error(`rc.conf: unexpected change ${c.summary}`);
  return `${c.diff.key}=${c.diff.after}`;
}

export interface RcConfTaskOptions {
  notify?: string[];
  dependsOn?: string[];
  hint?: string;
}

/** One task for a group of variables: one value Change per variable that differs. */
export function rcConfTask(name: string, vars: Array<[string, string]>, o: RcConfTaskOptions = {}): Task {
  const seen = new Set<string>();
  for (const [key, value] of vars) {
    if (!NAME.test(key)) throw new Error(`${name}: invalid rc.conf variable name ${JSON.stringify(key)}`);
    if (seen.has(key)) throw new Error(`${name}: ${key} is listed twice`);
    if (UNSAFE_VALUE.test(value)) throw new Error(`${name}: the value of ${key} cannot contain a double quote, backslash, $, backquote or newline`);
    seen.add(key);
  }
  return defineTask({
    name,
    facts: { current: rcConfFact(vars.map(([k]) => k)) },
    plan({ current }) {
      const changes: Change[] = [];
      for (const [key, value] of vars) {
        const before = current[key];
        const after = isListVar(key) ? mergeWords(before, value) : value;
        if (before === after) continue;
        changes.push({ summary: `${key}: ${before ?? '(unset)'} -> ${after}`, diff: { kind: 'value', key, before, after } });
      }
      return changes;
    },
    // sysrc takes several assignments at once; each one is a single (quoted) shell word
    apply: async (changes, io) => {
      await io.exec(sh`sysrc ${changes.map(assignment)}`);
    },
    notify: o.notify,
    dependsOn: o.dependsOn,
    hint: o.hint ?? 'check the rc.conf files with: sysrc -a',
  });
}
