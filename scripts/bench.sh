#!/bin/bash
# make bench: what the vIOMMU objects cost on our kernel, side by side with
# Linux 7.3 (ref.conf), through the mock IOMMU.
#   - our x86_64 guest kernel without the debugging (configs/nodebug.config
#     on the guest's fragments), build/bench/x86_64;
#   - 7.3's reference kernel (scripts/build-ref.sh plain: the same
#     fragments, plus what its mock needs);
#   - bench/iommufd_bench.c, one static binary, run in a guest of each
#     kernel in turn (same QEMU, memory and CPUs), BENCH_RUNS times
#     (default 3), alternating; the table takes each figure's median.
# And bench/smmu_bench.c in the arm64 guest: invalidations through a vSMMU
# on QEMU's emulated SMMUv3, and what its trace says reached the SMMU; edu
# DMA through a stage-2-only and a nested STE, cold and warm, and what the
# trace says the SMMU did for each (TLB lookups, page-table walks).
# Prints the tables (scripts/bench-table.py) and writes build/bench.txt and
# build/bench.png. Usage: bench.sh [--smoke LOG_OURS LOG_73]: only judge
# two guest logs of a smoke pass (iommufd_bench -s), as make check does.
set -euo pipefail
. scripts/cache.sh

die() { echo "bench: $*" >&2; exit 1; }
mkdir -p build/bench build/logs

if [ "${1:-}" = --smoke ]; then
	exec scripts/bench-table.py --smoke "$2" "$3"
fi
[ -d build/linux ] || die "no build/linux; run 'make tree'"

# Our kernel without KASAN, lockdep or kmemleak, kept in the shared cache
# like the guest kernels (keyed by the sources and the fragments).
frags="$PWD/configs/common.config $PWD/configs/x86_64.config $PWD/configs/nodebug.config"
kernel=build/bench/kernel-ours
[ -z "$(git -C build/linux status --porcelain --untracked-files=no)" ] ||
	die "build/linux has uncommitted changes"
# shellcheck disable=SC2086
key="bench-kernel x86_64 src=$(git -C build/linux ls-tree HEAD |
	grep -vP '\t(tools|Documentation)$' | sha256sum | cut -c1-40)
frags=$(cat $frags | sha256sum | cut -c1-16) toolchain=$(toolchain_id)
script=$(files_id scripts/bench.sh scripts/build-kernel.sh)"
if ! store_get "$key" "$kernel"; then
	KBUILD_OUT=build/bench/x86_64 FRAGMENTS="$frags" scripts/build-kernel.sh x86_64 >&2
	mkdir -p "$kernel"
	cp build/bench/x86_64/arch/x86/boot/bzImage "$kernel/"
	store_put "$key" "$kernel" bzImage
fi
scripts/build-ref.sh plain >&2 || die "the 7.3 kernel did not build"
scripts/build-bench.sh x86_64 build/bench/iommufd_bench >&2

# One guest at a time, ours and 7.3 in turn: the figures are compared
# within one run, and neither guest competes with the other for a core.
scripts/initramfs.sh x86_64 build/bench/bench.cpio.gz build/bench/iommufd_bench
guest() {
	GUEST_KERNEL=$2 scripts/run-guest.sh x86_64 "$1" build/bench/bench.cpio.gz ||
		die "guest $1 failed"
}
start=$(date +%s)
ours_logs= ref_logs=
for i in $(seq "${BENCH_RUNS:-3}"); do
	guest "bench-ours-$i" "$kernel/bzImage"
	guest "bench-ref73-$i" build/ref/kernel-plain/bzImage
	ours_logs=$ours_logs${ours_logs:+,}build/logs/bench-ours-$i.log
	ref_logs=$ref_logs${ref_logs:+,}build/logs/bench-ref73-$i.log
done
echo "bench: ${BENCH_RUNS:-3} runs of each x86_64 guest in $(($(date +%s) - start))s" >&2

# The SMMUv3: smmu_bench in the arm64 guest (make run's kernel, with its
# debugging: only ratios within this run are reported from it), QEMU
# tracing what reached the emulated SMMU's command queue, its TLB lookups
# and its page-table walks.
scripts/build-kernel.sh arm64 >&2
scripts/build-bench.sh arm64 build/bench/smmu_bench >&2
scripts/initramfs.sh arm64 build/bench/bench-smmu.cpio.gz build/bench/smmu_bench
trace=build/logs/bench-smmu-trace.log
rm -f "$trace"
start=$(date +%s)
QEMU_TRACE="-trace smmuv3_cmdq_opcode -trace smmuv3_range_inval -trace smmu_iotlb_lookup_hit
	-trace smmu_iotlb_lookup_miss -trace smmu_ptw_level -trace smmuv3_record_event -D $trace" \
	scripts/run-guest.sh arm64 bench-smmu build/bench/bench-smmu.cpio.gz ||
	die "the arm64 guest failed"
echo "bench: the SMMUv3 guest in $(($(date +%s) - start))s" >&2
scripts/bench-table.py "$ours_logs" "$ref_logs" \
	--smmu build/logs/bench-smmu.log "$trace" --plot build/bench.png | tee build/bench.txt
