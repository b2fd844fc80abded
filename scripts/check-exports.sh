#!/bin/sh
# check-exports.sh - the symbols libdmaport.so exports are chosen.
#
#   sh scripts/check-exports.sh build/libdmaport.so
#
# Every exported symbol carries the dmp_ prefix; an internal one (dmp__) is
# exported only if a callers' header names it (the entry points that the
# API's macros call with the call site, e.g. dmp_map_single ->
# dmp__map_single_attrs).  The implementers' headers (port.h, platform.h,
# iommu-driver.h, io-pgtable.h, dma-map-ops.h, of-device.h) do not count:
# what they declare as dmp__ is for dmaport's own, statically linked, code.
set -eu

so="$1"
top=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

nm -D --defined-only "$so" | awk 'NF == 3 { print $3 }' | sort -u > "$tmp/exported"
ls "$top"/include/dmaport/*.h "$top"/include/dmaport/*/*.h |
	grep -v -E '/(port|platform|iommu-driver|io-pgtable|dma-map-ops|of-device)\.h$' |
	xargs cat | grep -o 'dmp__[A-Za-z0-9_]*' | sort -u > "$tmp/named"

status=0
for s in $(grep -v '^dmp_' "$tmp/exported"); do
	echo "exports: $so exports $s, which has no dmp_ prefix" >&2
	status=1
done
for s in $(grep '^dmp__' "$tmp/exported" | comm -23 - "$tmp/named"); do
	echo "exports: $so exports the internal $s, which no callers' header names" >&2
	status=1
done
[ $status = 0 ] &&
	echo "exports: $(wc -l < "$tmp/exported") symbols, $(grep -c '^dmp__' "$tmp/exported") of them dmp__ entry points the callers' headers name"
exit $status
