#!/bin/bash
# Build the iommu selftests statically for one architecture, with the
# kselftest Makefile, against the uapi headers of build/ARCH.
# Output: build/tests-ARCH/
set -euo pipefail

die() { echo "build-tests: $*" >&2; exit 1; }
arch=${1:?usage: build-tests.sh x86_64|arm64}
src=${KSRC:-build/linux}
kout=$(realpath -m "${KBUILD_OUT:-build/$arch}")
out=$(realpath -m "${TESTS_OUT:-build/tests-$arch}")
case $arch in
x86_64) karch=x86_64; cross= ;;
arm64) karch=arm64; cross=aarch64-linux-gnu- ;;
*) die "unknown arch $arch" ;;
esac
[ -d "$kout" ] || die "no $kout; build the kernel first"
make -s -C "$src" O="$kout" ARCH="$karch" CROSS_COMPILE="$cross" headers >/dev/null
mkdir -p "$out"
make -s -C "$src/tools/testing/selftests/iommu" ARCH="$karch" CROSS_COMPILE="$cross" \
	OUTPUT="$out" KHDR_INCLUDES="-isystem $kout/usr/include" \
	USERLDFLAGS=-static >/dev/null
