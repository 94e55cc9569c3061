// What can go wrong between us and a host, as a small closed set of kinds: the CLI picks exit
// codes from `kind` (host-key-* and unreachable → 4), so the kind must never be guessed from text.

export type TransportErrorKind =
  /** nothing answered, the TCP connection or the SSH handshake failed or timed out */
  | 'unreachable'
  /** the host's key is not in known_hosts and new keys were not to be accepted */
  | 'host-key-unknown'
  /** known_hosts holds a different key for the host: possible man in the middle */
  | 'host-key-changed'
  /** the host presented a key marked @revoked in known_hosts */
  | 'host-key-revoked'
  /** the server refused every credential, or our credentials could not be loaded */
  | 'auth'
  /** a command ran longer than its timeoutMs */
  | 'timeout'
  /** a channel could not be opened, or was lost or killed by a signal mid-command */
  | 'channel';

export const HOST_KEY_ERROR_KINDS: ReadonlySet<TransportErrorKind> = new Set([
  'host-key-unknown',
  'host-key-changed',
  'host-key-revoked',
]);

export class TransportError extends Error {
  constructor(
    readonly kind: TransportErrorKind,
    /** inventory name of the host, so a report can say which one */
    readonly host: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'TransportError';
  }
}

/** True for the kinds that mean "we never got a trustworthy session": the CLI's exit code 4. */
export function isConnectRefusal(err: unknown): err is TransportError {
  return err instanceof TransportError && (err.kind === 'unreachable' || HOST_KEY_ERROR_KINDS.has(err.kind));
}
