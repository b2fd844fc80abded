#!/bin/sh
# peer-plot.sh TABLE OUTBASE - draw `dmaport-bench peer`'s table (its output
# in TABLE) as a chart with gnuplot: OUTBASE.svg and OUTBASE.png, one bar per
# row (labelled with its number in the table), Linux's ns over dmaport's (log
# scale; above 1: dmaport ahead), with
# the min-max spread of each side's runs turned into the ratio's error bar.
set -eu
table=$1
out=$2
data=$(mktemp)
trap 'rm -f "$data"' EXIT

# fixed columns of the table: #, group, row, op, then the figures
awk '/^[0-9]+ / {
	group = substr($0, 5, 8); row = substr($0, 14, 30); sub(/ +$/, "", group); sub(/ +$/, "", row)
	n = split(substr($0, 56), f, " ")
	thr = f[1]; dmp = f[2]; lx = f[4]
	gsub(/[\[\]]/, "", f[3]); gsub(/[\[\]]/, "", f[5])
	split(f[3], dr, "-"); split(f[5], lr, "-")
	if (dmp <= 0 || dr[1] <= 0 || dr[2] <= 0) next
	# worst and best ratio the runs allow
	lo = lr[1] / dr[2]; hi = lr[2] / dr[1]
	# each bar at its place in TABLE (a table of some rows only,
	# --group or --row, still fills the chart); the label keeps its number
	printf "%d \"%s %s: %s, %s thr\" %g %g %g\n", ++k, $1, group, row, thr, lx / dmp, lo, hi
}' "$table" > "$data"
[ -s "$data" ] || { echo "peer-plot: no rows in $table" >&2; exit 1; }
rows=$(wc -l < "$data")
what=$(sed -n 's/^dmaport-bench peer: dmaport against Linux.s own code (\(.*\)), one process;$/\1/p' "$table")
height=$((rows * 22 + 160))
# the iommu rows' Linux side is Linux's map+unmap path over a driver of ours:
# the chart says so under them, as the table does
note=
if grep -q '^iommu rows:' "$table"; then
	note="iommu rows: Linux's mapping.c + dma-iommu.c + iommu.c map+unmap path, cut out unchanged, over our stand-in IOMMU driver (no-op TLB; also dmaport's)"
	height=$((height + 30))
fi

for term in svg png; do
	case $term in
	svg) setterm="set terminal svg size 1100,$height font 'Helvetica,11' background '#ffffff'" ;;
	png) setterm="set terminal pngcairo size 1100,$height font 'Helvetica,10'" ;;
	esac
	gnuplot <<GP
$setterm
set output '$out.$term'
set title noenhanced "Linux ns / dmaport ns per operation, $what\n(medians of the runs; whiskers: the range their min-max allow; right of 1: dmaport ahead)" font ",10"
set logscale x 2
set xrange [0.1:40]
set yrange [$rows + 0.5:0.5]
set ytics nomirror font ',9'
set termoption noenhanced
set xtics (0.125, 0.25, 0.5, 1, 2, 4, 8, 16, 32)
set grid xtics
set key off
set lmargin 44
set arrow from 1, graph 0 to 1, graph 1 nohead lw 2 lc rgb '#444444'
set bmargin 4
set label 1 "$note" at screen 0.01, screen 0.03 left font ',9'
set style fill solid 0.6
plot '$data' using (\$3):1:(1):(\$3):(\$1 - 0.35):(\$1 + 0.35):(\$3 >= 1 ? 0x2e8b57 : 0xcc3333):ytic(2) \
       with boxxyerror lc rgb variable, \
     '' using 3:1:4:5 with xerrorbars lc rgb '#222222' pt 7 ps 0.4
GP
done
echo "peer-plot: $out.svg $out.png ($rows rows)"
