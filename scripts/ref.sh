#!/bin/bash
# make ref: Linux 7.3 (ref.conf) as a reference oracle for the series.
# Five x86_64 guests (TCG, mock IOMMU), one per direction and kernel:
#   ref73-on-ours             7.3's own iommu selftests (with what
#                             upstream/ adds to them) on our kernel
#   ours-on-ref73             our selftests on plain 7.3
#   ref73-on-ref73            7.3's selftests on 7.3: what 7.3 itself fails
#   ours-on-ref73+upstream    ours on 7.3 with upstream/*.patch
#   ref73-on-ref73+upstream   7.3's on 7.3 with upstream/*.patch
# Prints result lines (PASS|FAIL|SKIP <tab> name <tab> detail) judged by
# scripts/ref-results.py against ref.skips (what the series lacks) and
# the README's table of known differences; guest logs in build/logs/.
# Our kernel and tests are the x86_64 guest's (build-kernel.sh,
# build-tests.sh: from the shared cache after make check's guest stage).
# REF_BENCH names a static iommufd_bench (scripts/build-bench.sh): its
# smoke pass (-s) then runs last in ours-on-ref73, for make check's
# bench-smoke. Environment: UPSTREAM_DIR (default upstream/), REF_README (default
# README.md), REF_NICE (nice level of the builds, default 10), OURS_KERNEL
# and OURS_TESTS (our bzImage and selftest directory, already built:
# nothing of ours is built then).
set -euo pipefail
. scripts/cache.sh

die() { echo "ref: $*" >&2; exit 1; }
[ -d build/linux ] || die "no build/linux; run 'make tree'"
updir=${UPSTREAM_DIR:-upstream}
readme=${REF_README:-README.md}
nice=(nice -n "${REF_NICE:-10}")
mkdir -p build/ref build/logs

# What runs, as kselftest harness filters (-f fixture, -t test; any one
# matching selects a case). Everything of 7.3 that touches a vIOMMU, a
# vDEVICE, a vEVENTQ or a nested HWPT: the iommufd_viommu fixture, nested
# HWPTs on a parent (alloc_hwpt_nested), the ioctl lengths (cmd_length),
# PASID attach of nested HWPTs (iommufd_device_pasid) and fail_nth's
# device path (vIOMMU, vDEVICE, vEVENTQ). What needs a feature the series
# lacks is run too, and reported as SKIP (ref.skips).
ref73_tests=(
	"iommufd -f iommufd_viommu -t alloc_hwpt_nested -t cmd_length -f iommufd_device_pasid"
	"iommufd_fail_nth -t device"
)
# Ours: the vIOMMU ABI, the vIOMMU/vDEVICE/vEVENTQ fixture, nested HWPTs,
# the teardown orders and races, fail_nth's vIOMMU path.
ours_cases=(
	"iommufd_abi"
	"iommufd -f iommufd_viommu -t alloc_hwpt_nested -t cmd_length"
	"iommufd_teardown"
	"iommufd_fail_nth -t viommu"
)

have_upstream=0
[ -z "$(scripts/make-ref-tree.sh --patches)" ] || have_upstream=1
tests_tree=plain
[ $have_upstream = 0 ] || tests_tree=upstream

# The builds: 7.3's selftests against 7.3's uapi headers, with what
# upstream/ adds to them (a test of the bug it fixes, to be seen failing
# on plain 7.3), 7.3 and 7.3+upstream kernels, our kernel and tests.
"${nice[@]}" scripts/make-ref-tree.sh $tests_tree >&2
KSRC=build/ref/linux KBUILD_OUT=build/ref/headers TESTS_OUT=build/ref/tests-x86_64 \
	"${nice[@]}" scripts/build-tests.sh x86_64 >&2 || die "7.3's selftests did not build"
"${nice[@]}" scripts/build-ref.sh plain >&2 || die "the 7.3 kernel did not build"
[ $have_upstream = 0 ] || "${nice[@]}" scripts/build-ref.sh upstream >&2 ||
	die "the 7.3+upstream kernel did not build"
[ "${REF_BUILD_ONLY:-0}" = 0 ] || exit 0
ours_kernel=${OURS_KERNEL:-build/x86_64/arch/x86/boot/bzImage}
ours_tests=${OURS_TESTS:-build/tests-x86_64}
if [ -z "${OURS_KERNEL:-}${OURS_TESTS:-}" ]; then
	{ "${nice[@]}" scripts/build-kernel.sh x86_64 >&2 && "${nice[@]}" scripts/build-tests.sh x86_64 >&2; } ||
		die "our x86_64 kernel or selftests did not build"
fi

# guest NAME KERNEL TESTDIR TEST... [-- PROG...]: boot KERNEL with
# TESTDIR's tests, then PROGs (paths with their arguments).
guest() {
	local name=$1 kernel=$2 dir=$3 t start
	shift 3
	local progs=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do progs+=("$dir/$1"); shift; done
	[ $# = 0 ] || { shift; progs+=("$@"); }
	scripts/initramfs.sh x86_64 "build/ref/$name.cpio.gz" "${progs[@]}" >&2
	start=$(date +%s)
	GUEST_KERNEL=$kernel scripts/run-guest.sh x86_64 "$name" "build/ref/$name.cpio.gz" >&2 ||
		echo "ref: $name did not finish (its results say which test)" >&2
	echo "ref: $name: $(($(date +%s) - start))s" >&2
}
rm -f build/logs/ref73-on-* build/logs/ours-on-ref73*
runs=(build/logs/ref73-on-ours.log:ref73-on-ours build/logs/ours-on-ref73.log:ours-on-ref73
      build/logs/ref73-on-ref73.log:ref73-on-ref73)
# The guests on plain 7.3 spend most of their time asleep (the 60 s
# waiter of the mainline bug, kselftest timeouts): they run beside the
# others, which keep the CPU.
bench=()
[ -z "${REF_BENCH:-}" ] || bench=(-- "$REF_BENCH -s")
guest ours-on-ref73 build/ref/kernel-plain/bzImage "$ours_tests" "${ours_cases[@]}" "${bench[@]}" &
guest ref73-on-ref73 build/ref/kernel-plain/bzImage build/ref/tests-x86_64 "${ref73_tests[@]}" &
guest ref73-on-ours "$ours_kernel" build/ref/tests-x86_64 "${ref73_tests[@]}"
if [ $have_upstream = 1 ]; then
	guest ours-on-ref73+upstream build/ref/kernel-upstream/bzImage "$ours_tests" "${ours_cases[@]}"
	guest ref73-on-ref73+upstream build/ref/kernel-upstream/bzImage build/ref/tests-x86_64 "${ref73_tests[@]}"
	runs+=(build/logs/ours-on-ref73+upstream.log:ours-on-ref73+upstream
	       build/logs/ref73-on-ref73+upstream.log:ref73-on-ref73+upstream)
else
	printf 'FAIL\tref73+upstream\tno patches in %s/: the mainline fixes are not tested\n' "$updir"
fi
wait
scripts/ref-results.py --readme "$readme" --skips ref.skips "${runs[@]}"
