#!/bin/sh
# doc-snippets.sh OUTDIR DOC.md... - extract the programs of the docs: every
# block that opens with ```c file=NAME is written to OUTDIR/NAME (make
# docs-check builds and runs them, so the docs cannot rot).  Prints the names.
set -eu
out=$1
shift
mkdir -p "$out"
for doc in "$@"; do
	awk -v out="$out" '
		/^```c file=/ { name = substr($2, 6); file = out "/" name; printf "" > file;
				print name; next }
		/^```/ && file { close(file); file = ""; next }
		file { print >> file }
	' "$doc"
done
