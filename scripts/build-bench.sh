#!/bin/bash
# Build a benchmark program (bench/*.c) statically for one architecture,
# against the uapi headers of build/linux and the mock IOMMU's
# iommufd_test.h (so the same iommufd_bench binary runs on our kernel and
# on Linux 7.3: the ABI is the same).
# Usage: build-bench.sh x86_64|arm64 OUT [SRC]   (SRC: bench/NAME.c, NAME
# being OUT's name by default)
set -euo pipefail

die() { echo "build-bench: $*" >&2; exit 1; }
arch=${1:?usage: build-bench.sh x86_64|arm64 OUT}
out=${2:?usage: build-bench.sh x86_64|arm64 OUT}
src=${3:-bench/$(basename "$out").c}
case $arch in
x86_64) karch=x86_64; cross= ;;
arm64) karch=arm64; cross=aarch64-linux-gnu- ;;
*) die "unknown arch $arch" ;;
esac
[ -d build/linux ] || die "no build/linux; run 'make tree'"
hdr=$(realpath -m "build/bench/headers-$arch")
make -s -C build/linux O="$hdr" ARCH="$karch" headers >/dev/null
mkdir -p "$(dirname "$out")"
"${cross}gcc" -O2 -Wall -Wextra -Wno-unused-parameter -Werror -static \
	-isystem "$hdr/usr/include" -I build/linux/drivers/iommu/iommufd \
	-o "$out" "$src"
echo "build-bench: $out"
