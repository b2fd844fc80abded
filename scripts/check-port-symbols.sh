#!/bin/sh
# check-port-symbols.sh - the port contract against the core's objects.
#
#   NM=nm CC=cc sh scripts/check-port-symbols.sh OBJ...
#
# OBJ... are the freestanding core's objects (src/core.mk: DMP_CORE_SRCS),
# built by a port's compiler.  The symbols they use and do not define must be
# exactly the names listed by DMP_PORT_PRIMITIVES and DMP_PORT_LIBC in
# <dmaport/port.h>: a call into the target that the contract does not declare
# fails, and so does a declared name the core no longer calls.  Every listed
# name must also be declared (by port.h or the C library's headers).
# CC only preprocesses and syntax-checks port.h (the host's compiler will do).
set -eu

NM="${NM:-nm}"
CC="${CC:-cc}"
top=$(cd "$(dirname "$0")/.." && pwd)
[ $# -gt 0 ] || { echo "usage: $0 OBJ..." >&2; exit 2; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The declared set, from the lists themselves.
printf '#include <dmaport/port.h>\n#define X(n) @n@\nDMP_PORT_PRIMITIVES(X)\nDMP_PORT_LIBC(X)\n' |
	$CC -E -P -I"$top/include" -x c - | grep -o '@[A-Za-z0-9_]*@' | tr -d @ | sort -u \
	> "$tmp/declared"
[ -s "$tmp/declared" ] || { echo "port-symbols: no list read from <dmaport/port.h>" >&2; exit 1; }

# Each listed name has a declaration (taking its address fails otherwise).
{
	printf '#include <stdio.h>\n#include <stdlib.h>\n#include <string.h>\n'
	printf '#include <dmaport/port.h>\n#define X(n) (void)&n;\n'
	printf 'void dmp_port_symbols_declared(void);\n'
	printf 'void dmp_port_symbols_declared(void) { DMP_PORT_PRIMITIVES(X) DMP_PORT_LIBC(X) }\n'
} > "$tmp/declared.c"
if ! $CC -std=c11 -fsyntax-only -I"$top/include" "$tmp/declared.c" 2> "$tmp/cc.log"; then
	cat "$tmp/cc.log" >&2
	echo "port-symbols: a name listed in <dmaport/port.h> is declared nowhere" >&2
	exit 1
fi

# What the objects use and do not define themselves.  _GLOBAL_OFFSET_TABLE_
# is the static linker's own (x86-64 objects with thread-local variables
# name it even without -fpic).
$NM -u "$@" | awk 'NF == 2 && $1 == "U" && $2 != "_GLOBAL_OFFSET_TABLE_" { print $2 }' |
	sort -u > "$tmp/used"
$NM -g --defined-only "$@" | awk 'NF == 3 { print $3 }' | sort -u > "$tmp/defined"
comm -23 "$tmp/used" "$tmp/defined" > "$tmp/undefined"

status=0
for s in $(comm -23 "$tmp/undefined" "$tmp/declared"); do
	echo "port-symbols: the core calls $s, which <dmaport/port.h> does not list" >&2
	status=1
done
for s in $(comm -13 "$tmp/undefined" "$tmp/declared"); do
	echo "port-symbols: <dmaport/port.h> lists $s, which the core does not call" >&2
	status=1
done
[ $status = 0 ] &&
	echo "port-symbols: the core's $# objects need exactly the $(wc -l < "$tmp/declared") symbols <dmaport/port.h> lists"
exit $status
