// The engine's generated shell, run for real with the local /bin/sh in a temp dir (no SSH).
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ShellCommand, sh } from '../../../src/shell/quote';
import { defineFact } from '../../../src/engine/fact';
import { buildGatherScript, splitGatherOutput, PRELUDE } from '../../../src/engine/gather';
import { acquireLockScript, lockStatusScript, parseLockOutput, releaseLockScript } from '../../../src/engine/lock';
import { fileFact, parseLsMode, writeFileScript, VALIDATION_FAILED } from '../../../src/engine/remote-file';

function runSh(script: ShellCommand, stdin = '', env?: NodeJS.ProcessEnv) {
  const r = spawnSync('/bin/sh', ['-c', script.text], { input: stdin, encoding: 'utf8', ...(env ? { env } : {}) });
  return { stdout: r.stdout, stderr: r.stderr, code: r.status ?? -1 };
}

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'provision-sh-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('atomic file write', () => {
  const backupRoot = () => path.join(dir, 'backup');
  const write = (file: string, content: string, extra: Partial<Parameters<typeof writeFileScript>[0]> = {}, stamp = '20260101T000000Z-a', keep = 2) => {
    const current = fileFact(file).parse(runSh(fileFact(file).command));
    return runSh(writeFileScript({ path: file, content, ...extra }, current, { root: backupRoot(), keep, stamp }), content);
  };

  test('writes exact content with the mode asked, keeps a backup of the old file, leaves no temp file', () => {
    const file = path.join(dir, 'motd');
    fs.writeFileSync(file, 'old\n', { mode: 0o600 });
    const r = write(file, 'no trailing newline', { mode: '0640' });
    expect(r.code).toBe(0);
    expect(fs.readFileSync(file, 'utf8')).toBe('no trailing newline');
    expect((fs.statSync(file).mode & 0o7777).toString(8)).toBe('640');
    const backups = path.join(backupRoot(), file);
    expect(fs.readdirSync(backups)).toEqual(['20260101T000000Z-a']);
    expect(fs.readFileSync(path.join(backups, '20260101T000000Z-a'), 'utf8')).toBe('old\n');
    expect(fs.readdirSync(dir).sort()).toEqual(['backup', 'motd']);
  });

  test('without a mode, keeps the old file mode; keeps only the newest N backups', () => {
    const file = path.join(dir, 'rc.conf');
    fs.writeFileSync(file, 'v0\n', { mode: 0o600 });
    for (let i = 1; i <= 4; i++) expect(write(file, `v${i}\n`, {}, `2026010${i}T000000Z-r`).code).toBe(0);
    expect((fs.statSync(file).mode & 0o777).toString(8)).toBe('600');
    const backups = path.join(backupRoot(), file);
    expect(fs.readdirSync(backups).sort()).toEqual(['20260103T000000Z-r', '20260104T000000Z-r']);
    expect(fs.readFileSync(path.join(backups, '20260104T000000Z-r'), 'utf8')).toBe('v3\n');
  });

  test('a failing validation leaves the old file untouched, makes no backup and removes the temp file', () => {
    const file = path.join(dir, 'pf.conf');
    fs.writeFileSync(file, 'pass all\n');
    const validate = (f: ShellCommand) => sh`grep -q ${'^block'} ${f}`;
    const bad = write(file, 'pass in all\n', { validate });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain(VALIDATION_FAILED);
    expect(fs.readFileSync(file, 'utf8')).toBe('pass all\n');
    expect(fs.existsSync(backupRoot())).toBe(false);
    expect(fs.readdirSync(dir)).toEqual(['pf.conf']);
    const good = write(file, 'block all\n', { validate });
    expect(good.code).toBe(0);
    expect(fs.readFileSync(file, 'utf8')).toBe('block all\n');
  });

  test('creates a new file (no backup) and the content never appears in the script', () => {
    const file = path.join(dir, 'new.conf');
    const script = writeFileScript({ path: file, content: 'secret-content\n' }, null, { root: backupRoot(), keep: 1, stamp: 's' });
    expect(script.text).not.toContain('secret-content');
    expect(runSh(script, 'secret-content\n').code).toBe(0);
    expect(fs.readFileSync(file, 'utf8')).toBe('secret-content\n');
    expect(fs.existsSync(backupRoot())).toBe(false);
  });
});

describe('file fact', () => {
  test('reads content exactly (with or without a trailing newline), mode and owner; absent → null', () => {
    const file = path.join(dir, 'a b'); // a space, to prove the quoting
    fs.writeFileSync(file, 'line1\nline2', { mode: 0o640 });
    fs.chmodSync(file, 0o640);
    const f = fileFact(file);
    const state = f.parse(runSh(f.command));
    expect(state).toEqual({ content: 'line1\nline2', mode: '0640', owner: os.userInfo().username, group: expect.any(String) });
    expect(fileFact(path.join(dir, 'missing')).parse(runSh(fileFact(path.join(dir, 'missing')).command))).toBeNull();
    expect(() => fileFact(dir).parse(runSh(fileFact(dir).command))).toThrow(/not a regular file/);
  });

  test.each([
    ['-rw-r--r--', '0644'],
    ['-rwxr-x---+', '0750'],
    ['-rwsr-xr-x', '4755'],
    ['-rw-r-Sr--', '2644'],
    ['drwxrwxrwt', '1777'],
  ])('ls mode %s → %s', (perms, mode) => expect(parseLsMode(perms)).toBe(mode));
});

describe('gather script', () => {
  test('splits each fact output exactly, with its own exit status and stderr', () => {
    const facts = [
      defineFact({ id: 'a', command: sh`printf 'no newline'`, parse: (o) => o }),
      defineFact({ id: 'b', command: new ShellCommand("printf 'x\\n\\n'; echo oops >&2; exit 3", ''), parse: (o) => o }),
      defineFact({ id: 'c', command: sh`cat`, parse: (o) => o }), // stdin is /dev/null: never blocks
    ];
    const sentinel = '__provision_test__';
    const r = runSh(buildGatherScript(sentinel, facts));
    const out = splitGatherOutput(sentinel, facts, r.stdout, r.stderr);
    expect(out.get('a')).toEqual({ stdout: 'no newline', stderr: '', code: 0 });
    expect(out.get('b')).toEqual({ stdout: 'x\n\n', stderr: 'oops\n', code: 3 });
    expect(out.get('c')).toEqual({ stdout: '', stderr: '', code: 0 });
  });
});

describe('host lock script', () => {
  const owner = (runId: string) => ({ runId, user: 'tester', controller: 'ctl', pid: 1 });

  test('first run acquires, second is refused naming the holder, release frees it, status is read-only', () => {
    const lockDir = path.join(dir, 'provision.lock');
    const opts = { dir: lockDir, ttlSeconds: 3600, breakStale: false };
    const gather = (runId: string) => {
      const facts = [defineFact({ id: 'f', command: sh`echo fact`, parse: (o) => o.stdout })];
      const script = buildGatherScript('__S__', facts, acquireLockScript(owner(runId), opts));
      const r = runSh(script);
      return splitGatherOutput('__S__', facts, r.stdout, r.stderr);
    };
    const first = gather('one');
    expect(parseLockOutput(first.get(PRELUDE)!.stdout)).toEqual({ status: 'acquired' });
    expect(first.get('f')?.stdout).toBe('fact\n');
    const second = gather('two');
    const state = parseLockOutput(second.get(PRELUDE)!.stdout);
    expect(state).toMatchObject({ status: 'held', holder: { runId: 'one', user: 'tester', controller: 'ctl' } });
    expect(second.has('f')).toBe(false); // no fact read when the lock is refused
    expect(parseLockOutput(runSh(lockStatusScript(opts)).stdout).status).toBe('busy');
    runSh(releaseLockScript('two', lockDir)); // not the owner: no effect
    expect(fs.existsSync(lockDir)).toBe(true);
    runSh(releaseLockScript('one', lockDir));
    expect(fs.existsSync(lockDir)).toBe(false);
    expect(parseLockOutput(runSh(lockStatusScript(opts)).stdout).status).toBe('free');
  });

  test("the owner names the connection's sshd, found by walking up one ps table; none above means gone", () => {
    const bin = path.join(dir, 'bin');
    fs.mkdirSync(bin);
    // ps as FreeBSD prints `ps -A -o pid= -o ppid= -o comm=`: the shell's parent is this process
    const ps = (table: string) => fs.writeFileSync(path.join(bin, 'ps'), `#!/bin/sh\nprintf '%s\\n' ${table}\n`, { mode: 0o755 });
    const sessionOf = () => {
      const lockDir = path.join(dir, 'provision.lock');
      fs.rmSync(lockDir, { recursive: true, force: true });
      runSh(acquireLockScript(owner('one'), { dir: lockDir, ttlSeconds: 60, breakStale: false }), '', { PATH: `${bin}:/usr/bin:/bin` });
      return /^session=(.*)$/m.exec(fs.readFileSync(path.join(lockDir, 'owner'), 'utf8'))?.[1];
    };
    ps(`'    1     0 init' '  700     1 sshd' '  812   700 sshd-session' ' ${process.pid}   812 sh' ' 9999 ${process.pid} ps'`);
    expect(sessionOf()).toBe('812');
    ps(`'    1     0 init' ' ${process.pid}     1 node'`);
    expect(sessionOf()).toBe('gone');
  });

  test('a lock older than the TTL is stale and broken only with breakStale', () => {
    const lockDir = path.join(dir, 'provision.lock');
    fs.mkdirSync(lockDir);
    fs.writeFileSync(path.join(lockDir, 'owner'), 'run=old\nuser=x\ncontroller=y\npid=9\nstarted=1000\nsession=\n');
    const held = parseLockOutput(runSh(acquireLockScript(owner('new'), { dir: lockDir, ttlSeconds: 60, breakStale: false })).stdout);
    expect(held).toMatchObject({ status: 'held', holder: { runId: 'old', stale: true, alive: 'unknown' } });
    const broken = parseLockOutput(runSh(acquireLockScript(owner('new'), { dir: lockDir, ttlSeconds: 60, breakStale: true })).stdout);
    expect(broken).toMatchObject({ status: 'broken', previous: { runId: 'old' } });
    expect(fs.readFileSync(path.join(lockDir, 'owner'), 'utf8')).toContain('run=new');
  });
});
