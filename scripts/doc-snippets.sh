#!/bin/sh
# doc-snippets.sh OUTDIR DOC.md... - extract the programs and trees of the
# docs: every block that opens with ```c file=NAME or ```dts file=NAME is
# written to OUTDIR/NAME (make docs-check builds and runs the programs, with
# the trees beside them; make bindings-check validates the trees), so the
# docs cannot rot.  Prints the names.
set -eu
out=$1
shift
mkdir -p "$out"
for doc in "$@"; do
	awk -v out="$out" '
		/^```(c|dts) file=/ { name = substr($2, 6); file = out "/" name; printf "" > file;
				print name; next }
		/^```/ && file { close(file); file = ""; next }
		file { print >> file }
	' "$doc"
done
