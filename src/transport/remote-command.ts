// The text sent in an SSH "exec" request. sshd hands it to the user's login shell (`$SHELL -c`),
// which on FreeBSD may be sh, csh or tcsh, so the text must mean the same thing to all of them:
// it starts /bin/sh and passes the script as single-quoted words. csh refuses a newline inside
// quotes, so the script travels as one word per line and /bin/sh joins the lines and evals them.
import { quote, ShellCommand } from '../shell/quote';

// Runs under /bin/sh (dash, FreeBSD sh): builds a newline without writing one, rebuilds the
// script from the positional parameters, clears them so the script sees none, and evals it.
// Contains no single quote, no newline and no `!`, so every login shell passes it on unchanged.
const JOIN_AND_EVAL = 'n="$(printf "\\nx")"; n="${n%x}"; s=; for l; do s="$s$l$n"; done; set --; eval "$s"';

function invocation(script: string): string {
  return ['/bin/sh -c', quote(JOIN_AND_EVAL), 'sh', ...script.split('\n').map(quote)].join(' ');
}

/** `/bin/sh -c …` for a script, with a masked twin for logs. */
export function remoteShellCommand(script: ShellCommand): ShellCommand {
  return new ShellCommand(invocation(script.text), invocation(script.masked));
}
