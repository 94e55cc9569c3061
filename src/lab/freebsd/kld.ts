// kldstat(8), kldload(8), kldunload(8) for an emulated GENERIC amd64 kernel. Formats and exit
// codes follow research §1.1–§1.3 (kldstat.c / kldload.c printf strings). Addresses, sizes and
// module ids are invented but stable (fixtures/freebsd/README.md).
import type { FreeBSDCommand, HostContext } from './types';
import { fail, ok } from './types';
import { parseOptions } from './system';

/** A loadable kernel file in /boot/kernel: the modules it declares and the files it needs first. */
interface KldFile {
  modules: string[];
  size: number;
  depends: string[];
}

/** Modules compiled into GENERIC amd64 (research §1.2: `device gif`; also `device vlan`, `device tuntap` [MEM]). */
const KERNEL_MODULES = ['if_gif', 'if_vlan', 'if_tuntap'];
const KERNEL_SIZE = 0x1f3e2d0;

/**
 * Files the lab can kldload. if_gre, pf, pflog are what the project uses (research §1.4, §4.5);
 * pfsync and if_bridge/bridgestp show dependency loading; if_wg is in 14.x base. Sizes invented.
 */
const LOADABLE: Record<string, KldFile> = {
  'if_gre.ko': { modules: ['if_gre'], size: 0x8c08, depends: [] },
  'pf.ko': { modules: ['pf'], size: 0x59b40, depends: [] },
  'pflog.ko': { modules: ['pflog'], size: 0x3c40, depends: ['pf.ko'] },
  'pfsync.ko': { modules: ['pfsync'], size: 0x1d3f0, depends: ['pf.ko'] },
  'bridgestp.ko': { modules: ['bridgestp'], size: 0x8d50, depends: [] },
  'if_bridge.ko': { modules: ['if_bridge'], size: 0x10a38, depends: ['bridgestp.ko'] },
  'if_wg.ko': { modules: ['if_wg'], size: 0x1c5a8, depends: [] },
};

const KERNEL_ADDRESS = 0xffffffff80200000n;
const FIRST_MODULE_ADDRESS = 0xffffffff82000000n;
const FIRST_LOADED_MODULE_ID = 500; // compiled-in modules have the low ids

/** File name as the kernel stores it: basename, with ".ko" added when missing. */
function koName(name: string): string {
  const base = name.slice(name.lastIndexOf('/') + 1);
  return base === 'kernel' || base.endsWith('.ko') ? base : `${base}.ko`;
}

function fileId(host: HostContext, file: string): number {
  return file === 'kernel' ? 1 : host.kernel.counters[`kld.file.${file}`];
}

/** A module's id: compiled-in ones are numbered from 1 in kernel order, loaded ones when loaded. */
function moduleId(host: HostContext, mod: string): number {
  const builtin = KERNEL_MODULES.indexOf(mod);
  return builtin >= 0 ? builtin + 1 : host.kernel.counters[`kld.mod.${mod}`];
}

/** Files in the kernel, in id order: the kernel itself, then kernel.kld.loaded. */
function loadedFiles(host: HostContext): string[] {
  return ['kernel', ...host.kernel.kld.loaded];
}

function modulesOf(file: string): string[] {
  return file === 'kernel' ? KERNEL_MODULES : (LOADABLE[file]?.modules ?? []);
}

/** Is module `name` in the running kernel, compiled in or loaded (kldstat -q -m)? */
export function isModulePresent(host: HostContext, name: string): boolean {
  return loadedFiles(host).some((f) => modulesOf(f).includes(name));
}

/** Is file `name` (with or without .ko) loaded (kldstat -q -n)? */
export function isFileLoaded(host: HostContext, name: string): boolean {
  return loadedFiles(host).includes(koName(name));
}

export type LoadResult = { ok: true; id: number } | { ok: false; error: 'EEXIST' | 'ENOENT' };

/**
 * kldload(2): load a file and, first, the files it depends on. EEXIST when the file is loaded or
 * one of its modules is already in the kernel (so `if_gif` on GENERIC); ENOENT when /boot/kernel
 * has no such file. ifconfig uses this to auto-load if_gre on `ifconfig gre0 create`.
 */
export function loadModule(host: HostContext, name: string): LoadResult {
  const file = koName(name);
  const stem = file.replace(/\.ko$/, '');
  if (isFileLoaded(host, file) || KERNEL_MODULES.includes(stem)) return { ok: false, error: 'EEXIST' };
  const def = LOADABLE[file];
  if (!def) return { ok: false, error: 'ENOENT' };
  for (const dep of def.depends) if (!isFileLoaded(host, dep)) loadModule(host, dep);
  const counters = host.kernel.counters;
  const id = (counters['kld.nextFileId'] ??= 2);
  counters['kld.nextFileId'] = id + 1;
  counters[`kld.file.${file}`] = id;
  for (const mod of def.modules) {
    const modId = (counters['kld.nextModId'] ??= FIRST_LOADED_MODULE_ID);
    counters['kld.nextModId'] = modId + 1;
    counters[`kld.mod.${mod}`] = modId;
  }
  host.kernel.kld.loaded.push(file);
  return { ok: true, id };
}

/** Files that must be unloaded before `file` can go (EBUSY otherwise). */
function dependents(host: HostContext, file: string): string[] {
  return host.kernel.kld.loaded.filter((f) => LOADABLE[f]?.depends.includes(file));
}

/** Address of each loaded file: packed one after another from a fixed base, page aligned. */
function addresses(host: HostContext): Map<string, bigint> {
  const map = new Map<string, bigint>([['kernel', KERNEL_ADDRESS]]);
  let next = FIRST_MODULE_ADDRESS;
  for (const f of host.kernel.kld.loaded) {
    map.set(f, next);
    next += (BigInt(LOADABLE[f].size) + 0xfffn) & ~0xfffn;
  }
  return map;
}

function refs(host: HostContext, file: string): number {
  // The kernel is referenced by every other file; a module by the files that depend on it.
  return file === 'kernel' ? host.kernel.kld.loaded.length + 1 : 1 + dependents(host, file).length;
}

const PTR_WIDTH = 18; // sizeof(void *) * 2 + 2 on amd64
const HEADER = `Id Refs Address${' '.repeat(PTR_WIDTH - 7)} ${'Size'.padStart(8)} Name\n`;

function fileRow(host: HostContext, file: string, verbose: boolean, addr: bigint): string {
  const size = file === 'kernel' ? KERNEL_SIZE : LOADABLE[file].size;
  let row =
    `${String(fileId(host, file)).padStart(2)} ${String(refs(host, file)).padStart(4)} ` +
    `${('0x' + addr.toString(16)).padStart(PTR_WIDTH)} ${size.toString(16).padStart(8)} ${file}`;
  if (!verbose) return row + '\n';
  row += ` (/boot/kernel/${file})\n\tContains modules:\n\t\t Id Name\n`;
  for (const mod of modulesOf(file)) row += `\t\t${String(moduleId(host, mod)).padStart(3)} ${mod}\n`;
  return row;
}

const KLDSTAT_USAGE = 'usage: kldstat [-dhqv] [-i id] [-n filename]\n       kldstat [-dq] [-m modname]\n';

export const kldstat: FreeBSDCommand = async (inv, host) => {
  const opts = parseOptions('kldstat', inv.argv.slice(1), 'i:m:n:qv');
  if ('error' in opts) return fail(opts.error + KLDSTAT_USAGE);
  if (opts.operands.length > 0) return fail(KLDSTAT_USAGE);
  const { flags, values } = opts;
  const quiet = flags.has('q');

  const modname = values.m;
  if (modname !== undefined) {
    if (!isModulePresent(host, modname)) {
      return quiet ? fail('') : fail(`kldstat: can't find module ${modname}: No such file or directory\n`);
    }
    if (quiet) return ok();
    return ok(`Id  Refs Name\n${String(moduleId(host, modname)).padStart(3)} ${String(1).padStart(4)} ${modname}\n`);
  }

  const addr = addresses(host);
  let only: string | undefined;
  if (values.n !== undefined) {
    // research §1.2: recent kldstat honours -q with -n [MEM which release]; the lab follows recent source.
    if (!isFileLoaded(host, values.n)) {
      return quiet ? fail('') : fail(`kldstat: can't find file ${values.n}: No such file or directory\n`);
    }
    if (quiet) return ok();
    only = koName(values.n);
  } else if (values.i !== undefined) {
    const id = Number(values.i);
    only = loadedFiles(host).find((f) => fileId(host, f) === id);
    if (!only) return fail(`kldstat: can't stat file id ${values.i}: No such file or directory\n`, 1, HEADER);
  }
  const files = only ? [only] : loadedFiles(host);
  return ok(HEADER + files.map((f) => fileRow(host, f, flags.has('v'), addr.get(f)!)).join(''));
};

export const kldload: FreeBSDCommand = async (inv, host) => {
  const opts = parseOptions('kldload', inv.argv.slice(1), 'nqv');
  const usage = 'usage: kldload [-nqv] file ...\n';
  if ('error' in opts) return fail(opts.error + usage);
  if (opts.operands.length === 0) return fail(usage);
  const { flags } = opts;
  let stdout = '';
  let stderr = '';
  let errors = 0;
  for (const name of opts.operands) {
    const r = loadModule(host, name);
    if (r.ok) {
      if (flags.has('v')) stdout += `Loaded ${name}, id=${r.id}\n`;
    } else if (r.error === 'EEXIST' && flags.has('n')) {
      if (flags.has('v')) stdout += `${name} is already loaded\n`;
    } else {
      errors++;
      stderr +=
        r.error === 'EEXIST'
          ? `kldload: can't load ${name}: module already loaded or in kernel\n`
          : `kldload: can't load ${name}: No such file or directory\n`;
    }
  }
  return { stdout, stderr, code: errors ? 1 : 0 };
};

export const kldunload: FreeBSDCommand = async (inv, host) => {
  const opts = parseOptions('kldunload', inv.argv.slice(1), 'fvin');
  const usage = 'usage: kldunload [-fv] -i id ...\n       kldunload [-fv] [-n] name ...\n';
  if ('error' in opts) return fail(opts.error + usage);
  if (opts.operands.length === 0) return fail(usage);
  let stdout = '';
  for (const arg of opts.operands) {
    const file = opts.flags.has('i')
      ? loadedFiles(host).find((f) => fileId(host, f) === Number(arg))
      : loadedFiles(host).find((f) => f === koName(arg));
    if (!file) {
      const what = opts.flags.has('i') ? `can't find file id ${arg}` : `can't find file ${arg}`;
      return fail(`kldunload: ${what}: No such file or directory\n`, 1, stdout);
    }
    if (file === 'kernel' || dependents(host, file).length > 0) {
      return fail(`kldunload: can't unload file: Device busy\n`, 1, stdout);
    }
    if (opts.flags.has('v')) stdout += `Unloading ${file}, id=${fileId(host, file)}\n`;
    unloadFile(host, file);
  }
  return ok(stdout);
};

function unloadFile(host: HostContext, file: string): void {
  host.kernel.kld.loaded = host.kernel.kld.loaded.filter((f) => f !== file);
  delete host.kernel.counters[`kld.file.${file}`];
  for (const mod of LOADABLE[file].modules) delete host.kernel.counters[`kld.mod.${mod}`];
}
