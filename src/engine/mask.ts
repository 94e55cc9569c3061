// Secrets must never reach a report, a diff or the log. ShellCommand.masked already hides Secret
// arguments; the masker also hides secret values embedded in text (rendered files, stderr).
import { Secret } from '../shell/quote';

export const MASK = '********';

export class Masker {
  private readonly values: string[];

  constructor(secrets: Iterable<Secret | string>) {
    const set = new Set<string>();
    for (const s of secrets) {
      const v = s instanceof Secret ? s.value : s;
      if (v.length > 0) set.add(v);
    }
    // longest first, so a secret containing another is hidden whole
    this.values = [...set].sort((a, b) => b.length - a.length);
  }

  mask(text: string): string;
  mask(text: string | null): string | null;
  mask(text: string | null): string | null {
    if (text === null) return null;
    let out = text;
    for (const v of this.values) out = out.split(v).join(MASK);
    return out;
  }
}

/** Every Secret reachable in a value (e.g. a host's inventory entry), so it can be masked. */
export function collectSecrets(value: unknown, found: Secret[] = [], seen = new Set<unknown>()): Secret[] {
  if (value instanceof Secret) found.push(value);
  else if (value && typeof value === 'object' && !seen.has(value)) {
    seen.add(value);
    for (const v of Object.values(value)) collectSecrets(v, found, seen);
  }
  return found;
}
