// What a host's `bgp.rpki` inventory entry means for FRR on FreeBSD: the renderer's rpki model,
// and the rc.conf flag that loads bgpd's rpki module (bgpd_rpki.so, built by the net/frr10 port's
// default RPKI option) when the port's rc script starts bgpd.
import type { HostConfig } from '../inventory/schema';
import type { FrrRpki } from '../render/frr';

/**
 * bgpd_flags for rc.conf. The port's rc script uses `${bgpd_flags}` INSTEAD of its default
 * "-A 127.0.0.1" (research §4.4/§7), so the default is repeated to keep the vty on localhost;
 * without validation the default itself is written, so that turning RPKI off takes `-M rpki` away.
 */
export const BGPD_FLAGS = '-A 127.0.0.1';
export const BGPD_FLAGS_WITH_RPKI = `${BGPD_FLAGS} -M rpki`;

export function frrRpkiModel(host: HostConfig): FrrRpki | undefined {
  const r = host.bgp?.rpki;
  if (!r) return undefined;
  return { cache: { address: r.cache.address, port: r.cache.port }, dropInvalid: r.drop_invalid, preferValid: r.prefer_valid };
}

/** bgpd_flags in rc.conf, with the rpki module when the host validates; none without bgpd. */
export function rpkiRcVars(host: HostConfig): Array<[string, string]> {
  return host.bgp ? [['bgpd_flags', host.bgp.rpki ? BGPD_FLAGS_WITH_RPKI : BGPD_FLAGS]] : [];
}

/** The modules each FRR daemon must have loaded: bgpd's rpki module when the host validates. */
export function daemonModules(host: HostConfig): Record<string, string[]> {
  return host.bgp ? { bgpd: host.bgp.rpki ? ['rpki'] : [] } : {};
}
