#!/bin/bash
# Install what the harness needs on Debian 12 (bookworm), once.
# Adds bookworm-backports for QEMU 10 and linux-source-6.12.
# Skips everything that is already installed.
set -euo pipefail

die() { echo "setup: $*" >&2; exit 1; }

PKGS="build-essential flex bison bc libelf-dev libssl-dev cpio ccache sparse
      xz-utils git python3 python3-ply python3-git rsync gcc-aarch64-linux-gnu libc6-dev-arm64-cross busybox-static
      dpkg-dev coreutils libcap-dev gnuplot-nox"
BPO_PKGS="qemu-system-x86 qemu-system-arm"
BPO=/etc/apt/sources.list.d/bookworm-backports.list

missing=""
for p in $PKGS $BPO_PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
# The QEMU in bookworm proper is 7.2; we need the backports one (10.x).
if command -v qemu-system-aarch64 >/dev/null; then
	v=$(qemu-system-aarch64 --version | sed -n 's/.*version \([0-9]*\)\..*/\1/p')
	[ "${v:-0}" -ge 10 ] || missing="$missing $BPO_PKGS"
fi
[ -e build/cache/arm64/bin/busybox ] || missing="$missing busybox-static:arm64"

if [ -z "$missing" ]; then
	echo "setup: all packages present"
	exit 0
fi

[ "$(id -u)" = 0 ] || die "missing packages:$missing; run 'make setup' as root (or install them with apt)"
command -v apt-get >/dev/null || die "apt-get not found: this harness supports Debian 12 only"

echo "setup: installing:$missing"
if [ ! -e "$BPO" ] && ! grep -rqs bookworm-backports /etc/apt/sources.list /etc/apt/sources.list.d/; then
	echo "deb http://deb.debian.org/debian bookworm-backports main" > "$BPO"
fi
dpkg --print-foreign-architectures | grep -qx arm64 || dpkg --add-architecture arm64
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $PKGS
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends -t bookworm-backports $BPO_PKGS

# Static arm64 busybox for the arm64 guest: unpack, do not install.
mkdir -p build/cache/arm64
( cd build/cache/arm64 && rm -f busybox-static_*.deb &&
  apt-get download -q -o APT::Sandbox::User=root busybox-static:arm64 &&
  dpkg-deb -x busybox-static_*_arm64.deb root &&
  mkdir -p bin && cp root/bin/busybox bin/busybox )
echo "setup: done"
