#!/usr/bin/env bash
# FRR 10 for the lab's emulated FreeBSD hosts (the FreeBSD port is net/frr10). Debian 12 ships
# only FRR 8.4, so this takes Debian 13's frr (10.3, the grammar family of the port's 10.x) and
# the libraries it links into a private root, and points its binaries at that root's own dynamic
# loader and libraries with patchelf. The machine's apt sources, package lists and libc are never
# touched (shared research: lab-notes.md, "FRR 10 on this machine"). Idempotent: a complete root
# is left alone.
set -euo pipefail
ROOT=${PROVISION_FRR10_ROOT:-/opt/provision-frr10}
[ -f "$ROOT/.complete" ] && exit 0

PACKAGES=(frr frr-pythontools frr-rpki-rtrlib librtr0t64 libc6 libyang3 libreadline8t64 libcares2
  liblua5.3-0 libprotobuf-c1 libunwind8 libjson-c5 libcap2 libcrypt1 libpam0g libpcre2-8-0
  libssl3t64 libtinfo6 libgcc-s1 liblzma5 libzstd1)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/sources" "$work/state/lists/partial" "$work/cache/archives/partial" "$work/debs"
cat >"$work/sources/trixie.sources" <<'EOF'
Types: deb
URIs: http://deb.debian.org/debian
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
# A private apt configuration: its own source list, state and cache; no status file, so apt
# resolves nothing against the machine's installed packages.
apt_private=(-o "Dir::Etc::SourceList=/dev/null" -o "Dir::Etc::SourceParts=$work/sources"
  -o "Dir::State=$work/state" -o "Dir::Cache=$work/cache" -o "Dir::State::status=/dev/null"
  -o "APT::Sandbox::User=root")
echo "setup: fetching FRR 10 (Debian 13's frr) into $ROOT"
apt-get "${apt_private[@]}" -qq update
(cd "$work/debs" && apt-get "${apt_private[@]}" -qq download "${PACKAGES[@]}")

rm -rf "$ROOT.new"
mkdir -p "$ROOT.new"
for deb in "$work"/debs/*.deb; do dpkg-deb -x "$deb" "$ROOT.new"; done

# Every executable and shared object loads the root's libc and libraries: the interpreter is the
# root's ld.so and DT_RPATH (inherited by dlopen'd modules such as bgpd_rpki.so) names its
# library directories. The root's final path is baked in, so patch after choosing it.
lib="$ROOT/usr/lib/x86_64-linux-gnu"
rpath="$lib:$lib/frr"
interp="$lib/ld-linux-x86-64.so.2"
while IFS= read -r -d '' f; do
  head -c 4 "$f" 2>/dev/null | grep -q $'\x7fELF' || continue
  if readelf -l "$f" 2>/dev/null | grep -q 'Requesting program interpreter'; then
    patchelf --set-interpreter "$interp" "$f"
  fi
  case "$f" in */ld-linux-x86-64.so.2 | */libc.so.6) continue ;; esac
  patchelf --force-rpath --set-rpath "$rpath" "$f"
done < <(find "$ROOT.new/usr/lib/frr" "$ROOT.new/usr/bin" "$ROOT.new/usr/lib/x86_64-linux-gnu" -type f -print0)

rm -rf "$ROOT"
mv "$ROOT.new" "$ROOT"
"$ROOT/usr/lib/frr/bgpd" --version | head -1 >"$ROOT/.complete"
echo "setup: $(cat "$ROOT/.complete") in $ROOT"
