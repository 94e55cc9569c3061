// The wire format between a lab host's command client (/usr/local/libexec/lab-kernel-client, a
// /bin/sh script) and the lab kernel server.
//
// Request: NUL-terminated fields, written by the client with printf '%s\0' and `env -0`:
//   cwd, N (the argv length), argv[0..N-1], then any number of NAME=VALUE environment entries.
// Reply: shell text the client evaluates: it prints stdout and stderr and exits with the code.
// Stdin is not forwarded: an emulated command never reads its standard input.
import type { CommandResult, Invocation } from '../freebsd/types';
import { quote } from '../../shell/quote';

export function parseRequest(buf: Buffer): Invocation {
  const fields = buf.toString('utf8').split('\0');
  if (fields[fields.length - 1] === '') fields.pop();
  const cwd = fields[0] ?? '/';
  const n = Number(fields[1]);
  if (!Number.isInteger(n) || n < 1 || fields.length < 2 + n) throw new Error('malformed request from lab-kernel-client');
  const argv = fields.slice(2, 2 + n);
  const env: Record<string, string> = {};
  for (const e of fields.slice(2 + n)) {
    const eq = e.indexOf('=');
    if (eq > 0) env[e.slice(0, eq)] = e.slice(eq + 1);
  }
  return { argv, cwd, env };
}

/** Shell text that reproduces the command's output and exit status on the lab host. */
export function renderReply(r: CommandResult): string {
  // A shell word cannot hold NUL; FreeBSD tools never print one in text output.
  const clean = (s: string) => s.replace(/\0/g, '');
  const lines: string[] = [];
  if (r.stdout) lines.push(`printf '%s' ${quote(clean(r.stdout))}`);
  if (r.stderr) lines.push(`printf '%s' ${quote(clean(r.stderr))} >&2`);
  lines.push(`exit ${Math.max(0, Math.min(255, Math.trunc(r.code)))}`);
  return lines.join('\n') + '\n';
}
