#!/bin/bash
# checkpatch --strict on every patch in patches/series.
# One result line per patch: PASS|FAIL <tab> checkpatch/NAME <tab> detail
# Findings listed in checkpatch.exceptions (with the reason they cannot be
# fixed) are reported but do not fail. FILE_PATH_CHANGES ("does MAINTAINERS
# need updating?") is ignored: the IOMMUFD entry's F: lines already cover
# every directory the series adds files to. Two patches are checked at a
# time (checkpatch is single-threaded); the results print in series order.
set -uo pipefail
tree=${KSRC:-build/linux}
top=$PWD
mkdir -p build/logs
check_one() {
	local p=$1 log found excused left
	log=build/logs/checkpatch-${p%.patch}.log
	# System python for spdxcheck.py (python3-ply), not a pyenv one.
	(cd "$tree" && PATH=/usr/bin:$PATH scripts/checkpatch.pl --strict --ignore FILE_PATH_CHANGES \
		--color=never -q "$top/patches/$p") > "$log" 2>&1
	found=$(grep -E '^(ERROR|WARNING|CHECK):' "$log")
	excused=0
	left=""
	while IFS= read -r msg; do
		[ -n "$msg" ] || continue
		if awk -F'\t' -v p="$p" -v m="$msg" '
			!/^#/ && NF >= 3 { pat = $1; gsub(/\*/, ".*", pat)
				if (p ~ "^" pat "$" && $2 == m) { found = 1 } }
			END { exit !found }' checkpatch.exceptions; then
			excused=$((excused + 1))
		else
			left="$left$msg"$'\n'
		fi
	done <<< "$found"
	if grep -q 'Traceback\|No such file' "$log"; then
		left="${left}checkpatch itself failed"$'\n'
	fi
	if [ -z "$left" ]; then
		printf 'PASS\tcheckpatch/%s\t%s\n' "$p" "$([ $excused = 0 ] || echo "$excused listed exceptions")"
	else
		sed 's/^/  /' "$log" | head -40 >&2
		printf 'FAIL\tcheckpatch/%s\t%s\n' "$p" "$(printf '%s' "$left" | wc -l) problems, see $log"
	fi
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
while read -r p; do
	n=$((n + 1))
	check_one "$p" > "$tmp/$n" &
	[ "$(jobs -rp | wc -l)" -lt 2 ] || wait -n
done < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' patches/series)
wait
for i in $(seq 1 $n); do
	cat "$tmp/$i"
done
