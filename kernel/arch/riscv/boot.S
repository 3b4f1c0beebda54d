/*
 * Entry from OpenSBI, on whichever hart it chose to boot: a0 = hart id,
 * a1 = physical address of the device tree, MMU off, running at the load
 * address (KERNEL_PMA).
 *
 * The boot hart clears .bss, fills boot_pagetable with three kinds of 1 GiB
 * leaves: an identity map of the gigabyte holding the kernel (so the
 * instruction after the satp write can be fetched), the kernel image at
 * KERNEL_VMA, and a direct map of the first 64 GiB of physical space. It
 * turns on paging, jumps to the upper half and calls kmain(). kmain() then
 * builds the real kernel page table, which has no identity map, and
 * switches to it. Secondary harts enter at secondary_entry through the
 * same boot_pagetable and switch to the real table at once.
 */
#include "arch/riscv/memlayout.h"
#include "arch/riscv/cpu.h"
#include "arch/riscv/csr.h"

#define PTE_LEAF_RWX	0xcf	/* V R W X A D */
#define PTE_LEAF_RW_G	0xe7	/* V R W A D G */
#define PTE_GLOBAL	0x20

	.section .text.boot, "ax"
	.globl _start
_start:
	csrw	sie, zero
	csrci	sstatus, SSTATUS_SIE
	/*
	 * One hart runs the boot sequence. Firmware is meant to send only one
	 * here (the others wait in SBI HSM for smp_start), but OpenSBI 1.1's
	 * hart_start marks a hart START_PENDING before it stores the start
	 * address, so a hart woken in between jumps to the address it had,
	 * ours. Such a hart must not clear .bss and run kmain again under the
	 * first: it waits until smp_start names it and enters as a secondary
	 * hart would. .data, not .bss: the flag must survive the clear.
	 */
	la	t0, boot_lottery
	li	t1, 1
	amoswap.w t1, t1, (t0)
	bnez	t1, 5f
	mv	s0, a0
	mv	s1, a1

	/* .bss is not part of the loaded image: clear it. */
	la	t0, _bss_start
	la	t1, _bss_end
1:	bgeu	t0, t1, 2f
	sd	zero, 0(t0)
	addi	t0, t0, 8
	j	1b
2:
	la	a0, boot_pagetable
	/* identity leaf for the gigabyte that holds the kernel */
	la	t1, _start
	srli	t2, t1, 30		/* gigabyte number */
	slli	t3, t2, 28		/* its PPN in PTE position */
	ori	t3, t3, PTE_LEAF_RWX
	andi	t4, t2, 511
	slli	t4, t4, 3
	add	t4, a0, t4
	sd	t3, 0(t4)
	/* the kernel image: entry 510 covers KERNEL_VMA's gigabyte */
	ori	t3, t3, PTE_GLOBAL
	li	t4, 510 * 8
	add	t4, a0, t4
	sd	t3, 0(t4)
	/* direct map: entries 256..319 -> physical gigabytes 0..63 */
	li	t5, 0
	li	t6, 64
	li	t4, 256 * 8
	add	t4, a0, t4
3:	slli	t3, t5, 28
	ori	t3, t3, PTE_LEAF_RW_G
	sd	t3, 0(t4)
	addi	t4, t4, 8
	addi	t5, t5, 1
	bltu	t5, t6, 3b

	call	boot_enable_paging

	la	sp, boot_stack_top
	la	tp, cpus		/* the boot hart is cpu 0 */
	la	t0, trap_vector
	csrw	stvec, t0
	csrw	sscratch, zero
	mv	a0, s0
	mv	a1, s1
	call	kmain
4:	wfi
	j	4b
	/* lost the lottery: wait to be the hart smp_start is starting */
5:	la	t0, smp_starting_hartid
6:	ld	t1, 0(t0)
	bne	t1, a0, 6b
	fence	r, r
	la	t0, smp_starting_cpu
	ld	a1, 0(t0)
	j	secondary_entry

/*
 * Turn paging on with boot_pagetable and return to the caller's return
 * address moved to the upper half. Runs at the physical address.
 */
boot_enable_paging:
	la	t0, boot_pagetable
	srli	t0, t0, 12
	li	t1, 8
	slli	t1, t1, 60		/* SATP_MODE_SV39 */
	or	t0, t0, t1
	sfence.vma
	csrw	satp, t0
	sfence.vma
	li	t1, KERNEL_VOFFSET
	add	ra, ra, t1
	ret

/*
 * Secondary harts, started by smp_start() through SBI HSM:
 * a0 = hart id, a1 = virtual address of the hart's struct cpu.
 */
	.globl secondary_entry
secondary_entry:
	csrw	sie, zero
	csrci	sstatus, SSTATUS_SIE
	mv	s1, a1
	call	boot_enable_paging
	mv	tp, s1
	la	t0, kernel_satp
	ld	t0, 0(t0)
	csrw	satp, t0
	sfence.vma
	ld	sp, CPU_KSTACK_TOP(tp)
	la	t0, trap_vector
	csrw	stvec, t0
	csrw	sscratch, zero
	call	secondary_main
5:	wfi
	j	5b

	.section .data
	.balign 4
boot_lottery:
	.word	0

	.section .bss.pagetable, "aw", @nobits
	.balign 4096
	.globl boot_pagetable
boot_pagetable:
	.space 4096

	.section .bss
	.balign 16
boot_stack:
	.space 16384
	.globl boot_stack_top
boot_stack_top:

	.section .text
/*
 * call_on_stack(top, fn): switch to the stack whose top is `top` and call
 * fn(), which must not return. The frame pointer is cleared so backtraces
 * end there.
 */
	.globl call_on_stack
call_on_stack:
	mv	sp, a0
	mv	s0, zero
	jalr	a1
6:	wfi
	j	6b
