#!/bin/bash
# Boot one guest under QEMU (TCG) with an initramfs and keep its console log.
# Usage: run-guest.sh ARCH NAME INITRAMFS [extra kernel args]
# The log goes to build/logs/NAME.log (and to stdout if VERBOSE=1).
# VSMMU_OPT_IN=0 boots arm64 without arm_smmu_v3.vsmmu_assume_coherent=1.
# TWO_SMMUS=1 boots arm64 with two SMMUs, an edu device behind each, under
# QEMU 11.1 (scripts/fetch-vmm.sh amd64) through UEFI and ACPI.
# GUEST_KERNEL boots another image than build/ARCH's (the Linux 7.3
# reference kernel of scripts/ref.sh).
# The run ends by itself: the guest reboots into -no-reboot, and a timeout
# (GUEST_TIMEOUT seconds, default 900) stops a hung guest.
set -euo pipefail
. scripts/two-smmus-qemu.sh

die() { echo "run-guest: $*" >&2; exit 1; }
arch=${1:?usage: run-guest.sh ARCH NAME INITRAMFS [kernel args]}
name=${2:?usage: run-guest.sh ARCH NAME INITRAMFS [kernel args]}
initrd=${3:?usage: run-guest.sh ARCH NAME INITRAMFS [kernel args]}
shift 3
log=build/logs/$name.log
mkdir -p build/logs

case $arch in
x86_64)
	kernel=build/x86_64/arch/x86/boot/bzImage
	qemu=(qemu-system-x86_64 -M q35 -accel tcg -cpu max -smp 2 -m 2G)
	console=ttyS0
	# Keep info messages (one per mock device) off the slow serial
	# console; warnings and worse still print.
	extra_append="loglevel=5"
	;;
arm64)
	kernel=build/arm64/arch/arm64/boot/Image
	# A second edu behind a PCIe-to-PCI bridge has two StreamIDs (its
	# own and the bridge's alias): iommufd_edu's vsmmu_two_streams.
	qemu=(qemu-system-aarch64 -M virt,iommu=smmuv3,gic-version=3 -accel tcg
	      -cpu max -smp 2 -m 2G -device edu
	      -device pcie-pci-bridge,id=br0 -device edu,bus=br0,addr=1
	      ${QEMU_TRACE:-})
	console=ttyAMA0
	# QEMU's SMMUv3 has neither S2FWB nor CANWBS but all its DMA is
	# coherent: opt in to vSMMUs (see the README's known limits), unless
	# VSMMU_OPT_IN=0 (the boot that proves the refusal).
	extra_append=
	[ "${VSMMU_OPT_IN:-1}" = 0 ] || extra_append="arm_smmu_v3.vsmmu_assume_coherent=1"
	if [ "${TWO_SMMUS:-0}" = 1 ]; then
		# scripts/two-smmus-qemu.sh: the guest kernel (its config has
		# EFI and ACPI) boots through UEFI, told to use ACPI.
		two_smmus_qemu 2G || exit 1
		# shellcheck disable=SC2206
		qemu+=(${QEMU_TRACE:-})
		extra_append="$extra_append acpi=force"
	fi
	;;
*) die "unknown arch $arch" ;;
esac
kernel=${GUEST_KERNEL:-$kernel}
[ -f "$kernel" ] || die "no kernel at $kernel; run 'make kernels'"
command -v "${qemu[0]}" >/dev/null || die "${qemu[0]} missing; run 'make setup'"

append="console=$console panic=-1 oops=panic kmemleak=on $extra_append $*"
set +e
timeout --foreground -k 10 "${GUEST_TIMEOUT:-900}" \
	"${qemu[@]}" -nographic -no-reboot -nic none \
	-kernel "$kernel" -initrd "$initrd" -append "$append" \
	</dev/null 2>&1 | tr -d '\r' | if [ "${VERBOSE:-0}" = 1 ]; then tee "$log"; else cat > "$log"; fi
rc=${PIPESTATUS[0]}
set -e
[ "$rc" != 124 ] || { echo "run-guest: $name timed out after ${GUEST_TIMEOUT:-900}s" >> "$log"; die "$name timed out; see $log"; }
grep -q '^@@@ GUEST DONE' "$log" || die "$name did not finish (qemu exit $rc); see $log"
exit 0
