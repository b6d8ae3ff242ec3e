#!/bin/bash
# The shared cache refuses what it cannot vouch for: a record whose content
# is not its key, a stored file whose checksum does not match, an entry of
# another key; and ccache hits across clone directories. Run on a scratch
# cache; one result line per check:
#   PASS|FAIL <tab> cache/NAME <tab> detail
set -uo pipefail
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
export IOMMUFD_CACHE=$scratch CACHE=on
. scripts/cache.sh

result() { printf '%s\t%s\t%s\n' "$1" "cache/$2" "$3"; }

key="each x86_64 tree=abc config=def toolchain=$(toolchain_id) script=1"
record_put each "$key"
if record_has each "$key" && ! record_has each "${key/tree=abc/tree=abd}"; then
	result PASS record "a record is found by its key only"
else
	result FAIL record "record_has does not match keys exactly"
fi
echo "garbage" > "$(record_path each "$key")"
if [ -e "$(record_path each "$key")" ] && ! record_has each "$key" 2>/dev/null && [ ! -e "$(record_path each "$key")" ]; then
	result PASS record-corrupt "a record not holding its key is removed and not trusted"
else
	result FAIL record-corrupt "a corrupt record was trusted or kept"
fi

mkdir -p "$scratch/out/a" "$scratch/get"
echo image > "$scratch/out/a/Image"
store_put "kernel k1" "$scratch/out" a/Image
if store_get "kernel k1" "$scratch/get" && cmp -s "$scratch/out/a/Image" "$scratch/get/a/Image" &&
   ! store_get "kernel k2" "$scratch/get"; then
	result PASS store "a stored file comes back for its key only"
else
	result FAIL store "store_get did not return what store_put saved"
fi
echo tampered > "$(store_path "kernel k1")/files/a/Image"
if [ -d "$(store_path "kernel k1")" ] && ! store_get "kernel k1" "$scratch/get" 2>/dev/null && [ ! -e "$(store_path "kernel k1")" ]; then
	result PASS store-corrupt "a stored file that fails its checksum is removed and not used"
else
	result FAIL store-corrupt "a tampered stored file was used or kept"
fi
store_put "kernel k1" "$scratch/out" a/Image
echo "kernel k3" > "$(store_path "kernel k1")/key"
if ! store_get "kernel k1" "$scratch/get" 2>/dev/null; then
	result PASS store-foreign "an entry holding another key is not used"
else
	result FAIL store-foreign "an entry of another key was used"
fi

# ccache across clones: the same source compiled in another clone directory,
# with the absolute paths kbuild passes for an out-of-tree build (-I,
# -include, -fmacro-prefix-map under the clone), must be a direct hit.
# Each "clone" sources cache.sh from its own directory, as the harness does.
top=$PWD
for c in clone-a clone-b; do
	mkdir -p "$scratch/$c/build/linux/include" "$scratch/$c/build/out"
	echo '#define ANSWER 42' > "$scratch/$c/build/linux/include/answer.h"
	printf '#include <answer.h>\nint answer(void) { return ANSWER; }\n' > "$scratch/$c/build/linux/answer.c"
done
compile_in() {
	(cd "$scratch/$1" && . "$top/scripts/cache.sh" && ccache -z >/dev/null &&
	 cd build/out && ccache gcc -O2 -I"$scratch/$1/build/linux/include" \
		-include "$scratch/$1/build/linux/include/answer.h" \
		-fmacro-prefix-map="$scratch/$1/build/linux/=" \
		-c "$scratch/$1/build/linux/answer.c" -o answer.o &&
	 ccache --print-stats | awk -F'\t' '$1 == "direct_cache_hit" { print $2 }')
}
first=$(compile_in clone-a)
second=$(compile_in clone-b)
if [ "$first" = 0 ] && [ "$second" = 1 ]; then
	result PASS ccache-cross-clone "the same source in another clone directory is a direct ccache hit"
else
	result FAIL ccache-cross-clone "direct hits: first clone ${first:-?} (want 0), second ${second:-?} (want 1)"
fi
