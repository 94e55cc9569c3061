// Boot of an emulated FreeBSD host: rebuild the runtime state from the host's configuration
// files (/boot/loader.conf, /etc/sysctl.conf, /etc/rc.conf…), as FreeBSD's loader and rc do
// (src/lab/freebsd/rc.ts). The console log is kept in /var/run/lab/console.log on the host.
import type { CommandResult, HostContext } from '../freebsd/types';
import { boot } from '../freebsd/rc';

export async function bootHost(host: HostContext): Promise<CommandResult> {
  const log = await boot(host);
  await host.fs.write('/var/run/lab/console.log', log);
  return { stdout: log, stderr: '', code: 0 };
}
