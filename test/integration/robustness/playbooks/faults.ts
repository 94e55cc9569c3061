// The playbook the fault tests cut in the middle of: three files (one large enough to span
// several SSH packets), an rc.conf variable and a persisted sysctl. Contents are fixed, so "old"
// and "new" are known exactly.
import { definePlaybook } from '../../../../src/engine/playbook';
import { fileTask } from '../../../../src/tasks/file';
import { sysctlTask } from '../../../../src/tasks/sysctl';
import { sysrcTask } from '../../../../src/tasks/sysrc';

/** ~96 KB, so its write crosses several SSH data packets (ssh2 sends at most 32 KB each) */
export const BIG = Array.from({ length: 3000 }, (_, i) => `line ${String(i).padStart(5, '0')} of the new big file, padded....\n`).join('');
export const SMALL = 'new small file\n';
export const FAULT_FILES = { '/etc/pv-fault-big.conf': BIG, '/etc/pv-fault-small.conf': SMALL, '/etc/pv-fault-mid.conf': BIG.slice(0, 20_000) };

export const playbook = definePlaybook({
  name: 'faults',
  tasks: () => [
    ...Object.entries(FAULT_FILES).map(([path, content]) => fileTask({ path, content, mode: '0644' })),
    sysrcTask({ key: 'pv_fault', value: 'new' }),
    sysctlTask({ oid: 'net.inet.ip.gifttl', value: '77' }),
  ],
});
