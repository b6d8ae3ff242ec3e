#!/bin/bash
# Bisectability: build every commit since 'base' in build/linux, in order,
# incrementally, on the smallest kernels that compile every file of the
# series (configs/each-ARCH.config, on tinyconfig, no debugging, KASAN or
# kallsyms), each in its own build directory (build/each-ARCH): each commit
# only recompiles what it changed. The guests' KASAN kernels are built
# once, at the last commit (make run's arm64 one, the x86_64 guest's).
# The two architectures of a commit build at the same time. For each
# commit and architecture:
#  - vmlinux, unless the commit only touches tools/ or Documentation/,
#    or, for x86_64, only arm64 code (drivers/iommu/arm/, the io-pgtable,
#    drivers/acpi/arm64/, arch/arm64/) that an x86_64 kernel does not
#    build, or, for arm64, only iommufd's own directory
#    (drivers/iommu/iommufd/: generic code that the x86_64 build compiles
#    alike, and its mock, which only x86_64 builds; a change of a header
#    there that arm64 code includes is in include/);
#  - always with W=1, and with sparse (C=1, scripts/sparse-touched.sh) on
#    the C files under drivers/ that the commit touches, in the same make
#    call: any warning or error in those files fails, and so does such a
#    file that this configuration does not build into vmlinux;
#  - the iommu selftests, if the commit changes their sources (tools/,
#    uapi headers, the mock's iommufd_test.h).
# A commit already built from the same tree, config, toolchain and harness,
# in this clone or another (the shared cache, scripts/cache.sh), is not
# built again: its PASS says "cached". The selftests are only rebuilt when
# their sources change (build-tests.sh keeps them in the shared cache).
# Leaves the tree on its branch again. One result line per commit and arch:
#   PASS|FAIL <tab> build/NNNN-SUBJECT/ARCH <tab> detail
set -uo pipefail
. scripts/cache.sh

die() { echo "build-each: $*" >&2; exit 1; }
tree=build/linux
archs=${ARCHS:-x86_64 arm64}
[ -z "$(git -C "$tree" status --porcelain --untracked-files=no)" ] ||
	die "$tree has uncommitted changes"
branch=$(git -C "$tree" symbolic-ref -q --short HEAD) || die "$tree is not on a branch"

build_one() {
	local arch=$1 c=$2 out=build/each-$1 files f check kernel=0 skip members
	files=$(git -C "$tree" diff-tree --no-commit-id --name-only -r "$c")
	case $arch in
	x86_64) skip='^((tools|Documentation|drivers/iommu/arm|drivers/acpi/arm64|arch/arm64)/|drivers/iommu/io-pgtable-arm\.c$)' ;;
	arm64) skip='^(tools|Documentation|drivers/iommu/iommufd)/' ;;
	esac
	grep -qvE "$skip" <<< "$files" && kernel=1
	mapfile -t check < <(grep -vE "$skip" <<< "$files" | grep -E '^drivers/.*\.c$')
	if [ $kernel = 1 ] || [ ! -f "$out/vmlinux" ]; then
		echo "W=1, sparse on: ${check[*]:-nothing}"
		EACH_CHECK="${check[*]}" KBUILD_OUT=$out FRAGMENTS=$PWD/configs/each-$arch.config \
			scripts/build-kernel.sh "$arch" W=1 C=1 CHECK="$PWD/scripts/sparse-touched.sh" \
			vmlinux 2>&1 | tee "$out.log"
		[ "${PIPESTATUS[0]}" = 0 ] || return 1
		# Read whole: grep -q would leave ar writing into a closed
		# pipe, and pipefail would count its SIGPIPE as not found.
		members=$(ar t "$out/vmlinux.a")
		for f in "${check[@]}"; do
			# Built into this kernel (an object left over from
			# another commit is not: vmlinux.a lists them all)?
			grep -qx "$out/${f%.c}.o" <<< "$members" ||
				{ echo "$f: not built by configs/each-$arch.config"; return 1; }
			! grep -E "(^|/)$f:[0-9]+:([0-9]+:)? (warning|error):" "$out.log" ||
				return 1
		done
	fi
	# The selftests only where this commit changed what they are built
	# from (patch 1 comes before the fix that makes the base's build)
	local tsrc="tools include/uapi arch/x86/include/uapi arch/arm64/include/uapi drivers/iommu/iommufd/iommufd_test.h"
	# shellcheck disable=SC2086
	if [ "$(git -C "$tree" ls-tree "$c^" $tsrc)" = "$(git -C "$tree" ls-tree "$c" $tsrc)" ]; then
		echo "selftests: not built, this commit does not change their sources"
		return 0
	fi
	KBUILD_OUT=$out TESTS_OUT=build/each-tests-$arch scripts/build-tests.sh "$arch"
}

# One commit on one architecture: its result line, on stdout.
each_arch() {
	local arch=$1 c=$2 name=$3 key=$4 start log
	log=build/logs/build-$name-$arch.log
	start=$(date +%s)
	if build_one "$arch" "$c" > "$log" 2>&1; then
		record_put each "$key"
		printf 'PASS\tbuild/%s/%s\t%ss\n' "$name" "$arch" $(($(date +%s) - start))
	else
		tail -20 "$log" | sed 's/^/  /' >&2
		printf 'FAIL\tbuild/%s/%s\tsee %s\n' "$name" "$arch" "$log"
	fi
}

toolchain=$(toolchain_id)
script=$(files_id scripts/build-each.sh scripts/build-kernel.sh scripts/build-tests.sh scripts/sparse-touched.sh)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"; git -C "$tree" checkout -q "$branch"' EXIT
mkdir -p build/logs
n=0
for c in $(git -C "$tree" rev-list --reverse base..HEAD); do
	n=$((n + 1))
	name=$(printf '%04d-%s' "$n" "$(git -C "$tree" log -1 --format=%f "$c" | cut -c1-52)")
	treeid=$(git -C "$tree" rev-parse "$c^{tree}")
	checked_out=0
	for arch in $archs; do
		# shellcheck disable=SC2086
		config=$(sha256sum < configs/each-$arch.config | cut -c1-16)
		key="each $arch tree=$treeid config=$config toolchain=$toolchain script=$script"
		if record_has each "$key"; then
			printf 'PASS\tbuild/%s/%s\tcached: this tree, config and toolchain built before\n' \
				"$name" "$arch" > "$tmp/$arch"
			continue
		fi
		# Check out only what must be built: a checkout touches files
		# and so costs rebuilds later.
		if [ $checked_out = 0 ]; then
			git -C "$tree" checkout -q "$c"
			checked_out=1
		fi
		each_arch "$arch" "$c" "$name" "$key" > "$tmp/$arch" &
	done
	wait
	for arch in $archs; do
		# A job that died before it printed must not pass unseen.
		[ -s "$tmp/$arch" ] ||
			printf 'FAIL\tbuild/%s/%s\tthe build job printed no result\n' "$name" "$arch" > "$tmp/$arch"
		cat "$tmp/$arch"
		rm -f "$tmp/$arch"
	done
done
