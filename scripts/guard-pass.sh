#!/bin/sh
# guard-pass.sh - every test once more with the DMA-API checker and its guard
# mode on from the environment (DMP_DEBUG=fail DMP_DEBUG_GUARD=1): each test
# must still pass, and the kinds of finding the checker made in that mode
# (its exit summary, DMP_DEBUG_SUMMARY=1) must be exactly those
# tests/guard-pass.expect lists for the test - the misuse it commits on
# purpose - and none for a test it does not list.  A test that sets the
# checker's mode itself is judged by its own assertions, not here.
#
# Usage: scripts/guard-pass.sh EXPECT-FILE TEST-BINARY...
set -u
expect=$1
shift
pass=0
fail=0
failed=""
for t in "$@"; do
	name=$(basename "$t")
	log="$t.guard.log"
	DMP_DEBUG=fail DMP_DEBUG_GUARD=1 DMP_DEBUG_SUMMARY=1 "$t" >"$log" 2>&1
	rc=$?
	found=$(sed -n 's/^dmaport: DMA-API: summary: [0-9]* finding(s) in the DMP_DEBUG mode: //p' "$log" |
		tail -n 1 | tr ',' '\n' | sed 's/^ *//; s/ [0-9]*$//' | grep . | sort | tr '\n' ' ')
	want=$(sed 's/#.*//' "$expect" | awk -v n="$name" '$1 == n { for (i = 2; i <= NF; i++) print $i }' |
		sort | tr '\n' ' ')
	if [ $rc -ne 0 ]; then
		fail=$((fail + 1))
		failed="$failed $name"
		tail -n 30 "$log"
		echo "guard-pass: $name failed (exit $rc) with the checker and guard mode on"
	elif [ "$found" != "$want" ]; then
		fail=$((fail + 1))
		failed="$failed $name"
		grep 'DMA-API:' "$log" | head -n 20
		echo "guard-pass: $name: the checker found [ $found] where $expect expects [ $want]"
		echo "guard-pass: (a line '$name ${found:-}' in $expect if these are on purpose)"
	else
		pass=$((pass + 1))
	fi
done
echo "guard-pass: $pass passed, $fail failed (every test with DMP_DEBUG=fail, guard mode on)"
[ -z "$failed" ] || { echo "guard-pass failed:$failed"; exit 1; }
