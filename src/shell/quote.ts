// The one place where text destined for a remote /bin/sh is built. Every value that reaches a
// shell goes through quote(); tasks build commands with the `sh` tagged template, never by
// concatenating strings.

/** A value that must be masked in logs, diffs and JSON output (BGP passwords, passphrases). */
export class Secret {
  constructor(readonly value: string) {}
  toString(): string {
    return '********';
  }
  toJSON(): string {
    return '********';
  }
}

const SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

/**
 * Quote one argument for a POSIX shell (FreeBSD /bin/sh, dash). Safe words are returned as is;
 * anything else is wrapped in single quotes, with embedded single quotes written as '\''.
 * NUL cannot be passed through a shell at all and is refused.
 */
export function quote(arg: string): string {
  if (arg.includes('\0')) throw new Error('a shell argument cannot contain a NUL byte');
  if (arg !== '' && SAFE.test(arg)) return arg;
  return "'" + arg.replace(/'/g, `'\\''`) + "'";
}

/** A shell command with the secrets it carries, so that logs can print it masked. */
export class ShellCommand {
  constructor(
    readonly text: string,
    readonly masked: string,
  ) {}
  toString(): string {
    return this.masked;
  }
}

type Arg = string | number | Secret | ShellCommand | ReadonlyArray<string | number>;

function render(value: Arg, reveal: boolean): string {
  if (value instanceof ShellCommand) return reveal ? value.text : value.masked;
  if (value instanceof Secret) return reveal ? quote(value.value) : quote(value.toString());
  if (Array.isArray(value)) return value.map((v) => quote(String(v))).join(' ');
  return quote(String(value));
}

/**
 * Tagged template: sh`kldload -n ${mod}` quotes every interpolated value. Arrays expand to
 * several quoted words; a nested ShellCommand is inserted verbatim (it was quoted when built).
 */
export function sh(strings: TemplateStringsArray, ...values: Arg[]): ShellCommand {
  let text = strings[0];
  let masked = strings[0];
  values.forEach((v, i) => {
    text += render(v, true) + strings[i + 1];
    masked += render(v, false) + strings[i + 1];
  });
  return new ShellCommand(text, masked);
}

/** Join several commands into one script, one per line. */
export function script(...cmds: ShellCommand[]): ShellCommand {
  return new ShellCommand(cmds.map((c) => c.text).join('\n'), cmds.map((c) => c.masked).join('\n'));
}
