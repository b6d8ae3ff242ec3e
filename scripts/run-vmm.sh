#!/bin/bash
# A real VMM on the series: QEMU 11.1's accelerated vSMMU, three levels.
#  L0: QEMU 11.1's x86_64 build (scripts/fetch-vmm.sh amd64; TCG), virt
#      with virtualization=on and two SMMUv3s (stage=nested), each on a
#      PCIe expander bus with an edu behind a root port; extra SMMUs are
#      ACPI only, so L1 boots through UEFI. Its trace (the SMMUs' commands,
#      and the MMIO writes that tell which SMMU each went to and where on
#      L1's console it was) goes to build/logs/vmm-cmdq.log.
#  L1: our arm64 guest kernel (build/arm64) with KVM; vmm/l1-init binds
#      both edus to vfio-pci and runs QEMU 11.1 (scripts/fetch-vmm.sh)
#      with -device arm-smmuv3,accel=on and the edus through iommufd: one
#      vSMMU and edu A, then two vSMMUs, one per SMMU.
#  L2: the same kernel, booted by QEMU 11.1 through UEFI and ACPI; its
#      SMMUv3 driver drives the vSMMUs and vmm/edu_dma.ko DMAs through them.
# The console log is build/logs/vmm.log; VERBOSE=1 shows it as it runs,
# NARRATE=1 (make run-vmm) tells what happens at each level.
# Result lines (scripts/vmm-results.py) on stdout.
set -euo pipefail
. scripts/two-smmus-qemu.sh

die() { echo "run-vmm: $*" >&2; exit 1; }
image=build/arm64/arch/arm64/boot/Image
module=build/vmm-arm64/edu_dma.ko
scripts/build-vmm.sh build/vmm-arm64 >&2
scripts/fetch-vmm.sh >&2
scripts/fetch-vmm.sh amd64 >&2
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
cp "$module" "$l2/"
# L1: busybox, QEMU 11.1, L2's kernel and initramfs, its init
l1=$tmp/l1
mkdir -p "$l1"/{bin,dev,proc,sys,tmp,l2}
cp "$busybox" "$l1/bin/busybox"
ln -s busybox "$l1/bin/sh"
install -m 755 vmm/l1-init "$l1/init"
cp -a build/vmm/root "$l1/vmm"
cp "$image" "$l1/l2/Image"
cpio_of "$l2" | gzip -1 > "$l1/l2/initrd.cpio.gz"
cpio_of "$l1" | gzip -1 > build/vmm-l1.cpio.gz

# The console as it runs: all of it, the story, or nothing.
show() {
	if [ "${VERBOSE:-0}" = 1 ]; then
		tee "$log"
	elif [ "${NARRATE:-0}" = 1 ]; then
		tee "$log" | sed -u 's/\x1b\[[0-9;=]*[a-zA-Z]//g' | awk '
		/^@@@ STEP / { sub(/^@@@ STEP /, "L1: "); print; fflush(); next }
		/^@@@ RUN qemu-poweroff/ { print "--- L1 runs QEMU 11.1: -accel kvm, -device arm-smmuv3,accel=on, edu as vfio-pci through /dev/iommu; L2 boots with UEFI and ACPI"; fflush(); next }
		/^@@@ RUN qemu-sigkill/ { print "--- the same VM again, and QEMU is killed with SIGKILL while L2 DMAs"; fflush(); next }
		/^@@@ RUN qemu-two-smmus/ { print "--- a VM with two vSMMUs, one per SMMU of L1, edu A behind the first and edu B behind the second, on one nesting parent"; fflush(); next }
		/^@@@ (EXIT|PINS) / { sub(/^@@@ /, "L1: "); print; fflush(); next }
		/trusting arm_smmu_v3.vsmmu_assume_coherent/ { sub(/^.*\] /, ""); print "L1 kernel: " $0; fflush(); next }
		/^(sigkill: )?L2: .*(ACPI: IORT|arm-smmu-v3 .*(features|event 0x|\t0x)|edu_dma|ok [0-9]+ (round_trip|unmapped))/ { sub(/\[ *[0-9.]*\] /, ""); print; fflush(); next }
		/^qemu-system-aarch64: / { sub(/^qemu-system-aarch64: /, "QEMU 11.1: "); print; fflush(); next }
		'
	else
		cat > "$log"
	fi
}
log=build/logs/vmm.log
trace=build/logs/vmm-cmdq.log
rm -f "$trace"
mkdir -p build/logs
set +e
two_smmus_qemu 3G virtualization=on, || exit 1
l0=("${qemu[@]}" -nographic -no-reboot -nic none)
for t in smmuv3_cmdq_opcode smmuv3_cmdq_cfgi_cd smmuv3_cmdq_cfgi_ste smmuv3_cmdq_tlbi_nh \
	 smmuv3_cmdq_tlbi_nsnh smmu_iotlb_inv_asid_vmid smmuv3_range_inval \
	 smmuv3_cmdq_tlbi_s12_vmid memory_region_ops_write; do
	l0+=(-trace "$t")
done
timeout --foreground -k 10 "${GUEST_TIMEOUT:-1500}" "${l0[@]}" -D "$trace" \
	-kernel "$image" -initrd build/vmm-l1.cpio.gz \
	-append "console=ttyAMA0 acpi=force panic=-1 oops=panic kmemleak=on arm_smmu_v3.vsmmu_assume_coherent=1" \
	</dev/null 2>&1 | tr -d '\r' | show
rc=${PIPESTATUS[0]}
set -e
[ "$rc" != 124 ] || die "L0 timed out; see $log"
grep -q '^@@@ GUEST DONE' "$log" || die "L1 did not finish (qemu exit $rc); see $log"
scripts/vmm-results.py "$log" "$trace"
