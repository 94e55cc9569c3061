// The lab kernel's wire format, checked against a real /bin/sh: the reply, evaluated as the
// client evaluates it, reproduces stdout, stderr and the exit code byte for byte.
import { spawnSync } from 'child_process';
import { parseRequest, renderReply } from '../../../src/lab/kernel/protocol';

describe('lab kernel protocol', () => {
  test('parses what the client script sends (cwd, argc, argv, env -0)', () => {
    // exactly what `printf '%s\0' "$PWD" "$(($# + 1))" "$name" "$@"; env -0` produces
    const req = spawnSync('/bin/sh', ['-c', `set -- -n 'a b' "it's"; printf '%s\\0' "$PWD" "$(($# + 1))" sysctl "$@"; env -0`], {
      cwd: '/tmp',
      env: { PATH: '/usr/bin:/bin', ODD: 'x=y\nz' },
    }).stdout;
    const inv = parseRequest(req);
    expect(inv.cwd).toBe('/tmp');
    expect(inv.argv).toEqual(['sysctl', '-n', 'a b', "it's"]);
    expect(inv.env.PATH).toBe('/usr/bin:/bin');
    expect(inv.env.ODD).toBe('x=y\nz');
  });

  test('refuses a malformed request', () => {
    expect(() => parseRequest(Buffer.from('/\0zero\0'))).toThrow(/malformed/);
  });

  test.each([
    { stdout: 'net.fibs: 2\n', stderr: '', code: 0 },
    { stdout: '', stderr: "sysctl: unknown oid 'net.inet.gre.allow'\n", code: 1 },
    { stdout: "quotes ' \" $HOME `x` \\ %s\n\n", stderr: 'e\n', code: 3 },
    { stdout: 'no newline at end', stderr: '', code: 255 },
  ])('reply reproduces output and status: %j', (r) => {
    const sh = spawnSync('/bin/sh', ['-c', `eval "$1"`, 'sh', renderReply(r)], { encoding: 'utf8' });
    expect({ stdout: sh.stdout, stderr: sh.stderr, code: sh.status }).toEqual(r);
  });
});
