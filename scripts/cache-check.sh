#!/bin/bash
# The shared cache refuses what it cannot vouch for: a record whose content
# is not its key, a stored file whose checksum does not match, an entry of
# another key. Run on a scratch cache; one result line per check:
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
