#!/bin/bash
# Make build/ref/linux: the Linux 7.3 reference (ref.conf) as a git
# repository, its commit tagged 'base' on branch 'main', and check out
# the variant asked for:
#   plain      branch main: 7.3 as Debian ships it
#   upstream   branch upstream: base + the fixes we send to mainline
#              (upstream/*.patch, or the order in upstream/series),
#              applied with git am; re-made only when they changed
# UPSTREAM_DIR names another directory of patches (default upstream/);
# a cover letter (0000-cover-letter.patch) is not applied.
# Usage: make-ref-tree.sh [plain|upstream]
#        make-ref-tree.sh --patches   (list the upstream patches, in order)
set -euo pipefail

die() { echo "make-ref-tree: $*" >&2; exit 1; }
variant=${1:-plain}
tree=build/ref/linux
updir=${UPSTREAM_DIR:-upstream}

# Fixed identity and dates, as make-tree.sh: the base commit's hash is
# the same in every clone.
export GIT_COMMITTER_NAME="iommufd-viommu harness" GIT_COMMITTER_EMAIL="harness@localhost"
git_base() {
	GIT_AUTHOR_NAME="Debian linux-source" GIT_AUTHOR_EMAIL="debian-kernel@lists.debian.org" \
	GIT_AUTHOR_DATE="2000-01-01T00:00:00Z" GIT_COMMITTER_DATE="2000-01-01T00:00:00Z" \
		git -C "$tree" "$@"
}

upstream_patches() {
	if [ -f "$updir/series" ]; then
		sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$updir/series" | sed "s|^|$updir/|"
	else
		find "$updir" -maxdepth 1 -name '*.patch' ! -name '0000-cover-letter.patch' 2>/dev/null | sort
	fi
}
if [ "$variant" = --patches ]; then
	upstream_patches
	exit 0
fi

tarball=$(scripts/fetch-ref.sh)
used=$(cat build/ref/ref.used)
# A tree made from another tarball (ref.conf changed) is made again.
if [ -d "$tree/.git" ] && [ "$(git -C "$tree" log -1 --format=%s base 2>/dev/null)" != "base: $used" ]; then
	echo "make-ref-tree: $tree is not $used; making it again" >&2
	rm -rf "$tree"
fi
if [ ! -d "$tree/.git" ]; then
	echo "make-ref-tree: unpacking $tarball" >&2
	rm -rf "$tree.tmp" && mkdir -p "$tree.tmp"
	tar -xJf "$tarball" -C "$tree.tmp" --strip-components=1
	# Debian's tarball ignores everything at the top level (a stanza for
	# its packaging repository): drop it, so that patches adding files
	# apply, and force the add anyway.
	sed -i '/^# Debian packaging: ignore everything/,$d' "$tree.tmp/.gitignore"
	mv "$tree.tmp" "$tree"
	git_base init -q -b main
	git_base add -A -f
	git_base commit -q -m "base: $used"
	git_base tag base
	git_base config user.name "harness"
	git_base config user.email "harness@localhost"
fi

case $variant in
plain)
	git -C "$tree" am --abort >/dev/null 2>&1 || true
	git -C "$tree" checkout -q main
	;;
upstream)
	mapfile -t patches < <(upstream_patches)
	[ ${#patches[@]} -gt 0 ] || die "no patches in $updir/"
	want=$(cat "${patches[@]}" | git patch-id --stable | cut -d' ' -f1)
	have=
	if git -C "$tree" rev-parse -q --verify refs/heads/upstream >/dev/null; then
		have=$(git -C "$tree" log -p --reverse --format='commit %H' base..upstream |
			git patch-id --stable | cut -d' ' -f1)
	fi
	if [ -z "$have" ] || [ "$want" != "$have" ]; then
		git -C "$tree" am --abort >/dev/null 2>&1 || true
		git -C "$tree" checkout -q -B upstream base
		for p in "${patches[@]}"; do
			git -C "$tree" am -q --keep-cr "$(realpath "$p")" ||
				die "$p does not apply to $used (git -C $tree am --abort to clean up)"
		done
		echo "make-ref-tree: branch upstream: ${#patches[@]} patches from $updir/ on base" >&2
	else
		git -C "$tree" checkout -q upstream
	fi
	;;
*) die "unknown variant $variant (plain or upstream)" ;;
esac
