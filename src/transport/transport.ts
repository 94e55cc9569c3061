// How the engine talks to a host. SshTransport (ssh2) is the real one; tests use doubles.
import type { ShellCommand } from '../shell/quote';

export interface ExecResult {
  stdout: string;
  stderr: string;
  /** exit status of the remote /bin/sh; a signal or a lost channel is reported as a thrown error */
  code: number;
  durationMs: number;
}

export interface ExecOptions {
  /** bytes written to the remote command's standard input, then EOF */
  stdin?: string | Buffer;
  /** the remote command is abandoned (channel closed) and TransportError(timeout) thrown after this */
  timeoutMs?: number;
}

export interface Transport {
  /** inventory name of the host */
  readonly host: string;
  /**
   * Run a script with the target's /bin/sh (never the login shell's rc files). One call is one
   * SSH round trip on the host's single multiplexed connection.
   */
  exec(script: ShellCommand, opts?: ExecOptions): Promise<ExecResult>;
  /** how many exec round trips this transport has made (reported in --json) */
  readonly roundTrips: number;
  close(): Promise<void>;
}
