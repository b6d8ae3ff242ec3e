#!/bin/bash
# The real-VMM stage's module, vmm/edu_dma.ko, in OUT (default
# build/vmm-arm64), built against the arm64 guest kernel (build/arm64: its
# config has what L1 and L2 need, configs/arm64.config), which both levels
# boot. From the shared cache when the same kernel sources, fragments,
# toolchain and module sources built it before.
set -euo pipefail
. scripts/cache.sh

out=${1:-build/vmm-arm64}
frags="$PWD/configs/common.config $PWD/configs/arm64.config"
# shellcheck disable=SC2086
key="vmm-module src=$(git -C build/linux ls-tree HEAD | grep -vP '\t(tools|Documentation)$' |
	sha256sum | cut -c1-40) frags=$(cat $frags | sha256sum | cut -c1-16) toolchain=$(toolchain_id)
script=$(files_id scripts/build-kernel.sh scripts/build-vmm.sh vmm/Kbuild vmm/edu_dma.c)"
clean=$([ -z "$(git -C build/linux status --porcelain --untracked-files=no)" ] && echo 1 || echo 0)
scripts/build-kernel.sh arm64 >&2
if [ "$clean" = 1 ] && store_get "$key" "$out"; then
	echo "build-vmm: edu_dma.ko from the shared cache" >&2
	exit 0
fi
# A module needs the kernel's build directory, not only its image (which
# may have come from the shared cache): build it there, which is a no-op
# walk when make run built it in this clone.
KBUILD_OUT=build/arm64 scripts/build-kernel.sh arm64 >&2
# The module builds in a copy of vmm/ (6.12's kbuild has no MO=).
mkdir -p "$out"
cp vmm/Kbuild vmm/edu_dma.c "$out/"
make -s -C build/linux O="$PWD/build/arm64" ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- \
	CC="ccache aarch64-linux-gnu-gcc" M="$PWD/$out" modules
[ "$clean" = 0 ] || store_put "$key" "$out" edu_dma.ko
echo "build-vmm: $out/edu_dma.ko" >&2
