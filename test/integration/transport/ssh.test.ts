// The SSH transport against a real, throwaway OpenSSH server on 127.0.0.1 (own config, host key
// and authorized_keys in a temp dir). Needs root (sshd privilege separation) and /usr/sbin/sshd.
import { ChildProcess, execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { sh } from '../../../src/shell/quote';
import { TransportError } from '../../../src/transport/errors';
import { fingerprint, loadKnownHosts } from '../../../src/transport/known-hosts';
import { createSshTransport, SshTarget, SshTransport, SshTransportOptions } from '../../../src/transport/ssh';

jest.setTimeout(30_000);

const PASSPHRASE = 'correct horse $(battery) staple';
const PASSPHRASE_ENV = 'H4_TEST_KEY_PASSPHRASE';

let dir: string;
let home: string;
let port: number;
let sshd: ChildProcess;
let sshdLog = '';
let hostKeyLine: string;
const open: SshTransport[] = [];

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const p = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(p));
    });
  });
}

function keygen(file: string, type: string, passphrase = ''): string {
  execFileSync('ssh-keygen', ['-q', '-t', type, '-N', passphrase, '-C', path.basename(file), '-f', file]);
  return fs.readFileSync(`${file}.pub`, 'utf8').trim();
}

const accepted = () => (sshdLog.match(/Accepted publickey for root/g) ?? []).length;

/** A known_hosts file trusting the test sshd, so tests that are not about host keys can connect. */
function trustingKnownHosts(): string {
  const file = path.join(dir, `kh-${Math.random().toString(36).slice(2)}`);
  fs.writeFileSync(file, `[127.0.0.1]:${port} ${hostKeyLine}\n`);
  return file;
}

function connect(target: Partial<SshTarget> = {}, options: SshTransportOptions = {}): SshTransport {
  const t = createSshTransport(
    { name: 'lab-r1', address: '127.0.0.1', port, user: 'root', knownHostsFile: trustingKnownHosts(), ...target },
    { sshConfigPath: null, home, agent: false, env: {}, readyTimeoutMs: 5000, ...options },
  );
  open.push(t);
  return t;
}

async function failure(p: Promise<unknown>): Promise<TransportError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof TransportError)) throw new Error(`expected a TransportError, got ${String(err)}`);
  return err;
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'h4-sshd-'));
  home = path.join(dir, 'home');
  fs.mkdirSync(path.join(home, '.ssh'), { recursive: true, mode: 0o700 });
  port = await freePort();
  const hostPub = keygen(path.join(dir, 'host_ed25519'), 'ed25519');
  hostKeyLine = hostPub.split(' ').slice(0, 2).join(' ');
  const clientPub = keygen(path.join(home, '.ssh', 'id_ed25519'), 'ed25519');
  const encryptedPub = keygen(path.join(dir, 'encrypted'), 'ed25519', PASSPHRASE);
  keygen(path.join(dir, 'stranger'), 'ed25519');
  fs.writeFileSync(path.join(dir, 'authorized_keys'), `${clientPub}\n${encryptedPub}\n`);
  fs.writeFileSync(
    path.join(dir, 'sshd_config'),
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${dir}/host_ed25519`,
      `PidFile ${dir}/sshd.pid`,
      `AuthorizedKeysFile ${dir}/authorized_keys`,
      'UsePAM no',
      // the temp dir lives under /tmp, which StrictModes would reject as world-writable
      'StrictModes no',
      'PermitRootLogin prohibit-password',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'AllowTcpForwarding yes',
      'MaxSessions 10',
      'LogLevel INFO',
    ].join('\n') + '\n',
  );
  // OpenSSH's privilege separation directory; Debian creates it from the service unit we do not use.
  fs.mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  sshd = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', path.join(dir, 'sshd_config')], { stdio: ['ignore', 'ignore', 'pipe'] });
  sshd.stderr!.on('data', (d: Buffer) => (sshdLog += d.toString()));
  const deadline = Date.now() + 10_000;
  while (!sshdLog.includes('Server listening')) {
    if (Date.now() > deadline || sshd.exitCode !== null) throw new Error(`sshd did not start:\n${sshdLog}`);
    await new Promise((r) => setTimeout(r, 50));
  }
});

afterEach(async () => {
  await Promise.all(open.splice(0).map((t) => t.close()));
});

afterAll(async () => {
  if (sshd && sshd.exitCode === null) {
    const exited = new Promise((r) => sshd.once('exit', r));
    sshd.kill('SIGTERM');
    await exited;
  }
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('exec', () => {
  it('returns stdout, stderr and the exit status of /bin/sh', async () => {
    const t = connect();
    const r = await t.exec(sh`printf '%s' ${"it's $(not run)"}; echo oops >&2; exit 7`);
    expect(r).toMatchObject({ stdout: "it's $(not run)", stderr: 'oops\n', code: 7 });
    expect(r.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('runs /bin/sh, not the login shell, for multi-line scripts', async () => {
    const t = connect();
    const r = await t.exec(sh`echo "$0"\nx=${'a b'}\necho "$x"`);
    expect(r.stdout).toBe('sh\na b\n');
    // root's login shell here is bash and its ~/.bashrc is slow: print what one exec costs.
    const times: number[] = [];
    for (let i = 0; i < 3; i++) times.push((await t.exec(sh`true`)).durationMs);
    const rcRan = (await t.exec(sh`printf '%s' "\${PYENV_ROOT:+yes}"`)).stdout === 'yes';
    console.log(
      `ssh exec round trip on a warm connection (login shell ${os.userInfo().shell}, ` +
        `its rc file ${rcRan ? 'ran' : 'did not run'}): ${times.join(', ')} ms`,
    );
  });

  it('makes 20 execs over ONE SSH connection', async () => {
    const before = accepted();
    const t = connect();
    for (let i = 0; i < 20; i++) expect((await t.exec(sh`echo ${i}`)).stdout).toBe(`${i}\n`);
    expect(t.roundTrips).toBe(20);
    expect(t.connections).toBe(1);
    expect(accepted() - before).toBe(1);
  });

  it('runs execs concurrently, at most maxChannels at a time', async () => {
    const before = accepted();
    const t = connect({}, { maxChannels: 4 });
    const log = path.join(dir, 'concurrency.log');
    // Each command appends + when it starts and - when it ends; replaying the log gives the
    // number of commands that were running on the host at once.
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) => t.exec(sh`echo + >> ${log}; sleep 0.6; echo - >> ${log}; echo ${i}`)),
    );
    expect(results.map((r) => r.stdout)).toEqual(Array.from({ length: 12 }, (_, i) => `${i}\n`));
    let running = 0;
    let most = 0;
    for (const mark of fs.readFileSync(log, 'utf8').trim().split('\n')) {
      running += mark === '+' ? 1 : -1;
      most = Math.max(most, running);
    }
    // Never more than the cap; more than one proves the channels ran side by side. (Exactly 4 is
    // typical, but the slow ~/.bashrc of the login shell staggers start times on a busy machine.)
    expect(most).toBeLessThanOrEqual(4);
    expect(most).toBeGreaterThanOrEqual(2);
    expect(accepted() - before).toBe(1);
  });

  it('stays under sshd MaxSessions with the default cap of 8 channels', async () => {
    const t = connect();
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) => t.exec(sh`echo ${i}`)));
    expect(results.every((r, i) => r.stdout === `${i}\n` && r.code === 0)).toBe(true);
  });

  it('feeds stdin and then EOF', async () => {
    const t = connect();
    expect((await t.exec(sh`tr a-z A-Z`, { stdin: 'hello\nworld\n' })).stdout).toBe('HELLO\nWORLD\n');
    expect((await t.exec(sh`wc -c`, { stdin: Buffer.alloc(100_000, 0x61) })).stdout.trim()).toBe('100000');
    expect((await t.exec(sh`cat`)).stdout).toBe('');
  });

  it('reports a command that runs too long as kind timeout, and the connection stays usable', async () => {
    const t = connect();
    const started = Date.now();
    const err = await failure(t.exec(sh`sleep 5`, { timeoutMs: 300 }));
    expect(err.kind).toBe('timeout');
    expect(err.message).toMatch(/lab-r1 did not finish within 300 ms/);
    expect(Date.now() - started).toBeLessThan(2500);
    expect((await t.exec(sh`echo still here`)).stdout).toBe('still here\n');
    expect(t.connections).toBe(1);
  });

  it('reports a connection lost mid-command as kind channel and reconnects on the next exec', async () => {
    const t = connect();
    await t.exec(sh`true`);
    // Kill the sshd process serving this connection (the nearest sshd ancestor of the command).
    const killOwnSession = sh`p=$PPID; while [ "$(ps -o comm= -p "$p")" != sshd ]; do p=$(ps -o ppid= -p "$p" | tr -d ' '); done; kill -9 "$p"; sleep 5`;
    const err = await failure(t.exec(killOwnSession, { timeoutMs: 4000 }));
    expect(err.kind).toBe('channel');
    expect((await t.exec(sh`echo back`)).stdout).toBe('back\n');
    expect(t.connections).toBe(2);
  });

  it('refuses to exec after close', async () => {
    const t = connect();
    await t.exec(sh`true`);
    await t.close();
    expect((await failure(t.exec(sh`true`))).kind).toBe('channel');
  });
});

describe('host keys', () => {
  it('refuses an unknown host key (kind host-key-unknown), naming the fingerprint', async () => {
    const kh = path.join(dir, 'kh-empty');
    const t = connect({ knownHostsFile: kh });
    const err = await failure(t.exec(sh`true`));
    expect(err.kind).toBe('host-key-unknown');
    const fp = fingerprint(Buffer.from(hostKeyLine.split(' ')[1], 'base64'));
    expect(err.message).toContain(fp);
    expect(err.message).toContain(kh);
    expect(fs.existsSync(kh)).toBe(false);
  });

  it('accepts and stores a new key with acceptNewHostKeys, then trusts it without', async () => {
    const kh = path.join(dir, 'kh-new', 'known_hosts');
    const notes: string[] = [];
    const t = connect({ knownHostsFile: kh }, { acceptNewHostKeys: true, onNote: (n) => notes.push(n) });
    expect((await t.exec(sh`echo ok`)).stdout).toBe('ok\n');
    expect(notes).toEqual([expect.stringMatching(/^added ssh-ed25519 host key SHA256:\S+ of lab-r1/)]);
    expect(execFileSync('ssh-keygen', ['-F', `[127.0.0.1]:${port}`, '-f', kh], { encoding: 'utf8' })).toContain(hostKeyLine.split(' ')[1]);
    const again = connect({ knownHostsFile: kh });
    expect((await again.exec(sh`echo ok`)).stdout).toBe('ok\n');
    expect(loadKnownHosts(kh).entries).toHaveLength(1);
  });

  it('always refuses a changed key (kind host-key-changed), even with acceptNewHostKeys', async () => {
    const otherPub = keygen(path.join(dir, `other-${Date.now()}`), 'ed25519');
    const kh = path.join(dir, 'kh-changed');
    fs.writeFileSync(kh, `# first line\n[127.0.0.1]:${port} ${otherPub}\n`);
    const t = connect({ knownHostsFile: kh }, { acceptNewHostKeys: true });
    const err = await failure(t.exec(sh`true`));
    expect(err.kind).toBe('host-key-changed');
    const fp = fingerprint(Buffer.from(hostKeyLine.split(' ')[1], 'base64'));
    expect(err.message).toContain(`${kh}:2`);
    expect(err.message).toContain(fp);
    expect(err.message).toContain('lab-r1');
    expect(fs.readFileSync(kh, 'utf8')).toBe(`# first line\n[127.0.0.1]:${port} ${otherPub}\n`);
  });

  it('refuses a @revoked key', async () => {
    const kh = path.join(dir, 'kh-revoked');
    fs.writeFileSync(kh, `@revoked * ${hostKeyLine}\n[127.0.0.1]:${port} ${hostKeyLine}\n`);
    expect((await failure(connect({ knownHostsFile: kh }).exec(sh`true`))).kind).toBe('host-key-revoked');
  });
});

describe('authentication and reachability', () => {
  it('connect() fails up front with the same kind an exec would get', async () => {
    const t = connect({ knownHostsFile: path.join(dir, 'kh-connect-empty') });
    expect((await failure(t.connect())).kind).toBe('host-key-unknown');
    const ok = connect();
    await ok.connect();
    expect(ok.connections).toBe(1);
    expect(ok.roundTrips).toBe(0);
    await ok.exec(sh`true`);
    expect(ok.connections).toBe(1);
  });

  it('reports a key the server does not accept as kind auth', async () => {
    const err = await failure(connect({ identityFile: path.join(dir, 'stranger') }).exec(sh`true`));
    expect(err.kind).toBe('auth');
    expect(err.message).toContain(path.join(dir, 'stranger'));
  });

  it('reports nothing listening as kind unreachable after bounded retries', async () => {
    const closedPort = await freePort();
    const started = Date.now();
    const t = connect({ port: closedPort }, { connectAttempts: 3, retryDelayMs: 50, readyTimeoutMs: 500 });
    const err = await failure(t.exec(sh`true`));
    expect(err.kind).toBe('unreachable');
    expect(err.message).toContain(`127.0.0.1:${closedPort}`);
    expect(err.message).toMatch(/gave up after 3 attempts/);
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(150); // waited 50 + 100 ms between attempts
    expect(elapsed).toBeLessThan(3000);
  });

  it('uses a passphrase from the named environment variable and never shows it', async () => {
    const identityFile = path.join(dir, 'encrypted');
    const ok = connect({ identityFile }, { passphraseEnv: PASSPHRASE_ENV, env: { [PASSPHRASE_ENV]: PASSPHRASE } });
    expect((await ok.exec(sh`echo in`)).stdout).toBe('in\n');

    const wrong = await failure(connect({ identityFile }, { passphraseEnv: PASSPHRASE_ENV, env: { [PASSPHRASE_ENV]: 'not ' + PASSPHRASE } }).exec(sh`true`));
    expect(wrong.kind).toBe('auth');
    expect(wrong.message).toContain(PASSPHRASE_ENV);
    const missing = await failure(connect({ identityFile }, { passphraseEnv: PASSPHRASE_ENV }).exec(sh`true`));
    expect(missing.kind).toBe('auth');
    expect(missing.message).toMatch(new RegExp(`${PASSPHRASE_ENV} is not set`));
    // A failure after the key was decrypted: the passphrase must not leak there either.
    const unreachable = await failure(
      connect({ identityFile, port: await freePort() }, { passphraseEnv: PASSPHRASE_ENV, env: { [PASSPHRASE_ENV]: PASSPHRASE }, connectAttempts: 1 }).exec(sh`true`),
    );
    for (const e of [wrong, missing, unreachable]) {
      const everything = [e.message, e.stack, String(e.cause), (e.cause as Error | undefined)?.stack, JSON.stringify(e)].join('\n');
      expect(everything).not.toContain(PASSPHRASE);
      expect(everything).not.toContain('horse');
    }
  });
});

describe('ProxyJump and ssh config', () => {
  it('reaches the target through a jump host from ~/.ssh/config, checking both host keys', async () => {
    const config = path.join(home, '.ssh', 'config');
    fs.writeFileSync(config, `Host jump\n  HostName 127.0.0.1\n  Port ${port}\n  User root\n\nHost lab-r1\n  HostName 127.0.0.1\n  Port ${port}\n  User root\n  ProxyJump jump\n`);
    const before = accepted();
    const t = createSshTransport({ name: 'lab-r1', knownHostsFile: trustingKnownHosts() }, { sshConfigPath: config, home, agent: false, env: {} });
    open.push(t);
    expect((await t.exec(sh`echo "$SSH_CONNECTION" | cut -d' ' -f1`)).stdout).toBe('127.0.0.1\n');
    expect((await t.exec(sh`echo two`)).stdout).toBe('two\n');
    // One login for the jump host, one for the target through it; nothing more for the second exec.
    expect(accepted() - before).toBe(2);
    expect(t.connections).toBe(1);

    const strict = createSshTransport({ name: 'lab-r1', knownHostsFile: path.join(dir, 'kh-jump-empty') }, { sshConfigPath: config, home, agent: false, env: {} });
    open.push(strict);
    const err = await failure(strict.exec(sh`true`));
    expect(err.kind).toBe('host-key-unknown');
    expect(err.message).toMatch(/jump host jump/);
  });
});
