// Check mode must only read. Rather than trusting every code path, the engine hands check-mode
// code a transport that refuses any script not built (and marked) by a read-only builder.
import type { ShellCommand } from '../shell/quote';
import type { Transport, ExecOptions, ExecResult } from '../transport/transport';
import { ProvisionError } from '../errors';

const readOnlyScripts = new WeakSet<ShellCommand>();

/** Called by the builders of scripts that cannot change the host (fact gathering, lock status). */
export function markReadOnly(script: ShellCommand): ShellCommand {
  readOnlyScripts.add(script);
  return script;
}

export function isReadOnly(script: ShellCommand): boolean {
  return readOnlyScripts.has(script);
}

/** Wraps a transport so that it refuses every script not marked read-only. */
export function readOnlyTransport(inner: Transport): Transport {
  return {
    get host() {
      return inner.host;
    },
    get roundTrips() {
      return inner.roundTrips;
    },
    exec(script: ShellCommand, opts?: ExecOptions): Promise<ExecResult> {
      if (!isReadOnly(script)) {
        return Promise.reject(
          new ProvisionError('E_READ_ONLY', `check mode refused to send a command that may change ${inner.host}: ${script.masked.split('\n')[0]}`, {
            host: inner.host,
          }),
        );
      }
      return inner.exec(script, opts);
    },
    close: () => inner.close(),
  };
}
