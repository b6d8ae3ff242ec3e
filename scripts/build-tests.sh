#!/bin/bash
# Build the iommu selftests statically for one architecture, with the
# kselftest Makefile, against the uapi headers of build/ARCH.
# Output: build/tests-ARCH/
# Binaries built from a committed tree are kept in the shared cache
# (scripts/cache.sh), keyed by what they are made of (the selftests, tools
# and uapi sources, the mock's iommufd_test.h, the headers_install
# scripts), the toolchain and this script.
set -euo pipefail
. scripts/cache.sh

die() { echo "build-tests: $*" >&2; exit 1; }
arch=${1:?usage: build-tests.sh x86_64|arm64}
src=${KSRC:-build/linux}
kout=$(realpath -m "${KBUILD_OUT:-build/$arch}")
out=$(realpath -m "${TESTS_OUT:-build/tests-$arch}")
case $arch in
x86_64) karch=x86_64; hdr=x86; cross= ;;
arm64) karch=arm64; hdr=arm64; cross=aarch64-linux-gnu- ;;
*) die "unknown arch $arch" ;;
esac

key=
if [ -z "$(git -C "$src" status --porcelain --untracked-files=no)" ]; then
	key="tests $arch src=$(git -C "$src" ls-tree HEAD tools include/uapi \
		arch/$hdr/include/uapi scripts drivers/iommu/iommufd/iommufd_test.h |
		sha256sum | cut -c1-40) toolchain=$(toolchain_id) script=$(files_id scripts/build-tests.sh)"
	if store_get "$key" "$out"; then
		echo "build-tests: $out from the shared cache"
		exit 0
	fi
fi

mkdir -p "$kout"
make -s -C "$src" O="$kout" ARCH="$karch" CROSS_COMPILE="$cross" headers >/dev/null
mkdir -p "$out"
make -s -C "$src/tools/testing/selftests/iommu" ARCH="$karch" CROSS_COMPILE="$cross" \
	OUTPUT="$out" KHDR_INCLUDES="-isystem $kout/usr/include" \
	USERLDFLAGS=-static >/dev/null
if [ -n "$key" ]; then
	# shellcheck disable=SC2046
	store_put "$key" "$out" $(cd "$out" && find . -maxdepth 1 -type f -perm -u+x -printf '%f\n')
fi
