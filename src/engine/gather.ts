// Batching: every fact a play needs goes into ONE /bin/sh script per host. Each fact's command
// runs in its own subshell between sentinel lines (random per run, so file content cannot fake
// them) on stdout and stderr, followed by its exit status; the output is then split per fact.
import { ShellCommand, quote } from '../shell/quote';
import type { Fact, FactOutput } from './fact';
import { isReadOnly, markReadOnly } from './read-only';

/** The id under which the prelude (lock) output is returned. */
export const PRELUDE = 'prelude';

/**
 * Build the gather script. `prelude` (the lock step) runs first and may set __stop=yes to end
 * the script before any fact is read. Marked read-only when the prelude is read-only (or absent).
 */
export function buildGatherScript(sentinel: string, facts: ReadonlyArray<Fact<unknown>>, prelude?: ShellCommand): ShellCommand {
  const head = `# provision gather\n__P=${quote(sentinel)}`;
  const parts: Array<{ key: string; cmd: ShellCommand }> = [];
  if (prelude) parts.push({ key: PRELUDE, cmd: prelude });
  facts.forEach((f, i) => parts.push({ key: String(i), cmd: f.command }));
  const segment = (key: string, body: string) =>
    [
      `printf '\\n%s begin %s\\n' "$__P" ${key}; printf '\\n%s begin %s\\n' "$__P" ${key} >&2`,
      key === PRELUDE ? `{\n${body}\n} </dev/null` : `(\n${body}\n) </dev/null`,
      `__rc=$?; printf '\\n%s end %s %d\\n' "$__P" ${key} "$__rc"; printf '\\n%s end %s\\n' "$__P" ${key} >&2`,
      ...(key === PRELUDE ? ['if [ "${__stop:-}" = yes ]; then exit 0; fi'] : []),
    ].join('\n');
  const script = new ShellCommand(
    [head, ...parts.map((p) => segment(p.key, p.cmd.text))].join('\n'),
    [head, ...parts.map((p) => segment(p.key, p.cmd.masked))].join('\n'),
  );
  return !prelude || isReadOnly(prelude) ? markReadOnly(script) : script;
}

export class GatherOutputError extends Error {}

/**
 * Split the gather output. Returns the output of every segment that ran, keyed by fact id (and
 * PRELUDE). A segment missing from the output (the prelude exited early) is simply absent.
 */
export function splitGatherOutput(
  sentinel: string,
  facts: ReadonlyArray<Fact<unknown>>,
  stdout: string,
  stderr: string,
): Map<string, FactOutput> {
  const out = new Map<string, FactOutput>();
  const keys: Array<[string, string]> = [[PRELUDE, PRELUDE], ...facts.map((f, i): [string, string] => [String(i), f.id])];
  for (const [key, id] of keys) {
    const begin = `\n${sentinel} begin ${key}\n`;
    const start = stdout.indexOf(begin);
    if (start < 0) continue;
    const bodyStart = start + begin.length;
    const endRe = new RegExp(`\\n${sentinel} end ${key} (\\d+)\\n`, 'g');
    endRe.lastIndex = bodyStart;
    const end = endRe.exec(stdout);
    if (!end) throw new GatherOutputError(`the output of fact ${id} was cut off (no end marker)`);
    out.set(id, { stdout: stdout.slice(bodyStart, end.index), stderr: section(stderr, sentinel, key), code: Number(end[1]) });
  }
  return out;
}

function section(stderr: string, sentinel: string, key: string): string {
  const begin = `\n${sentinel} begin ${key}\n`;
  const start = stderr.indexOf(begin);
  if (start < 0) return '';
  const end = stderr.indexOf(`\n${sentinel} end ${key}\n`, start + begin.length);
  return stderr.slice(start + begin.length, end < 0 ? undefined : end);
}
