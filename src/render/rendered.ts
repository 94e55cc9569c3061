// Rendered configuration text that may carry secrets: `text` goes to the host, `masked` goes
// everywhere a person or a log can read it (diffs, plans, JSON output).
import { Secret } from '../shell/quote';

export interface Rendered {
  text: string;
  masked: string;
}

type Part = string | number | Secret;

/** Build one line from parts; a Secret contributes its value to `text` and a mask to `masked`. */
export function line(...parts: Part[]): Rendered {
  const text = parts.map((p) => (p instanceof Secret ? p.value : String(p))).join('');
  const masked = parts.map((p) => String(p)).join('');
  return { text, masked };
}

/** Join lines into a file with exactly one trailing newline. */
export function joinLines(lines: Array<string | Rendered>): Rendered {
  const r = lines.map((l) => (typeof l === 'string' ? { text: l, masked: l } : l));
  return { text: r.map((l) => l.text).join('\n') + '\n', masked: r.map((l) => l.masked).join('\n') + '\n' };
}
