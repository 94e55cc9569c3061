import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Secret, sh } from '../../../src/shell/quote';
import { withBecome } from '../../../src/transport/become';
import { remoteShellCommand } from '../../../src/transport/remote-command';

describe('withBecome', () => {
  const cmd = remoteShellCommand(sh`sysctl -n ${'net.fibs'}`);

  it('prefixes sudo -n for a non-root user', () => {
    const wrapped = withBecome(cmd, 'sudo', 'admin');
    expect(wrapped.text).toBe(`sudo -n ${cmd.text}`);
    expect(wrapped.text.startsWith('sudo -n /bin/sh -c ')).toBe(true);
  });

  it('prefixes doas -n for a non-root user', () => {
    const wrapped = withBecome(cmd, 'doas', 'admin');
    expect(wrapped.text).toBe(`doas -n ${cmd.text}`);
  });

  it('adds nothing for root or without a method', () => {
    expect(withBecome(cmd, 'sudo', 'root')).toBe(cmd);
    expect(withBecome(cmd, 'doas', 'root')).toBe(cmd);
    expect(withBecome(cmd, undefined, 'admin')).toBe(cmd);
  });

  it('keeps secrets masked in the logged form', () => {
    const wrapped = withBecome(remoteShellCommand(sh`echo ${new Secret('pw123')}`), 'doas', 'admin');
    expect(wrapped.text).toContain('pw123');
    expect(wrapped.masked).not.toContain('pw123');
    expect(wrapped.masked.startsWith('doas -n /bin/sh -c ')).toBe(true);
  });

  it('hands the wrapped command its arguments unchanged (proven with a stand-in sudo on PATH)', () => {
    // A fake `sudo` that records its argv and then runs it, as sudo -n would with NOPASSWD.
    const bin = fs.mkdtempSync(path.join(os.tmpdir(), 'h4-become-'));
    try {
      fs.writeFileSync(path.join(bin, 'sudo'), '#!/bin/sh\nprintf "%s\\n" "$@" > "$(dirname "$0")/argv"\n[ "$1" = -n ] && shift\nexec "$@"\n', { mode: 0o755 });
      const wrapped = withBecome(remoteShellCommand(sh`printf '%s' ${"it's $(id -u)"}`), 'sudo', 'admin');
      const out = execFileSync('/bin/sh', ['-c', wrapped.text], { encoding: 'utf8', env: { PATH: `${bin}:/usr/bin:/bin` } });
      expect(out).toBe("it's $(id -u)");
      expect(fs.readFileSync(path.join(bin, 'argv'), 'utf8').split('\n').slice(0, 3)).toEqual(['-n', '/bin/sh', '-c']);
    } finally {
      fs.rmSync(bin, { recursive: true, force: true });
    }
  });
});
