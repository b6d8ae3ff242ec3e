#!/bin/bash
# Build the kernel for one architecture out of tree in build/ARCH:
# tinyconfig + configs/common.config + configs/ARCH.config, through ccache.
# Fails if a symbol asked for in a fragment did not end up in .config.
# Usage: build-kernel.sh ARCH [extra make args...]
# Environment: KBUILD_OUT (build directory), FRAGMENTS (fragments instead of
# common + ARCH), EXTRA_CONFIGS (fragments added on top), MAKE_JOBS
# (make -j, default: the number of CPUs), KSRC (the source tree, default
# build/linux; the 7.3 reference tree for scripts/build-ref.sh).
# A guest kernel (default build directory, no make args) built from a
# committed tree is kept in the shared cache (scripts/cache.sh), keyed by
# the kernel sources, the fragments, the toolchain and this script: an
# identical one is copied from there instead of being built.
set -euo pipefail
. scripts/cache.sh

die() { echo "build-kernel: $*" >&2; exit 1; }
arch=${1:?usage: build-kernel.sh x86_64|arm64 [make args]}
shift
src=${KSRC:-build/linux}
out=${KBUILD_OUT:-build/$arch}
[ -d "$src" ] || die "no $src; run 'make tree'"

case $arch in
x86_64) karch=x86_64; cross=; image=arch/x86/boot/bzImage ;;
arm64) karch=arm64; cross=aarch64-linux-gnu-; image=arch/arm64/boot/Image ;;
*) die "unknown arch $arch" ;;
esac
command -v ccache >/dev/null || die "ccache missing; run 'make setup'"
[ -z "$cross" ] || command -v "${cross}gcc" >/dev/null || die "${cross}gcc missing; run 'make setup'"

mkdir -p "$out"
out=$(realpath "$out")
frags="${FRAGMENTS:-$PWD/configs/common.config $PWD/configs/$arch.config} ${EXTRA_CONFIGS:-}"
kmake() {
	make -s -C "$src" O="$out" ARCH="$karch" CROSS_COMPILE="$cross" \
		CC="ccache ${cross}gcc" -j"${MAKE_JOBS:-$(nproc)}" "$@"
}

# The shared cache's key for this kernel, if it may use it: the sources
# without tools/ and Documentation/ (as committed: no local changes).
store_key=
if [ -z "${KBUILD_OUT:-}" ] && [ -z "${KSRC:-}" ] && [ $# = 0 ] &&
   [ -z "$(git -C "$src" status --porcelain --untracked-files=no)" ]; then
	# shellcheck disable=SC2086
	store_key="kernel $arch src=$(git -C "$src" ls-tree HEAD |
		grep -vP '\t(tools|Documentation)$' | sha256sum | cut -c1-40)
frags=$(cat $frags | sha256sum | cut -c1-16) toolchain=$(toolchain_id)
script=$(files_id scripts/build-kernel.sh)"
	if store_get "$store_key" "$out"; then
		echo "build-kernel: $out/$image from the shared cache"
		exit 0
	fi
fi

# Regenerate .config only when a fragment changed.
stamp="$out/.fragments"
# shellcheck disable=SC2086
want=$(cat $frags | sha256sum)
if [ ! -f "$out/.config" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
	kmake tinyconfig >/dev/null
	# shellcheck disable=SC2086
	(cd "$src" && ARCH=$karch CROSS_COMPILE=$cross scripts/kconfig/merge_config.sh \
		-m -O "$out" "$out/.config" $frags >/dev/null)
	kmake olddefconfig >/dev/null
	bad=0
	# shellcheck disable=SC2086
	while read -r line; do
		sym=${line%%=*}
		val=${line#*=}
		if [ "$val" = n ]; then
			! grep -q "^$sym=" "$out/.config" || { echo "build-kernel: $sym is set, want n" >&2; bad=1; }
		else
			grep -qx "$line" "$out/.config" || { echo "build-kernel: $line did not stick (missing dependency?)" >&2; bad=1; }
		fi
	done < <(sed -n -e 's/^\(CONFIG_[A-Z0-9_]*=.*\)$/\1/p' \
		-e 's/^# \(CONFIG_[A-Z0-9_]*\) is not set$/\1=n/p' $frags |
		# A later fragment overrides an earlier one (nodebug.config).
		awk -F= '{ v[$1] = $0; if (!($1 in o)) { o[$1] = n++; k[n - 1] = $1 } }
			END { for (i = 0; i < n; i++) print v[k[i]] }')
	[ $bad = 0 ] || die "config for $arch is not what the fragments ask for"
	echo "$want" > "$stamp"
fi
kmake "$@"
if [ -n "$store_key" ]; then
	cp "$out/.config" "$out/config"
	store_put "$store_key" "$out" "$image" config
fi
[ $# -gt 0 ] || echo "build-kernel: $out/$image"
