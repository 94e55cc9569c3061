// PV_TASKS rc.conf variables (default 5): the same playbook at two sizes, to show that a run's
// SSH round trips do not grow with the number of tasks. PV_VALUE changes the values (a fresh first run).
import { definePlaybook } from '../../src/engine/playbook';
import { sysrcTask } from '../../src/tasks/sysrc';

export const playbook = definePlaybook({
  name: 'counted',
  tasks: () => Array.from({ length: Number(process.env.PV_TASKS ?? 5) }, (_, i) => sysrcTask({ key: `pv_bench_${i}`, value: `${process.env.PV_VALUE ?? 'value'} ${i}` })),
});
