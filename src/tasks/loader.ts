// loader: a boot-time tunable in /boot/loader.conf (written with `sysrc -f`, research §2.2) and,
// where the kernel allows it, the same value live. net.fibs is CTLFLAG_RWTUN with a grow-only
// handler on 13/14 (route_tables.c: shrinking fails with ENOTCAPABLE), so growing it is done now
// and shrinking waits for the next boot.
//
// plan() only lists a live change it can make. A value the kernel cannot take now is reported on
// the loader.conf change ("takes effect at next boot"); the next run finds loader.conf right and
// nothing it can do live, so it is ok instead of "did not converge" forever.
import { sh } from '../shell/quote';
import { defineFact, type Fact } from '../engine/fact';
import { defineTask, type Change, type Task } from '../engine/task';
import { sysrcFact } from './sysrc';

export const LOADER_CONF = '/boot/loader.conf';
const OID = /^[A-Za-z0-9_]+(\.[A-Za-z0-9_%-]+)+$/;

/** What the running kernel lets `sysctl oid=value` do. */
export type TunableRuntime = 'writable' | 'grow-only' | 'boot-only';

/** Tunables whose runtime behaviour the research established (§2.2); others are boot-only. */
export const KNOWN_TUNABLES: Readonly<Record<string, TunableRuntime>> = {
  'net.fibs': 'grow-only',
  'net.add_addr_allfibs': 'writable',
};

/** The live value, or null when the kernel has no such OID (e.g. its module is not loaded). */
export function liveTunableFact(oid: string): Fact<string | null> {
  return defineFact({
    // not sysctlFact's id: that one fails on an unknown OID, this one reads it as null
    id: `sysctl-or-null:${oid}`,
    command: sh`sysctl -n ${oid}`,
    parse({ stdout, stderr, code }) {
      if (code === 0) return stdout.replace(/\n$/, '');
      if (/unknown oid/.test(stderr)) return null;
      throw new Error(stderr.trim() || `sysctl -n ${oid} exited ${code}`);
    },
  });
}

/** Can `sysctl oid=want` succeed on a kernel where the value is `live`? */
export function settableNow(runtime: TunableRuntime, live: string | null, want: string): boolean {
  if (live === null || runtime === 'boot-only') return false;
  if (runtime === 'writable') return true;
  return /^\d+$/.test(live) && /^\d+$/.test(want) && Number(want) > Number(live);
}

export interface LoaderTunableOptions {
  /** default: KNOWN_TUNABLES, else boot-only */
  runtime?: TunableRuntime;
  dependsOn?: string[];
}

export function loaderTunableTask(oid: string, value: string, o: LoaderTunableOptions = {}): Task {
  if (!OID.test(oid)) throw new Error(`loader tunable: invalid name ${JSON.stringify(oid)}`);
  if (!/^[A-Za-z0-9_.,:/+-]+$/.test(value)) throw new Error(`loader tunable ${oid}: unsupported value ${JSON.stringify(value)}`);
  const runtime = o.runtime ?? KNOWN_TUNABLES[oid] ?? 'boot-only';
  const key = `${LOADER_CONF}: ${oid}`;
  const facts = { conf: sysrcFact(oid, LOADER_CONF), live: liveTunableFact(oid) };
  return defineTask({
    name: `loader: ${oid}`,
    facts,
    plan({ conf, live }) {
      const changes: Change[] = [];
      const now = settableNow(runtime, live, value);
      if (conf !== value) {
        const later = live !== value && !now ? ' (takes effect at next boot)' : '';
        changes.push({ summary: `${key}${later}`, diff: { kind: 'value', key, before: conf, after: value } });
      }
      if (live !== value && now) changes.push({ summary: `${oid} (live)`, diff: { kind: 'value', key: oid, before: live, after: value } });
      return changes;
    },
    async apply(changes, io) {
      for (const c of changes) {
        if (c.diff.kind === 'value' && c.diff.key === key) await io.exec(sh`sysrc -f ${LOADER_CONF} ${`${oid}=${value}`}`);
        else await io.exec(sh`sysctl ${`${oid}=${value}`}`);
      }
    },
    // tasks reading the live value through sysctlFact re-read it too
    touches: [facts.conf.id, facts.live.id, `sysctl:${oid}`],
    dependsOn: o.dependsOn,
    hint: `check with: sysrc -f ${LOADER_CONF} -a; sysctl ${oid}`,
  });
}
