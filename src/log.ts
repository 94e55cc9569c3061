// The structured run log (pino): every command sent, masked, with its exit code and duration.
// It goes to --log-file only, never to the terminal that the reporters own.
import pino from 'pino';

export type RunLog = pino.Logger;

/** Field names whose values pino replaces, as a second line of defence after masking. */
const REDACT_PATHS = ['secret', 'password', 'passphrase', 'stdin', '*.secret', '*.password', '*.passphrase', '*.stdin'];

/** A logger writing JSON lines to `file` (appended, written synchronously), or a silent one. */
export function createRunLog(file?: string): RunLog {
  if (!file) return pino({ enabled: false });
  return pino(
    { level: 'debug', base: { pid: process.pid }, redact: { paths: REDACT_PATHS, censor: '********' } },
    pino.destination({ dest: file, sync: true, append: true, mkdir: true }),
  );
}
