// The configuration part of the router playbook (kld, sysctl, rc.conf, frr.conf tasks), the same
// one the Ansible comparison uses: it needs no other lab host, so the robustness tests can run it.
export { playbook } from '../../../../bench/playbooks/router-config';
