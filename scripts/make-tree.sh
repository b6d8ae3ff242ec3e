#!/bin/bash
# Make build/linux: the base as a git repository (commit tagged 'base')
# with the series from patches/series applied by 'git am', one commit each.
# Does nothing when the tree's commits already match patches/.
set -euo pipefail

die() { echo "make-tree: $*" >&2; exit 1; }
tree=build/linux
top=$PWD

# Identity for commits the harness makes (the base commit, git am's
# committer). Fixed dates make the base commit's hash the same everywhere.
export GIT_COMMITTER_NAME="iommufd-viommu harness" GIT_COMMITTER_EMAIL="harness@localhost"
git_base() {
	GIT_AUTHOR_NAME="Debian linux-source" GIT_AUTHOR_EMAIL="debian-kernel@lists.debian.org" \
	GIT_AUTHOR_DATE="2000-01-01T00:00:00Z" GIT_COMMITTER_DATE="2000-01-01T00:00:00Z" \
		git -C "$tree" "$@"
}

series_ids() {
	sed -e 's/#.*//' -e '/^[[:space:]]*$/d' patches/series |
		while read -r p; do cat "patches/$p"; done |
		git patch-id --stable | cut -d' ' -f1
}
tree_ids() {
	git -C "$tree" log -p --reverse --format='commit %H' base..HEAD |
		git patch-id --stable | cut -d' ' -f1
}

if [ ! -d "$tree/.git" ]; then
	tarball=$(scripts/fetch-base.sh)
	echo "make-tree: unpacking $tarball"
	rm -rf "$tree.tmp" && mkdir -p "$tree.tmp"
	tar -xJf "$tarball" -C "$tree.tmp" --strip-components=1
	# Debian's tarball ignores everything at the top level (a stanza for
	# its packaging repository); drop it so new files can be added.
	sed -i '/^# Debian packaging: ignore everything/,$d' "$tree.tmp/.gitignore"
	sed -i -e :a -e '/^\n*$/{$d;N;ba' -e '}' "$tree.tmp/.gitignore"
	sed -i '${/^#$/d}' "$tree.tmp/.gitignore"
	mv "$tree.tmp" "$tree"
	git_base init -q -b main
	git_base add -A -f
	git_base commit -q -m "base: $(cat build/base.used)"
	git_base tag base
	git_base config user.name "${GIT_AUTHOR_NAME:-$(git config user.name || echo developer)}"
	git_base config user.email "${GIT_AUTHOR_EMAIL:-$(git config user.email || echo developer@localhost)}"
	git_base config core.abbrev 12
fi

if [ "$(series_ids)" = "$(tree_ids)" ]; then
	echo "make-tree: $tree matches patches/ ($(tree_ids | wc -l) patches)"
	exit 0
fi

[ -z "$(git -C "$tree" status --porcelain --untracked-files=no)" ] ||
	die "$tree has uncommitted changes and its commits differ from patches/; commit and 'make export', or discard them"
if [ "$(git -C "$tree" rev-parse HEAD)" != "$(git -C "$tree" rev-parse base)" ]; then
	backup="backup/$(date +%Y%m%d-%H%M%S)"
	git -C "$tree" branch "$backup"
	echo "make-tree: the tree's commits differ from patches/; saved them as branch $backup"
fi
git -C "$tree" am --abort >/dev/null 2>&1 || true
git -C "$tree" checkout -q main
git -C "$tree" reset -q --hard base
n=0
while read -r p; do
	git -C "$tree" am -q --keep-cr "$top/patches/$p" || die "patches/$p does not apply (git -C $tree am --abort to clean up)"
	n=$((n + 1))
done < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' patches/series)
echo "make-tree: applied $n patches on base"
