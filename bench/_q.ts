import { infraVtysh } from '../src/lab/infra-frr';
import { requireLabState } from '../src/lab/state';
(async () => {
  const st = requireLabState();
  for (const r of ['ifog', 'lagrange', 'transit']) {
    if (!st.anchors[r]) continue;
    console.log('==', r);
    console.log(await infraVtysh(st.anchors[r], process.argv[2] ?? 'show bgp ipv6 unicast'));
  }
})();
