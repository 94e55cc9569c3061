import * as path from 'path';
import { loadInventory } from '../../../src/inventory/load';
import { resolveHost } from '../../../src/inventory/resolve';
import type { HostConfig } from '../../../src/inventory/schema';
import type { Task } from '../../../src/engine/task';
import { decide, parseCacheAnswer, roaPreflightTask, rpkiPreflight, withRoaPreflight, ROA_PREFLIGHT_TASK, type CacheAnswer } from '../../../src/rpki/preflight';
import { vrp } from '../../../src/rpki/vrp';
import { frrRpkiModel, rpkiRcVars, daemonModules } from '../../../src/rpki/frr-settings';

const inv = loadInventory(path.join(__dirname, '../../../inventory/lab.yaml'));
const router01: HostConfig = resolveHost(inv, 'router01');
const vps01: HostConfig = resolveHost(inv, 'vps01');
const snapshot = (...vrps: ReturnType<typeof vrp>[]): CacheAnswer => ({ ok: true, snapshot: { version: 1, sessionId: 1, serial: 1, vrps } });
// router01 announces the operator's /48 from the operator's AS (inventory/lab.yaml)
const [OWN] = router01.bgp!.announce;
const ASN = router01.bgp!.asn;

describe('ROA preflight decision', () => {
  test('a matching ROA passes', () => {
    const o = decide(router01, snapshot(vrp(OWN, 48, ASN)), {});
    expect(o.ok).toBe(true);
    expect(o.report!.prefixes.map((p) => p.state)).toEqual(['valid']);
  });

  test('no ROA: refused, naming prefix, AS and the ROA to create', () => {
    const o = decide(router01, snapshot(vrp('2001:db8:e::/48', 64, 64500)), {});
    expect(o.ok).toBe(false);
    expect(o.message).toContain(`${OWN} from AS${ASN}: notfound (no ROA covers it)`);
    expect(o.message).toContain(`needs: ROA ${OWN} maxLength 48 AS${ASN}`);
    expect(o.message).toMatch(/--allow-unsigned/);
  });

  test('a conflicting ROA (other AS, or maxLength too short) is refused with the reason', () => {
    const other = decide(router01, snapshot(vrp(OWN, 48, 64999)), {});
    expect(other.ok).toBe(false);
    expect(other.message).toContain(`invalid (ROA ${OWN} maxLength 48 AS64999 authorizes AS64999, not AS${ASN})`);
    const shortParent = OWN.replace('/48', '/32').replace(/:1c::/, '::');
    const tooShort = decide(router01, snapshot(vrp(shortParent, 32, ASN)), {});
    expect(tooShort.ok).toBe(false);
    expect(tooShort.message).toMatch(/allows at most \/32, the route is \/48/);
  });

  test('--allow-unsigned lets it through, still saying what is wrong', () => {
    const o = decide(router01, snapshot(), { allowUnsigned: true });
    expect(o.ok).toBe(true);
    expect(o.message).toMatch(/notfound[\s\S]*--allow-unsigned/);
  });

  test('an unreachable cache refuses too (nothing is known), unless --allow-unsigned', () => {
    const down = parseCacheAnswer({ stdout: '', stderr: 'nc: connect to 198.51.100.1 port 3323 (tcp) failed: Connection refused\n', code: 0 }, '198.51.100.1:3323');
    expect(down).toEqual({ ok: false, error: expect.stringContaining('Connection refused') });
    expect(decide(router01, down, {}).ok).toBe(false);
    expect(decide(router01, down, { allowUnsigned: true }).ok).toBe(true);
  });

  test('rpkiPreflight runs the RTR fetch through the given exec', async () => {
    const seen: string[] = [];
    const o = await rpkiPreflight(router01, async (cmd) => {
      seen.push(cmd.text);
      return { stdout: '', stderr: 'nc: timeout', code: 0, durationMs: 1 };
    });
    expect(seen[0]).toMatch(/\| nc -w 2 198\.51\.100\.1 3323 \| od -An -v -tx1$/);
    expect(o.ok).toBe(false);
  });
});

describe('roaPreflightTask / withRoaPreflight', () => {
  const fakeTask = (name: string, dependsOn?: string[]): Task => ({ name, facts: {}, plan: () => [], apply: async () => undefined, ...(dependsOn ? { dependsOn } : {}) });

  test('plan fails with the finding (so --check reports it too) and never has changes', () => {
    const t = roaPreflightTask(router01);
    expect(t.name).toBe(ROA_PREFLIGHT_TASK);
    expect(() => t.plan({ answer: snapshot() })).toThrow(/notfound/);
    expect(t.plan({ answer: snapshot(vrp(OWN, 48, ASN)) })).toEqual([]);
    expect(roaPreflightTask(router01, { allowUnsigned: true }).plan({ answer: snapshot() })).toEqual([]);
    expect(roaPreflightTask(router01, { allowUnsigned: true }).name).toMatch(/not enforced: --allow-unsigned/);
    // overridden, the findings are still reported: as the host's warnings
    const overridden = roaPreflightTask(router01, { allowUnsigned: true }).warnings!({ answer: snapshot() });
    expect(overridden).toEqual([expect.stringContaining(`needs: ROA ${OWN} maxLength 48 AS${ASN}`)]);
    expect(t.warnings!({ answer: snapshot(vrp(OWN, 48, ASN)) })).toEqual([]);
  });

  test('goes first, as a precondition of the whole play; the other tasks are untouched', () => {
    const tasks = [fakeTask('kld: if_gre'), fakeTask('frr: /usr/local/etc/frr/frr.conf', ['kld: if_gre'])];
    const out = withRoaPreflight(router01, tasks);
    expect(out.map((t) => t.name)).toEqual([ROA_PREFLIGHT_TASK, 'kld: if_gre', 'frr: /usr/local/etc/frr/frr.conf']);
    expect(out[0].precondition).toBe(true);
    expect(out.slice(1)).toEqual(tasks);
  });

  test('hosts without bgp.rpki, and plays that do not write frr.conf, keep their tasks as they are', () => {
    const tasks = [fakeTask('frr: /usr/local/etc/frr/frr.conf')];
    expect(withRoaPreflight(vps01, tasks)).toBe(tasks);
    const skeleton = [fakeTask('sysctl: net.inet.ip.forwarding'), fakeTask('file: /etc/motd.template')];
    expect(withRoaPreflight(router01, skeleton)).toBe(skeleton);
  });
});

describe('FRR settings from bgp.rpki', () => {
  test('renderer model and bgpd_flags with the rpki module (vty kept on localhost)', () => {
    expect(frrRpkiModel(router01)).toEqual({ cache: { address: '198.51.100.1', port: 3323 }, dropInvalid: true, preferValid: false });
    expect(rpkiRcVars(router01)).toEqual([['bgpd_flags', '-A 127.0.0.1 -M rpki']]);
    expect(frrRpkiModel(vps01)).toBeUndefined();
    expect(rpkiRcVars(vps01)).toEqual([]);
    // a BGP router without validation gets the port's default back: turning RPKI off unloads the module
    const plain = { ...router01, bgp: { ...router01.bgp!, rpki: undefined } };
    expect(rpkiRcVars(plain)).toEqual([['bgpd_flags', '-A 127.0.0.1']]);
    expect(daemonModules(plain)).toEqual({ bgpd: [] });
    expect(daemonModules(router01)).toEqual({ bgpd: ['rpki'] });
    expect(daemonModules(vps01)).toEqual({});
  });
});
