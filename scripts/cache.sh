# Sourced by the harness scripts: the per-user cache that every clone on
# this machine shares. It only holds what is a pure function of its inputs:
#   ccache/     compiler results; CCACHE_BASEDIR is the clone, so a second
#               clone (another directory) hits the same entries
#   base/       the verified base tarballs, with their SHA-256
#   busybox/    the static arm64 busybox
#   results/    PASS records of per-patch builds and link-matrix kernels
#   kernels/    built guest kernels and selftest binaries
# Records and kernels are keyed by everything they depend on: the source
# tree (git tree IDs), the config fragments, the toolchain's versions and
# the harness scripts that make them. Each entry holds its key; one whose
# content does not match its key (corrupt, or written by something else)
# is deleted and rebuilt, never trusted.
#
# IOMMUFD_CACHE names the directory (default
# ${XDG_CACHE_HOME:-$HOME/.cache}/iommufd-viommu). CACHE=off (make check
# CACHE=off) uses build/cache-off instead, emptied by check.sh first: the
# cold path, nothing reused.

if [ "${CACHE:-on}" = off ]; then
	IOMMUFD_CACHE=$PWD/build/cache-off
else
	IOMMUFD_CACHE=${IOMMUFD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/iommufd-viommu}
fi
export IOMMUFD_CACHE
mkdir -p "$IOMMUFD_CACHE"

# ccache: shared, and blind to the clone's directory.
export CCACHE_DIR=$IOMMUFD_CACHE/ccache
export CCACHE_BASEDIR=$PWD
export CCACHE_NOHASHDIR=1
# Depend mode: a miss compiles once, without running the preprocessor
# first to make a key (ccache's default): measured on an arm64 guest
# config's mm/ and kernel/, a cold cache cost 213 s against 148 s without
# ccache, 137 s in depend mode. Hits come from the direct mode alone.
# A caller that wants the preprocessor mode (scripts/build-matrix.sh) sets
# CCACHE_NODEPEND=1, which the scripts it runs keep.
if [ -z "${CCACHE_NODEPEND:-}" ]; then
	export CCACHE_DEPEND=1
else
	unset CCACHE_DEPEND
fi
export CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-20G}

# The versions of everything that turns sources into what we cache.
toolchain_id() {
	{
		gcc --version | head -1
		aarch64-linux-gnu-gcc --version 2>/dev/null | head -1
		ld --version | head -1
		aarch64-linux-gnu-ld --version 2>/dev/null | head -1
		sparse --version 2>/dev/null
		make --version | head -1
	} | sha256sum | cut -c1-16
}

# The content of harness files (the scripts that make a result).
files_id() {
	cat "$@" | sha256sum | cut -c1-16
}

# A record: results/KIND/SHA256-OF-KEY holding the key itself.
# record_has KIND KEY: true if a valid record exists; a corrupt one is
# removed (and reported on stderr).
record_path() {
	echo "$IOMMUFD_CACHE/results/$1/$(printf '%s\n' "$2" | sha256sum | cut -c1-40)"
}

record_has() {
	local f
	f=$(record_path "$1" "$2")
	[ -f "$f" ] || return 1
	if [ "$(cat "$f")" = "$2" ]; then
		return 0
	fi
	echo "cache: $f does not hold its key; removed, rebuilding" >&2
	rm -f "$f"
	return 1
}

record_put() {
	local f
	f=$(record_path "$1" "$2")
	mkdir -p "$(dirname "$f")"
	printf '%s\n' "$2" > "$f.tmp.$$" && mv "$f.tmp.$$" "$f"
}

# A stored build output: kernels/SHA256-OF-KEY/ with a file "key", the
# files under files/, and a "sums" file of their SHA-256 written last.
# store_get KEY DIR: copy every stored file into DIR if a complete entry
# with this key exists. store_put KEY DIR FILE...: save FILEs of DIR.
store_path() {
	echo "$IOMMUFD_CACHE/kernels/$(printf '%s\n' "$1" | sha256sum | cut -c1-40)"
}

store_get() {
	local key=$1 dir=$2 d
	d=$(store_path "$key")
	[ -f "$d/sums" ] || return 1
	if [ "$(cat "$d/key" 2>/dev/null)" != "$key" ] ||
	   ! (cd "$d" && sha256sum --quiet -c sums >/dev/null 2>&1); then
		echo "cache: $d is corrupt or not this key's; removed, rebuilding" >&2
		rm -rf "$d"
		return 1
	fi
	mkdir -p "$dir"
	cp -pR "$d/files/." "$dir/"
}

store_put() {
	local key=$1 dir=$2 d tmp f
	shift 2
	d=$(store_path "$key")
	tmp=$d.tmp.$$
	rm -rf "$tmp"
	mkdir -p "$tmp/files"
	printf '%s\n' "$key" > "$tmp/key"
	for f in "$@"; do
		mkdir -p "$tmp/files/$(dirname "$f")"
		cp -p "$dir/$f" "$tmp/files/$f"
	done
	(cd "$tmp" && find files -type f -print0 | sort -z | xargs -0 sha256sum > sums)
	rm -rf "$d"
	mv "$tmp" "$d"
}

# The ccache hit rate since the last ccache_zero, for a stage's summary.
ccache_zero() {
	ccache -z >/dev/null 2>&1 || true
}

ccache_rate() {
	ccache --print-stats 2>/dev/null | awk -F'\t' '
		$1 == "direct_cache_hit" || $1 == "preprocessed_cache_hit" { hit += $2 }
		$1 == "cache_miss" { miss += $2 }
		END {
			if (hit + miss == 0) print "no compiles"
			else printf "ccache %d of %d hit (%d%%)", hit, hit + miss, 100 * hit / (hit + miss)
		}'
}
