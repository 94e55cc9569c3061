// The exec request text goes through the user's login shell first (sshd runs `$SHELL -c text`),
// then /bin/sh. These tests play sshd locally with dash and bash as the login shell.
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { script, sh, ShellCommand } from '../../../src/shell/quote';
import { remoteShellCommand } from '../../../src/transport/remote-command';

const loginShells: Array<[string, string[]]> = [
  ['dash', ['/bin/sh', '-c']],
  ['bash', ['/bin/bash', '--norc', '--noprofile', '-c']],
];

function asSshd(shell: string[], text: string, input?: string) {
  const r = spawnSync(shell[0], [...shell.slice(1), text], { input, encoding: 'utf8' });
  return { stdout: r.stdout, stderr: r.stderr, code: r.status };
}

describe.each(loginShells)('remoteShellCommand under %s as login shell', (_name, shell) => {
  it('runs a multi-line script with a here-document and returns its exit status', () => {
    const s = script(sh`x=${'a b'}`, sh`cat <<EOF`, new ShellCommand('$x\nEOF', '$x\nEOF'), sh`exit 3`);
    const r = asSshd(shell, remoteShellCommand(s).text);
    expect(r.stdout).toBe('a b\n');
    expect(r.code).toBe(3);
  });

  it('gives the script no positional parameters and a literal multi-line value', () => {
    const value = "first line\nsecond 'line' $(nope)\n\nlast";
    const r = asSshd(shell, remoteShellCommand(sh`printf '%s' ${value}; printf '[%s]' "$#"`).text);
    expect(r.stdout).toBe(value + '[0]');
  });

  it('passes stdin through to the script', () => {
    const r = asSshd(shell, remoteShellCommand(sh`tr a-z A-Z`).text, 'hello\n');
    expect(r.stdout).toBe('HELLO\n');
  });

  it('keeps stderr apart from stdout', () => {
    const r = asSshd(shell, remoteShellCommand(sh`echo out; echo err >&2; false`).text);
    expect(r).toEqual({ stdout: 'out\n', stderr: 'err\n', code: 1 });
  });

  it('runs nothing smuggled into the script text', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'h4-remote-'));
    try {
      const payloads = [`$(touch ${dir}/a)`, `\`touch ${dir}/b\``, `'; touch ${dir}/c; '`, `\n touch ${dir}/d \n`];
      const r = asSshd(shell, remoteShellCommand(sh`printf '%s|' ${payloads}`).text);
      expect(r.stdout).toBe(payloads.join('|') + '|');
      expect(fs.readdirSync(dir)).toEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('remoteShellCommand text', () => {
  it('starts /bin/sh and holds no raw newline, so csh accepts it as a login shell', () => {
    const text = remoteShellCommand(script(sh`a`, sh`b ${'x\ny'}`)).text;
    expect(text.startsWith('/bin/sh -c ')).toBe(true);
    expect(text).not.toContain('\n');
  });

  it('is what /bin/sh evaluates, line for line', () => {
    const out = execFileSync('/bin/sh', ['-c', remoteShellCommand(script(sh`echo 1`, sh`echo 2`)).text], { encoding: 'utf8' });
    expect(out).toBe('1\n2\n');
  });
});
