// Lab host keys must load in OpenSSH: ssh2 writes about one ed25519 key in 256 with a 31-byte
// public half, which sshd refuses ("error in libcrypto"); newKeyPair draws such a key again.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ed25519PublicLength, newKeyPair } from '../../../src/lab/keys';

const line = (key: Buffer) => {
  const str = (b: Buffer) => Buffer.concat([Buffer.from([0, 0, 0, b.length]), b]);
  return `ssh-ed25519 ${Buffer.concat([str(Buffer.from('ssh-ed25519')), str(key)]).toString('base64')} c`;
};

test('the key length inside a public key line', () => {
  expect(ed25519PublicLength(line(Buffer.alloc(32, 7)))).toBe(32);
  expect(ed25519PublicLength(line(Buffer.alloc(31, 7)))).toBe(31);
  expect(ed25519PublicLength('ssh-ed25519 !!!')).toBe(-1);
});

test('600 lab key pairs: every public half is 32 bytes and OpenSSH loads a sample of them', () => {
  const keys = Array.from({ length: 600 }, (_, i) => newKeyPair(`k${i}`));
  expect(keys.filter((k) => ed25519PublicLength(k.public) !== 32)).toEqual([]);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pv-keys-'));
  for (const k of keys.slice(0, 20)) {
    fs.writeFileSync(path.join(dir, 'k'), k.private, { mode: 0o600 });
    expect(execFileSync('ssh-keygen', ['-y', '-f', path.join(dir, 'k')], { encoding: 'utf8' }).split(' ')[1]).toBe(k.public.split(' ')[1]);
  }
  fs.rmSync(dir, { recursive: true, force: true });
});
