// known_hosts parsing and verification against real keys made by ssh-keygen, and our appended
// (hashed) lines checked by ssh-keygen itself.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  appendKnownHost,
  fingerprint,
  hostMatches,
  knownHostsName,
  knownKeyTypes,
  loadKnownHosts,
  parseKnownHosts,
  verifyHostKey,
} from '../../../src/transport/known-hosts';

let dir: string;
interface Key {
  type: string;
  b64: string;
  blob: Buffer;
  pubLine: string;
  sshKeygenFingerprint: string;
}
const keys: Record<string, Key> = {};

function makeKey(name: string, type: string): Key {
  const file = path.join(dir, name);
  execFileSync('ssh-keygen', ['-q', '-t', type, '-N', '', '-C', name, '-f', file]);
  const pubLine = fs.readFileSync(`${file}.pub`, 'utf8').trim();
  const [keyType, b64] = pubLine.split(' ');
  const fp = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', `${file}.pub`], { encoding: 'utf8' }).split(' ')[1];
  return { type: keyType, b64, blob: Buffer.from(b64, 'base64'), pubLine, sshKeygenFingerprint: fp };
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'h4-kh-'));
  keys.ed = makeKey('ed', 'ed25519');
  keys.ed2 = makeKey('ed2', 'ed25519');
  keys.ec = makeKey('ec', 'ecdsa');
  keys.rsa = makeKey('rsa', 'rsa');
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const line = (hosts: string, k: Key) => `${hosts} ${k.type} ${k.b64}`;

describe('knownHostsName', () => {
  it('is the bare host on port 22 and [host]:port elsewhere, in lower case', () => {
    expect(knownHostsName('Router01.Example', 22)).toBe('router01.example');
    expect(knownHostsName('127.0.0.1', 2222)).toBe('[127.0.0.1]:2222');
  });
});

describe('parseKnownHosts', () => {
  it('reads plain, bracketed-port and comma-list entries with their line numbers', () => {
    const kh = parseKnownHosts(
      ['# comment', '', line('r1,10.0.0.1', keys.ed), line('[r2]:2222', keys.ec), line('r3', keys.rsa) + ' a comment'].join('\n'),
      'kh',
    );
    expect(kh.entries.map((e) => [e.line, e.keyType])).toEqual([
      [3, 'ssh-ed25519'],
      [4, 'ecdsa-sha2-nistp256'],
      [5, 'ssh-rsa'],
    ]);
    expect(kh.entries[0].hosts).toEqual({ kind: 'patterns', patterns: ['r1', '10.0.0.1'] });
    expect(kh.entries[0].keyBlob.equals(keys.ed.blob)).toBe(true);
    expect(kh.notes).toEqual([]);
  });

  it('keeps @revoked lines and skips @cert-authority lines with a note', () => {
    const kh = parseKnownHosts([`@revoked * ${keys.ed.type} ${keys.ed.b64}`, `@cert-authority *.lab ${keys.ec.type} ${keys.ec.b64}`].join('\n'), 'kh');
    expect(kh.entries).toHaveLength(1);
    expect(kh.entries[0].marker).toBe('revoked');
    expect(kh.notes).toEqual([expect.stringMatching(/^kh:2: @cert-authority .* ignored/)]);
  });

  it('skips malformed lines with a note instead of failing', () => {
    const kh = parseKnownHosts(['r1 ssh-ed25519', `r1 ssh-ed25519 ${keys.ec.b64}`, '|1|onlysalt ssh-ed25519 AAAA'].join('\n'), 'kh');
    expect(kh.entries).toEqual([]);
    expect(kh.notes).toHaveLength(3);
  });
});

describe('hostMatches', () => {
  const p = (...patterns: string[]) => ({ kind: 'patterns' as const, patterns });
  it('matches * and ? wildcards', () => {
    expect(hostMatches(p('*.lab'), 'r1.lab')).toBe(true);
    expect(hostMatches(p('r?.lab'), 'r1.lab')).toBe(true);
    expect(hostMatches(p('r?.lab'), 'r10.lab')).toBe(false);
    expect(hostMatches(p('10.0.0.*'), '10.0.0.7')).toBe(true);
  });
  it('lets a matching negated pattern veto the line', () => {
    expect(hostMatches(p('*.lab', '!bad.lab'), 'bad.lab')).toBe(false);
    expect(hostMatches(p('*.lab', '!bad.lab'), 'good.lab')).toBe(true);
    expect(hostMatches(p('!bad.lab'), 'good.lab')).toBe(false);
  });
  it('does not match a non-22 port entry by bare name, nor the reverse', () => {
    expect(hostMatches(p('[r1]:2222'), knownHostsName('r1', 2222))).toBe(true);
    expect(hostMatches(p('r1'), knownHostsName('r1', 2222))).toBe(false);
    expect(hostMatches(p('[r1]:2222'), knownHostsName('r1', 22))).toBe(false);
  });
  it('treats regex characters in patterns literally', () => {
    expect(hostMatches(p('r1.lab'), 'r1xlab')).toBe(false);
  });
  it('is case-insensitive on the pattern side', () => {
    expect(hostMatches(p('R1.LAB'), knownHostsName('r1.lab', 22))).toBe(true);
  });
});

describe('hashed entries from ssh-keygen -H', () => {
  it('match the hashed host and port names, and nothing else', () => {
    const file = path.join(dir, 'hashed');
    fs.writeFileSync(file, [line('r1.lab', keys.ed), line('[127.0.0.1]:2222', keys.ec)].join('\n') + '\n');
    execFileSync('ssh-keygen', ['-q', '-H', '-f', file], { stdio: 'ignore' });
    const kh = loadKnownHosts(file);
    expect(kh.entries.map((e) => e.hosts.kind)).toEqual(['hashed', 'hashed']);
    expect(verifyHostKey(kh, 'r1.lab', keys.ed.blob).verdict).toBe('match');
    expect(verifyHostKey(kh, '[127.0.0.1]:2222', keys.ec.blob).verdict).toBe('match');
    expect(verifyHostKey(kh, 'r2.lab', keys.ed.blob).verdict).toBe('unknown');
    expect(verifyHostKey(kh, '127.0.0.1', keys.ec.blob).verdict).toBe('unknown');
  });
});

describe('verifyHostKey', () => {
  const kh = () =>
    parseKnownHosts([line('r1', keys.ed), line('r1', keys.rsa), line('r2', keys.ec), `@revoked * ${keys.ed2.type} ${keys.ed2.b64}`].join('\n'), 'kh');

  it('matches the stored key of the same type', () => {
    expect(verifyHostKey(kh(), 'r1', keys.ed.blob)).toMatchObject({ verdict: 'match', entry: { line: 1 } });
    expect(verifyHostKey(kh(), 'r1', keys.rsa.blob)).toMatchObject({ verdict: 'match', entry: { line: 2 } });
  });

  it('reports an unknown host', () => {
    expect(verifyHostKey(kh(), 'r9', keys.ed.blob)).toEqual({ verdict: 'unknown' });
  });

  it('reports a changed key with the line of the old one', () => {
    const other = parseKnownHosts(line('r1', keys.ed), 'kh');
    expect(verifyHostKey(other, 'r1', keys.ed2.blob)).toMatchObject({ verdict: 'changed', old: { line: 1, keyType: 'ssh-ed25519' } });
  });

  it('treats a known host showing a key type it never had as changed', () => {
    expect(verifyHostKey(kh(), 'r2', keys.ed.blob)).toMatchObject({ verdict: 'changed', old: { line: 3 } });
  });

  it('refuses a @revoked key whichever host presents it', () => {
    expect(verifyHostKey(kh(), 'anything', keys.ed2.blob)).toMatchObject({ verdict: 'revoked', entry: { line: 4 } });
  });

  it('lists the key types known for a host', () => {
    expect(knownKeyTypes(kh(), 'r1')).toEqual(['ssh-ed25519', 'ssh-rsa']);
    expect(knownKeyTypes(kh(), 'r9')).toEqual([]);
  });
});

describe('fingerprint', () => {
  it('is what ssh-keygen -l prints', () => {
    for (const k of Object.values(keys)) expect(fingerprint(k.blob)).toBe(k.sshKeygenFingerprint);
  });
});

describe('appendKnownHost', () => {
  it('writes a hashed line that we and ssh-keygen -F both find', () => {
    const file = path.join(dir, 'sub', 'known_hosts');
    appendKnownHost(file, '[127.0.0.1]:2222', keys.ed.blob);
    appendKnownHost(file, 'r1.lab', keys.rsa.blob);
    const text = fs.readFileSync(file, 'utf8');
    expect(text).toMatch(/^\|1\|/);
    expect(text).not.toContain('127.0.0.1');
    const kh = loadKnownHosts(file);
    expect(verifyHostKey(kh, '[127.0.0.1]:2222', keys.ed.blob).verdict).toBe('match');
    expect(verifyHostKey(kh, 'r1.lab', keys.rsa.blob).verdict).toBe('match');
    const found = execFileSync('ssh-keygen', ['-F', '[127.0.0.1]:2222', '-f', file], { encoding: 'utf8' });
    expect(found).toContain(keys.ed.b64);
  });

  it('starts a new line when the file does not end with one', () => {
    const file = path.join(dir, 'no-newline');
    fs.writeFileSync(file, line('r1', keys.ec));
    appendKnownHost(file, 'r2', keys.ed.blob);
    const kh = loadKnownHosts(file);
    expect(kh.entries).toHaveLength(2);
    expect(verifyHostKey(kh, 'r1', keys.ec.blob).verdict).toBe('match');
  });

  it('treats a missing file as empty', () => {
    expect(loadKnownHosts(path.join(dir, 'missing')).entries).toEqual([]);
  });
});
