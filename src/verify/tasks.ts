// Verification as playbook steps: after the configuration tasks, prove the host works (tunnels
// carry traffic, BGP sessions are up and announce, traffic leaves from the right address).
// A verification plans nothing and changes nothing, so it does not fit plan/apply: the engine
// runs `verify(io)` instead, only in apply mode (in check mode the host is not yet in the state
// to verify, so the step is skipped with "verification runs after apply"). A failing check fails
// the step with expected vs actual and the hints.
import { ProvisionError } from '../errors';
import type { Task, TaskIO } from '../engine/task';
import type { HostConfig } from '../inventory/schema';
import { hostExpectations, type Expectation, type Scope, type TunnelExpectation } from './expectations';
import type { CheckResult } from './evaluate';
import { verifyHost } from './run';

export interface VerifyStep extends Task {
  /** run by the engine in apply mode instead of plan/apply; throws when a check fails, returns warnings */
  verify(io: TaskIO): Promise<string[]>;
}

export interface VerifyTaskOptions {
  name?: string;
  dependsOn?: string[];
  /** how long to wait for BGP sessions and advertisements (default: DEFAULT_WAIT_SECONDS) */
  waitSeconds?: number;
  /** check only these tunnels (by interface name); default: all of the host's */
  tunnels?: string[];
  /**
   * Inventory hosts this run does not provision: a tunnel to one of them that is not up yet is
   * pending (a warning naming the host to provision), not a failure of this host.
   */
  notInRun?: readonly string[];
}

export class VerificationFailedError extends ProvisionError {
  constructor(
    readonly failed: CheckResult[],
    total: number,
    ctx: { host?: string; task?: string } = {},
  ) {
    const lines = failed.map((c) => `  ${c.name}: expected ${c.expected}; actual ${c.actual}`);
    const hints = [...new Set(failed.map((c) => c.hint).filter((h): h is string => !!h))];
    super('E_VERIFY_FAILED', `${failed.length} of ${total} checks failed:\n${lines.join('\n')}`, { ...ctx, ...(hints.length ? { hint: hints.join('\n') } : {}) });
  }
}

function verifyStep(host: HostConfig, scope: Exclude<Scope, 'all'>, o: VerifyTaskOptions): VerifyStep {
  const name = o.name ?? `verify: ${scope}`;
  const only = o.tunnels;
  const expectations = hostExpectations(host, scope).filter((e) => !only || e.kind !== 'tunnel' || only.includes(e.iface));
  const elsewhere = (e: Expectation) => e.kind === 'tunnel' && e.peerHost !== undefined && (o.notInRun ?? []).includes(e.peerHost);
  const own = expectations.filter((e) => !elsewhere(e));
  const pending = expectations.filter(elsewhere) as TunnelExpectation[];
  return {
    name,
    facts: {},
    plan() {
      // the engine runs verify() instead; passing silently here would be a lie
      throw new Error(`${name} is a verification step: it has no plan`);
    },
    async apply() {
      throw new Error(`${name} is a verification step and has nothing to apply`);
    },
    ...(o.dependsOn ? { dependsOn: o.dependsOn } : {}),
    async verify(io: TaskIO) {
      const checks = await verifyHost((cmd) => io.exec(cmd), own, { waitSeconds: o.waitSeconds });
      // tunnels to hosts this run did not touch: looked at once, without waiting. This end's own
      // state must be right; only traffic, which needs the far end, may be pending.
      const far = pending.length ? await verifyHost((cmd) => io.exec(cmd), pending, { waitSeconds: 0 }) : [];
      const farPending = far.filter((c) => !c.pass && c.kind === 'tunnel-traffic');
      const all = [...checks, ...far.filter((c) => !farPending.includes(c))];
      const failed = all.filter((c) => !c.pass);
      if (failed.length) throw new VerificationFailedError(failed, all.length, { host: io.host, task: name });
      return farPending.map((c) => {
        const t = pending.find((p) => c.name.startsWith(`tunnel ${p.iface} `))!;
        return `${t.iface} to ${t.peerHost} is pending: ${t.peerHost} is not part of this run (${c.actual}); provision ${t.peerHost} to bring it up`;
      });
    },
  };
}

/** Each tunnel is UP with the inventory's endpoints and ping6 to the inner peer gets replies. */
export function verifyTunnelsTask(host: HostConfig, o: VerifyTaskOptions = {}): VerifyStep {
  return verifyStep(host, 'tunnels', o);
}

/** BGP sessions Established with policy OK, announced prefixes advertised, exit addresses right. */
export function verifyRoutingTask(host: HostConfig, o: VerifyTaskOptions = {}): VerifyStep {
  return verifyStep(host, 'routing', o);
}

export function isVerifyStep(task: Task): task is VerifyStep {
  return typeof (task as Partial<VerifyStep>).verify === 'function';
}
