// The walking skeleton: three generic tasks that exercise the engine end to end on any host
// (`provision --playbook skeleton router01`). The real FreeBSD router playbooks come later.
import { definePlaybook } from '../src/engine/playbook';
import type { HostConfig } from '../src/inventory/schema';
import { fileTask } from '../src/tasks/file';
import { sysctlTask } from '../src/tasks/sysctl';
import { sysrcTask } from '../src/tasks/sysrc';

export const playbook = definePlaybook<Pick<HostConfig, 'name' | 'role'>>({
  name: 'skeleton',
  tasks: (host) => [
    // rc.d/motd builds /var/run/motd from this template at boot
    fileTask({
      path: '/etc/motd.template',
      content: `${host.name} (${host.role}): managed by provision; local edits are overwritten.\n`,
      mode: '0644',
    }),
    sysrcTask({ key: 'gateway_enable', value: 'YES' }),
    sysctlTask({ oid: 'net.inet.ip.gifttl', value: '64' }),
  ],
});
