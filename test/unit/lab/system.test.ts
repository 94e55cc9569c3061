import { FakeHost, exec } from '../../helpers/fake-host';
import { expectCase } from './freebsd-fixture';
import { parseOptions } from '../../../src/lab/freebsd/system';

describe('uname / freebsd-version', () => {
  const host = new FakeHost('router01');
  host.kernel.sysctl['kern.hostname'] = 'router01';

  it('prints FreeBSD fields in uname order', async () => {
    await expectCase(host, 'uname', 'a');
    await expectCase(host, 'uname', 'none');
    await expectCase(host, 'uname', 'srm');
    await expectCase(host, 'uname', 'n');
  });

  it('agrees with kern.osrelease', async () => {
    const r = await exec(host, ['uname', '-r']);
    expect(r.stdout).toBe((await exec(host, ['sysctl', '-n', 'kern.osrelease'])).stdout);
  });

  it('freebsd-version', async () => {
    await expectCase(host, 'uname', 'freebsd-version-ku');
    await expectCase(host, 'uname', 'freebsd-version');
    expect((await exec(host, ['uname', '-z'])).code).toBe(1);
  });
});

describe('parseOptions (BSD getopt)', () => {
  it('clusters flags, attaches or separates values, stops at the first operand or --', () => {
    const r = parseOptions('x', ['-qm', 'if_gif', '-nfoo', 'op', '-v'], 'm:n:qv');
    expect(r).toEqual({ flags: new Set(['q', 'm', 'n']), values: { m: 'if_gif', n: 'foo' }, all: [{ opt: 'q' }, { opt: 'm', value: 'if_gif' }, { opt: 'n', value: 'foo' }], operands: ['op', '-v'] });
    expect(parseOptions('x', ['--', '-q'], 'q')).toMatchObject({ operands: ['-q'] });
    expect(parseOptions('x', ['-f', 'a', '-f', 'b'], 'f:')).toMatchObject({ all: [{ opt: 'f', value: 'a' }, { opt: 'f', value: 'b' }] });
    expect(parseOptions('kldstat', ['-z'], 'q')).toEqual({ error: 'kldstat: illegal option -- z\n' });
    expect(parseOptions('kldstat', ['-m'], 'm:')).toEqual({ error: 'kldstat: option requires an argument -- m\n' });
  });
});
