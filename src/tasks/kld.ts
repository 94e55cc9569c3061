// kld: a kernel module loaded now (`kldload -n`) and at every boot (rc.conf kld_list).
// research/freebsd-frr.md §0.2, §1: `kldstat -q -m M` finds a module wherever it is, compiled in
// or loaded from a file; `kldstat -n M` finds only a loaded FILE. A module present without its
// file is compiled into the kernel (if_gif in GENERIC): it is ok as it is, and listing it in
// kld_list would only make rc.d/kld try to load it and warn at boot (§1.4).
import { sh } from '../shell/quote';
import { defineFact, type Fact } from '../engine/fact';
import { defineTask, type Change, type Task } from '../engine/task';
import { sysrcFact } from './sysrc';
import { mergeWords } from './rc-conf';

const MODULE = /^[a-z][a-z0-9_]*$/;

/** where the module is: compiled into the kernel, loaded from its .ko file, or not present */
export type ModuleState = 'kernel' | 'file' | 'absent';

export function moduleFact(module: string): Fact<ModuleState> {
  if (!MODULE.test(module)) throw new Error(`invalid kernel module name ${JSON.stringify(module)}`);
  return defineFact({
    id: `kld:${module}`,
    command: sh`if kldstat -q -m ${module}; then if kldstat -n ${module} >/dev/null 2>&1; then echo file; else echo kernel; fi; else echo absent; fi`,
    parse({ stdout, stderr, code }) {
      const state = stdout.trim();
      if (code !== 0 || !['kernel', 'file', 'absent'].includes(state)) {
        throw new Error(`cannot tell whether ${module} is loaded (exit ${code}): ${(stderr || stdout).trim()}`);
      }
      return state as ModuleState;
    },
  });
}

/** kld_list words name a module by name, file name or path: "if_gre", "if_gre.ko", "/boot/modules/if_gre.ko". */
function listsModule(kldList: string | null, module: string): boolean {
  return (kldList ?? '').split(/\s+/).some((w) => w.replace(/^.*\//, '').replace(/\.ko$/, '') === module);
}

export interface KernelModuleOptions {
  /**
   * also add it to kld_list (default true). false for a module another rc script loads at boot
   * itself, e.g. pf, which rc.d/pf loads when pf_enable=YES.
   */
  persist?: boolean;
  dependsOn?: string[];
}

export function kernelModuleTask(module: string, o: KernelModuleOptions = {}): Task {
  const persist = o.persist ?? true;
  const facts = { state: moduleFact(module), kldList: sysrcFact('kld_list') };
  return defineTask({
    name: `kld: ${module}`,
    facts,
    plan({ state, kldList }) {
      if (state === 'kernel') return [];
      const changes: Change[] = [];
      if (state === 'absent') {
        changes.push({ summary: `load ${module}`, diff: { kind: 'value', key: `module ${module}`, before: 'not loaded', after: 'loaded' } });
      }
      if (persist && !listsModule(kldList, module)) {
        const after = mergeWords(kldList, module);
        changes.push({ summary: `kld_list: ${kldList ?? '(unset)'} -> ${after}`, diff: { kind: 'value', key: 'kld_list', before: kldList, after } });
      }
      return changes;
    },
    async apply(changes, io) {
      for (const c of changes) {
        // -n: a module that is already there (loaded meanwhile, or in the kernel) is not an error
        if (c.diff.kind === 'value' && c.diff.key === `module ${module}`) await io.exec(sh`kldload -n ${module}`);
        // += appends the word only when it is missing and keeps the other words (research §3)
        else await io.exec(sh`sysrc ${`kld_list+=${module}`}`);
      }
    },
    dependsOn: o.dependsOn,
    hint: `check with: kldstat -v; is ${module}.ko in /boot/kernel or /boot/modules?`,
  });
}
