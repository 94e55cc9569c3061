// Shared by the RPKI lab tests: the upstream routers' view of a prefix, and waiting for BGP.
import * as path from 'path';
import { REPO } from '../helpers/lab';
import { requireLabState } from '../../../src/lab/state';
import { infraVtysh } from '../../../src/lab/infra-frr';

export const OWN = '2a06:9801:1c::/48';
export const NO_ROA_VRPS = path.join(REPO, 'src/lab/rpki/no-roa.json');

/** The prefix's paths in an infrastructure router's BGP table (vtysh inside its namespaces). */
export async function pathsAt(router: string, prefix = OWN): Promise<number> {
  const out = await infraVtysh(requireLabState().anchors[router], `show bgp ipv6 unicast ${prefix} json`);
  const doc = JSON.parse(out || '{}') as { paths?: unknown[] };
  return doc.paths?.length ?? 0;
}

export async function until(what: string, cond: () => Promise<boolean>, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** The run's exit code with its failed tasks and the lines that say why, so a failure shows it. */
export const outcome = (r: { code: number; stdout: string }) => ({
  code: r.code,
  failed: r.stdout.split('\n').filter((_, i, all) => all.slice(Math.max(0, i - 4), i + 1).some((l) => /\sfailed\s/.test(l))),
});
