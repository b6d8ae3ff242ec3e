#!/bin/bash
# Write build/linux's commits since 'base' into patches/ as git format-patch
# output, with a cover letter and a quilt-style 'series' file.
# Deterministic: running it twice changes nothing.
set -euo pipefail

die() { echo "export: $*" >&2; exit 1; }
tree=build/linux
cover=patches/0000-cover-letter.patch

[ -d "$tree/.git" ] || die "no $tree; run 'make tree' first"
[ -z "$(git -C "$tree" status --porcelain --untracked-files=no)" ] ||
	die "$tree has uncommitted changes; commit them (git commit --fixup) first"
git -C "$tree" rev-parse -q --verify 'rebase-merge' >/dev/null 2>&1 && die "rebase in progress"
branch=$(git -C "$tree" symbolic-ref -q --short HEAD) || die "$tree is not on a branch"
n=$(git -C "$tree" rev-list --count base..HEAD)
[ "$n" -gt 0 ] || die "no commits since base"

# The cover letter's subject and text live in the exported cover letter
# itself (everything between its headers and the shortlog); the first
# export takes them from the branch description instead.
if [ -f "$cover" ]; then
	subject=$(sed -n 's/^Subject: \[PATCH [0-9]*\/[0-9]*\] //p' "$cover")
	body=$(awk 'f && /^[^ ].* \([0-9]+\):$/ { exit }
		    f { print }
		    !f && /^$/ { f = 1 }' "$cover")
	git -C "$tree" config branch.$branch.description "$(printf '%s\n\n%s\n' "$subject" "$body")"
fi
git -C "$tree" config "branch.$branch.description" >/dev/null ||
	die "no $cover and no description of branch $branch in $tree to make one from"

# Fixed committer identity and date so the cover letter does not change
# from run to run.
date=$(git -C "$tree" log -1 --format=%ad --date=rfc HEAD)
out=$(mktemp -d)
GIT_COMMITTER_NAME="$(git -C "$tree" log -1 --format=%an HEAD)" \
GIT_COMMITTER_EMAIL="$(git -C "$tree" log -1 --format=%ae HEAD)" \
GIT_COMMITTER_DATE="$date" \
	git -C "$tree" format-patch -q --zero-commit --no-signature --no-numbered-files \
		--cover-letter --cover-from-description=subject \
		--subject-prefix=PATCH -o "$out" "base..$branch"
rm -f patches/[0-9][0-9][0-9][0-9]-*.patch
mv "$out"/*.patch patches/
rmdir "$out"
{
	echo "# Apply in this order with 'git am' on a Linux 6.12.y tree."
	ls patches | grep -E '^[0-9]{4}-.*\.patch$' | grep -v '^0000-cover-letter'
} > patches/series
echo "export: wrote $n patches and a cover letter to patches/"
