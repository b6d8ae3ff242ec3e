#!/bin/bash
# Fetch the pinned reference kernel tarball (ref.conf: Linux 7.3 from
# Debian trixie-backports) into the shared cache (scripts/cache.sh: base/)
# and verify it, without installing anything or touching the host's apt:
# apt runs with its own configuration under build/ref-apt (its own sources
# list naming trixie and trixie-backports, its own lists, state and cache;
# signatures checked with Debian 12's archive keyring), like fetch-vmm.sh.
# Prints the path of the verified tarball on stdout and records what was
# used in build/ref/ref.used.
set -euo pipefail
. ./ref.conf
. scripts/cache.sh

die() { echo "fetch-ref: $*" >&2; exit 1; }
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
cache=$IOMMUFD_CACHE/base
apt_dir=$PWD/build/ref-apt
mkdir -p "$cache" build/ref
record() { printf '%s %s %s\n' "$REF_PACKAGE" "$1" "$(cut -d' ' -f1 "$2.sha256")" > build/ref/ref.used; }

# A cached tarball is used only if it matches the SHA-256 recorded with it
# (and the pinned one, for the pinned version).
valid() {
	[ -s "$1" ] && [ -s "$1.sha256" ] || return 1
	local sum
	sum=$(cut -d' ' -f1 "$1.sha256")
	if [ -n "$2" ] && [ "$sum" != "$2" ] || [ "$(sha256sum < "$1" | cut -d' ' -f1)" != "$sum" ]; then
		echo "fetch-ref: $1 is corrupt or not the pinned one; downloading again" >&2
		rm -f "$1" "$1.sha256"
		return 1
	fi
}
pinned=$cache/${REF_PACKAGE}_$REF_VERSION.tar.xz
if valid "$pinned" "$REF_SHA256"; then
	record "$REF_VERSION" "$pinned"
	echo "$pinned"
	exit 0
fi

[ -f "$keyring" ] || die "$keyring missing (package debian-archive-keyring)"
command -v dpkg-deb >/dev/null || die "dpkg-deb missing"
mkdir -p "$apt_dir/lists/partial" "$apt_dir/archives/partial"
cat > "$apt_dir/sources.list" <<EOS
deb [signed-by=$keyring] $mirror trixie main
deb [signed-by=$keyring] $mirror trixie-backports main
EOS
: > "$apt_dir/status"
papt() {
	"$@" -q -o Dir::Etc::SourceList="$apt_dir/sources.list" \
		-o Dir::Etc::SourceParts=/dev/null -o Dir::Etc::Preferences=/dev/null \
		-o Dir::Etc::PreferencesParts=/dev/null \
		-o Dir::State::Lists="$apt_dir/lists" -o Dir::State::Status="$apt_dir/status" \
		-o Dir::Cache="$apt_dir" -o Dir::Cache::Archives="$apt_dir/archives" \
		-o APT::Sandbox::User=root
}
# The index is refreshed once a day at most.
if [ -z "$(find "$apt_dir/lists" -name '*Packages*' -mtime -1 2>/dev/null)" ]; then
	papt apt-get update >/dev/null || die "apt-get update (trixie, trixie-backports) failed"
fi

version=$REF_VERSION
want=$REF_SHA256
if ! papt apt-cache madison "$REF_PACKAGE" | awk '{print $3}' | grep -qxF "$version"; then
	version=$(papt apt-cache madison "$REF_PACKAGE" | awk '{print $3}' | grep '^7\.3\.' | sort -V | tail -1)
	[ -n "$version" ] || die "no $REF_PACKAGE 7.3.y in trixie or trixie-backports"
	want=
	{
		echo "######################################################################"
		echo "fetch-ref: WARNING: pinned $REF_PACKAGE $REF_VERSION is gone from the mirror"
		echo "fetch-ref: WARNING: using the newest 7.3.y instead: $version"
		echo "######################################################################"
	} >&2
	out=$cache/${REF_PACKAGE}_$version.tar.xz
	if valid "$out" ""; then
		record "$version" "$out"
		echo "$out"
		exit 0
	fi
fi
out=$cache/${REF_PACKAGE}_$version.tar.xz

tmp=$(mktemp -d "$cache/deb.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
echo "fetch-ref: downloading $REF_PACKAGE $version" >&2
(cd "$tmp" && papt apt-get download "$REF_PACKAGE=$version" >&2) ||
	die "could not download $REF_PACKAGE=$version"
dpkg-deb --fsys-tarfile "$tmp"/*.deb | tar -xO "./$REF_TARBALL" > "$tmp/tarball" ||
	die "no $REF_TARBALL in $REF_PACKAGE $version"
sum=$(sha256sum < "$tmp/tarball" | cut -d' ' -f1)
[ -z "$want" ] || [ "$sum" = "$want" ] ||
	die "SHA-256 mismatch for $REF_PACKAGE $version: got $sum, want $want"
mv "$tmp/tarball" "$out"
echo "$sum  $(basename "$out")" > "$out.sha256"
echo "fetch-ref: $REF_PACKAGE $version sha256 $sum" >&2
record "$version" "$out"
echo "$out"
