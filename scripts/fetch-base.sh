#!/bin/bash
# Fetch the pinned base kernel tarball into build/cache and verify it.
# Prints the path of the verified tarball on stdout.
set -euo pipefail
. ./base.conf

die() { echo "fetch-base: $*" >&2; exit 1; }
cache=build/cache
mkdir -p "$cache"
out="$cache/$(basename "$BASE_TARBALL")"

if [ -s "$out" ] && [ -s build/base.used ]; then
	echo "$out"
	exit 0
fi
command -v apt-get >/dev/null || die "apt-get not found: Debian 12 is required"

version=$BASE_VERSION
if ! apt-cache madison "$BASE_PACKAGE" 2>/dev/null | awk '{print $3}' | grep -qxF "$version"; then
	version=$(apt-cache madison "$BASE_PACKAGE" 2>/dev/null | awk '{print $3}' |
		  grep '^6\.12\.' | sort -V | tail -1)
	[ -n "$version" ] || die "$BASE_PACKAGE is not offered by apt; run 'make setup' (it adds bookworm-backports)"
	{
		echo "######################################################################"
		echo "fetch-base: WARNING: pinned $BASE_PACKAGE $BASE_VERSION is gone from the mirror"
		echo "fetch-base: WARNING: using the newest 6.12.y instead: $version"
		echo "######################################################################"
	} >&2
fi

tmp=$(mktemp -d "$cache/deb.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
( cd "$tmp" && apt-get download -q -o APT::Sandbox::User=root "$BASE_PACKAGE=$version" >&2 ) ||
	die "could not download $BASE_PACKAGE=$version"
dpkg-deb --fsys-tarfile "$tmp"/*.deb | tar -x -C "$tmp" "./$BASE_TARBALL"
sum=$(sha256sum "$tmp/$BASE_TARBALL" | cut -d' ' -f1)
if [ "$version" = "$BASE_VERSION" ] && [ -n "$BASE_SHA256" ] && [ "$sum" != "$BASE_SHA256" ]; then
	die "SHA-256 mismatch for $BASE_PACKAGE $version: got $sum, want $BASE_SHA256"
fi
mv "$tmp/$BASE_TARBALL" "$out"
printf '%s %s %s\n' "$BASE_PACKAGE" "$version" "$sum" > build/base.used
echo "fetch-base: $BASE_PACKAGE $version sha256 $sum" >&2
echo "$out"
