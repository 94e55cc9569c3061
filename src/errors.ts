// Typed errors: a machine code for tests and exit-code mapping, a message that says what failed
// and where, and a hint that says what to do next.

export type ErrorCode =
  | 'E_INVALID_INPUT' // bad CLI arguments, inventory or playbook: nothing was contacted
  | 'E_UNREACHABLE' // connection refused, timed out, or host key refused
  | 'E_CMD_FAILED' // a remote command exited non-zero
  | 'E_FACT' // a fact could not be gathered or parsed
  | 'E_PLAN' // a task's plan threw
  | 'E_NOT_CONVERGED' // after apply, re-planning still found changes
  | 'E_LOCK_HELD' // another run holds the host lock
  | 'E_READ_ONLY' // check mode tried to send a command that is not a read
  | 'E_VERIFY_FAILED'; // a verification step found the host not doing what the inventory says

export interface ErrorContext {
  host?: string;
  task?: string;
  hint?: string;
}

export class ProvisionError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly ctx: ErrorContext = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Shell exit codes that have a conventional meaning worth printing next to the number. */
const EXIT_MEANINGS: Record<number, string> = {
  126: 'command not executable',
  127: 'command not found',
  130: 'interrupted',
};

export function describeExitCode(code: number): string {
  const meaning = EXIT_MEANINGS[code];
  return meaning ? `${code} (${meaning})` : String(code);
}

export class CommandFailedError extends ProvisionError {
  constructor(
    /** the command as it may be shown (secrets masked) */
    readonly command: string,
    readonly exitCode: number,
    readonly stderr: string,
    ctx: ErrorContext = {},
  ) {
    super('E_CMD_FAILED', `command failed with exit code ${describeExitCode(exitCode)}: ${firstLine(command)}`, ctx);
  }
}

export class InvalidInputError extends ProvisionError {
  constructor(message: string, ctx: ErrorContext = {}) {
    super('E_INVALID_INPUT', message, ctx);
  }
}

export class UnreachableError extends ProvisionError {
  constructor(message: string, ctx: ErrorContext = {}, options?: { cause?: unknown }) {
    super('E_UNREACHABLE', message, ctx, options);
  }
}

export class LockHeldError extends ProvisionError {
  constructor(message: string, ctx: ErrorContext = {}) {
    super('E_LOCK_HELD', message, ctx);
  }
}

function firstLine(text: string): string {
  const lines = text.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#'));
  const line = lines[0] ?? text;
  return lines.length > 1 ? `${line} …` : line;
}
