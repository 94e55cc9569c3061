// What ~/.ssh/config says about a host, reduced to the few options provision uses. Parsing and
// Host/Match evaluation are the `ssh-config` package's; `Match exec` is never run (a config file
// must not make us start programs).
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import SSHConfig from 'ssh-config';

export interface JumpHop {
  /** the hop as written in ProxyJump, itself looked up in the ssh config */
  alias: string;
  user?: string;
  port?: number;
}

export interface SshConfigHost {
  hostName?: string;
  port?: number;
  user?: string;
  /** IdentityFile values in config order, `~` and `%` tokens expanded */
  identityFiles: string[];
  /** ProxyJump hops in connection order; empty when none (or `ProxyJump none`) */
  proxyJump: JumpHop[];
  userKnownHostsFiles: string[];
}

export interface SshConfigSource {
  /** default ~/.ssh/config; a missing file is an empty config */
  path?: string;
  home?: string;
  localUser?: string;
}

export function defaultSshConfigPath(home = os.homedir()): string {
  return path.join(home, '.ssh', 'config');
}

export function loadSshConfig(file: string): SSHConfig {
  try {
    return SSHConfig.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return SSHConfig.parse('');
    throw e;
  }
}

/** A leading `~` or `~/` means the home directory (in ssh config and inventory paths alike). */
function expandHome(p: string, home: string): string {
  if (p === '~') return home;
  return p.startsWith('~/') ? path.join(home, p.slice(2)) : p;
}

/** ssh_config(5) TOKENS for the options we read, plus a leading `~`. */
function expandPath(value: string, ctx: { home: string; host: string; remoteUser: string; localUser: string; port: number }): string {
  const tokens: Record<string, string> = {
    '%': '%',
    d: ctx.home,
    h: ctx.host,
    r: ctx.remoteUser,
    u: ctx.localUser,
    p: String(ctx.port),
  };
  return expandHome(value.replace(/%(.)/g, (all, t: string) => tokens[t] ?? all), ctx.home);
}

/** One ProxyJump hop: `[user@]host[:port]` or `ssh://[user@]host[:port]`. */
export function parseJumpHop(spec: string): JumpHop {
  let rest = spec.startsWith('ssh://') ? spec.slice('ssh://'.length) : spec;
  let user: string | undefined;
  const at = rest.lastIndexOf('@');
  if (at >= 0) {
    user = rest.slice(0, at);
    rest = rest.slice(at + 1);
  }
  let port: number | undefined;
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(rest);
  const colon = /^([^:]+):(\d+)$/.exec(rest);
  if (bracketed) {
    rest = bracketed[1];
    if (bracketed[2]) port = Number(bracketed[2]);
  } else if (colon) {
    rest = colon[1];
    port = Number(colon[2]);
  }
  if (rest === '' || (port !== undefined && !(port > 0 && port < 65536))) {
    throw new Error(`ProxyJump hop "${spec}" is not [user@]host[:port]`);
  }
  return { alias: rest, user, port };
}

function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

function all(v: string | string[] | undefined): string[] {
  if (v === undefined) return [];
  // Options that take several values in one line (UserKnownHostsFile a b) arrive split or not.
  return (Array.isArray(v) ? v : [v]).flatMap((s) => s.split(/\s+/)).filter((s) => s !== '');
}

/** Resolve the ssh config options that apply to `alias` (first obtained value wins, as in ssh). */
export function resolveSshConfig(config: SSHConfig, alias: string, src: SshConfigSource = {}): SshConfigHost {
  const home = src.home ?? os.homedir();
  const localUser = src.localUser ?? os.userInfo().username;
  const c = config.compute(alias, { ignoreCase: true, matchExec: false });
  const portText = first(c.port);
  const port = portText === undefined ? undefined : Number(portText);
  if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536)) {
    throw new Error(`ssh config: Port "${portText}" for ${alias} is not a TCP port`);
  }
  const user = first(c.user);
  const hostName = first(c.hostname)?.replace(/%h/g, alias);
  const ctx = { home, host: hostName ?? alias, remoteUser: user ?? localUser, localUser, port: port ?? 22 };
  const jump = first(c.proxyjump);
  return {
    hostName,
    port,
    user,
    identityFiles: all(c.identityfile).map((f) => expandPath(f, ctx)),
    proxyJump: jump === undefined || jump === 'none' ? [] : jump.split(',').map((h) => parseJumpHop(h.trim())),
    userKnownHostsFiles: all(c.userknownhostsfile).filter((f) => f !== 'none').map((f) => expandPath(f, ctx)),
  };
}

/** Where and as whom to connect, for the target or one jump hop. */
export interface Endpoint {
  /** the name the host is known by in the inventory or in ProxyJump */
  alias: string;
  address: string;
  port: number;
  user: string;
  /** the private key file to offer, if any was configured or a default one exists */
  identityFile?: string;
}

export interface ConnectionPlan {
  target: Endpoint;
  /** hops to go through, first hop first */
  jumps: Endpoint[];
  knownHostsFile: string;
}

/** What the inventory (and the command line) says; every field set here beats the ssh config. */
export interface InventorySshSettings {
  address?: string;
  port?: number;
  user?: string;
  identityFile?: string;
  /** ProxyJump syntax, `none` for "no jump even if ssh config has one" */
  proxyJump?: string;
  knownHostsFile?: string;
}

const DEFAULT_IDENTITIES = ['id_ed25519', 'id_ecdsa', 'id_rsa'];

/**
 * Merge the inventory with the ssh config. Precedence, highest first: inventory value → ssh
 * config value → OpenSSH default (port 22, the local user name, the first existing of
 * ~/.ssh/id_ed25519, id_ecdsa, id_rsa, ~/.ssh/known_hosts). Jump hops are looked up in the ssh
 * config by their own name; a hop's own ProxyJump is not followed.
 */
export function planConnection(
  config: SSHConfig,
  alias: string,
  inv: InventorySshSettings,
  src: SshConfigSource = {},
): ConnectionPlan {
  const home = src.home ?? os.homedir();
  const localUser = src.localUser ?? os.userInfo().username;
  const fromConfig = resolveSshConfig(config, alias, src);
  const defaultIdentity = DEFAULT_IDENTITIES.map((f) => path.join(home, '.ssh', f)).find((f) => fs.existsSync(f));
  const identity = (explicit: string | undefined, configured: string[]) =>
    (explicit && expandHome(explicit, home)) ?? configured.find((f) => fs.existsSync(f)) ?? defaultIdentity;
  const target: Endpoint = {
    alias,
    address: inv.address ?? fromConfig.hostName ?? alias,
    port: inv.port ?? fromConfig.port ?? 22,
    user: inv.user ?? fromConfig.user ?? localUser,
    identityFile: identity(inv.identityFile, fromConfig.identityFiles),
  };
  const hops =
    inv.proxyJump === undefined
      ? fromConfig.proxyJump
      : inv.proxyJump === 'none'
        ? []
        : inv.proxyJump.split(',').map((h) => parseJumpHop(h.trim()));
  const jumps = hops.map((hop): Endpoint => {
    const c = resolveSshConfig(config, hop.alias, src);
    return {
      alias: hop.alias,
      address: c.hostName ?? hop.alias,
      port: hop.port ?? c.port ?? 22,
      user: hop.user ?? c.user ?? localUser,
      identityFile: identity(undefined, c.identityFiles),
    };
  });
  return {
    target,
    jumps,
    knownHostsFile: (inv.knownHostsFile && expandHome(inv.knownHostsFile, home)) ?? fromConfig.userKnownHostsFiles[0] ?? path.join(home, '.ssh', 'known_hosts'),
  };
}
