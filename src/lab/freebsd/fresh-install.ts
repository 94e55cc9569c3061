// The configuration files of a freshly installed FreeBSD 14 host (bsdinstall + `pkg install frr`)
// that the lab seeds into a new lab host's filesystem. /etc/defaults/rc.conf is a faithful subset
// of FreeBSD's: the variables the lab's rc scripts, sysrc and the project read, with FreeBSD's
// default values and comments [SRC libexec/rc/rc.conf, from memory where not in research §3–§4].

export interface FreshInstallInterface {
  /** FreeBSD interface name, e.g. vtnet0 */
  name: string;
  /** "a.b.c.d/len" */
  inet?: string;
  /** "addr/len" */
  inet6?: string;
}

export interface FreshInstallOptions {
  hostname: string;
  interfaces: FreshInstallInterface[];
  defaultrouter?: string;
  ipv6Defaultrouter?: string;
  /** the frr package is installed (default true): /usr/local/etc/rc.d/frr and /usr/local/etc/frr/ */
  frr?: boolean;
}

export const DEFAULTS_RC_CONF = `#!/bin/sh

# This is rc.conf - a file full of useful variables that you can set
# to change the default startup behavior of your system.  You should
# not edit this file!  Put any overrides into one of the \${rc_conf_files}
# instead and you will be able to update these defaults later without
# spamming your local configuration information.
#
# The \${rc_conf_files} files should only contain values which override
# values set in this file.  This eases the upgrade path when defaults
# are changed and new features are added.
#
# All arguments must be in double or single quotes.
#
# For a more detailed explanation of all the rc.conf variables, please
# refer to the rc.conf(5) manual page.
#
# (Lab note: a subset of FreeBSD 14's file, the variables the lab implements.)

##############################################################
###  Important initial Boot-time options  ####################
##############################################################

rc_conf_files="/etc/rc.conf /etc/rc.conf.local"
kld_list=""		# Kernel modules to load after local disks are mounted
kldxref_enable="YES"	# Build linker.hints files with kldxref(8).

##############################################################
###  Network configuration sub-section  ######################
##############################################################

### Basic network and firewall/security options: ###
hostname=""			# Set this!
pf_enable="NO"			# Set to YES to enable packet filter (pf)
pf_rules="/etc/pf.conf"		# rules definition file for pf (nonexistent
				# by default)
pf_program="/sbin/pfctl"	# where the pfctl program lives
pf_flags=""			# additional flags for pfctl
pf_fallback_rules_enable="NO"	# Use rules defined in pf_fallback_rules
pf_fallback_rules_file="/etc/pf-fallback.conf" # rules file on ruleset load failure
pflog_enable="NO"		# Set to YES to enable packet filter logging
pflog_logfile="/var/log/pflog"	# where pflogd should store the logfile
pflog_program="/sbin/pflogd"	# where the pflogd program lives
pflog_flags=""			# additional flags for pflogd
icmp_drop_redirect="auto" 	# Set to YES to ignore ICMP REDIRECT packets
network_interfaces="auto"	# List of network interfaces (or "auto").
cloned_interfaces=""		# List of cloned network interfaces to create.
#cloned_interfaces="gif0 gif1 gif2 gif3" # Pre-cloning GENERIC config.
cloned_interfaces_sticky="NO"	# Mark cloned interfaces as sticky.
gif_interfaces=""		# List of GIF tunnels.
#gif_interfaces="gif0 gif1"	# Examples typically for a router.
				# Choose correct tunnel addrs.
#gifconfig_gif0="100.64.0.1 100.64.0.2"	# Examples typically for a router.
#gifconfig_gif1="100.64.0.1 100.64.0.3"	# Examples typically for a router.
ifconfig_lo0="inet 127.0.0.1"	# default loopback device configuration.
#ifconfig_lo0_alias0="inet 127.0.0.254 netmask 0xffffffff" # Sample alias entry.
#ifconfig_em0_ipv6="inet6 2001:db8:1::1 prefixlen 64" # Sample IPv6 addr entry
#ifconfig_em0_alias0="inet6 2001:db8:2::1 prefixlen 64" # Sample IPv6 alias
#ifconfig_sample_descr="sample description"	# Sample interface description

### Network daemon (miscellaneous) ###
sshd_enable="NO"		# Enable sshd
sshd_program="/usr/sbin/sshd"	# path to sshd, if you want a different one.
sshd_flags=""			# Additional flags for sshd.

### Network routing options: ###
defaultrouter=""		# Set to default gateway (or NO).
static_routes=""		# Set to static route list (or leave empty).
gateway_enable="NO"		# Set to YES if this host will be a gateway.

### IPv6 options: ###
ipv6_network_interfaces="auto"	# List of IPv6 network interfaces
				# (or "auto" or "none").
ipv6_activate_all_interfaces="NO"	# If NO, interfaces which have no
					# corresponding $ifconfig_IF_ipv6 is
					# marked as IFDISABLED for security
					# reason.
ipv6_defaultrouter=""		# Set to IPv6 default gateway (or NO).
#ipv6_defaultrouter="2002:c058:6301::"	# Use this for 6to4 (RFC 3068)
ipv6_static_routes=""		# Set to IPv6 static route list (or leave empty).
ipv6_gateway_enable="NO"	# Set to YES if this host will be a gateway.
ipv6_cpe_wanif="NO"		# Set to the upstream interface name if this
				# node will work as a router to forward IPv6
				# packets not explicitly addressed to itself.
`;

/** Dotted-quad netmask of an IPv4 prefix length, as bsdinstall writes it. */
function netmask(len: number): string {
  const bits = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
  return [24, 16, 8, 0].map((s) => (bits >>> s) & 0xff).join('.');
}

function splitPrefix(cidr: string): { addr: string; len: number } {
  const [addr, len] = cidr.split('/');
  if (!addr || len === undefined || !/^\d+$/.test(len)) throw new Error(`not an address/prefixlen: ${cidr}`);
  return { addr, len: Number(len) };
}

/** /etc/rc.conf as bsdinstall writes it for static addressing [MEM for the exact line order]. */
function rcConf(opts: FreshInstallOptions): string {
  const lines = [`hostname="${opts.hostname}"`];
  for (const ifc of opts.interfaces) {
    if (ifc.inet) {
      const { addr, len } = splitPrefix(ifc.inet);
      lines.push(`ifconfig_${ifc.name}="inet ${addr} netmask ${netmask(len)}"`);
    }
  }
  if (opts.defaultrouter) lines.push(`defaultrouter="${opts.defaultrouter}"`);
  for (const ifc of opts.interfaces) {
    if (ifc.inet6) {
      const { addr, len } = splitPrefix(ifc.inet6);
      lines.push(`ifconfig_${ifc.name}_ipv6="inet6 ${addr} prefixlen ${len}"`);
    }
  }
  if (opts.ipv6Defaultrouter) lines.push(`ipv6_defaultrouter="${opts.ipv6Defaultrouter}"`);
  lines.push('sshd_enable="YES"');
  lines.push('# Set dumpdev to "AUTO" to enable crash dumps, "NO" to disable');
  lines.push('dumpdev="AUTO"');
  return lines.join('\n') + '\n';
}

/**
 * A stand-in for the frr port's rc script: the lab's service(8) runs rc.d/frr.ts, this file only
 * makes the service exist (service -l, "does not exist" checks) and documents its rcorder keywords.
 */
const FRR_RC_SCRIPT = `#!/bin/sh
#
# PROVIDE: frr dynamicrouting
# REQUIRE: netif routing
# KEYWORD: nojail
#
# Lab host: service(8) runs the lab's emulation of the net/frr port's rc script.
`;

/** Every file path and its content. Files not listed (/etc/pf.conf, frr.conf) do not exist. */
export function freshInstall(opts: FreshInstallOptions): Record<string, string> {
  const files: Record<string, string> = {
    '/etc/defaults/rc.conf': DEFAULTS_RC_CONF,
    '/etc/rc.conf': rcConf(opts),
    '/boot/loader.conf': '',
    '/etc/sysctl.conf': '# $FreeBSD$\n#\n#  This file is read when going to multi-user and its contents piped thru\n#  ``sysctl\'\' to adjust kernel values.  ``man 5 sysctl.conf\'\' for details.\n#\n\n# Uncomment this to prevent users from seeing information about processes that\n# are being run under another UID.\n#security.bsd.see_other_uids=0\n',
  };
  if (opts.frr ?? true) {
    files['/usr/local/etc/rc.d/frr'] = FRR_RC_SCRIPT;
    // The port's rc script creates vtysh.conf on first start; the lab seeds it as installed state.
    files['/usr/local/etc/frr/vtysh.conf'] = 'service integrated-vtysh-config\n';
  }
  return files;
}
