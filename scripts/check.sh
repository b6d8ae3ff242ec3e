#!/bin/bash
# make check: every test and check, in order. Each stage appends result
# lines (PASS|FAIL|SKIP <tab> name <tab> detail) to build/logs/results.txt;
# the run ends with one summary line and the time each stage took.
# Exit status is non-zero if anything failed.
# CACHE=off: the cold path. The build outputs of this clone are removed and
# a private, empty cache replaces the shared one (scripts/cache.sh).
set -uo pipefail

if [ "${CACHE:-on}" = off ]; then
	echo "=== CACHE=off: removing this clone's build outputs; private empty cache build/cache-off"
	rm -rf build/cache-off build/x86_64 build/arm64 build/each-* build/matrix-* \
		build/vmm-arm64 build/vmm build/vmm-apt \
		build/tests-* build/each-tests-* build/apply-newest* \
		build/ref/x86_64 build/ref/kernel-* build/ref/headers build/ref/tests-*
fi
. scripts/cache.sh
mkdir -p build/logs
results=build/logs/results.txt
: > "$results"
times=()

stage() {
	local name=$1
	shift
	echo "=== $name"
	local start
	start=$(date +%s)
	ccache_zero
	"$@" | tee -a "$results" | awk -F'\t' '$1 != "PASS" { print "    " $1 " " $2 (($3 != "") ? ": " $3 : "") }'
	local rc=${PIPESTATUS[0]}
	[ "$rc" = 0 ] || printf 'FAIL\tstage/%s\texit status %s\n' "$name" "$rc" | tee -a "$results"
	times+=("$(printf '%-22s %5ss   %s' "$name" $(($(date +%s) - start)) "$(ccache_rate)")")
}

# Stages at once, for stages that leave a core idle: QEMU's TCG runs
# the guest's test program on one host thread, and incremental builds
# are mostly make's walk and the link. Builds beside guests run at the
# lowest priority (nice 19, in the stage's function), so that the
# guests' timed tests get their cores first and the builds take every
# cycle they leave. Usage: stages_beside NAME FUNCTION [NAME FUNCTION...].
# Each one's results and time are its own; the ccache rate is theirs
# together.
stages_beside() {
	local tmp i n=$(($# / 2)) start rc secs name names=()
	tmp=$(mktemp -d)
	for ((i = 0; i < n; i++)); do names+=("${*:$((2 * i + 1)):1}"); done
	echo "=== ${names[*]}, side by side"
	ccache_zero
	for ((i = 0; i < n; i++)); do
		(
			start=$(date +%s)
			"${@:$((2 * i + 2)):1}" > "$tmp/$i.out"
			echo "$? $(($(date +%s) - start))" > "$tmp/$i.end"
		) &
	done
	wait
	for ((i = 0; i < n; i++)); do
		name=${names[$i]}
		tee -a "$results" < "$tmp/$i.out" |
			awk -F'\t' '$1 != "PASS" { print "    " $1 " " $2 (($3 != "") ? ": " $3 : "") }'
		read -r rc secs < "$tmp/$i.end"
		[ "$rc" = 0 ] || printf 'FAIL\tstage/%s\texit status %s\n' "$name" "$rc" | tee -a "$results"
		times+=("$(printf '%-22s %5ss   beside the others; %s' "$name" "$secs" "$(ccache_rate)")")
	done
	rm -rf "$tmp"
}

guest() {
	local arch=$1 name=$2
	shift 2
	local initrd=build/$name.cpio.gz
	scripts/build-kernel.sh "$arch" >&2 && scripts/build-tests.sh "$arch" >&2 &&
		scripts/initramfs.sh "$arch" "$initrd" "$@" >&2 || return 1
	scripts/run-guest.sh "$arch" "$name" "$initrd" >&2 ||
		printf 'FAIL\t%s/boot\tguest did not finish\n' "$name"
	local kunit=()
	[ "$arch" != arm64 ] || kunit=(--kunit build/linux/tools/testing/kunit/kunit.py)
	scripts/guest-results.py "build/logs/$name.log" --tag "$name" "${kunit[@]}"
}

# make bench's smoke pass (iommufd_bench -s) runs last in this guest and
# in ref73's ours-on-ref73, so that the benchmark cannot rot.
x86_guest() {
	scripts/build-bench.sh x86_64 build/bench/iommufd_bench >&2 ||
		printf 'FAIL\tbench-smoke/build\tbench/iommufd_bench.c did not build\n'
	guest x86_64 x86_64-selftests build/tests-x86_64/iommufd build/tests-x86_64/iommufd_fail_nth \
		build/tests-x86_64/iommufd_abi build/tests-x86_64/iommufd_teardown \
		"build/bench/iommufd_bench -s"
}

arm64_guest() {
	# QEMU traces the emulated SMMU's command queue: what the vSMMU sent.
	local trace=build/logs/arm64-smmuv3-cmdq.log
	rm -f "$trace"
	export QEMU_TRACE="-trace smmuv3_cmdq_opcode -trace smmuv3_range_inval -trace smmuv3_cmdq_cfgi_cd -trace smmuv3_cmdq_tlbi_nh -trace smmuv3_cmdq_tlbi_nsnh -trace smmuv3_cmdq_tlbi_s12_vmid -trace smmu_iotlb_inv_asid_vmid -D $trace"
	# make bench's SMMUv3 smoke pass (smmu_bench -s) runs last
	scripts/build-bench.sh arm64 build/bench/smmu_bench >&2 ||
		printf 'FAIL\tbench-smoke/build-smmu\tbench/smmu_bench.c did not build\n'
	guest arm64 arm64-smmuv3 \
		"build/tests-arm64/iommufd_edu -F two_smmus -F two_smmus_teardown" \
		"build/bench/smmu_bench -s" ||
		printf 'FAIL\tarm64-smmuv3/build\tthe kernel or the tests did not build\n'
	scripts/cmdq-trace.sh "$trace"
	scripts/bench-table.py --smoke-smmu build/logs/arm64-smmuv3.log "$trace"
	# A short second boot without the vSMMU opt-in: the refusal.
	unset QEMU_TRACE
	export VSMMU_OPT_IN=0
	guest arm64 arm64-no-opt-in \
		"build/tests-arm64/iommufd_edu -f vsmmu_opt_in" ||
		printf 'FAIL\tarm64-no-opt-in/build\tthe kernel or the tests did not build\n'
	unset VSMMU_OPT_IN
	opt_in_seen arm64-smmuv3 'vsmmu_assume_coherent=Y: vSMMU [0-9]* allocated, kernel tainted'
	opt_in_seen arm64-no-opt-in 'vsmmu_assume_coherent=N: IOMMU_VIOMMU_ALLOC answers EOPNOTSUPP'
}

# One VM behind two SMMUs, one stage 2 for both: QEMU 11.1 (its x86_64
# build) creates the second SMMU, in ACPI only, so the guest boots the
# arm64 guest kernel (EFI and ACPI are in its config) through UEFI. QEMU
# traces the MMIO writes that ring each SMMU's command queue, which tells
# scripts/two-smmus-trace.sh where each command went.
two_smmus_guest() {
	local trace=build/logs/arm64-two-smmus-trace.log initrd=build/arm64-two-smmus.cpio.gz
	rm -f "$trace"
	if ! scripts/fetch-vmm.sh amd64 >&2; then
		printf 'FAIL\tarm64-two-smmus/qemu\tscripts/fetch-vmm.sh amd64 failed\n'
		return
	fi
	if ! scripts/build-kernel.sh arm64 >&2 || ! scripts/build-tests.sh arm64 >&2 ||
	   ! scripts/initramfs.sh arm64 "$initrd" \
		"build/tests-arm64/iommufd_edu -f two_smmus -f two_smmus_teardown" >&2; then
		printf 'FAIL\tarm64-two-smmus/build\tthe kernel or the tests did not build\n'
		return
	fi
	TWO_SMMUS=1 \
	QEMU_TRACE="-trace memory_region_ops_write -trace smmuv3_cmdq_opcode -trace smmuv3_range_inval -trace smmuv3_cmdq_tlbi_s12_vmid -D $trace" \
		scripts/run-guest.sh arm64 arm64-two-smmus "$initrd" >&2 ||
		printf 'FAIL\tarm64-two-smmus/boot\tguest did not finish\n'
	# KUnit ran in the arm64 guest's boot already: not reported twice.
	scripts/guest-results.py build/logs/arm64-two-smmus.log --tag arm64-two-smmus
	scripts/two-smmus-trace.sh "$trace" build/logs/arm64-two-smmus.log
}

# vsmmu_opt_in.opt_in checks whichever side its boot has: say which ran.
opt_in_seen() {
	local log=build/logs/$1.log
	if grep -q "step: $2" "$log" 2>/dev/null; then
		printf 'PASS\t%s/opt-in-side\t%s\n' "$1" "$(grep -m1 -o "$2.*" "$log")"
	else
		printf 'FAIL\t%s/opt-in-side\tno "%s" in %s\n' "$1" "$2" "$log"
	fi
}

quiet() { "$@" >&2; }

total_start=$(date +%s)
stage setup quiet scripts/setup.sh
stage cache scripts/cache-check.sh
stage tree quiet scripts/make-tree.sh
stage checkpatch scripts/checkpatch.sh
stage apply-newest scripts/apply-newest.sh
# Linux 7.3's kernels and selftests for the ref73 stage, from here on at
# the lowest priority: they take what the per-patch builds leave idle
# (their walks and links are one job each; measured with the earlier
# per-patch builds, about a tenth of the two cores), then go on beside
# the guests. The ref73 stage waits for them.
REF_NICE=19 REF_BUILD_ONLY=1 scripts/ref.sh > build/logs/ref73-build.log 2>&1 &
ref73_build=$!
stage build-each-patch scripts/build-each.sh
# Side by side: the x86_64 guest and then Linux 7.3 as the reference;
# the arm64 guests, a real VMM (QEMU 11.1's accelerated vSMMU on our
# kernel, with KVM inside an arm64 guest: scripts/run-vmm.sh) and the
# two-SMMU guest, on make run's arm64 kernel; and the link matrix, at
# nice 19, which no guest waits for.
arm64_vmm() {
	arm64_guest
	nice -n 19 scripts/run-vmm.sh ||
		printf 'FAIL\treal-vmm/run\trun-vmm.sh exited %s\n' "$?"
	two_smmus_guest
}
# The x86_64 guest, then on its kernel and tests the reference stage
# (scripts/ref.sh): 7.3's selftests on our kernel, ours on 7.3 and on
# 7.3 + upstream/. Its 7.3 builds run at nice 19.
x86_guest_ref73() {
	x86_guest
	# What ref.sh finds missing it builds itself (and reports).
	while kill -0 "$ref73_build" 2>/dev/null; do sleep 5; done
	REF_NICE=19 REF_BENCH=build/bench/iommufd_bench scripts/ref.sh ||
		printf 'FAIL\tref73/run\tref.sh exited %s\n' "$?"
	scripts/bench.sh --smoke build/logs/x86_64-selftests.log build/logs/ours-on-ref73.log
}
link_matrix() { nice -n 19 scripts/build-matrix.sh; }
stages_beside x86_64-guest+ref73 x86_guest_ref73 arm64+vmm arm64_vmm link-matrix link_matrix

echo "=== time per stage (cache: $IOMMUFD_CACHE)"
printf '    %s\n' "${times[@]}"
printf '    %-22s %5ss\n' total $(($(date +%s) - total_start))
skipped=$(grep -c '^SKIP' "$results")
if [ "$skipped" != 0 ]; then
	echo "=== skipped (not passed):"
	awk -F'\t' '$1 == "SKIP" { print "    " $2 ": " $3 }' "$results"
fi
pass=$(grep -c '^PASS' "$results")
fail=$(grep -c '^FAIL' "$results")
cached=$(grep -c $'^PASS\t[^\t]*\tcached' "$results")
echo "$pass passed ($cached of them from the cache, built before with the same inputs), $fail failed, $skipped skipped"
[ "$fail" = 0 ]
