// sysrc.value: one rc.conf-style variable set to a value ("set if different", unlike pyinfra's
// "set if unset"). Without `file`, sysrc reads the effective value across rc_conf_files with
// /etc/defaults/rc.conf included, so a value equal to the default is already "ok".
// Semantics from sysrc(8) source (research/freebsd-frr.md §3): `-n` prints the value only; an
// unknown variable exits 1; a syntax error in an rc file prints "Exiting due to previous syntax errors".
import { sh } from '../shell/quote';
import { defineFact, type Fact } from '../engine/fact';
import { defineTask, type Task } from '../engine/task';
import { InvalidInputError } from '../errors';
import { UNSAFE_VALUE } from './rc-conf';

// rc.conf names are sh variables; loader.conf/sysctl.conf names may have dots (net.fibs), which
// research/freebsd-frr.md §2.2 says `sysrc -f <file>` accepts.
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const DOTTED_NAME = /^[A-Za-z_][A-Za-z0-9_.]*$/;

/** the variable's value, or null when it is not set */
export function sysrcFact(key: string, file?: string): Fact<string | null> {
  return defineFact({
    id: `sysrc:${file ?? 'rc_conf_files'}:${key}`,
    command: file === undefined ? sh`sysrc -n ${key}` : sh`sysrc -f ${file} -n ${key}`,
    parse({ stdout, stderr, code }) {
      if (code === 0) return stdout.replace(/\n$/, '');
      if (code === 1 && !/syntax error/i.test(stderr)) return null;
      throw new Error(`sysrc ${key} failed (exit ${code}): ${stderr.trim()}`);
    },
  });
}

export interface SysrcTaskOptions {
  key: string;
  value: string;
  /** e.g. /boot/loader.conf; default: rc.conf via sysrc's own rc_conf_files */
  file?: string;
  notify?: string[];
  name?: string;
  hint?: string;
}

export function sysrcTask(o: SysrcTaskOptions): Task {
  if (!(o.file ? DOTTED_NAME : NAME).test(o.key)) throw new InvalidInputError(`sysrc: invalid variable name ${JSON.stringify(o.key)}`);
  if (UNSAFE_VALUE.test(o.value)) {
    throw new InvalidInputError(`sysrc: the value of ${o.key} cannot contain a double quote, backslash, $, backquote or newline (it would break the quoting of ${o.file ?? 'rc.conf'})`);
  }
  const where = o.file ? `${o.file}: ` : '';
  return defineTask({
    name: o.name ?? `sysrc: ${where}${o.key}`,
    facts: { current: sysrcFact(o.key, o.file) },
    plan: ({ current }) =>
      current === o.value ? [] : [{ summary: `${where}${o.key}`, diff: { kind: 'value', key: `${where}${o.key}`, before: current, after: o.value } }],
    apply: async (_changes, io) => {
      const assignment = `${o.key}=${o.value}`;
      await io.exec(o.file === undefined ? sh`sysrc ${assignment}` : sh`sysrc -f ${o.file} ${assignment}`);
    },
    notify: o.notify,
    hint: o.hint,
  });
}
