// Files on the host: the file fact (content + mode/owner) and the atomic write.
//
// Mode and owner come from `ls -ld`, whose long format POSIX specifies, rather than stat(1):
// FreeBSD's is `stat -f '%Lp %Su %Sg'` and GNU's is `stat -c '%a %U %G'`, and the lab runs GNU.
// The write sets the temp file's mode/owner explicitly from that fact (or the caller's values),
// so it needs no stat either.
import * as path from 'path';
import { ShellCommand, quote } from '../shell/quote';
import { defineFact, type Fact } from './fact';

export interface FileState {
  content: string;
  /** octal, 4 digits, e.g. "0644" */
  mode: string;
  owner: string;
  group: string;
}

/** null when the file does not exist; throws for a symlink, directory or other non-file */
export function fileFact(filePath: string): Fact<FileState | null> {
  const p = quote(filePath);
  const text = `if [ -L ${p} ]; then echo notfile symlink; elif [ -f ${p} ]; then ls -ld ${p} && cat ${p}; elif [ -e ${p} ]; then echo notfile other; else echo absent; fi`;
  return defineFact({
    id: `file:${filePath}`,
    command: new ShellCommand(text, text),
    parse: (out) => parseFileFact(filePath, out.stdout, out.code, out.stderr),
  });
}

export function parseFileFact(filePath: string, stdout: string, code: number, stderr = ''): FileState | null {
  if (code !== 0) throw new Error(`cannot read ${filePath} (exit ${code}): ${stderr.trim()}`);
  const nl = stdout.indexOf('\n');
  const first = nl < 0 ? stdout : stdout.slice(0, nl);
  if (first === 'absent') return null;
  if (first.startsWith('notfile')) {
    throw new Error(`${filePath} exists but is not a regular file (${first.split(' ')[1]}); provision only manages regular files`);
  }
  const fields = first.trim().split(/\s+/);
  if (fields.length < 4) throw new Error(`unexpected ls output for ${filePath}: ${JSON.stringify(first)}`);
  return { content: nl < 0 ? '' : stdout.slice(nl + 1), mode: parseLsMode(fields[0]), owner: fields[2], group: fields[3] };
}

/** "-rwsr-xr-t+" → "4755"-style octal; the 11th char (ACL/xattr mark) is ignored */
export function parseLsMode(perms: string): string {
  if (!/^[-dlbcps][-r][-w][-xsS][-r][-w][-xsS][-r][-w][-xtT]/.test(perms)) throw new Error(`unexpected ls mode ${JSON.stringify(perms)}`);
  const c = perms.slice(1, 10);
  const bit = (ch: string, on: string) => (on.includes(ch) ? 1 : 0);
  let special = 0;
  let mode = 0;
  for (let i = 0; i < 9; i++) {
    const ch = c[i];
    const pos = 8 - i;
    const isExecSlot = i % 3 === 2;
    if (isExecSlot) {
      if (bit(ch, 'xst')) mode |= 1 << pos;
      if (bit(ch, 'sStT')) special |= 1 << (2 - Math.floor(i / 3));
    } else if (ch !== '-') {
      mode |= 1 << pos;
    }
  }
  return (special * 512 + mode).toString(8).padStart(4, '0');
}

export interface WriteFileRequest {
  path: string;
  content: string;
  /** octal like "0644"; default: the existing file's, else 0644 */
  mode?: string;
  /** default: the existing file's; a new file keeps the SSH user's */
  owner?: string;
  group?: string;
  /** checks the new content before it replaces the old, e.g. (f) => sh`pfctl -nf ${f}` */
  validate?: (tmpFile: ShellCommand) => ShellCommand;
}

export interface BackupPolicy {
  /** e.g. /var/db/provision/backup; the file's absolute path is appended */
  root: string;
  /** backups kept per file, newest first */
  keep: number;
  /** name of this write's backup; sorts chronologically, e.g. 20260101T120000Z-<runid> */
  stamp: string;
}

export const DEFAULT_BACKUP_ROOT = '/var/db/provision/backup';
export const DEFAULT_BACKUP_KEEP = 5;

/** Printed on stderr (then the script exits with the validator's status) when validation fails. */
export const VALIDATION_FAILED = 'provision: validation failed, the file was not changed:';

/**
 * The script for an atomic write; the content goes on the exec's stdin, never in the command
 * line. Steps: temp file in the target's directory (so mv is a rename on one filesystem) →
 * mode/owner → validate → back up the old file and prune old backups → mv -f over the target.
 * Any failure removes the temp file and leaves the target untouched.
 */
export function writeFileScript(req: WriteFileRequest, current: FileState | null, backup: BackupPolicy): ShellCommand {
  if (!path.posix.isAbsolute(req.path)) throw new Error(`file path must be absolute: ${req.path}`);
  const mode = req.mode ?? current?.mode ?? '0644';
  if (!/^[0-7]{3,4}$/.test(mode)) throw new Error(`file mode must be octal like 0644: ${mode}`);
  const owner = req.owner ?? current?.owner;
  const group = req.group ?? current?.group;
  const size = Buffer.byteLength(req.content, 'utf8');
  const tmp = new ShellCommand('"$__t"', '"$__t"');
  const validate = req.validate?.(tmp);
  const backupDir = path.posix.join(backup.root, req.path);
  const lines = (reveal: boolean) => [
    `# provision write-file ${quote(req.path)}`,
    `__f=${quote(req.path)}`,
    `__t=$(mktemp ${quote(path.posix.dirname(req.path) + '/.provision.XXXXXX')}) || exit 1`,
    `trap 'rm -f "$__t"' EXIT`,
    `cat > "$__t" || exit 1`,
    // a connection cut while the content streams in must not install a truncated file
    `__n=$(wc -c < "$__t" | tr -d ' '); [ "$__n" = ${size} ] || { echo "provision: received $__n of ${size} bytes; nothing installed" >&2; exit 1; }`,
    `chmod ${mode} "$__t" || exit 1`,
    ...(owner || group ? [`chown ${quote(`${owner ?? ''}${group ? ':' + group : ''}`)} "$__t" || exit 1`] : []),
    ...(validate
      ? [
          `${reveal ? validate.text : validate.masked} >&2 </dev/null`,
          `__rc=$?; if [ "$__rc" -ne 0 ]; then echo ${quote(VALIDATION_FAILED)} ${quote(validate.masked)} >&2; exit "$__rc"; fi`,
        ]
      : []),
    `if [ -f "$__f" ]; then`,
    `  mkdir -p ${quote(backup.root)} && chmod 700 ${quote(backup.root)} && mkdir -p ${quote(backupDir)} || exit 1`,
    `  cp -p "$__f" ${quote(`${backupDir}/${backup.stamp}`)} || exit 1`,
    `  ls -1 ${quote(backupDir)} | sort -r | tail -n +${backup.keep + 1} | while read -r __o; do rm -f ${quote(backupDir)}/"$__o"; done`,
    `fi`,
    `mv -f "$__t" "$__f" || exit 1`,
  ];
  return new ShellCommand(lines(true).join('\n'), lines(false).join('\n'));
}
