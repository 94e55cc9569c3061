// The contract between the lab's kernel server (src/lab/kernel/) and the emulated FreeBSD
// commands (src/lab/freebsd/*.ts). A lab host's `kldstat`, `sysctl`, `ifconfig`… are thin
// clients: they send argv to the lab kernel server, which runs the command's TypeScript
// implementation against that host's state and sends back stdout, stderr and the exit code.

/** One invocation of an emulated command, as the client on the lab host sent it. */
export interface Invocation {
  /** argv[0] is the command name as invoked (basename), e.g. "kldstat". */
  argv: string[];
  /** Working directory of the caller on the lab host (for relative paths such as `sysrc -f x`). */
  cwd: string;
  /** Environment of the caller (PATH, and anything a command needs to honour). */
  env: Record<string, string>;
}

export interface CommandResult {
  stdout: string;
  stderr: string;
  code: number;
}

/** Result of running a real Linux program for the emulation (ip, nft, FRR daemons…). */
export interface RunResult {
  stdout: string;
  stderr: string;
  code: number;
}

/** Which of the lab host's namespaces a real program runs in. */
export type NsScope =
  | 'net' // the host's network namespace only (ip, nft, Linux sysctl, ping)
  | 'all'; // network + mount + UTS namespaces: the host's own filesystem view (FRR daemons, vtysh)

/**
 * File access in the lab host's own filesystem view, by the absolute path a FreeBSD tool would
 * use (/etc/rc.conf, /boot/loader.conf, /usr/local/etc/frr/frr.conf…).
 */
export interface HostFs {
  read(path: string): Promise<string | null>; // null when the file does not exist
  write(path: string, content: string, mode?: number): Promise<void>; // atomic (temp + rename)
  exists(path: string): Promise<boolean>;
  remove(path: string): Promise<void>;
}

/** A FIB number's Linux routing table: FIB 0 is "main", FIB n>0 is table 1000+n. */
export function fibTable(fib: number): number {
  return fib === 0 ? 254 : 1000 + fib;
}

/**
 * Emulated kernel state that Linux cannot hold for us. It lives as long as the lab host is up
 * ("runtime state"): the kernel server keeps it in memory, writes it through to
 * <hostdir>/run/lab/kernel.json, and `provision lab reboot` throws it away.
 * Each section is owned by the module named beside it.
 */
export interface KernelState {
  /** kld.ts: files loaded with kldload (e.g. "if_gre.ko"), in load order. Compiled-in modules are not here. */
  kld: { loaded: string[] };
  /** sysctl.ts: values changed at runtime, by OID; OIDs absent here have their default value. */
  sysctl: Record<string, string>;
  /** ifconfig.ts: per FreeBSD interface facts Linux has no place for. */
  ifaces: Record<string, IfaceMeta>;
  /** pfctl.ts: pf status and the ruleset text loaded last. */
  pf: { enabled: boolean; rules: string | null; rulesFile: string | null };
  /** service.ts: state of emulated services (e.g. { frr: { running: true, daemons: [...] } }). */
  services: Record<string, { running: boolean; detail?: Record<string, unknown> }>;
  /** next ids handed out (kldstat ids, interface indexes…) */
  counters: Record<string, number>;
}

export interface IfaceMeta {
  /** Linux device name inside the host namespace (FreeBSD lo0 is Linux "lo"; others keep their name). */
  linux: string;
  kind: 'physical' | 'loopback' | 'gif' | 'gre' | 'mgmt';
  fib: number;
  tunnelfib: number;
  tunnel: { src: string; dst: string } | null;
  description: string | null;
  up: boolean;
  mtu: number;
  /** inet6 addresses as FreeBSD shows them: address, prefixlen, optional p2p destination */
  inet6: Array<{ addr: string; prefixlen: number; dest?: string }>;
  inet: Array<{ addr: string; netmask: string; dest?: string }>;
}

/** What an emulated command can see and do on its lab host. */
export interface HostContext {
  /** Lab host name, e.g. "router01". */
  readonly name: string;
  readonly fs: HostFs;
  /** Runtime state; mutate it in place, the server persists it after each command. */
  readonly kernel: KernelState;
  /** Run a real Linux program inside the host's namespaces (argv, no shell). */
  run(argv: string[], opts?: { ns?: NsScope; stdin?: string; detached?: boolean }): Promise<RunResult>;
  /** Run another emulated command on the same host, as FreeBSD's rc scripts call ifconfig or route. */
  invoke(argv: string[]): Promise<CommandResult>;
  /** Power-cycle this host a moment after the current command returns (reboot(8), shutdown -r). */
  powerCycle(): void;
}

/** An emulated FreeBSD command. It never throws for user errors: it returns FreeBSD's message and exit code. */
export type FreeBSDCommand = (inv: Invocation, host: HostContext) => Promise<CommandResult>;

/** A service known to the emulated service(8) and rc boot: /etc/rc.d/NAME or /usr/local/etc/rc.d/NAME. */
export interface ServiceScript {
  /** rcvar that enables it ("frr_enable"), or null for services that always run (netif, routing). */
  rcvar: string | null;
  /** the verbs it supports: start, stop, restart, reload, status, plus extras like "static" for routing. */
  commands: Record<string, (host: HostContext, args: string[]) => Promise<CommandResult>>;
}

export const ok = (stdout = ''): CommandResult => ({ stdout, stderr: '', code: 0 });
export const fail = (stderr: string, code = 1, stdout = ''): CommandResult => ({ stdout, stderr, code });
