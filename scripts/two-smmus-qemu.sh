# shellcheck shell=bash
# Sourced by run-guest.sh (TWO_SMMUS=1) and run-vmm.sh (L0): QEMU 11.1's
# x86_64 build (scripts/fetch-vmm.sh amd64) as an arm64 virt machine with
# two SMMUv3s and an edu behind each. QEMU 10.1 and later create an SMMUv3
# per pxb-pcie bus, in ACPI only, so the machine boots through UEFI; no
# SMMU on the machine itself, so that each edu, behind a root port of its
# own bus (0x11 and 0x21), has its own SMMU (stage=nested: both stages).
# two_smmus_qemu MEMORY [MACHINE_OPTIONS,]: sets the array qemu.
two_smmus_qemu() {
	local mem=$1 machine=${2:-} root=build/vmm-amd64/root i
	if [ ! -x "$root/bin/qemu-system-aarch64" ]; then
		echo "no QEMU 11.1 in $root; run scripts/fetch-vmm.sh amd64" >&2
		return 1
	fi
	qemu=(env QEMU_MODULE_DIR="$root/modules"
	      "$root/lib/ld-linux-x86-64.so.2" --library-path "$root/lib"
	      "$root/bin/qemu-system-aarch64" -L "$root/share"
	      -bios "$root/share/QEMU_EFI.fd"
	      -M "virt,${machine}gic-version=3" -accel tcg -cpu max -smp 2 -m "$mem")
	for i in 1 2; do
		qemu+=(-device "pxb-pcie,id=pcie.$i,bus_nr=$((i * 16)),bus=pcie.0"
		       -device "arm-smmuv3,primary-bus=pcie.$i,id=smmu$i,stage=nested"
		       -device "pcie-root-port,id=rp$i,bus=pcie.$i,chassis=$i"
		       -device "edu,bus=rp$i")
	done
}
