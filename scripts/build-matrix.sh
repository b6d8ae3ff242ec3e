#!/bin/bash
# Link matrix: build (vmlinux and modules) the arm64 kernel with IOMMUFD=y,
# m and n against a built-in and a modular ARM_SMMU_V3, so that every
# combination of a built-in or modular IOMMU driver with iommufd links.
# The kernel is the smallest arm64 one with modules (configs/matrix-arm64.config),
# not the guest's: IOMMUFD is in include/linux/sched/user.h, so its every
# change rebuilds most of the kernel, which took over 10 minutes per change
# with the guest's KASAN (tried). All six share one build directory, in an
# order that changes one symbol at a time. Beside them, the IORT code, which
# only ACPI kernels build: one object with W=1 and sparse
# (configs/acpi-arm64.config on the arm64 guest's config).
# The results are kept in the shared cache (scripts/cache.sh), keyed by the
# kernel source (the tree without tools/ and Documentation/), the config, the
# toolchain and the harness scripts: a combination any clone built is
# reported "cached", not built again.
# One result line per combination: PASS|FAIL <tab> matrix/... <tab> detail
set -uo pipefail
. scripts/cache.sh

tree=build/linux
# The stamps name HEAD's tree: the kernel built must be that tree.
[ -z "$(git -C "$tree" status --porcelain --untracked-files=no)" ] ||
	{ echo "build-matrix: $tree has uncommitted changes" >&2; exit 1; }
unset EXTRA_CONFIGS
# The kernel does not depend on tools/ or Documentation/: leave them out of
# the key, so that a selftest-only change does not rebuild six kernels.
treeid=$(git -C "$tree" ls-tree HEAD | grep -vP '\t(tools|Documentation)$' |
	 sha256sum | cut -c1-40)
toolchain=$(toolchain_id)
script=$(files_id scripts/build-matrix.sh scripts/build-kernel.sh)
mkdir -p build/logs

# The IORT code: one object, W=1 and sparse, with ACPI on top of the arm64
# guest's config. It builds in its own directory, next to the matrix: on
# two cores, its configuration and preparation fill what the matrix's
# single-threaded make walks and links leave idle.
acpi_iort() {
	local out=build/matrix-acpi frags key log start obj=drivers/acpi/arm64/iort.o
	frags="$guest $PWD/configs/acpi-arm64.config"
	# shellcheck disable=SC2086
	key="acpi-iort tree=$treeid config=$(cat $frags | sha256sum | cut -c1-16) toolchain=$toolchain script=$script"
	log=build/logs/matrix-acpi-iort.log
	start=$(date +%s)
	if record_has matrix "$key"; then
		printf 'PASS\tmatrix/acpi-iort\tcached: this tree, config and toolchain built before\n'
	elif KBUILD_OUT=$out FRAGMENTS=$frags scripts/build-kernel.sh arm64 W=1 C=2 "$obj" > "$log" 2>&1 &&
	     ! grep -qE "iort\.c:[0-9]+:([0-9]+:)? (warning|error):" "$log"; then
		record_put matrix "$key"
		printf 'PASS\tmatrix/acpi-iort\t%s with W=1 and sparse, %ss\n' "$obj" $(($(date +%s) - start))
	else
		tail -20 "$log" | sed 's/^/  /' >&2
		printf 'FAIL\tmatrix/acpi-iort\tsee %s\n' "$log"
	fi
}

guest="$PWD/configs/common.config $PWD/configs/arm64.config"
acpi=$(mktemp)
acpi_iort > "$acpi" &
out=build/matrix-arm64
for combo in y-y y-m m-m m-y n-y n-m; do
	fd=${combo%-*} smmu=${combo#*-}
	name=iommufd-$fd-smmu-$smmu
	frag=$(mktemp)
	cat configs/matrix-arm64.config > "$frag"
	if [ $fd = n ]; then
		echo "# CONFIG_IOMMUFD is not set" >> "$frag"
	else
		echo "CONFIG_IOMMUFD=$fd" >> "$frag"
	fi
	echo "CONFIG_ARM_SMMU_V3=$smmu" >> "$frag"
	key="matrix $name tree=$treeid config=$(sha256sum < "$frag" | cut -c1-16) toolchain=$toolchain script=$script"
	log=build/logs/matrix-$name.log
	start=$(date +%s)
	if record_has matrix "$key"; then
		printf 'PASS\tmatrix/%s\tcached: this tree, config and toolchain linked before\n' "$name"
	elif KBUILD_OUT=$out FRAGMENTS=$frag scripts/build-kernel.sh arm64 > "$log" 2>&1 &&
	     grep -qx "CONFIG_ARM_SMMU_V3=$smmu" "$out/.config"; then
		record_put matrix "$key"
		printf 'PASS\tmatrix/%s\t%ss\n' "$name" $(($(date +%s) - start))
	else
		tail -20 "$log" | sed 's/^/  /' >&2
		printf 'FAIL\tmatrix/%s\tsee %s\n' "$name" "$log"
	fi
	rm -f "$frag"
done

wait
cat "$acpi"
rm -f "$acpi"
