// sysrc(8): query and edit rc.conf-style files, following usr.sbin/sysrc/sysrc (research §3).
// Without -f it reads /etc/defaults/rc.conf plus rc_conf_files and writes to the file that last
// sets the variable (else the first of rc_conf_files); with -f FILE (repeatable) only those files.
import type { FreeBSDCommand, HostContext } from './types';
import { fail } from './types';
import { parseOptions } from './system';
import { RC_DEFAULTS, deleteRcVar, parseRcConf, rcConfFiles, rcVariables, setRcVar } from './rcconf';

const USAGE =
  'Usage: sysrc [OPTIONS] {name[[+|-]=value] ... | -a | -A | -l | -L [name ...]}\n' +
  "Try `sysrc --help' for more information.\n";

interface Sources {
  /** the files in effect: defaults first (when used), then the rc.conf files, in order */
  files: string[];
  /** files that may be written (the rc.conf files, or the -f list) */
  writable: string[];
  content: Map<string, string | null>;
}

async function loadSources(host: HostContext, explicit: string[]): Promise<Sources> {
  const writable = explicit.length > 0 ? explicit : await rcConfFiles(host);
  const files = explicit.length > 0 ? writable : [RC_DEFAULTS, ...writable];
  const content = new Map<string, string | null>();
  for (const f of files) content.set(f, await host.fs.read(f));
  return { files, writable, content };
}

/** The last file that assigns `name`, and its value there. */
function find(src: Sources, name: string): { file: string; value: string } | undefined {
  let found: { file: string; value: string } | undefined;
  for (const file of src.files) {
    const text = src.content.get(file);
    if (text == null) continue;
    const value = rcVariables(text).get(name);
    if (value !== undefined) found = { file, value };
  }
  return found;
}

/** `sh -n` over every existing file: "FILE: LINE: Syntax error: ..." lines, empty when fine. */
function syntaxErrors(src: Sources): string {
  let out = '';
  for (const file of src.files) {
    const text = src.content.get(file);
    if (text == null) continue;
    for (const e of parseRcConf(text).errors) out += `${file}: ${e.line}: ${e.message}\n`;
  }
  return out;
}

/** `+=` adds the words not yet present; `-=` removes words (research §3). */
function editWords(current: string, op: '+' | '-', value: string): string {
  const words = current.split(/\s+/).filter(Boolean);
  const change = value.split(/\s+/).filter(Boolean);
  if (op === '+') return [...words, ...change.filter((w) => !words.includes(w))].join(' ');
  return words.filter((w) => !change.includes(w)).join(' ');
}

export const sysrc: FreeBSDCommand = async (inv, host) => {
  const opts = parseOptions('sysrc', inv.argv.slice(1), 'aAceFf:ilnNqvx');
  if ('error' in opts) return fail(opts.error + USAGE);
  const o = opts.flags;
  const absolute = (p: string) => (p.startsWith('/') ? p : `${inv.cwd.replace(/\/$/, '')}/${p}`);
  const explicit = opts.all.filter((a) => a.opt === 'f').map((a) => absolute(a.value!));
  const src = await loadSources(host, explicit);
  const quiet = o.has('q');
  const verbose = o.has('v') && !quiet;

  const syntax = syntaxErrors(src);
  if (syntax) return fail(syntax + 'sysrc: Exiting due to previous syntax errors\n');

  if (o.has('l')) return { stdout: src.writable.join(' ') + '\n', stderr: '', code: 0 };

  // How a variable is shown: name: value, -n value, -N name, -e name="value", -v file: prefix, -F its file.
  const show = (name: string, value: string, file: string): string => {
    if (o.has('F')) return `${name}: ${file}\n`;
    const prefix = verbose ? `${file}: ` : '';
    if (o.has('N')) return `${prefix}${name}\n`;
    if (o.has('n')) return `${prefix}${value}\n`;
    if (o.has('e')) return `${prefix}${name}="${value}"\n`;
    return `${prefix}${name}: ${value}\n`;
  };

  // -a: the variables the rc.conf files set; -A: the defaults' too.
  if (o.has('a') || o.has('A')) {
    if (o.has('c')) return fail(USAGE);
    const names = new Set<string>();
    for (const file of src.files) {
      if (!o.has('A') && file === RC_DEFAULTS) continue;
      for (const name of rcVariables(src.content.get(file) ?? '').keys()) names.add(name);
    }
    let stdout = '';
    for (const name of [...names].sort()) {
      const hit = find(src, name)!;
      stdout += show(name, hit.value, hit.file);
    }
    return { stdout, stderr: '', code: 0 };
  }
  if (opts.operands.length === 0) return fail(USAGE);

  let stdout = '';
  let stderr = '';
  let code = 0;
  const unknown = (name: string) => {
    code = 1;
    if (!quiet && !o.has('i')) stderr += `sysrc: unknown variable '${name}'\n`;
  };

  for (const arg of opts.operands) {
    const m = /^([^=+-]+)([+-]?)=(.*)$/s.exec(arg);
    if (!m) {
      const name = arg;
      const hit = find(src, name);
      if (o.has('c')) {
        if (!hit) {
          code = 1;
          if (verbose) stdout += `${name}: not currently set\n`;
        }
        continue;
      }
      if (o.has('x')) {
        let deleted = false;
        for (const file of src.writable) {
          const text = src.content.get(file);
          if (text == null || !rcVariables(text).has(name)) continue;
          const next = deleteRcVar(text, name);
          await host.fs.write(file, next);
          src.content.set(file, next);
          deleted = true;
        }
        if (!deleted) unknown(name);
        continue;
      }
      if (!hit) unknown(name);
      else stdout += show(name, hit.value, hit.file);
      continue;
    }

    const [, name, op, given] = m;
    const hit = find(src, name);
    const before = hit?.value ?? '';
    const after = op === '' ? given : editWords(before, op as '+' | '-', given);
    // The file to edit: the last writable file that sets it, else the first writable file.
    const target = [...src.writable].reverse().find((f) => src.content.get(f) != null && rcVariables(src.content.get(f)!).has(name)) ?? src.writable[0];

    if (o.has('c')) {
      if (before === after && hit) {
        if (verbose) stdout += `${target}: ${name}: already set to \`${after}'\n`;
      } else {
        code = 1;
        if (verbose) stdout += hit ? `${target}: ${name}: would change from \`${before}' to \`${after}'\n` : `${name}: not currently set\n`;
      }
      continue;
    }

    const next = setRcVar(src.content.get(target) ?? '', name, after);
    await host.fs.write(target, next);
    src.content.set(target, next);
    if (quiet) continue;
    const prefix = verbose ? `${target}: ` : '';
    if (o.has('e')) stdout += `${prefix}${name}="${before}" # -> "${after}"\n`;
    else if (o.has('n')) stdout += `${prefix}${before} -> ${after}\n`;
    else stdout += `${prefix}${name}: ${before} -> ${after}\n`;
  }
  return { stdout, stderr, code };
};
