// Inventory problems are collected, not thrown one at a time: a user fixing a file wants every
// mistake in one run, each with the file, the path inside it and the rule that was broken.
import { ProvisionError } from '../errors';

export interface InventoryIssue {
  /** the inventory file as the caller named it */
  file: string;
  /** dotted path inside the file, e.g. hosts.router01.tunnels[0].remote; '' for a whole-file problem */
  path: string;
  /** the rule, in words, with the offending value */
  message: string;
  /** 1-based position of the value in the file, when known */
  line?: number;
  column?: number;
}

export class InventoryError extends ProvisionError {
  constructor(readonly issues: InventoryIssue[]) {
    super('E_INVALID_INPUT', `invalid inventory (${issues.length} problem${issues.length === 1 ? '' : 's'}):\n${formatIssues(issues)}`);
  }

  /** One line per issue: `file: path: message`, or `file:line:column: message` for a syntax error. */
  format(): string {
    return formatIssues(this.issues);
  }
}

function formatIssues(issues: InventoryIssue[]): string {
  return issues
    .map((i) => {
      if (i.path) return `${i.file}: ${i.path}: ${i.message}`;
      const at = i.line !== undefined ? `:${i.line}:${i.column ?? 1}` : '';
      return `${i.file}${at}: ${i.message}`;
    })
    .join('\n');
}

/** A target on the command line that names no host or group. */
export class UnknownTargetError extends ProvisionError {
  constructor(
    readonly target: string,
    /** the valid names closest to the target, best first */
    readonly suggestions: string[],
  ) {
    const hint = suggestions.length ? `did you mean ${suggestions.join(', ')}?` : undefined;
    super('E_INVALID_INPUT', `unknown target "${target}": no host or group of that name${hint ? ` (${hint})` : ''}`, { hint });
  }
}

/** `a.b[0].c` from a path of keys and indexes; a key that is not a plain word is shown as ["key"]. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const k of path) {
    if (typeof k === 'number') out += `[${k}]`;
    else if (!/^[A-Za-z0-9_-]+$/.test(String(k))) out += `[${JSON.stringify(String(k))}]`;
    else out += out === '' ? String(k) : `.${String(k)}`;
  }
  return out;
}
