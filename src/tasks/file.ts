// file.content: a whole file with exact content (and optionally mode/owner), written atomically
// with a backup, validated on the host before it replaces the old one.
import type { Secret } from '../shell/quote';
import { fileFact, type WriteFileRequest } from '../engine/remote-file';
import { defineTask, type Change, type Task } from '../engine/task';

/** the write itself (WriteFileRequest, mode checked here as 644 or 0644), plus the task's own settings */
export interface FileTaskOptions extends WriteFileRequest {
  notify?: string[];
  secrets?: Secret[];
  risk?: 'connectivity';
  name?: string;
  hint?: string;
}

export function fileTask(o: FileTaskOptions): Task {
  if (o.mode !== undefined && !/^0?[0-7]{3}$/.test(o.mode)) throw new Error(`file ${o.path}: mode must be octal like 0644, got ${o.mode}`);
  const mode = o.mode === undefined ? undefined : o.mode.padStart(4, '0');
  return defineTask({
    name: o.name ?? `file: ${o.path}`,
    facts: { file: fileFact(o.path) },
    plan({ file }) {
      const changes: Change[] = [];
      if (file === null || file.content !== o.content) {
        changes.push({
          summary: file === null ? `create ${o.path}` : `update ${o.path}`,
          diff: { kind: 'file', path: o.path, before: file?.content ?? null, after: o.content },
        });
      }
      if (file !== null && mode !== undefined && file.mode !== mode) {
        changes.push({ summary: `mode of ${o.path}`, diff: { kind: 'value', key: `mode ${o.path}`, before: file.mode, after: mode } });
      }
      if (file !== null && o.owner !== undefined && file.owner !== o.owner) {
        changes.push({ summary: `owner of ${o.path}`, diff: { kind: 'value', key: `owner ${o.path}`, before: file.owner, after: o.owner } });
      }
      if (file !== null && o.group !== undefined && file.group !== o.group) {
        changes.push({ summary: `group of ${o.path}`, diff: { kind: 'value', key: `group ${o.path}`, before: file.group, after: o.group } });
      }
      return changes;
    },
    // content, mode and owner all go in the one atomic write
    apply: (_changes, io) => io.writeFile({ path: o.path, content: o.content, mode, owner: o.owner, group: o.group, validate: o.validate }),
    notify: o.notify,
    secrets: o.secrets,
    risk: o.risk,
    hint: o.hint,
  });
}
