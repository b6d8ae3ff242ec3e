#!/bin/bash
# A real VMM on the series: QEMU 11.1's accelerated vSMMU, three levels.
#  L0: this machine's QEMU (TCG), virt with virtualization=on, its emulated
#      SMMUv3 and an edu device; its command-queue trace goes to
#      build/logs/vmm-cmdq.log.
#  L1: our kernel (configs/vmm-arm64.config) with KVM; vmm/l1-init binds
#      edu to vfio-pci and runs QEMU 11.1 (scripts/fetch-vmm.sh) with
#      -device arm-smmuv3,accel=on and the edu through iommufd.
#  L2: the same kernel, booted by QEMU 11.1 through UEFI and ACPI; its
#      SMMUv3 driver drives the vSMMU and vmm/edu_dma.ko DMAs through it.
# The console log is build/logs/vmm.log; VERBOSE=1 shows it as it runs.
# Result lines (scripts/vmm-results.py) on stdout.
set -euo pipefail
. scripts/cache.sh

die() { echo "run-vmm: $*" >&2; exit 1; }
out=build/vmm-arm64
frags="$PWD/configs/common.config $PWD/configs/arm64.config $PWD/configs/vmm-arm64.config"
# The kernel and the module, from the shared cache when these sources,
# fragments, toolchain and scripts built them before.
# shellcheck disable=SC2086
key="vmm-kernel src=$(git -C build/linux ls-tree HEAD | grep -vP '\t(tools|Documentation)$' |
	sha256sum | cut -c1-40) frags=$(cat $frags | sha256sum | cut -c1-16) toolchain=$(toolchain_id)
script=$(files_id scripts/build-kernel.sh scripts/run-vmm.sh vmm/Kbuild vmm/edu_dma.c)"
clean=$([ -z "$(git -C build/linux status --porcelain --untracked-files=no)" ] && echo 1 || echo 0)
if [ "$clean" = 1 ] && store_get "$key" "$out"; then
	echo "run-vmm: kernel and edu_dma.ko from the shared cache" >&2
else
	KBUILD_OUT=$out FRAGMENTS=$frags scripts/build-kernel.sh arm64 >&2
	# The module builds in a copy of vmm/ (6.12's kbuild has no MO=).
	mkdir -p "$out/vmm"
	cp vmm/Kbuild vmm/edu_dma.c "$out/vmm/"
	make -s -C build/linux O="$PWD/$out" ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- \
		CC="ccache aarch64-linux-gnu-gcc" M="$PWD/$out/vmm" modules >&2
	[ "$clean" = 0 ] || store_put "$key" "$out" arch/arm64/boot/Image vmm/edu_dma.ko
fi
scripts/fetch-vmm.sh >&2
busybox=build/cache/arm64/bin/busybox
[ -x "$busybox" ] || die "no static arm64 busybox; run 'make setup'"

cpio_of() {
	(cd "$1" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0)
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# L2: busybox, the module, its init
l2=$tmp/l2
mkdir -p "$l2"/{bin,dev,proc,sys}
cp "$busybox" "$l2/bin/busybox"
ln -s busybox "$l2/bin/sh"
install -m 755 vmm/l2-init "$l2/init"
cp "$out/vmm/edu_dma.ko" "$l2/"
# L1: busybox, QEMU 11.1, L2's kernel and initramfs, its init
l1=$tmp/l1
mkdir -p "$l1"/{bin,dev,proc,sys,tmp,l2}
cp "$busybox" "$l1/bin/busybox"
ln -s busybox "$l1/bin/sh"
install -m 755 vmm/l1-init "$l1/init"
cp -a build/vmm/root "$l1/vmm"
cp "$out/arch/arm64/boot/Image" "$l1/l2/Image"
cpio_of "$l2" | gzip -1 > "$l1/l2/initrd.cpio.gz"
cpio_of "$l1" | gzip -1 > build/vmm-l1.cpio.gz

log=build/logs/vmm.log
trace=build/logs/vmm-cmdq.log
rm -f "$trace"
mkdir -p build/logs
set +e
timeout --foreground -k 10 "${GUEST_TIMEOUT:-1200}" \
	qemu-system-aarch64 -M virt,virtualization=on,gic-version=3,iommu=smmuv3 \
	-accel tcg -cpu max -smp 2 -m 3G -nographic -no-reboot -nic none -device edu \
	-trace smmuv3_cmdq_opcode -trace smmuv3_cmdq_cfgi_cd -trace smmuv3_cmdq_tlbi_nh \
	-trace smmuv3_cmdq_tlbi_nsnh -trace smmu_iotlb_inv_asid_vmid -trace smmuv3_range_inval \
	-D "$trace" \
	-kernel "$out/arch/arm64/boot/Image" -initrd build/vmm-l1.cpio.gz \
	-append "console=ttyAMA0 panic=-1 oops=panic kmemleak=on arm_smmu_v3.vsmmu_assume_coherent=1" \
	</dev/null 2>&1 | tr -d '\r' | if [ "${VERBOSE:-0}" = 1 ]; then tee "$log"; else cat > "$log"; fi
rc=${PIPESTATUS[0]}
set -e
[ "$rc" != 124 ] || die "L0 timed out; see $log"
grep -q '^@@@ GUEST DONE' "$log" || die "L1 did not finish (qemu exit $rc); see $log"
scripts/vmm-results.py "$log"
