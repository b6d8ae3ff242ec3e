#!/bin/bash
# Link matrix: build (vmlinux and modules) the arm64 kernel with IOMMUFD=y,
# m and n against a built-in and a modular ARM_SMMU_V3, so that every
# combination of a built-in or modular IOMMU driver with iommufd links.
# The kernel is the smallest arm64 one with modules (configs/matrix-arm64.config),
# not the guest's: IOMMUFD is in include/linux/sched/user.h, so its every
# change rebuilds most of the kernel, which took over 10 minutes per change
# with the guest's KASAN (tried). All six share one build directory, in an
# order that changes one symbol at a time. A change of IOMMUFD recompiles
# every file that includes sched/user.h, although for almost all of them
# the preprocessed source does not change (configs/matrix-arm64.config
# keeps locked_vm in struct user_struct whatever IOMMUFD is): ccache runs
# in its preprocessor mode here, which finds those in the cache. Measured
# cold: the m-m and n-y steps took 580 s and 368 s in ccache's depend mode.
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
# ccache's preprocessor mode (scripts/cache.sh sets its depend mode but
# for this, and build-kernel.sh sources it again).
export CCACHE_NODEPEND=1
unset CCACHE_DEPEND

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
