// Text for changes: a unified diff for files (package `diff`), `key: old -> new` for values.
import { createTwoFilesPatch } from 'diff';
import type { Change } from '../engine/task';

export function renderChange(change: Change): string {
  const d = change.diff;
  if (d.kind === 'value') return `${d.key}: ${d.before === null ? '(unset)' : d.before} -> ${d.after}`;
  const patch = createTwoFilesPatch(d.path, d.path, d.before ?? '', d.after, d.before === null ? '(absent)' : 'on host', 'planned');
  // drop the "Index:"/"====" banner; keep ---/+++ and the hunks
  return patch
    .split('\n')
    .filter((l) => !/^(Index: |={10,})/.test(l))
    .join('\n')
    .replace(/\n+$/, '');
}

export function indent(text: string, by = '    '): string {
  return text
    .split('\n')
    .map((l) => (l === '' ? l : by + l))
    .join('\n');
}
