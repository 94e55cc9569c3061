// /etc/rc.d/pf (libexec/rc/rc.d/pf): start = pfctl -F all, load pf_rules with pf_flags, enable
// unless `pfctl -s info` already says Enabled; stop = disable when enabled; reload = check
// then load; check = pfctl -n -f; status = pfctl -s info. required_modules="pf" loads pf.ko.
import type { CommandResult, HostContext, ServiceScript } from '../types';
import { loadRcConf } from '../rcconf';
import { shellWords } from '../sh-words';
import { isModulePresent, loadModule } from '../kld';

async function settings(host: HostContext): Promise<{ rules: string; flags: string[] }> {
  const vars = await loadRcConf(host);
  return { rules: vars.get('pf_rules') ?? '/etc/pf.conf', flags: shellWords(vars.get('pf_flags') ?? '') };
}

function join(...rs: CommandResult[]): CommandResult {
  return { stdout: rs.map((r) => r.stdout).join(''), stderr: rs.map((r) => r.stderr).join(''), code: rs.length ? rs[rs.length - 1].code : 0 };
}

async function enabled(host: HostContext): Promise<boolean> {
  return /Enabled/.test((await host.invoke(['pfctl', '-s', 'info'])).stdout);
}

async function start(host: HostContext): Promise<CommandResult> {
  const { rules, flags } = await settings(host);
  if (!(await host.fs.exists(rules))) return { stdout: '', stderr: `/etc/rc.d/pf: WARNING: ${rules} is not readable.\n`, code: 1 };
  if (!isModulePresent(host, 'pf')) loadModule(host, 'pf');
  const out: CommandResult[] = [{ stdout: 'Enabling pf.\n', stderr: '', code: 0 }];
  await host.invoke(['pfctl', '-Fall']); // rc.d/pf sends this to /dev/null
  const load = await host.invoke(['pfctl', '-f', rules, ...flags]);
  out.push(load);
  if (load.code !== 0) out.push({ stdout: '', stderr: `/etc/rc.d/pf: WARNING: Unable to load ${rules}.\n`, code: 1 });
  if (!(await enabled(host))) out.push(await host.invoke(['pfctl', '-e']));
  return { ...join(...out), code: load.code === 0 ? 0 : 1 };
}

async function stop(host: HostContext): Promise<CommandResult> {
  if (!isModulePresent(host, 'pf') || !(await enabled(host))) return { stdout: '', stderr: '', code: 0 };
  return join({ stdout: 'Disabling pf.\n', stderr: '', code: 0 }, await host.invoke(['pfctl', '-d']));
}

async function check(host: HostContext): Promise<CommandResult> {
  const { rules } = await settings(host);
  return join({ stdout: 'Checking pf rules.\n', stderr: '', code: 0 }, await host.invoke(['pfctl', '-n', '-f', rules]));
}

async function reload(host: HostContext): Promise<CommandResult> {
  const { rules, flags } = await settings(host);
  const head = { stdout: 'Reloading pf rules.\n', stderr: '', code: 0 };
  const test = await host.invoke(['pfctl', '-n', '-f', rules]);
  if (test.code !== 0) return join(head, test);
  return join(head, await host.invoke(['pfctl', '-f', rules, ...flags]));
}

async function status(host: HostContext): Promise<CommandResult> {
  if (!isModulePresent(host, 'pf')) return { stdout: '', stderr: 'pf.ko is not loaded\n', code: 1 };
  return host.invoke(['pfctl', '-s', 'info']);
}

export const pf: ServiceScript = { rcvar: 'pf_enable', commands: { start, stop, check, reload, status } };
