#!/bin/sh
# run.sh BUILD - make peer-extract-check: scripts/linux-peer-extract.sh cuts
# exactly the listed definitions out of a small tree in Linux's shapes (a
# prototype before the definition, a return type on its own line, names that
# are prefixes of others, a #define with a continuation, a struct, an enum, a
# one-line item), in each file's order with #line, and stops naming an item it
# cannot find.  The real extraction (`make bench-peer`) needs Linux's sources,
# which make check does not download.
set -eu
here=$(dirname "$0")
out=$1/peer-extract
mkdir -p "$out"
sh scripts/linux-peer-extract.sh "$here/tree" "$out/got.c" "$here/items"
diff -u "$here/expected.c" "$out/got.c"
if sh scripts/linux-peer-extract.sh "$here/tree" "$out/missing.c" "$here/items-missing" \
	2> "$out/missing.err"; then
	echo "peer-extract-check: an absent name was not refused" >&2
	exit 1
fi
grep -q "f fn_absent not found in sub/a.c" "$out/missing.err"
[ ! -e "$out/missing.c" ] && [ ! -e "$out/missing.c.tmp" ]
echo "peer-extract-check: ok"
