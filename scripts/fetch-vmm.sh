#!/bin/bash
# Fetch QEMU 11.1 (qemu-system-aarch64, Debian trixie-backports) without
# installing anything, with the shared libraries it needs and UEFI for arm64
# VMs (QEMU_EFI.fd). Two builds of it:
#   arm64 (the default): the real VMM, run in the L1 guest; build/vmm.
#   amd64: run on this machine, for guests with several SMMUs, which QEMU
#          10.0 cannot create (check.sh's arm64-two-smmus); build/vmm-amd64.
# apt runs with its own configuration under build/vmm-apt[-amd64] (its own
# sources list naming trixie and trixie-backports, its own state and cache;
# the archive signatures are checked with the keyring Debian 12 has), the
# .debs are unpacked with dpkg-deb -x, and only the binary, its libraries
# and the firmware are kept.
# Usage: fetch-vmm.sh [arm64|amd64]
# Result: OUT/root, and OUT/versions naming what it holds.
# The pruned root (root.tar.gz) is kept in the shared cache (scripts/cache.sh), keyed by
# the package versions and this script.
set -euo pipefail
. scripts/cache.sh

die() { echo "fetch-vmm: $*" >&2; exit 1; }
arch=${1:-arm64}
case $arch in
arm64) triplet=aarch64-linux-gnu; loader=ld-linux-aarch64.so.1
       readelf=aarch64-linux-gnu-readelf; suffix= ;;
amd64) triplet=x86_64-linux-gnu; loader=ld-linux-x86-64.so.2
       readelf=readelf; suffix=-amd64 ;;
*) die "unknown architecture $arch (arm64 or amd64)" ;;
esac
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
[ -f "$keyring" ] || die "$keyring missing (package debian-archive-keyring)"
command -v dpkg-deb >/dev/null || die "dpkg-deb missing"

apt_dir=$PWD/build/vmm-apt$suffix
out=build/vmm$suffix
mkdir -p "$apt_dir/lists/partial" "$apt_dir/archives/partial" "$apt_dir/debs" "$out"
cat > "$apt_dir/sources.list" <<EOF
deb [arch=$arch signed-by=$keyring] $mirror trixie main
deb [arch=$arch signed-by=$keyring] $mirror trixie-backports main
EOF
: > "$apt_dir/status"
papt() {
	"$@" -q -o Dir::Etc::SourceList="$apt_dir/sources.list" \
		-o Dir::Etc::SourceParts=/dev/null -o Dir::Etc::Preferences=/dev/null \
		-o Dir::Etc::PreferencesParts=/dev/null \
		-o Dir::State::Lists="$apt_dir/lists" -o Dir::State::Status="$apt_dir/status" \
		-o Dir::Cache="$apt_dir" -o Dir::Cache::Archives="$apt_dir/archives" \
		-o APT::Architecture="$arch" -o APT::Architectures::="$arch" \
		-o APT::Default-Release=trixie-backports \
		-o APT::Sandbox::User=root
}

# The index is refreshed once a day at most.
if [ -z "$(find "$apt_dir/lists" -name '*Packages*' -mtime -1 2>/dev/null)" ]; then
	papt apt-get update >/dev/null || die "apt-get update (trixie, trixie-backports) failed"
fi

# What to fetch: QEMU with everything it depends on (no recommends), and
# the firmware. Packages a running binary needs nothing of (scripts,
# configuration, documentation) go too: they are pruned below.
pkgs=$(papt apt-cache depends --recurse --no-recommends --no-suggests \
	--no-conflicts --no-breaks --no-replaces --no-enhances qemu-system-arm qemu-efi-aarch64 |
	grep -v '^ ' | grep -v '^<' | sed "s/:$arch\$//" | sort -u)
# shellcheck disable=SC2086
versions=$(papt apt-cache policy $pkgs | awk '
	/^[^ ].*:$/ { sub(/:$/, ""); sub(/:(arm64|amd64)$/, ""); p = $0 }
	/^  Candidate:/ && $2 != "(none)" { print p, $2 }')
qemu=$(awk '$1 == "qemu-system-arm" { print $2 }' <<< "$versions")
[ -n "$qemu" ] || die "no qemu-system-arm in trixie-backports"

key="vmm$suffix qemu=$qemu packages=$(sha256sum <<< "$versions" | cut -c1-16) script=$(files_id scripts/fetch-vmm.sh)"
if [ -f "$out/versions" ] && [ "$(head -1 "$out/versions")" = "$key" ]; then
	echo "fetch-vmm: QEMU $qemu in $out/root"
	exit 0
fi
rm -rf "$out/root" "$out/versions" "$out/root.tar.gz"
if store_get "$key" "$out" && tar -C "$out" -xzf "$out/root.tar.gz"; then
	echo "fetch-vmm: QEMU $qemu in $out/root, from the shared cache"
	exit 0
fi

echo "fetch-vmm: downloading QEMU $qemu and $(($(wc -l <<< "$versions") - 1)) more packages"
# shellcheck disable=SC2046
(cd "$apt_dir/debs" && papt apt-get download $(awk -v a="$arch" '{ print $1 ":" a "=" $2 }' <<< "$versions") >/dev/null) ||
	die "apt-get download failed"
unpacked=$apt_dir/unpacked
rm -rf "$unpacked"
mkdir -p "$unpacked"
for deb in "$apt_dir"/debs/*.deb; do
	dpkg-deb -x "$deb" "$unpacked"
done
# The root keeps the binary (bin/), the dynamic loader and the libraries
# the binary needs, followed through their NEEDED entries (lib/), the UEFI
# image (share/) and an empty module directory (modules/), so that it never
# loads the host's QEMU modules. Run it as
#   QEMU_MODULE_DIR=root/modules root/lib/LOADER --library-path root/lib \
#	root/bin/qemu-system-aarch64 -L root/share
root=$out/root
mkdir -p "$root/bin" "$root/lib" "$root/share" "$root/modules"
libdir=$unpacked/usr/lib/$triplet
cp "$unpacked/usr/bin/qemu-system-aarch64" "$root/bin/" || die "no qemu-system-aarch64 in the packages"
cp "$unpacked/usr/share/qemu-efi-aarch64/QEMU_EFI.fd" "$root/share/" || die "no QEMU_EFI.fd in qemu-efi-aarch64"
cp -L "$libdir/$loader" "$root/lib/" || die "no dynamic loader in libc6"
todo=$root/bin/qemu-system-aarch64
while [ -n "$todo" ]; do
	next=
	for f in $todo; do
		for lib in $("$readelf" -d "$f" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
			[ -e "$root/lib/$lib" ] && continue
			cp -L "$libdir/$lib" "$root/lib/" || die "$lib, needed by $(basename "$f"), is in no package"
			next="$next $root/lib/$lib"
		done
	done
	todo=$next
done
rm -rf "$unpacked"
{ echo "$key"; echo "$versions"; } > "$out/versions"
tar -C "$out" -czf "$out/root.tar.gz" root
store_put "$key" "$out" root.tar.gz versions
echo "fetch-vmm: QEMU $qemu in $root: $(find "$root/lib" -type f | wc -l) libraries, $(du -sm "$root" | cut -f1) MB"
