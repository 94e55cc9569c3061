// One host misbehaves, the others get the skeleton's three tasks. PV_BAD_HOST names the bad host
// and PV_FAULT what goes wrong there: "hang" (a command that never ends) or "disk" (a file too
// big for the tiny filesystem mounted at /etc/pvtest).
import { sh } from '../../../../src/shell/quote';
import { defineFact } from '../../../../src/engine/fact';
import { definePlaybook } from '../../../../src/engine/playbook';
import { defineTask } from '../../../../src/engine/task';
import type { HostConfig } from '../../../../src/inventory/schema';
import { fileTask } from '../../../../src/tasks/file';
import { playbook as skeleton } from '../../../../playbooks/skeleton';

const never = defineFact({ id: 'hang:marker', command: sh`test -e /var/run/pv-hang-done`, parse: (o) => o.code === 0 });

function badTasks(fault: string) {
  if (fault === 'hang')
    return [
      defineTask({
        name: 'hang: a command that never returns',
        facts: { done: never },
        plan: ({ done }) => (done ? [] : [{ summary: 'marker', diff: { kind: 'value', key: 'marker', before: null, after: 'present' } }]),
        apply: async (_c, io) => void (await io.exec(sh`sleep 600; touch /var/run/pv-hang-done`)),
      }),
    ];
  if (fault === 'disk') return [fileTask({ path: '/etc/pvtest/big.conf', content: 'x'.repeat(64 * 1024) + '\n', mode: '0644' })];
  throw new Error(`PV_FAULT must be hang or disk, not ${fault}`);
}

export const playbook = definePlaybook<HostConfig>({
  name: 'one-bad-host',
  tasks: (host) => (host.name === process.env.PV_BAD_HOST ? badTasks(process.env.PV_FAULT ?? '') : skeleton.tasks(host)),
});
