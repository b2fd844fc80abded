/* SPDX-License-Identifier: MIT */
/*
 * start.S - entry at EL1 with the MMU off (QEMU's -kernel with an ELF image),
 * and the EL1 exception vectors.
 *
 * QEMU's virt machine starts secondary CPUs powered off (PSCI), so only one
 * CPU runs this.  x0 is not relied on: QEMU passes the DTB address only to
 * Linux images; the port finds the DTB at the start of RAM instead.
 */
	.section .text.boot, "ax"
	.global _start
_start:
	msr	daifset, #0xf		/* no interrupts: the port polls */
	ldr	x1, =__stack_top
	mov	sp, x1
	ldr	x1, =port_vectors
	msr	vbar_el1, x1
	isb
	/* C needs a zeroed .bss; link.ld keeps it 16-byte aligned and sized. */
	ldr	x1, =__bss_start
	ldr	x2, =__bss_end
1:	cmp	x1, x2
	b.hs	2f
	stp	xzr, xzr, [x1], #16
	b	1b
2:	bl	port_main
	bl	port_poweroff
3:	wfi
	b	3b

/*
 * Vectors: 16 entries of 0x80 bytes, the table aligned to 2 KiB.  Every
 * exception is fatal here: pass its index and the syndrome registers to C,
 * on a fresh stack (the old one may be what faulted), which prints them and
 * powers off.
 */
	.macro	vector_entry idx
	.balign	0x80
	mov	x0, #\idx
	b	exception_common
	.endm

	.section .text, "ax"
	.balign	2048
	.global	port_vectors
port_vectors:
	.irp	i, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
	vector_entry \i
	.endr

exception_common:
	mrs	x1, esr_el1
	mrs	x2, elr_el1
	mrs	x3, far_el1
	mrs	x4, spsr_el1
	ldr	x5, =__stack_top
	mov	sp, x5
	bl	port_exception
4:	wfi
	b	4b
