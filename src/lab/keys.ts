// SSH keys of the lab: the client key the tool logs in with, one host key per lab host, and the
// known_hosts file that pins each host key to 127.0.0.1:<ssh_port>.
import * as fs from 'fs';
import { utils } from 'ssh2';

export interface KeyPair {
  private: string;
  public: string;
}

export function newKeyPair(comment: string): KeyPair {
  const k = utils.generateKeyPairSync('ed25519', { comment });
  return { private: k.private, public: k.public };
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
