#!/bin/bash
# Build the Linux 7.3 reference kernel for the x86_64 guest (make ref):
# the guest's fragments (configs/common.config, configs/x86_64.config)
# without the debugging that makes it slow (configs/nodebug.config) and
# with what 7.3's mock IOMMU needs (configs/ref-x86_64.config), built by
# scripts/build-kernel.sh from build/ref/linux (scripts/make-ref-tree.sh).
# Usage: build-ref.sh plain|upstream
#   plain     7.3 as Debian ships it
#   upstream  7.3 with upstream/*.patch applied
# Output: build/ref/kernel-VARIANT/bzImage (and its config).
# Both variants share one build directory (build/ref/x86_64): the second
# is an incremental build of the few files the patches touch. The image
# is kept in the shared cache, keyed by the 7.3 tarball's SHA-256, the
# patches applied, the fragments, the toolchain and the scripts.
set -euo pipefail
. scripts/cache.sh

die() { echo "build-ref: $*" >&2; exit 1; }
variant=${1:?usage: build-ref.sh plain|upstream}
out=build/ref/kernel-$variant
frags="$PWD/configs/common.config $PWD/configs/x86_64.config $PWD/configs/nodebug.config $PWD/configs/ref-x86_64.config"

tarball=$(scripts/fetch-ref.sh)
patches=
case $variant in
plain) ;;
upstream)
	patches=$(scripts/make-ref-tree.sh --patches | xargs -r cat | sha256sum | cut -c1-40)
	;;
*) die "unknown variant $variant (plain or upstream)" ;;
esac
# shellcheck disable=SC2086
key="ref-kernel x86_64 $variant tarball=$(cut -d' ' -f1 "$tarball.sha256") patches=$patches
frags=$(cat $frags | sha256sum | cut -c1-16) toolchain=$(toolchain_id)
script=$(files_id scripts/build-ref.sh scripts/build-kernel.sh scripts/make-ref-tree.sh)"
rm -rf "$out"
if store_get "$key" "$out"; then
	echo "build-ref: $out/bzImage (7.3 $variant) from the shared cache"
	exit 0
fi

scripts/make-ref-tree.sh "$variant"
start=$(date +%s)
KSRC=build/ref/linux KBUILD_OUT=build/ref/x86_64 FRAGMENTS="$frags" \
	scripts/build-kernel.sh x86_64 >&2
mkdir -p "$out"
cp build/ref/x86_64/arch/x86/boot/bzImage build/ref/x86_64/.config "$out/"
mv "$out/.config" "$out/config"
store_put "$key" "$out" bzImage config
echo "build-ref: $out/bzImage (7.3 $variant) built in $(($(date +%s) - start))s"
