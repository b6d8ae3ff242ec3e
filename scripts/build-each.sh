#!/bin/bash
# Bisectability: build every commit since 'base' in build/linux, in order,
# for each architecture (kernel and selftests), incrementally in the usual
# build directories. Leaves the tree on its branch again.
# One result line per patch and architecture:
#   PASS|FAIL <tab> build/SUBJECT-SLUG/ARCH <tab> detail
set -uo pipefail

die() { echo "build-each: $*" >&2; exit 1; }
tree=build/linux
archs=${ARCHS:-x86_64 arm64}
[ -z "$(git -C "$tree" status --porcelain --untracked-files=no)" ] ||
	die "$tree has uncommitted changes"
branch=$(git -C "$tree" symbolic-ref -q --short HEAD) || die "$tree is not on a branch"
trap 'git -C "$tree" checkout -q "$branch"' EXIT

n=0
for c in $(git -C "$tree" rev-list --reverse base..HEAD); do
	n=$((n + 1))
	name=$(printf '%04d-%s' "$n" "$(git -C "$tree" log -1 --format=%f "$c" | cut -c1-52)")
	git -C "$tree" checkout -q "$c"
	for arch in $archs; do
		log=build/logs/build-$name-$arch.log
		start=$(date +%s)
		if scripts/build-kernel.sh "$arch" > "$log" 2>&1 &&
		   scripts/build-tests.sh "$arch" >> "$log" 2>&1; then
			printf 'PASS\tbuild/%s/%s\t%ss\n' "$name" "$arch" $(($(date +%s) - start))
		else
			tail -20 "$log" | sed 's/^/  /' >&2
			printf 'FAIL\tbuild/%s/%s\tsee %s\n' "$name" "$arch" "$log"
		fi
	done
done
