// The configuration part of the router playbook (kernel modules, sysctls, rc.conf, frr.conf):
// the work an Ansible playbook can do the same way, so the two are compared on equal terms. The
// runtime steps (tunnels, routes, FRR reloads, verification) need the rest of the lab and are left out.
import { definePlaybook } from '../../src/engine/playbook';
import type { Task } from '../../src/engine/task';
import type { HostConfig } from '../../src/inventory/schema';
import { hostTasks } from '../../playbooks/_edge';

const CONFIG_TASK = /^(kld: |loader: |sysctl: |rc\.conf: |frr: \/)/;

export function configTasks(host: HostConfig): Task[] {
  // dependencies and handlers point at runtime tasks that are not part of this playbook
  return hostTasks(host)
    .filter((t) => CONFIG_TASK.test(t.name))
    .map((t) => ({ ...t, dependsOn: undefined, notify: undefined }));
}

export const playbook = definePlaybook<HostConfig>({ name: 'router-config', tasks: configTasks });
