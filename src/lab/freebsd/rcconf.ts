// Reading and editing rc.conf-style files (/etc/rc.conf, /etc/defaults/rc.conf, /boot/loader.conf):
// sh variable assignments, one per line. FreeBSD sources these files with /bin/sh; the lab only
// needs the assignment subset, so `${var}` references are kept as text, not expanded. Edits keep
// every unrelated line (comments, blank lines, other commands) byte for byte, the way sysrc(8)
// rewrites a file with awk (research §3).
import type { HostContext } from './types';

export interface RcAssignment {
  name: string;
  value: string;
  /** 0-based line index in the file */
  line: number;
}

export interface RcSyntaxError {
  /** 1-based line number, as sh -n reports it */
  line: number;
  message: string;
}

export interface ParsedRcConf {
  assignments: RcAssignment[];
  errors: RcSyntaxError[];
}

// Dots are allowed for loader.conf names such as net.fibs (sysrc -f /boot/loader.conf, research §2.2).
const ASSIGNMENT = /^\s*([A-Za-z_][A-Za-z0-9_.]*)=/;

/**
 * Decode one sh word starting at `text[i]`: unquoted characters, "double quoted" (with \" \\ \$ \`
 * escapes) and 'single quoted' parts, until unquoted whitespace or end of text. Returns null when
 * a quote is not closed.
 */
function readWord(text: string, i: number): { value: string; end: number } | null {
  let value = '';
  while (i < text.length) {
    const c = text[i];
    if (c === ' ' || c === '\t' || c === ';') break;
    if (c === "'") {
      const close = text.indexOf("'", i + 1);
      if (close < 0) return null;
      value += text.slice(i + 1, close);
      i = close + 1;
    } else if (c === '"') {
      i++;
      let closed = false;
      while (i < text.length) {
        const d = text[i];
        if (d === '\\' && i + 1 < text.length && '"\\$`\n'.includes(text[i + 1])) {
          value += text[i + 1];
          i += 2;
        } else if (d === '"') {
          closed = true;
          i++;
          break;
        } else {
          value += d;
          i++;
        }
      }
      if (!closed) return null;
    } else if (c === '\\' && i + 1 < text.length) {
      value += text[i + 1];
      i += 2;
    } else {
      value += c;
      i++;
    }
  }
  return { value, end: i };
}

/** Parse every assignment of an rc.conf-style file, in file order. */
export function parseRcConf(text: string): ParsedRcConf {
  const assignments: RcAssignment[] = [];
  const errors: RcSyntaxError[] = [];
  text.split('\n').forEach((raw, line) => {
    const m = ASSIGNMENT.exec(raw);
    if (!m) {
      if (unbalancedQuotes(raw)) errors.push({ line: line + 1, message: 'Syntax error: Unterminated quoted string' });
      return;
    }
    const word = readWord(raw, m[0].length);
    if (!word) {
      errors.push({ line: line + 1, message: 'Syntax error: Unterminated quoted string' });
      return;
    }
    assignments.push({ name: m[1], value: word.value, line });
  });
  return { assignments, errors };
}

/** A quote opened outside a comment and never closed on a non-assignment line (e.g. `echo "x`). */
function unbalancedQuotes(raw: string): boolean {
  let quote: string | null = null;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (quote) {
      if (c === quote) quote = null;
      else if (c === '\\' && quote === '"') i++;
    } else if (c === '#' && (i === 0 || /\s/.test(raw[i - 1]))) {
      return false;
    } else if (c === '"' || c === "'") {
      quote = c;
    } else if (c === '\\') {
      i++;
    }
  }
  return quote !== null;
}

/** Effective variables of a file: the last assignment of each name wins, as when sourced. */
export function rcVariables(text: string): Map<string, string> {
  const vars = new Map<string, string>();
  for (const a of parseRcConf(text).assignments) vars.set(a.name, a.value);
  return vars;
}

/** Value of `name` in the file, or undefined when the file never assigns it. */
export function getRcVar(text: string, name: string): string | undefined {
  return rcVariables(text).get(name);
}

/** How sysrc writes an assignment: name="value", with ", \ and ` escaped ($ is kept, so ${var} stays a reference). */
export function formatAssignment(name: string, value: string): string {
  return `${name}="${value.replace(/["\\`]/g, (c) => '\\' + c)}"`;
}

function lastAssignment(text: string, name: string): RcAssignment | undefined {
  const all = parseRcConf(text).assignments.filter((a) => a.name === name);
  return all[all.length - 1];
}

/** Set `name`: replace its last assignment in place, or append name="value" at the end. */
export function setRcVar(text: string, name: string, value: string): string {
  const lines = text.split('\n');
  const last = lastAssignment(text, name);
  if (last) {
    lines[last.line] = formatAssignment(name, value);
    return lines.join('\n');
  }
  const body = text === '' || text.endsWith('\n') ? text : text + '\n';
  return body + formatAssignment(name, value) + '\n';
}

/** Remove every assignment of `name` (sysrc -x); other lines are kept as they are. */
export function deleteRcVar(text: string, name: string): string {
  const drop = new Set(parseRcConf(text).assignments.filter((a) => a.name === name).map((a) => a.line));
  return text
    .split('\n')
    .filter((_, i) => !drop.has(i))
    .join('\n');
}

/** rc.subr checkyesno: YES/TRUE/ON/1 in any case is yes; anything else is no. */
export function isYes(value: string | undefined): boolean {
  return value !== undefined && /^(yes|true|on|1)$/i.test(value);
}

export const RC_DEFAULTS = '/etc/defaults/rc.conf';

/** The rc.conf files rc and sysrc read after the defaults: rc_conf_files from the defaults file. */
export async function rcConfFiles(host: HostContext): Promise<string[]> {
  const defaults = (await host.fs.read(RC_DEFAULTS)) ?? '';
  return (getRcVar(defaults, 'rc_conf_files') ?? '/etc/rc.conf /etc/rc.conf.local').split(/\s+/).filter(Boolean);
}

/**
 * The host's effective rc.conf variables, as load_rc_config sees them: /etc/defaults/rc.conf,
 * then each of rc_conf_files that exists, later assignments winning.
 */
export async function loadRcConf(host: HostContext): Promise<Map<string, string>> {
  const vars = rcVariables((await host.fs.read(RC_DEFAULTS)) ?? '');
  for (const file of await rcConfFiles(host)) {
    const text = await host.fs.read(file);
    if (text !== null) for (const [k, v] of rcVariables(text)) vars.set(k, v);
  }
  return vars;
}
