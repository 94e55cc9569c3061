// `provision lab reboot HOST`: what a power cycle does to a FreeBSD host. Every process dies
// (FRR, SSH sessions), cloned interfaces vanish, addresses, routes, rules and the firewall are
// gone, /var/run is emptied and the emulated kernel state is thrown away; then the host boots
// from its configuration files and sshd starts again. The files on disk survive, and so does the
// out-of-band mgmt0 (it is the console, not part of the host's configuration).
import * as fs from 'fs';
import * as path from 'path';
import { control } from './kernel/control';
import { nodePaths, nsName } from './paths';
import { startSshd } from './sshd';
import { requireLabState } from './state';
import { runProgram, sys } from './sys';
import { splitCidr } from './ip';
import { SEGMENT_MTU } from './network';

async function netnsPids(ns: string): Promise<number[]> {
  const r = await runProgram(['/usr/sbin/ip', 'netns', 'pids', ns]);
  return r.stdout.split(/\s+/).filter(Boolean).map(Number);
}

export async function labReboot(host: string, dir?: string, say: (m: string) => void = console.log): Promise<void> {
  const state = requireLabState(dir);
  const spec = state.topology.hosts[host];
  if (!spec) throw new Error(`no lab FreeBSD host named ${host} (hosts: ${Object.keys(state.topology.hosts).join(', ')})`);
  const anchor = state.anchors[host];
  const ns = nsName(host);
  const np = nodePaths(host, dir);

  const victims = (await netnsPids(ns)).filter((p) => p !== anchor);
  for (const p of victims) {
    try {
      process.kill(p, 'SIGKILL');
    } catch {
      // gone already
    }
  }
  const deadline = Date.now() + 5000;
  while (victims.some((p) => fs.existsSync(`/proc/${p}`)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));

  const links = JSON.parse(await sys(['/usr/sbin/ip', '-n', ns, '-j', 'link', 'show'])) as Array<{ ifname: string }>;
  const physical = new Set(Object.keys(spec.interfaces));
  const keep = new Set(['lo', 'mgmt0', ...physical]);
  const oobLen = splitCidr(state.topology.oob.subnet).prefixlen;
  const links0: string[] = [];
  for (const l of links) if (!keep.has(l.ifname)) links0.push(`link del dev ${l.ifname}`);
  for (const l of links.filter((x) => keep.has(x.ifname))) links0.push(`addr flush dev ${l.ifname}`);
  for (const p of physical) links0.push(`link set dev ${p} down mtu ${SEGMENT_MTU}`);
  const rules = (fam: '-4' | '-6') => ['route flush table all', 'rule flush', 'rule add pref 32766 from all lookup main', ...(fam === '-4' ? ['rule add pref 32767 from all lookup default'] : [])];
  const addrs = ['addr add 127.0.0.1/8 dev lo', 'addr add ::1/128 dev lo', `addr add ${spec.mgmt}/${oobLen} dev mgmt0`, 'link set mgmt0 up'];
  // -force: keep going past lines that have nothing to do (a flush of an empty table). Batch
  // lines take no options, so each address family gets its own batch.
  for (const [fam, lines] of [[[], links0], [['-4'], rules('-4')], [['-6'], rules('-6')], [[], addrs]] as const) {
    await runProgram(['/usr/sbin/ip', '-n', ns, ...fam, '-force', '-batch', '-'], { input: lines.join('\n') + '\n' });
  }
  const enterNet = ['/usr/bin/nsenter', '-t', String(anchor), '-n', '--'];
  await sys([...enterNet, '/usr/sbin/nft', 'flush', 'ruleset']);
  await sys([...enterNet, '/bin/sh', '-c', 'for f in /proc/sys/net/ipv4/ip_forward /proc/sys/net/ipv6/conf/all/forwarding /proc/sys/net/ipv6/conf/default/forwarding; do echo 0 > $f; done']);

  for (const entry of fs.readdirSync(np.run)) if (entry !== 'lab') fs.rmSync(path.join(np.run, entry), { recursive: true, force: true });

  const r = await control({ op: 'reset', host }, dir);
  if (!r.ok) throw new Error(`reboot of ${host}: ${r.error}`);
  await startSshd(anchor, np);
  if (r.result && r.result.code !== 0) say(`lab: ${host} booted with errors (exit ${r.result.code}):\n${r.result.stderr}`);
  say(`lab: ${host} rebooted`);
}
