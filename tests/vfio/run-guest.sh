#!/bin/sh
# run-guest.sh OUT - boot the guest built by build-guest.sh (OUT/vmlinuz,
# OUT/initramfs.cpio.gz) with QEMU's edu behind an IOMMU, and check its
# console: every expected PASS line, no FAIL line, vfio-test's clean
# summary, the example's output, the benchmark's figures, and the guest
# powered off by itself within the time limit.  The console is kept in
# OUT/guest.log.  Exits 1 if any of that is wrong.
#   ARCH=amd64 (default): qemu-system-x86_64 -M q35 -device intel-iommu
#   ARCH=arm64: qemu-system-aarch64 -M virt,iommu=smmuv3,gic-version=3 - GICv3
#     for its ITS: without MSI isolation type1 refuses the container (EPERM);
#     pauth-impdef=on makes the emulated CPU's pointer authentication cheap
#     (boot ~2.5 s instead of ~15)
set -u

out=${1:?usage: run-guest.sh OUT}
arch=${ARCH:-amd64}
TIMEOUT=${TIMEOUT:-110}
log=$out/guest.log
bad=0

# iommu.strict=1: the guest's own DMA API invalidates at once (Linux's
# default is lazy); VFIO's unmaps are synchronous either way.  quiet: TCG
# is slow at printing the boot messages; the IOMMU faults the test looks
# for still reach the kernel's log, which it reads.
case $arch in
amd64)
	QEMU=${QEMU:-qemu-system-x86_64}
	set -- -M q35 -m 512M -device intel-iommu
	# no_timer_check: under TCG on a loaded host the kernel's check that the
	# timer interrupt works through the interrupt-remapped IO-APIC can time
	# out, and it then panics ("timer doesn't work through Interrupt-remapped
	# IO-APIC"); the check proves nothing about the IOMMU's DMA remapping.
	extra=no_timer_check
	console=ttyS0 ;;
arm64)
	QEMU=${QEMU:-qemu-system-aarch64}
	set -- -M virt,iommu=smmuv3,gic-version=3 -cpu max,pauth-impdef=on -m 1G
	extra=
	console=ttyAMA0 ;;
*) echo "run-guest: ARCH=$arch: amd64 or arm64" >&2; exit 1 ;;
esac
echo "== vfio-test: $QEMU $* -device edu (kernel $(cat "$out/initramfs/kernel-version"))"
boot() {
	timeout "$TIMEOUT" "$QEMU" "$@" -smp 1 -device edu \
		-display none -serial stdio -monitor none -nic none -no-reboot \
		-kernel "$out/vmlinuz" -initrd "$out/initramfs.cpio.gz" \
		-append "console=$console iommu.strict=1 panic=-1 quiet $extra" </dev/null 2>&1 |
		tr -d '\r' >"$log"
}
start=$(date +%s)
boot "$@"
rc=$?
# A guest kernel that died before our /init said a word is the emulated
# machine's boot failing, not a test failing: boot once more, and say so.
if ! grep -q '^guest:' "$log" && grep -q 'Kernel panic' "$log"; then
	echo "== vfio-test: the guest kernel panicked before /init ran; booting again:"
	grep -m 3 -E 'Kernel panic|panic' "$log"
	cp "$log" "$log.first-boot"
	boot "$@"
	rc=$?
fi
end=$(date +%s)
grep -E '^(PASS|FAIL|guest:|vfio-test:|bench:|edu-copy:)' "$log"
echo "== vfio-test: guest ran $((end - start)) s"

fail() {
	echo "run-guest: $*"
	bad=1
}

# expect TEXT: a PASS line containing TEXT
expect() {
	grep '^PASS ' "$log" | grep -qF -- "$1" || fail "missing PASS line: $1"
}

for mode in strict pre-mapped; do
	expect "$mode: platform linux-vfio"
	expect "$mode: vfio: "
	expect "$mode: edu: BAR0"
	expect "$mode: dmp_map_single round trip of 4095 bytes"
	expect "$mode: dmp_map_single round trip of 100 bytes"
	expect "$mode: dmp_map_sg of 3 buffers"
	expect "$mode: dmp_alloc_coherent"
	expect "$mode: DMA pool"
	expect "$mode: the checker catches a double dmp_unmap_single"
	expect "$mode: device and platform closed"
done
expect "non-coherent: vfio: "
expect "non-coherent: dmp_map_single round trip of 4095 bytes"
expect "non-coherent: dmp_map_sg of 3 buffers"
expect "non-coherent: dmp_alloc_coherent and dmp_pool_alloc refused"
expect "non-coherent: device and platform closed"
expect "strict: 32-bit mask: IOVAs"
expect "strict: 28-bit mask: the IOVA allocator"
expect "strict: 200 live mappings"
expect "strict: interrupt-driven completion by MSI"
expect "strict: interrupt-driven completion by INTx"
expect "strict: edu writes to IOVA"
expect "strict: edu reads from IOVA"
grep -q '^vfio-test: [0-9][0-9]* passed, 0 failed$' "$log" ||
	fail "no clean summary line from vfio-test (timed out, crashed or a check failed)"
grep -q '^FAIL ' "$log" && fail "failing checks above"
grep -q '^edu-copy: IOVAs .*"hello from user space, through the IOMMU" (0)$' "$log" ||
	fail "the example of docs/vfio.md did not copy its string"
grep -q '^guest: edu-copy exited with 0$' "$log" || fail "the example of docs/vfio.md failed"
grep -q '^bench: strict map+unmap' "$log" || fail "no strict benchmark figures"
grep -q '^bench: pre-mapped map+unmap' "$log" || fail "no pre-mapped benchmark figures"
grep -q '^guest: done' "$log" || fail "the guest did not finish (exit $rc; see $log)"

if [ "$bad" = 0 ]; then
	echo "== vfio-test: ok"
else
	echo "== vfio-test: FAILED (console in $log)"
	tail -n 30 "$log"
	exit 1
fi
