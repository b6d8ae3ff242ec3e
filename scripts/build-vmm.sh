#!/bin/bash
# The real-VMM stage's kernel (L1 and L2 alike: the arm64 guest's config
# plus configs/vmm-arm64.config) and vmm/edu_dma.ko, in OUT (default
# build/vmm-arm64); from the shared cache when these sources, fragments,
# toolchain and scripts built them before.
set -euo pipefail
. scripts/cache.sh

out=${1:-build/vmm-arm64}
frags="$PWD/configs/common.config $PWD/configs/arm64.config $PWD/configs/vmm-arm64.config"
# shellcheck disable=SC2086
key="vmm-kernel src=$(git -C build/linux ls-tree HEAD | grep -vP '\t(tools|Documentation)$' |
	sha256sum | cut -c1-40) frags=$(cat $frags | sha256sum | cut -c1-16) toolchain=$(toolchain_id)
script=$(files_id scripts/build-kernel.sh scripts/build-vmm.sh vmm/Kbuild vmm/edu_dma.c)"
clean=$([ -z "$(git -C build/linux status --porcelain --untracked-files=no)" ] && echo 1 || echo 0)
if [ "$clean" = 1 ] && store_get "$key" "$out"; then
	echo "build-vmm: kernel and edu_dma.ko from the shared cache" >&2
else
	KBUILD_OUT=$out FRAGMENTS=$frags scripts/build-kernel.sh arm64
	# The module builds in a copy of vmm/ (6.12's kbuild has no MO=).
	mkdir -p "$out/vmm"
	cp vmm/Kbuild vmm/edu_dma.c "$out/vmm/"
	make -s -C build/linux O="$PWD/$out" ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- \
		CC="ccache aarch64-linux-gnu-gcc" M="$PWD/$out/vmm" modules
	[ "$clean" = 0 ] || store_put "$key" "$out" arch/arm64/boot/Image vmm/edu_dma.ko
fi
