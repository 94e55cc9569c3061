// Free text a playbook author passes on (from a form, a ticket, an API): PV_HOSTILE goes verbatim
// into a file and into an rc.conf variable.
import { definePlaybook } from '../../../../src/engine/playbook';
import { fileTask } from '../../../../src/tasks/file';
import { sysrcTask } from '../../../../src/tasks/sysrc';

export const playbook = definePlaybook({
  name: 'hostile',
  tasks: () => {
    const text = process.env.PV_HOSTILE ?? '';
    return process.env.PV_HOSTILE_IN === 'rc.conf'
      ? [sysrcTask({ key: 'pv_hostile', value: text })]
      : [fileTask({ path: '/etc/pv-hostile.txt', content: text, mode: '0644' })];
  },
});
