// OpenSSH known_hosts: parsing, host matching and host-key verification (sshd(8) "SSH_KNOWN_HOSTS
// FILE FORMAT"). We verify ourselves because ssh2 only hands us the raw key blob.
import { createHash, createHmac, randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

export type HostMatcher =
  | { kind: 'patterns'; patterns: string[] }
  /** `|1|salt|hmac`: base64 HMAC-SHA1 of the host string keyed with the salt */
  | { kind: 'hashed'; salt: Buffer; hmac: Buffer };

export interface KnownHostEntry {
  /** 1-based line number in the file, for messages a person can follow */
  line: number;
  marker?: 'revoked' | 'cert-authority';
  hosts: HostMatcher;
  keyType: string;
  keyBlob: Buffer;
}

export interface KnownHosts {
  file: string;
  entries: KnownHostEntry[];
  /** lines we skipped and why (malformed lines, @cert-authority which we do not support) */
  notes: string[];
}

export type HostKeyVerdict =
  | { verdict: 'match'; entry: KnownHostEntry }
  | { verdict: 'unknown' }
  /** `old` is the line that holds the key the host used to have */
  | { verdict: 'changed'; old: KnownHostEntry }
  | { verdict: 'revoked'; entry: KnownHostEntry };

/**
 * The name OpenSSH looks a host up by: the bare host for port 22, `[host]:port` otherwise.
 * Hostnames are compared in lower case, as ssh(1) lowercases them.
 */
export function knownHostsName(host: string, port: number): string {
  const h = host.toLowerCase();
  return port === 22 ? h : `[${h}]:${port}`;
}

export function parseKnownHosts(text: string, file = '(known_hosts)'): KnownHosts {
  const entries: KnownHostEntry[] = [];
  const notes: string[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = i + 1;
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const fields = trimmed.split(/\s+/);
    let marker: KnownHostEntry['marker'];
    if (fields[0].startsWith('@')) {
      const m = fields.shift()!;
      if (m === '@revoked') marker = 'revoked';
      else if (m === '@cert-authority') marker = 'cert-authority';
      else {
        notes.push(`${file}:${line}: unknown marker ${m}, line ignored`);
        return;
      }
    }
    if (fields.length < 3) {
      notes.push(`${file}:${line}: expected "hosts keytype key", line ignored`);
      return;
    }
    const [hostField, keyType, keyB64] = fields;
    if (marker === 'cert-authority') {
      notes.push(`${file}:${line}: @cert-authority lines are not supported (host certificates are not checked), line ignored`);
      return;
    }
    const keyBlob = Buffer.from(keyB64, 'base64');
    if (keyBlob.length === 0 || blobKeyType(keyBlob) !== keyType) {
      notes.push(`${file}:${line}: key is not valid base64 of a ${keyType} key, line ignored`);
      return;
    }
    const hosts = parseHostField(hostField);
    if (!hosts) {
      notes.push(`${file}:${line}: malformed hashed host, line ignored`);
      return;
    }
    entries.push({ line, marker, hosts, keyType, keyBlob });
  });
  return { file, entries, notes };
}

/** Read a known_hosts file; a missing file is an empty one (first connection ever). */
export function loadKnownHosts(file: string): KnownHosts {
  let text = '';
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  return parseKnownHosts(text, file);
}

function parseHostField(field: string): HostMatcher | null {
  if (field.startsWith('|1|')) {
    const [, , salt, hmac] = field.split('|');
    if (!salt || !hmac) return null;
    return { kind: 'hashed', salt: Buffer.from(salt, 'base64'), hmac: Buffer.from(hmac, 'base64') };
  }
  return { kind: 'patterns', patterns: field.split(',').filter((p) => p !== '') };
}

/** OpenSSH wildcards: `*` any run of characters, `?` exactly one; everything else literal. */
function globMatch(pattern: string, name: string): boolean {
  const re = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${re}$`).test(name);
}

/** Does a known_hosts host field name this host? A matching negated pattern vetoes the line. */
export function hostMatches(hosts: HostMatcher, name: string): boolean {
  if (hosts.kind === 'hashed') {
    const mac = createHmac('sha1', hosts.salt).update(name).digest();
    return mac.length === hosts.hmac.length && mac.equals(hosts.hmac);
  }
  let positive = false;
  for (const p of hosts.patterns) {
    const negated = p.startsWith('!');
    const pat = (negated ? p.slice(1) : p).toLowerCase();
    if (!globMatch(pat, name)) continue;
    if (negated) return false;
    positive = true;
  }
  return positive;
}

/** The key type named inside an SSH public key blob (its first length-prefixed string). */
export function blobKeyType(blob: Buffer): string | null {
  if (blob.length < 4) return null;
  const len = blob.readUInt32BE(0);
  if (len === 0 || 4 + len > blob.length) return null;
  return blob.subarray(4, 4 + len).toString('latin1');
}

/** OpenSSH's fingerprint format: `SHA256:` + unpadded base64 of the blob's SHA-256. */
export function fingerprint(blob: Buffer): string {
  return 'SHA256:' + createHash('sha256').update(blob).digest('base64').replace(/=+$/, '');
}

/**
 * Verify the key a host presented. A @revoked key is refused whatever host it is presented by
 * (a revoked key is compromised everywhere). Otherwise: same type and blob on a line for this host
 * → match; any other key on a line for this host → changed. A host known only by other key types
 * is also "changed": ssh.ts asks the server for the known types first, so a server that cannot
 * show one has replaced its keys (stricter than OpenSSH, which would treat it as new).
 */
export function verifyHostKey(kh: KnownHosts, name: string, keyBlob: Buffer): HostKeyVerdict {
  const keyType = blobKeyType(keyBlob);
  const revoked = kh.entries.find((e) => e.marker === 'revoked' && e.keyType === keyType && e.keyBlob.equals(keyBlob));
  if (revoked) return { verdict: 'revoked', entry: revoked };
  const forHost = kh.entries.filter((e) => e.marker === undefined && hostMatches(e.hosts, name));
  const same = forHost.find((e) => e.keyType === keyType && e.keyBlob.equals(keyBlob));
  if (same) return { verdict: 'match', entry: same };
  const old = forHost.find((e) => e.keyType === keyType) ?? forHost[0];
  return old ? { verdict: 'changed', old } : { verdict: 'unknown' };
}

/** Key types known_hosts holds for this host, so the client can ask the server for those first. */
export function knownKeyTypes(kh: KnownHosts, name: string): string[] {
  const types = kh.entries.filter((e) => e.marker === undefined && hostMatches(e.hosts, name)).map((e) => e.keyType);
  return [...new Set(types)];
}

/** One hashed known_hosts line (`|1|salt|hmac type key`), as `ssh-keygen -H` writes them. */
export function hashedKnownHostsLine(name: string, keyBlob: Buffer): string {
  const salt = randomBytes(20);
  const mac = createHmac('sha1', salt).update(name).digest();
  return `|1|${salt.toString('base64')}|${mac.toString('base64')} ${blobKeyType(keyBlob)} ${keyBlob.toString('base64')}`;
}

/**
 * Append a host's key to known_hosts (accept-new). Lines are written hashed, like Debian's
 * default HashKnownHosts=yes, so the file does not list every router we manage. Synchronous so that
 * two hosts accepted at once in one process cannot interleave their lines.
 */
export function appendKnownHost(file: string, name: string, keyBlob: Buffer): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  let prefix = '';
  try {
    const existing = fs.readFileSync(file, 'utf8');
    if (existing !== '' && !existing.endsWith('\n')) prefix = '\n';
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  fs.appendFileSync(file, prefix + hashedKnownHostsLine(name, keyBlob) + '\n', { mode: 0o600 });
}
