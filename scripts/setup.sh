#!/usr/bin/env bash
# Everything the demo and the tests need on a fresh Debian 12 machine, as root: Debian packages
# for the lab, the npm dependencies, and the TypeScript build. Safe to run again: each step is
# skipped when already done.
set -euo pipefail
cd "$(dirname "$0")/.."

# The lab: real FRR and OpenSSH inside network namespaces, nftables for pf, socat for the
# management path and the echo host, iputils ping for ping/ping6, stayrtr and FRR's rpki module
# for RPKI origin validation (docs/rpki.md).
packages=(frr frr-pythontools frr-rpki-rtrlib stayrtr openssh-server nftables iputils-ping socat curl iproute2 util-linux netcat-openbsd patchelf)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  # Packages must not start their own daemons on the machine: the lab starts its own, in namespaces.
  added_policy=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; added_policy=1; fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  [ "$added_policy" = 1 ] && rm -f /usr/sbin/policy-rc.d
fi

# FRR 10 for the emulated FreeBSD hosts, from Debian 13 into a private root (scripts/frr10.sh).
bash scripts/frr10.sh

# npm dependencies: reinstall only when package-lock.json changed since the last install.
if [ ! -f node_modules/.package-lock.json ] || ! cmp -s <(sed -n '1,3p' package-lock.json) <(sed -n '1,3p' node_modules/.package-lock.json) || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
npx tsc -p tsconfig.json
