#!/bin/sh
# sparse, on the files a per-patch build checks only (EACH_CHECK: their
# paths in the tree, space separated). scripts/build-each.sh builds with
# C=1 and CHECK=this: kbuild then runs it on every file it recompiles,
# and a header change recompiles many files that the commit does not
# touch. kbuild passes the source file last.
for arg; do src=$arg; done
for f in $EACH_CHECK; do
	case $src in
	*/"$f" | "$f") exec sparse "$@" ;;
	esac
done
exit 0
