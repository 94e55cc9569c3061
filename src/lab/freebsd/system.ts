// uname(1) and freebsd-version(1) of the emulated FreeBSD 14.1-RELEASE GENERIC amd64 host, and
// the BSD getopt(3) the lab's system commands share.
import type { FreeBSDCommand } from './types';
import { fail, ok } from './types';
import { OS_MACHINE, OS_RELDATE, OS_RELEASE, OS_VERSION, getSysctl } from './sysctl';

export interface ParsedOptions {
  flags: Set<string>;
  /** last value given for each option that takes an argument */
  values: Record<string, string>;
  /** every option in command-line order (repeatable options such as sysrc -f) */
  all: Array<{ opt: string; value?: string }>;
  operands: string[];
}

/**
 * BSD getopt(3): options are clustered (-qv), an option's argument may be attached (-mif_gif) or
 * separate, parsing stops at "--" or the first operand. On error returns the message getopt
 * prints: "NAME: illegal option -- x".
 */
export function parseOptions(prog: string, args: string[], spec: string): ParsedOptions | { error: string } {
  const out: ParsedOptions = { flags: new Set(), values: {}, all: [], operands: [] };
  let i = 0;
  for (; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--') {
      i++;
      break;
    }
    if (!arg.startsWith('-') || arg === '-') break;
    for (let j = 1; j < arg.length; j++) {
      const c = arg[j];
      const at = spec.indexOf(c);
      if (c === ':' || at < 0) return { error: `${prog}: illegal option -- ${c}\n` };
      if (spec[at + 1] === ':') {
        let value = arg.slice(j + 1);
        if (value === '') {
          if (i + 1 >= args.length) return { error: `${prog}: option requires an argument -- ${c}\n` };
          value = args[++i];
        }
        out.values[c] = value;
        out.all.push({ opt: c, value });
        out.flags.add(c);
        break;
      }
      out.flags.add(c);
      out.all.push({ opt: c });
    }
  }
  out.operands = args.slice(i);
  return out;
}


// uname.c prints the fields in the order s n r v m p i K U, one space apart; -a is -mnrsv [MEM].
export const uname: FreeBSDCommand = async (inv, host) => {
  const opts = parseOptions('uname', inv.argv.slice(1), 'aiKmnoprsUv');
  const usage = 'usage: uname [-aiKmnoprsUv]\n';
  if ('error' in opts) return fail(opts.error + usage);
  if (opts.operands.length > 0) return fail(usage);
  const f = opts.flags;
  const all = f.has('a');
  const fields: string[] = [];
  if (all || f.has('s') || f.has('o')) fields.push('FreeBSD');
  if (all || f.has('n')) fields.push(getSysctl(host, 'kern.hostname') ?? '');
  if (all || f.has('r')) fields.push(OS_RELEASE);
  if (all || f.has('v')) fields.push(OS_VERSION);
  if (all || f.has('m')) fields.push(OS_MACHINE);
  if (f.has('p')) fields.push(OS_MACHINE);
  if (f.has('i')) fields.push('GENERIC');
  if (f.has('K')) fields.push(OS_RELDATE);
  if (f.has('U')) fields.push(OS_RELDATE);
  if (fields.length === 0) fields.push('FreeBSD');
  return ok(fields.join(' ') + '\n');
};

// freebsd-version(1) is a shell script: -k kernel, -r running kernel, -u userland; several flags
// print one line each in the order k, r, u; no flag means -u [MAN freebsd-version.1].
export const freebsdVersion: FreeBSDCommand = async (inv) => {
  const opts = parseOptions('freebsd-version', inv.argv.slice(1), 'kruj:');
  const usage = 'usage: freebsd-version [-kru] [-j jail]\n';
  if ('error' in opts || opts.operands.length > 0) return fail(('error' in opts ? opts.error : '') + usage);
  const f = opts.flags;
  const lines: string[] = [];
  if (f.has('k')) lines.push(OS_RELEASE);
  if (f.has('r')) lines.push(OS_RELEASE);
  if (f.has('u') || lines.length === 0) lines.push(OS_RELEASE);
  return ok(lines.join('\n') + '\n');
};
