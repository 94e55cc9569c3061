// sysctl.value: a runtime OID set live (`sysctl oid=value`) and persisted in /etc/sysctl.conf, so
// it survives a reboot; a difference in either is a change. Formats from sysctl(8) source
// (research/freebsd-frr.md §2.1): `sysctl -n oid` prints the value only; an unknown OID prints
// "sysctl: unknown oid '…'" and exits 1. Boot-time tunables (net.fibs) belong in loader.conf:
// use sysrcTask({ file: '/boot/loader.conf' }) for those.
import { sh } from '../shell/quote';
import { defineFact, type Fact } from '../engine/fact';
import { fileFact } from '../engine/remote-file';
import { defineTask, type Change, type Task, type TaskIO } from '../engine/task';

const OID = /^[A-Za-z0-9_]+(\.[A-Za-z0-9_%-]+)+$/;

export function sysctlFact(oid: string): Fact<string> {
  return defineFact({
    id: `sysctl:${oid}`,
    command: sh`sysctl -n ${oid}`,
    parse({ stdout, stderr, code }) {
      if (code !== 0) throw new Error(stderr.trim() || `sysctl -n ${oid} exited ${code}`);
      return stdout.replace(/\n$/, '');
    },
  });
}

/** The value sysctl.conf sets for `oid` (the last assignment wins, as with `sysctl -f`), or null. */
export function sysctlConfValue(content: string, oid: string): string | null {
  let value: string | null = null;
  for (const line of content.split('\n')) {
    const m = /^\s*([^#=\s]+)\s*=\s*(.*?)\s*$/.exec(line.replace(/#.*$/, ''));
    if (m && m[1] === oid) value = m[2].replace(/^"(.*)"$/, '$1');
  }
  return value;
}

/** sysctl.conf with `oid=value`: the last assignment of oid rewritten in place, or appended. */
export function setSysctlConfValue(content: string, oid: string, value: string): string {
  const lines = content === '' ? [] : content.replace(/\n$/, '').split('\n');
  let last = -1;
  lines.forEach((line, i) => {
    const m = /^\s*([^#=\s]+)\s*=/.exec(line);
    if (m && m[1] === oid) last = i;
  });
  if (last >= 0) lines[last] = `${oid}=${value}`;
  else lines.push(`${oid}=${value}`);
  return lines.join('\n') + '\n';
}

export interface SysctlTaskOptions {
  oid: string;
  value: string;
  /** also write /etc/sysctl.conf (default true) */
  persist?: boolean;
  /** default /etc/sysctl.conf */
  file?: string;
  notify?: string[];
  name?: string;
  hint?: string;
}

export function sysctlTask(o: SysctlTaskOptions): Task {
  if (!OID.test(o.oid)) throw new Error(`sysctl: invalid OID ${JSON.stringify(o.oid)}`);
  if (/[\n#]/.test(o.value)) throw new Error(`sysctl ${o.oid}: the value cannot contain a newline or #`);
  const file = o.file ?? '/etc/sysctl.conf';
  const live = sysctlFact(o.oid);
  const liveChanges = (current: string): Change[] =>
    current === o.value ? [] : [{ summary: `${o.oid} (live)`, diff: { kind: 'value', key: o.oid, before: current, after: o.value } }];
  const common = {
    name: o.name ?? `sysctl: ${o.oid}`,
    async apply(changes: Change[], io: TaskIO) {
      for (const c of changes) {
        if (c.diff.kind === 'value') await io.exec(sh`sysctl ${`${o.oid}=${o.value}`}`);
        else await io.writeFile({ path: file, content: c.diff.after });
      }
    },
    notify: o.notify,
    hint: o.hint,
  };
  if (o.persist === false) return defineTask({ ...common, facts: { live }, plan: (f) => liveChanges(f.live) });
  return defineTask({
    ...common,
    facts: { live, conf: fileFact(file) },
    plan(f) {
      const before = f.conf?.content ?? null;
      if (sysctlConfValue(before ?? '', o.oid) === o.value) return liveChanges(f.live);
      const after = setSysctlConfValue(before ?? '', o.oid, o.value);
      return [...liveChanges(f.live), { summary: `${o.oid} in ${file}`, diff: { kind: 'file', path: file, before, after } }];
    },
  });
}
