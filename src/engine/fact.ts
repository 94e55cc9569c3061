// A fact is one read-only shell command plus a pure parser. The engine batches the commands of
// every fact a play needs into one exec per host (see gather.ts) and caches the parsed values.
import type { ShellCommand } from '../shell/quote';

/** What a fact's command produced, isolated from the other facts of the same batch. */
export interface FactOutput {
  stdout: string;
  stderr: string;
  /** exit status of the fact's command */
  code: number;
}

export interface Fact<T> {
  /** unique per fact instance in a run, e.g. "sysrc.value:/etc/rc.conf:gateway_enable" */
  readonly id: string;
  /** must only read: it is sent in check mode too */
  readonly command: ShellCommand;
  /** pure; throw when the output makes no sense (the error names the fact) */
  parse(out: FactOutput): T;
}

export function defineFact<T>(fact: Fact<T>): Fact<T> {
  return fact;
}

/** A record of named facts a task reads; plan() gets the same names with parsed values. */
export type FactMap = Record<string, Fact<unknown>>;

export type FactValues<F extends FactMap> = { [K in keyof F]: F[K] extends Fact<infer T> ? T : never };
