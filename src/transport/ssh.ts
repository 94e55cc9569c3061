// The real Transport: one ssh2 connection per host (through ProxyJump hops if configured), opened
// on first use and shared by every exec; each exec is one session channel running /bin/sh.
import * as fs from 'fs';
import { Duplex } from 'stream';
import { Client, ClientChannel, ConnectConfig, utils } from 'ssh2';
import type { ShellCommand } from '../shell/quote';
import { BecomeMethod, withBecome } from './become';
import { TransportError, TransportErrorKind } from './errors';
import {
  appendKnownHost,
  blobKeyType,
  fingerprint,
  KnownHosts,
  knownKeyTypes,
  knownHostsName,
  loadKnownHosts,
  verifyHostKey,
} from './known-hosts';
import { remoteShellCommand } from './remote-command';
import { ConnectionPlan, defaultSshConfigPath, Endpoint, InventorySshSettings, loadSshConfig, planConnection } from './ssh-config';
import type { ExecOptions, ExecResult, Transport } from './transport';

export interface SshTarget extends InventorySshSettings {
  /** inventory name; also the `Host` looked up in the ssh config */
  name: string;
  /** run scripts as root through sudo/doas when the SSH user is not root */
  become?: BecomeMethod;
}

export interface SshTransportOptions {
  /** ssh config file to read; default ~/.ssh/config; null reads none */
  sshConfigPath?: string | null;
  /** home directory for `~` and default files; default os.homedir() */
  home?: string;
  /** append unknown host keys to known_hosts instead of refusing them (a changed key is always refused) */
  acceptNewHostKeys?: boolean;
  /** ssh-agent socket; default $SSH_AUTH_SOCK; false: do not use an agent */
  agent?: string | false;
  /** name of the environment variable holding the identity file's passphrase (the value is never logged) */
  passphraseEnv?: string;
  /** environment to read SSH_AUTH_SOCK and the passphrase from; default process.env */
  env?: NodeJS.ProcessEnv;
  /** channels open at once on the connection; sshd's MaxSessions defaults to 10 */
  maxChannels?: number;
  /** TCP connect + SSH handshake + auth must finish within this (ssh2 readyTimeout) */
  readyTimeoutMs?: number;
  keepaliveIntervalMs?: number;
  keepaliveCountMax?: number;
  /** connection attempts when the host is unreachable (never retried: host key and auth failures) */
  connectAttempts?: number;
  /** wait before the second attempt; doubled for each further one */
  retryDelayMs?: number;
  /** things a person may want to know that are not errors (host key added, known_hosts lines skipped) */
  onNote?: (message: string) => void;
}

export interface SshTransport extends Transport {
  /** SSH connections made to the target so far (1 for a whole run unless it was lost) */
  readonly connections: number;
  /**
   * Connect now instead of on the first exec, so that an unreachable host or a refused host key
   * fails the "connect" step rather than the first task.
   */
  connect(): Promise<void>;
}

/** An identity file's bytes and the passphrase that was checked to decrypt it. */
interface LoadedKey {
  data: Buffer;
  passphrase?: string;
}

interface Connection {
  client: Client;
  /** jump clients, first hop first; closed together with the target connection */
  jumps: Client[];
}

const DEFAULTS = {
  maxChannels: 8,
  readyTimeoutMs: 15_000,
  keepaliveIntervalMs: 15_000,
  keepaliveCountMax: 4,
  connectAttempts: 3,
  retryDelayMs: 500,
};

// Host key algorithms ssh2 offers for each key type known_hosts can hold.
const HOST_KEY_ALGORITHMS: Record<string, string[]> = {
  'ssh-ed25519': ['ssh-ed25519'],
  'ecdsa-sha2-nistp256': ['ecdsa-sha2-nistp256'],
  'ecdsa-sha2-nistp384': ['ecdsa-sha2-nistp384'],
  'ecdsa-sha2-nistp521': ['ecdsa-sha2-nistp521'],
  'ssh-rsa': ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'],
};

/** Limits concurrent channels; waiters are served in arrival order. */
class Slots {
  private free: number;
  private readonly waiting: Array<() => void> = [];
  constructor(size: number) {
    this.free = size;
  }
  async acquire(): Promise<() => void> {
    if (this.free > 0) this.free--;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      if (next) next();
      else this.free++;
    };
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function createSshTransport(target: SshTarget, options: SshTransportOptions = {}): SshTransport {
  return new Ssh(target, options);
}

class Ssh implements SshTransport {
  readonly host: string;
  private rounds = 0;
  private connects = 0;
  private current: Promise<Connection> | undefined;
  /** the connection `current` resolved to, so its 'close' can tell it is still the one in use */
  private live: Connection | undefined;
  private plan: ConnectionPlan | undefined;
  private readonly slots: Slots;
  private readonly keys = new Map<string, LoadedKey>();
  private readonly env: NodeJS.ProcessEnv;
  private readonly o: typeof DEFAULTS;
  private closed = false;

  constructor(
    private readonly target: SshTarget,
    private readonly options: SshTransportOptions,
  ) {
    this.host = target.name;
    this.env = options.env ?? process.env;
    this.o = { ...DEFAULTS, ...definedOnly(options) };
    this.slots = new Slots(this.o.maxChannels);
  }

  get roundTrips(): number {
    return this.rounds;
  }

  get connections(): number {
    return this.connects;
  }

  async exec(script: ShellCommand, opts: ExecOptions = {}): Promise<ExecResult> {
    if (this.closed) throw this.error('channel', `transport to ${this.host} is closed; cannot run more commands`);
    const started = performance.now();
    const release = await this.slots.acquire();
    try {
      const conn = await this.connection();
      const command = withBecome(remoteShellCommand(script), this.target.become, this.connectionPlan().target.user);
      return await this.run(conn.client, command, opts, started);
    } finally {
      release();
    }
  }

  async connect(): Promise<void> {
    await this.connection();
  }

  async close(): Promise<void> {
    this.closed = true;
    const pending = this.current;
    this.current = undefined;
    if (!pending) return;
    const conn = await pending.catch(() => undefined);
    this.live = undefined;
    if (!conn) return;
    await endClient(conn.client);
    for (const jump of [...conn.jumps].reverse()) await endClient(jump);
  }

  // ---- running a command -------------------------------------------------------------------

  private run(client: Client, command: ShellCommand, opts: ExecOptions, started: number): Promise<ExecResult> {
    return new Promise((resolve, reject) => {
      let settled = false;
      let timer: NodeJS.Timeout | undefined;
      const settle = (fn: () => void) => {
        if (settled) return;
        settled = true;
        if (timer) clearTimeout(timer);
        fn();
      };
      client.exec(command.text, (err, channel: ClientChannel) => {
        if (err) {
          settle(() => reject(this.error('channel', `could not open an SSH channel to ${this.host}: ${err.message}`, err)));
          return;
        }
        this.rounds++;
        const stdout: Buffer[] = [];
        const stderr: Buffer[] = [];
        let code: number | null | undefined;
        let signal: string | undefined;
        channel.on('data', (d: Buffer) => stdout.push(d));
        channel.stderr.on('data', (d: Buffer) => stderr.push(d));
        channel.on('exit', (c: number | null, sig?: string) => {
          code = c;
          signal = sig;
        });
        channel.on('close', () =>
          settle(() => {
            if (typeof code === 'number') {
              resolve({
                stdout: Buffer.concat(stdout).toString('utf8'),
                stderr: Buffer.concat(stderr).toString('utf8'),
                code,
                durationMs: Math.round(performance.now() - started),
              });
            } else {
              const why = signal ? `was killed by signal ${signal}` : 'ended without an exit status (connection lost?)';
              reject(this.error('channel', `command on ${this.host} ${why}: ${command.masked.slice(0, 200)}`));
            }
          }),
        );
        if (opts.timeoutMs !== undefined) {
          const ms = opts.timeoutMs;
          timer = setTimeout(() => {
            settle(() =>
              reject(
                this.error(
                  'timeout',
                  `command on ${this.host} did not finish within ${ms} ms, so its channel was closed ` +
                    `(the remote process may still be running): ${command.masked.slice(0, 200)}`,
                ),
              ),
            );
            // Best effort: sshd delivers the signal where it supports signal requests.
            channel.signal('TERM');
            channel.close();
          }, ms);
        }
        // Always send EOF, so a command that reads stdin never waits forever.
        channel.end(opts.stdin);
      });
    });
  }

  // ---- connecting --------------------------------------------------------------------------

  private connectionPlan(): ConnectionPlan {
    if (!this.plan) {
      const configPath = this.options.sshConfigPath === undefined ? defaultSshConfigPath(this.options.home) : this.options.sshConfigPath;
      try {
        const config = configPath === null ? loadSshConfig('/dev/null') : loadSshConfig(configPath);
        this.plan = planConnection(config, this.target.name, this.target, { home: this.options.home });
      } catch (e) {
        // Without a plan there is nothing to connect to; the CLI treats this like a host it cannot reach.
        throw this.error('unreachable', `cannot work out how to connect to ${this.host}: ${(e as Error).message}`, e);
      }
    }
    return this.plan;
  }

  private connection(): Promise<Connection> {
    if (this.closed) return Promise.reject(this.error('channel', `transport to ${this.host} was closed while a command waited to run`));
    if (!this.current) {
      const pending = this.connectWithRetry();
      this.current = pending;
      // A failed attempt must not stick: the next exec tries again.
      pending.catch(() => {
        if (this.current === pending) this.current = undefined;
      });
    }
    return this.current;
  }

  private async connectWithRetry(): Promise<Connection> {
    const attempts = Math.max(1, this.o.connectAttempts);
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.connectOnce();
      } catch (e) {
        const retryable = e instanceof TransportError && e.kind === 'unreachable';
        if (!retryable) throw e;
        if (attempt >= attempts) {
          throw this.error('unreachable', `${e.message} (gave up after ${attempts} attempt${attempts > 1 ? 's' : ''})`, e.cause);
        }
        await sleep(this.o.retryDelayMs * 2 ** (attempt - 1));
      }
    }
  }

  private async connectOnce(): Promise<Connection> {
    const plan = this.connectionPlan();
    const hops = [...plan.jumps, plan.target];
    const clients: Client[] = [];
    let sock: Duplex | undefined;
    try {
      for (let i = 0; i < hops.length; i++) {
        const client = await this.handshake(hops[i], plan.knownHostsFile, sock, i < hops.length - 1);
        clients.push(client);
        const next = hops[i + 1];
        if (next) sock = await this.forward(client, hops[i], next);
      }
    } catch (e) {
      for (const c of clients.reverse()) c.end();
      throw e;
    }
    const client = clients.pop()!;
    const conn: Connection = { client, jumps: clients };
    this.connects++;
    this.live = conn;
    client.on('close', () => {
      // A lost connection is replaced on the next exec; its hops go with it.
      if (this.live === conn) {
        this.live = undefined;
        this.current = undefined;
      }
      for (const jump of conn.jumps) jump.end();
    });
    return conn;
  }

  private forward(jump: Client, via: Endpoint, next: Endpoint): Promise<Duplex> {
    return new Promise((resolve, reject) => {
      jump.forwardOut('127.0.0.1', 0, next.address, next.port, (err, stream) => {
        if (err) {
          reject(
            this.error(
              'unreachable',
              `jump host ${via.alias} (${via.address}:${via.port}) could not open a connection to ` +
                `${next.address}:${next.port} for ${this.host}: ${err.message}. ` +
                `Check ProxyJump, and that sshd on the jump host allows TCP forwarding.`,
              err,
            ),
          );
        } else resolve(stream);
      });
    });
  }

  /** Connect and authenticate to one endpoint, checking its host key against known_hosts. */
  private handshake(ep: Endpoint, knownHostsFile: string, sock: Duplex | undefined, isJump: boolean): Promise<Client> {
    const where = `${ep.user}@${ep.address}:${ep.port}`;
    const role = isJump ? `jump host ${ep.alias} (${where}) for ${this.host}` : `${this.host} (${where})`;
    const name = knownHostsName(ep.address, ep.port);
    let knownHosts: KnownHosts;
    try {
      knownHosts = loadKnownHosts(knownHostsFile);
    } catch (e) {
      throw this.error('host-key-unknown', `cannot read ${knownHostsFile} to check the host key of ${role}: ${(e as Error).message}`);
    }
    for (const note of knownHosts.notes) this.note(note);
    const credentials = this.credentials(ep, role);
    const known = knownKeyTypes(knownHosts, name).flatMap((t) => HOST_KEY_ALGORITHMS[t] ?? []);

    return new Promise((resolve, reject) => {
      const client = new Client();
      client.once('close', () => closedClients.add(client));
      let settled = false;
      // Set by the host verifier: the handshake error ssh2 reports after a refusal says little.
      let hostKeyRefusal: TransportError | undefined;
      const fail = (err: TransportError) => {
        if (settled) return;
        settled = true;
        client.end();
        reject(err);
      };

      const hostVerifier = (key: Buffer): boolean => {
        const fp = fingerprint(key);
        const type = blobKeyType(key) ?? 'unknown-type';
        const v = verifyHostKey(knownHosts, name, key);
        switch (v.verdict) {
          case 'match':
            return true;
          case 'unknown':
            if (this.options.acceptNewHostKeys) {
              try {
                appendKnownHost(knownHostsFile, name, key);
              } catch (e) {
                hostKeyRefusal = this.error(
                  'host-key-unknown',
                  `${role} presented a new ${type} host key ${fp}, but it could not be added to ${knownHostsFile}: ${(e as Error).message}`,
                );
                return false;
              }
              this.note(`added ${type} host key ${fp} of ${role} to ${knownHostsFile} as ${name}`);
              return true;
            }
            hostKeyRefusal = this.error(
              'host-key-unknown',
              `${role} presented a ${type} host key ${fp} that is not in ${knownHostsFile} (looked up as ${name}). ` +
                `Check the fingerprint on the host (ssh-keygen -lf /etc/ssh/ssh_host_${type.replace(/^ssh-|-sha2-nistp\d+$/g, '')}_key.pub), ` +
                `then add the key to ${knownHostsFile} or run again accepting new host keys.`,
            );
            return false;
          case 'changed':
            hostKeyRefusal = this.error(
              'host-key-changed',
              `HOST KEY CHANGED for ${role}: ${knownHostsFile}:${v.old.line} holds a ${v.old.keyType} key ` +
                `${fingerprint(v.old.keyBlob)} for ${name}, but the host now presents ${type} ${fp}. ` +
                `Someone may be intercepting the connection, or the host was reinstalled. Refusing to connect. ` +
                `If the change is expected, remove the old key (ssh-keygen -R '${name}' -f ${knownHostsFile}) and connect again.`,
            );
            return false;
          case 'revoked':
            hostKeyRefusal = this.error(
              'host-key-revoked',
              `${role} presented the ${type} host key ${fp}, which ${knownHostsFile}:${v.entry.line} marks @revoked. ` +
                `Refusing to connect; the host must be given a new key.`,
            );
            return false;
        }
      };

      client.once('ready', () => {
        if (settled) return;
        settled = true;
        // Later errors (keepalive timeout, reset) surface as a 'close' and fail the open channels.
        client.on('error', () => undefined);
        resolve(client);
      });
      client.on('error', (err: Error & { level?: string }) => {
        if (hostKeyRefusal) return fail(hostKeyRefusal);
        fail(this.classify(err, role, ep, credentials.described));
      });
      client.once('close', () =>
        fail(hostKeyRefusal ?? this.error('unreachable', `${role} closed the connection before authentication finished. Check that it runs sshd on that port.`)),
      );

      const config: ConnectConfig = {
        host: ep.address,
        port: ep.port,
        username: ep.user,
        sock: sock as ConnectConfig['sock'],
        readyTimeout: this.o.readyTimeoutMs,
        keepaliveInterval: this.o.keepaliveIntervalMs,
        keepaliveCountMax: this.o.keepaliveCountMax,
        agent: credentials.agent,
        privateKey: credentials.privateKey?.data,
        passphrase: credentials.privateKey?.passphrase,
        hostVerifier,
        // Ask for key types known_hosts already holds first, as ssh(1) does, so a host known by its
        // ed25519 key is not reported unknown because it also has an ecdsa key.
        algorithms: known.length ? { serverHostKey: { remove: known, prepend: known } as never } : undefined,
      };
      try {
        client.connect(config);
      } catch (e) {
        fail(this.error('auth', `cannot start SSH to ${role}: ${(e as Error).message}`));
      }
    });
  }

  private classify(err: Error & { level?: string }, role: string, ep: Endpoint, tried: string): TransportError {
    const kind: TransportErrorKind = err.level === 'client-authentication' ? 'auth' : 'unreachable';
    if (kind === 'auth') {
      return this.error(
        'auth',
        `${role} refused to let ${ep.user} log in (tried ${tried}). ` +
          `Check the user name and that the public key is in ~${ep.user}/.ssh/authorized_keys on the host.`,
        err,
      );
    }
    const why = err.level === 'client-timeout' ? `no SSH session within ${this.o.readyTimeoutMs} ms` : err.message;
    return this.error(
      'unreachable',
      `cannot reach ${role}: ${why}. Check the address and port, that sshd runs there and that no firewall is in the way.`,
      err,
    );
  }

  /** Agent and/or private key for one endpoint, with a human description for error messages. */
  private credentials(ep: Endpoint, role: string): { agent?: string; privateKey?: LoadedKey; described: string } {
    const agent = this.options.agent === false ? undefined : (this.options.agent ?? this.env.SSH_AUTH_SOCK);
    const tried: string[] = [];
    if (agent) tried.push(`the ssh-agent at ${agent}`);
    const privateKey = ep.identityFile ? this.privateKey(ep.identityFile, role) : undefined;
    if (ep.identityFile) tried.push(`the key ${ep.identityFile}`);
    if (tried.length === 0) {
      throw this.error(
        'auth',
        `no credentials for ${role}: no ssh-agent (SSH_AUTH_SOCK is not set) and no identity file ` +
          `(inventory identityFile, IdentityFile in the ssh config, or ~/.ssh/id_ed25519).`,
      );
    }
    return { agent, privateKey, described: tried.join(' and ') };
  }

  /**
   * Read an identity file and check, once per transport, that it decrypts, so a wrong or missing
   * passphrase is reported as such instead of as a refused login.
   */
  private privateKey(file: string, role: string): LoadedKey {
    const cached = this.keys.get(file);
    if (cached) return cached;
    let data: Buffer;
    try {
      data = fs.readFileSync(file);
    } catch (e) {
      throw this.error('auth', `cannot read identity file ${file} for ${role}: ${(e as Error).message}`);
    }
    const envName = this.options.passphraseEnv;
    const passphrase = envName ? this.env[envName] || undefined : undefined;
    const parsed = utils.parseKey(data, passphrase);
    if (parsed instanceof Error) {
      const encrypted = /passphrase|encrypted|decrypt/i.test(parsed.message);
      const hint = !encrypted
        ? 'it is not a private key ssh2 can read'
        : !envName
          ? 'it is encrypted: name the environment variable that holds its passphrase (passphraseEnv)'
          : passphrase === undefined
            ? `it is encrypted and the environment variable ${envName} is not set`
            : `the passphrase in the environment variable ${envName} does not decrypt it`;
      throw this.error('auth', `cannot use identity file ${file} for ${role}: ${hint}`);
    }
    const key = { data, passphrase };
    this.keys.set(file, key);
    return key;
  }

  private note(message: string): void {
    this.options.onNote?.(message);
  }

  /** Every TransportError is built here, so no message can carry the key's passphrase. */
  private error(kind: TransportErrorKind, message: string, cause?: unknown): TransportError {
    const envName = this.options.passphraseEnv;
    const secret = envName ? this.env[envName] : undefined;
    const scrub = (s: string) => (secret ? s.split(secret).join('********') : s);
    const safeCause = cause instanceof Error ? Object.assign(new Error(scrub(cause.message)), { level: (cause as { level?: string }).level }) : undefined;
    return new TransportError(kind, this.host, scrub(message), safeCause ? { cause: safeCause } : undefined);
  }
}

// Clients whose socket has closed: ending them again would wait for a 'close' that never comes.
const closedClients = new WeakSet<Client>();

function endClient(client: Client): Promise<void> {
  if (closedClients.has(client)) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      client.destroy();
      resolve();
    }, 2000);
    client.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    client.end();
  });
}

function definedOnly(options: SshTransportOptions): Partial<typeof DEFAULTS> {
  const picked: Partial<typeof DEFAULTS> = {};
  for (const key of Object.keys(DEFAULTS) as Array<keyof typeof DEFAULTS>) {
    const v = options[key];
    if (typeof v === 'number') picked[key] = v;
  }
  return picked;
}
