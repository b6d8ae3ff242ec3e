#!/bin/bash
# Does the series still apply to the newest 6.12.y a Debian 12 user can get?
# Takes the highest linux-source-6.12 version apt-cache offers (security or
# backports), extracts only the files the series touches into a small git
# repository (build/apply-newest) and runs 'git am' on each patch in order.
# One result line: PASS|FAIL|SKIP <tab> apply/newest-6.12 <tab> detail.
# The tarball is kept in the shared cache (scripts/cache.sh, base/) with its
# SHA-256 beside it.
set -euo pipefail
. scripts/cache.sh

die() { echo "apply-newest: $*" >&2; exit 1; }
name=apply/newest-6.12
pkg=linux-source-6.12
member=usr/src/linux-source-6.12.tar.xz
top=$PWD
repo=build/apply-newest
[ -f patches/series ] || die "run from the top of the repository"

sum_of() { sha256sum < "$1" | cut -d' ' -f1; }

# The candidate: the highest 6.12.y version apt knows about.
command -v apt-cache >/dev/null || die "apt-cache not found: Debian 12 is required"
version=$(apt-cache madison "$pkg" 2>/dev/null | awk '{print $3}' |
	  grep '^6\.12\.' | sort -V | tail -1 || true)
if [ -z "$version" ]; then
	printf 'SKIP\t%s\tapt-cache lists no 6.12.y version of %s (run make setup: it adds bookworm-backports)\n' \
		"$name" "$pkg"
	exit 0
fi

# The tarball, in the shared cache's base/ (where fetch-base.sh keeps the
# pinned one), verified against the SHA-256 kept with it.
cache=$IOMMUFD_CACHE/base
mkdir -p "$cache" || die "cannot create cache directory $cache"
tarball=$cache/${pkg}_$version.tar.xz
if [ -s "$tarball" ] && [ -s "$tarball.sha256" ] &&
   [ "$(sum_of "$tarball")" = "$(cut -d' ' -f1 "$tarball.sha256")" ]; then
	:
else
	if [ -e "$tarball" ]; then
		echo "apply-newest: $tarball does not match its SHA-256; downloading it again" >&2
	fi
	rm -f "$tarball" "$tarball.sha256"
	command -v apt-get >/dev/null || die "apt-get not found: Debian 12 is required"
	tmp=$(mktemp -d "$cache/deb.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	( cd "$tmp" && apt-get download -q -o APT::Sandbox::User=root "$pkg=$version" >&2 ) ||
		die "could not download $pkg=$version"
	dpkg-deb --fsys-tarfile "$tmp"/*.deb | tar -x -C "$tmp" "./$member" ||
		die "no $member in $pkg=$version"
	sum=$(sum_of "$tmp/$member")
	mv "$tmp/$member" "$tarball"
	echo "$sum  $(basename "$tarball")" > "$tmp/sha256"
	mv "$tmp/sha256" "$tarball.sha256"
	rm -rf "$tmp"
	trap - EXIT
	echo "apply-newest: cached $pkg $version sha256 $sum in $tarball" >&2
fi

# The series and every path it touches (both sides of each diff --git).
mapfile -t series < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' patches/series)
[ "${#series[@]}" != 0 ] || die "patches/series lists no patches"
for p in "${series[@]}"; do
	[ -f "patches/$p" ] || die "patches/series lists $p, which is not in patches/"
done
mapfile -t paths < <(for p in "${series[@]}"; do grep '^diff --git ' "patches/$p"; done |
	awk '{ print $3; print $4 }' | sed 's|^[ab]/||' | grep -vxF /dev/null | awk '!seen[$0]++')
[ "${#paths[@]}" != 0 ] || die "no 'diff --git' lines in the patches"

# Extract those that exist. New files are not in the tarball: tar says
# "Not found in archive" for them, which is fine; any other error is not.
# xz must decompress the whole stream even for a few files; -T0 uses every
# CPU (Debian's tarball is written in blocks, so this helps).
rm -rf "$repo"
mkdir -p "$repo"
start=$(date +%s)
printf '%s\n' "${paths[@]/#/$pkg/}" > "$repo.list"
rc=0
LC_ALL=C tar --use-compress-program='xz -T0' -xf "$tarball" -C "$repo" --strip-components=1 \
	-T "$repo.list" 2> "$repo.tar-errors" || rc=$?
if [ "$rc" != 0 ] &&
   { [ "$rc" != 2 ] || grep -v -e ': Not found in archive$' -e 'Exiting with failure status due to previous errors$' \
	"$repo.tar-errors" >&2; }; then
	die "could not extract from $tarball"
fi
rm -f "$repo.list" "$repo.tar-errors"
found=$(find "$repo" -type f | wc -l)
[ "$found" != 0 ] || die "none of the series' ${#paths[@]} paths is in $tarball"
echo "apply-newest: extracted $found of ${#paths[@]} touched paths from $pkg $version in $(($(date +%s) - start))s" >&2

# A base commit with a fixed identity and date, then git am each patch.
export GIT_COMMITTER_NAME="iommufd-viommu harness" GIT_COMMITTER_EMAIL="harness@localhost"
git_base() {
	GIT_AUTHOR_NAME="Debian linux-source" GIT_AUTHOR_EMAIL="debian-kernel@lists.debian.org" \
	GIT_AUTHOR_DATE="2000-01-01T00:00:00Z" GIT_COMMITTER_DATE="2000-01-01T00:00:00Z" \
		git -C "$repo" "$@"
}
git_base init -q -b main
git_base add -A -f
git_base commit -q -m "base: $pkg $version (only the files the series touches)"

n=0
for p in "${series[@]}"; do
	if ! git -C "$repo" am -q --keep-cr --no-3way "$top/patches/$p" > "$repo.log" 2>&1; then
		first=$(grep -m1 '^error:' "$repo.log" || head -1 "$repo.log")
		echo "apply-newest: git am: $first" >&2
		echo "apply-newest: full output in $repo.log; see git -C $repo am --show-current-patch=diff" >&2
		printf 'FAIL\t%s\t%s: patches/%s does not apply\n' "$name" "$version" "$p"
		exit 0
	fi
	n=$((n + 1))
done
rm -f "$repo.log"
printf 'PASS\t%s\t%s %s: %s patches apply with git am\n' "$name" "$pkg" "$version" "$n"
