// SSH keys of the lab: the client key the tool logs in with, one host key per lab host, and the
// known_hosts file that pins each host key to 127.0.0.1:<ssh_port>.
import * as fs from 'fs';
import { utils } from 'ssh2';

export interface KeyPair {
  private: string;
  public: string;
}

/**
 * The length of the key in an "ssh-ed25519 AAAA…" line's blob (string type, string key): 32 for
 * a sound key.
 */
export function ed25519PublicLength(publicLine: string): number {
  const blob = Buffer.from(publicLine.trim().split(/\s+/)[1] ?? '', 'base64');
  const typeLen = blob.length >= 4 ? blob.readUInt32BE(0) : 0;
  return blob.length >= 8 + typeLen ? blob.readUInt32BE(4 + typeLen) : -1;
}

export function newKeyPair(comment: string): KeyPair {
  // ssh2 writes an ed25519 key whose public half starts with a zero byte as 31 bytes (as if it
  // were a number), about one key in 256; OpenSSH then refuses it ("error in libcrypto") and a
  // lab host's sshd does not start. Such a key is drawn again.
  for (;;) {
    const k = utils.generateKeyPairSync('ed25519', { comment });
    if (ed25519PublicLength(k.public) === 32) return { private: k.private, public: k.public };
  }
}

export function writeClientKey(file: string, key: KeyPair): void {
  fs.writeFileSync(file, key.private, { mode: 0o600 });
  fs.writeFileSync(file + '.pub', key.public + '\n', { mode: 0o644 });
}

/** A known_hosts line: "[127.0.0.1]:2201 ssh-ed25519 AAAA…" (the comment is dropped). */
export function knownHostsLine(port: number, publicKey: string): string {
  const [type, blob] = publicKey.trim().split(/\s+/);
  return `[127.0.0.1]:${port} ${type} ${blob}`;
}
