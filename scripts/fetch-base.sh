#!/bin/bash
# Fetch the pinned base kernel tarball into the shared cache
# (scripts/cache.sh: base/) and verify it. Prints the path of the verified
# tarball on stdout and records what was used in build/base.used.
set -euo pipefail
. ./base.conf
. scripts/cache.sh

die() { echo "fetch-base: $*" >&2; exit 1; }
cache=$IOMMUFD_CACHE/base
mkdir -p "$cache" build
command -v apt-get >/dev/null || die "apt-get not found: Debian 12 is required"

version=$BASE_VERSION
want=$BASE_SHA256
if ! apt-cache madison "$BASE_PACKAGE" 2>/dev/null | awk '{print $3}' | grep -qxF "$version" &&
   [ ! -s "$cache/${BASE_PACKAGE}_$version.tar.xz" ]; then
	version=$(apt-cache madison "$BASE_PACKAGE" 2>/dev/null | awk '{print $3}' |
		  grep '^6\.12\.' | sort -V | tail -1)
	[ -n "$version" ] || die "$BASE_PACKAGE is not offered by apt; run 'make setup' (it adds bookworm-backports)"
	want=
	{
		echo "######################################################################"
		echo "fetch-base: WARNING: pinned $BASE_PACKAGE $BASE_VERSION is gone from the mirror"
		echo "fetch-base: WARNING: using the newest 6.12.y instead: $version"
		echo "######################################################################"
	} >&2
fi
out=$cache/${BASE_PACKAGE}_$version.tar.xz

# A cached tarball is used only if it matches the SHA-256 recorded with it
# (and the pinned one, for the pinned version).
if [ -s "$out" ] && [ -s "$out.sha256" ]; then
	sum=$(cut -d' ' -f1 "$out.sha256")
	if [ -n "$want" ] && [ "$sum" != "$want" ] ||
	   [ "$(sha256sum < "$out" | cut -d' ' -f1)" != "$sum" ]; then
		echo "fetch-base: $out is corrupt or not the pinned one; downloading again" >&2
		rm -f "$out" "$out.sha256"
	fi
fi
if [ ! -s "$out" ] || [ ! -s "$out.sha256" ]; then
	tmp=$(mktemp -d "$cache/deb.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	( cd "$tmp" && apt-get download -q -o APT::Sandbox::User=root "$BASE_PACKAGE=$version" >&2 ) ||
		die "could not download $BASE_PACKAGE=$version"
	dpkg-deb --fsys-tarfile "$tmp"/*.deb | tar -x -C "$tmp" "./$BASE_TARBALL"
	sum=$(sha256sum < "$tmp/$BASE_TARBALL" | cut -d' ' -f1)
	if [ -n "$want" ] && [ "$sum" != "$want" ]; then
		die "SHA-256 mismatch for $BASE_PACKAGE $version: got $sum, want $want"
	fi
	mv "$tmp/$BASE_TARBALL" "$out"
	echo "$sum  $(basename "$out")" > "$out.sha256"
	echo "fetch-base: $BASE_PACKAGE $version sha256 $sum" >&2
fi
printf '%s %s %s\n' "$BASE_PACKAGE" "$version" "$(cut -d' ' -f1 "$out.sha256")" > build/base.used
echo "$out"
