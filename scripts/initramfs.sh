#!/bin/bash
# Make a gzipped initramfs for one guest.
# Usage: initramfs.sh ARCH OUT.cpio.gz 'PROG [ARGS]' ...
# Each PROG is a path on the host; it is copied to /tests.d/ and run in the
# order given, with ARGS, by scripts/guest-init.
set -euo pipefail

die() { echo "initramfs: $*" >&2; exit 1; }
arch=${1:?usage: initramfs.sh ARCH OUT PROG...}
out=${2:?usage: initramfs.sh ARCH OUT PROG...}
shift 2

case $arch in
x86_64) busybox=/bin/busybox ;;
arm64) busybox=build/cache/arm64/bin/busybox ;;
*) die "unknown arch $arch" ;;
esac
[ -x "$busybox" ] || die "no static busybox for $arch at $busybox; run 'make setup'"

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,dev,proc,sys,tmp,tests.d}
cp "$busybox" "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
cp scripts/guest-init "$root/init"
chmod +x "$root/init"
: > "$root/tests"
for t in "$@"; do
	prog=${t%% *}
	args=
	[ "$prog" = "$t" ] || args=${t#* }
	[ -f "$prog" ] || die "test program $prog does not exist"
	cp "$prog" "$root/tests.d/"
	echo "$(basename "$prog") $args" >> "$root/tests"
done
mkdir -p "$(dirname "$out")"
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) | gzip -1 > "$out"
