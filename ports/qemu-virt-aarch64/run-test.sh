#!/bin/sh
# run-test.sh ELF - boot the port's test image under qemu-system-aarch64 in
# each configuration, and check its console: every expected PASS line is
# there, no FAIL line, the closing "<N> passed, 0 failed", and QEMU powered
# off by itself within the time limit.  Exits 1 if any of that is wrong.
#
# Configurations (the image reads which one from -append):
#   direct  no IOMMU, edu's dma_mask raised: the direct path reaches RAM
#   nomask  no IOMMU, edu's default 28-bit mask: the DMA API refuses cleanly
#   smmu    iommu=smmuv3, edu's default 28-bit mask: the SMMUv3 by hand, then
#           as a dmp_iommu_ops driver under the DMA API
#   fault   a deliberate data abort: the vectors report it and power off
set -u

elf=${1:?usage: run-test.sh ELF}
QEMU=${QEMU:-qemu-system-aarch64}
TIMEOUT=${TIMEOUT:-20}
dir=$(dirname "$elf")
bad=0
runs=0

# boot NAME MACHINE EDU-OPTIONS
boot() {
	name=$1 machine=$2 edu=$3
	log=$dir/qemu-$name.log
	timeout "$TIMEOUT" "$QEMU" -M "$machine" -cpu cortex-a57 -m 512 -display none \
		-serial stdio -monitor none -nic none -kernel "$elf" -device "edu$edu" \
		-append "$name" </dev/null 2>&1 | tr -d '\r' >"$log"
	echo "== $name: $QEMU -M $machine -device edu$edu -append $name"
	sed "s/^/[$name] /" "$log"
	runs=$((runs + 1))
	run_bad=0
}

fail() {
	echo "[$name] run-test: $*"
	run_bad=1
}

# expect TEXT: a PASS line containing TEXT
expect() {
	grep '^PASS ' "$log" | grep -qF -- "$1" || fail "missing PASS line: $1"
}

# finish: the run's own summary, then no FAIL lines
finish() {
	if ! grep -q '^[0-9][0-9]* passed, 0 failed$' "$log"; then
		fail "no clean summary line (timed out, crashed or a check failed)"
	fi
	if grep -q '^FAIL ' "$log"; then
		fail "failing checks above"
	fi
	[ "$run_bad" = 0 ] && echo "== $name: ok" || { echo "== $name: FAILED"; bad=$((bad + 1)); }
}

boot direct virt ",dma_mask=0xffffffffffffffff"
expect "PASS boot: EL1, MMU on with D- and I-caches"
expect "PASS platform: qemu-virt-aarch64 installed"
expect "PASS dmaport: pages and heap"
expect "PASS cache: "
expect "PASS mem attr: "
expect "PASS pci: edu 1234:11e8 found"
expect "PASS edu: ident 0x10000ed"
expect "PASS direct: edu DMA round trip RAM"
expect "PASS dma-api: edu round trip with dmp_map_single/dmp_unmap_single"
expect "PASS dma-api: dmp_map_sg of 3 buffers"
finish

boot nomask virt ""
expect "PASS edu: ident 0x10000ed"
expect "PASS dma-api: dmp_set_mask(28 bits) with no RAM below 1 GiB"
expect "PASS dma-api: 28-bit bus, no IOMMU: dmp_map_single gives DMP_MAPPING_ERROR"
grep -q "DMA-API: .*beyond the device's reach" "$log" || fail "no report of the failed mapping"
finish

boot smmu virt,iommu=smmuv3 ""
expect "PASS boot: EL1, MMU on with D- and I-caches"
expect "SMMUv3 present"
expect "PASS pci: edu 1234:11e8 found"
expect "PASS smmu: probed at 0x9050000"
expect "PASS smmu: enabled: linear stream table"
expect "PASS smmu: CMD_SYNC completes"
expect "PASS smmu: an illegal command stops the queue with CERROR_ILL"
expect "with an invalid STE: "
expect "with an abort STE: blocked"
expect "PASS smmu: domain: dmaport LPAE stage-1 table"
expect "PASS smmu: IOVAs from dmaport's allocator below edu's 28-bit mask"
expect "PASS smmu: edu DMA round trip through the SMMU"
expect "PASS smmu: 200 bytes at IOVA"
expect "PASS smmu: edu write to unmapped IOVA"
expect "PASS smmu: edu write to read-only IOVA"
expect "PASS smmu: after a strict unmap"
expect "PASS smmu: control: unmapped without TLBI"
expect "PASS smmu: page table consistent"
expect "PASS smmu: IOVA domain consistent and empty"
# The same SMMU as a dmp_iommu_ops driver, edu driven through the DMA API.
expect "PASS smmu-iommu: SMMUv3 registered as a dmp_iommu_ops driver"
expect "PASS smmu-iommu: edu probed with dmp_iommu_probe_device"
expect "PASS dma-api/smmu: dmp_set_mask_and_coherent(28 bits) accepted behind the SMMU"
expect "PASS dma-api/smmu: edu round trip with dmp_map_single through the SMMU"
expect "PASS dma-api/smmu: edu DMA to unmapped IOVA"
expect "PASS dma-api/smmu: edu write to a dmp_map_single(DMP_TO_DEVICE) buffer"
expect "PASS dma-api/smmu: after dmp_unmap_single in strict mode"
expect "PASS iommu-api/smmu: unmanaged domain attached"
expect "PASS dma-api/smmu: dmp_map_sg of 3 buffers"
expect "PASS smmu-iommu: event queue overflow"
grep -q "^smmu: global error EVENTQ_ABT_ERR" "$log" || fail "no log line for the global error"
expect "PASS smmu-iommu: the default domain's page table consistent and empty"
expect "PASS smmu-iommu: edu released and probed again with a DMA_FQ default domain"
expect "PASS dma-api/smmu: DMA_FQ domain: dmp_unmap_single"
finish

# The fault run ends in the exception handler, not in a clean summary.
boot fault virt ""
expect "PASS boot: EL1, MMU on"
for l in "EXCEPTION sync from EL1h: ESR 0x96" "FAR 0x8000000000" \
	"aborted by the exception after 1 passed, 0 failed"; do
	grep -qF -- "$l" "$log" || fail "missing line: $l"
done
if grep -q '^FAIL ' "$log"; then fail "failing checks above"; fi
[ "$run_bad" = 0 ] && echo "== $name: ok" || { echo "== $name: FAILED"; bad=$((bad + 1)); }

echo "qemu-test: $((runs - bad)) of $runs configurations passed"
[ "$bad" = 0 ]
