#!/bin/bash
# checkpatch --strict on every patch in patches/series.
# One result line per patch: PASS|FAIL <tab> checkpatch/NAME <tab> detail
set -uo pipefail
tree=${KSRC:-build/linux}
top=$PWD
sed -e 's/#.*//' -e '/^[[:space:]]*$/d' patches/series | while read -r p; do
	log=build/logs/checkpatch-${p%.patch}.log
	(cd "$tree" && scripts/checkpatch.pl --strict --color=never \
		-q "$top/patches/$p") > "$log" 2>&1
	rc=$?
	if [ $rc = 0 ] && ! grep -qE '^(ERROR|WARNING|CHECK):' "$log"; then
		printf 'PASS\tcheckpatch/%s\t\n' "$p"
	else
		sed 's/^/  /' "$log" | head -40 >&2
		printf 'FAIL\tcheckpatch/%s\t%s\n' "$p" "$(grep -cE '^(ERROR|WARNING|CHECK):' "$log") problems, see $log"
	fi
done
