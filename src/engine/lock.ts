// The host lock: a directory created with mkdir(2), which is atomic on every POSIX system, holding
// an "owner" file that says who runs. Taking the lock is the prelude of the first gather script
// (no extra round trip); releasing it is one exec at the end of the run.
//
// Staleness: the owner file records the pid of the sshd process serving the holder's connection
// (found by walking up from the script's shell with ps). If that process is gone, or the lock is
// older than the TTL, the lock is stale. A stale lock is only broken with --break-lock; a live
// one never is.
import { ShellCommand, quote } from '../shell/quote';
import { markReadOnly } from './read-only';

export const DEFAULT_LOCK_DIR = '/var/run/provision.lock';
export const DEFAULT_LOCK_TTL_SECONDS = 3600;

export interface LockOwner {
  runId: string;
  user: string;
  /** the machine provision runs on */
  controller: string;
  /** pid of provision on the controller */
  pid: number;
}

export interface LockOptions {
  dir: string;
  ttlSeconds: number;
  breakStale: boolean;
}

export interface LockHolder {
  runId: string;
  user: string;
  controller: string;
  pid: string;
  /** unix seconds on the host */
  started: number;
  ageSeconds: number;
  /** whether the holder's SSH session still exists; unknown when it could not be identified */
  alive: 'yes' | 'no' | 'unknown';
  stale: boolean;
}

export type LockState =
  | { status: 'acquired' }
  | { status: 'broken'; previous: LockHolder }
  | { status: 'held'; holder: LockHolder }
  | { status: 'free' }
  | { status: 'busy'; holder: LockHolder };

// Shell functions shared by the acquire and status scripts. __holder prints the owner file with a
// "holder." prefix, then age, liveness and staleness.
function holderFunctions(dir: string, ttlSeconds: number): string {
  const L = quote(dir);
  return `__L=${L}
__now=$(date +%s)
__holder() {
  sed 's/^/holder./' "$__L/owner" 2>/dev/null
  __st=$(sed -n 's/^started=//p' "$__L/owner" 2>/dev/null)
  __hs=$(sed -n 's/^session=//p' "$__L/owner" 2>/dev/null)
  __age=$(( __now - \${__st:-0} ))
  __alive=unknown
  if [ -n "$__hs" ]; then
    case "$(ps -o comm= -p "$__hs" 2>/dev/null)" in sshd*) __alive=yes ;; *) __alive=no ;; esac
  fi
  __stale=no
  if [ "$__age" -gt ${ttlSeconds} ] || [ "$__alive" = no ]; then __stale=yes; fi
  echo "age=$__age"; echo "alive=$__alive"; echo "stale=$__stale"
}`;
}

/** Prelude of the first gather in apply mode: take the lock, or print the holder and set __stop. */
export function acquireLockScript(owner: LockOwner, opts: LockOptions): ShellCommand {
  const ownerLines = [`run=${owner.runId}`, `user=${owner.user}`, `controller=${owner.controller}`, `pid=${owner.pid}`]
    .map(quote)
    .join(' ');
  const text = `${holderFunctions(opts.dir, opts.ttlSeconds)}
# the sshd process of this connection: when it is gone, so is the holder. One ps for the whole
# process table, walked up from our parent in awk (a ps per step costs a fork each, 2-3 steps)
__s=$(ps -A -o pid= -o ppid= -o comm= 2>/dev/null | awk -v p="$PPID" '
  { up[$1] = $2; comm[$1] = $3 }
  END { for (i = 0; i < 6 && p > 1; i++) { if (comm[p] ~ /^sshd/) { print p; exit } p = up[p] } }')
# no sshd above us: the connection was cut as the script started (we were orphaned), so the
# holder is gone; a later run may break this lock with --break-lock
if [ -z "$__s" ]; then __s=gone; fi
__own() { printf '%s\\n' ${ownerLines} "started=$__now" "session=$__s" > "$__L/owner"; }
if mkdir "$__L" 2>/dev/null; then
  __own && echo status=acquired
else
  __holder
  if [ ${opts.breakStale ? 'yes' : 'no'} = yes ] && [ "$__stale" = yes ] && rm -rf "$__L" && mkdir "$__L" 2>/dev/null && __own; then
    echo status=broken
  else
    echo status=held
    __stop=yes
  fi
fi`;
  return new ShellCommand(text, text);
}

/** Check mode: report whether another run holds the lock, without touching it. */
export function lockStatusScript(opts: Pick<LockOptions, 'dir' | 'ttlSeconds'>): ShellCommand {
  const text = `${holderFunctions(opts.dir, opts.ttlSeconds)}
if [ -d "$__L" ]; then __holder; echo status=busy; else echo status=free; fi`;
  return markReadOnly(new ShellCommand(text, text));
}

/** Release the lock, but only if this run still owns it. */
export function releaseLockScript(runId: string, dir: string): ShellCommand {
  const L = quote(dir);
  const text = `# provision unlock
if [ "$(sed -n 's/^run=//p' ${L}/owner 2>/dev/null)" = ${quote(runId)} ]; then rm -rf ${L}; fi`;
  return new ShellCommand(text, text);
}

export function parseLockOutput(stdout: string): LockState {
  const kv = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) kv.set(line.slice(0, eq), line.slice(eq + 1));
  }
  const holder = (): LockHolder => ({
    runId: kv.get('holder.run') ?? '?',
    user: kv.get('holder.user') ?? '?',
    controller: kv.get('holder.controller') ?? '?',
    pid: kv.get('holder.pid') ?? '?',
    started: Number(kv.get('holder.started') ?? 0),
    ageSeconds: Number(kv.get('age') ?? 0),
    alive: (kv.get('alive') as LockHolder['alive']) ?? 'unknown',
    stale: kv.get('stale') === 'yes',
  });
  switch (kv.get('status')) {
    case 'acquired':
      return { status: 'acquired' };
    case 'broken':
      return { status: 'broken', previous: holder() };
    case 'held':
      return { status: 'held', holder: holder() };
    case 'free':
      return { status: 'free' };
    case 'busy':
      return { status: 'busy', holder: holder() };
    default:
      throw new Error(`unexpected lock script output: ${JSON.stringify(stdout.slice(0, 200))}`);
  }
}

export function describeHolder(h: LockHolder): string {
  const age = h.ageSeconds >= 120 ? `${Math.round(h.ageSeconds / 60)} min` : `${h.ageSeconds} s`;
  const why = h.alive === 'no' ? 'its SSH session is gone' : `it is older than the TTL`;
  return `run ${h.runId} by ${h.user}@${h.controller} (pid ${h.pid}), started ${age} ago` + (h.stale ? `; stale: ${why}` : '');
}
