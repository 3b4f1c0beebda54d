/*
 * The trap vector (stvec, direct mode).
 *
 * sscratch is 0 while the hart runs kernel code; while it runs user code it
 * holds the kernel's tp (the struct cpu pointer). Swapping tp with sscratch
 * therefore tells where the trap came from.
 *
 * A trap from the kernel first checks that the trap frame fits above the
 * current kernel stack's guard: if it would not, the stack has overflowed and
 * the hart switches to its emergency stack to panic, instead of faulting again
 * on the guard page forever.
 */
#include "arch/riscv/memlayout.h"
#include "arch/riscv/cpu.h"
#include "arch/riscv/trap.h"

	.section .text
	.balign 4
	.globl trap_vector
trap_vector:
	csrrw	tp, sscratch, tp
	bnez	tp, trap_from_user
	csrrw	tp, sscratch, zero		/* kernel: tp back, sscratch 0 */

	sd	t0, CPU_SCRATCH0(tp)
	sd	t1, CPU_SCRATCH1(tp)
	addi	t0, sp, -TF_SIZE
	srai	t1, t0, 30			/* in the kernel-stack gigabyte? */
	addi	t1, t1, 192			/* KSTACK_BASE >> 30 is -192 */
	bnez	t1, 1f
	slli	t1, t0, 49			/* offset in the 32 KiB slot ... */
	srli	t1, t1, 49 + 14			/* ... is it in the upper half? */
	beqz	t1, stack_overflow
1:	ld	t1, CPU_SCRATCH1(tp)
	ld	t0, CPU_SCRATCH0(tp)

	addi	sp, sp, -TF_SIZE
	sd	ra, 0(sp)
	sd	gp, 16(sp)
	sd	tp, 24(sp)
	sd	t0, 32(sp)
	sd	t1, 40(sp)
	sd	t2, 48(sp)
	sd	s0, 56(sp)
	sd	s1, 64(sp)
	sd	a0, 72(sp)
	sd	a1, 80(sp)
	sd	a2, 88(sp)
	sd	a3, 96(sp)
	sd	a4, 104(sp)
	sd	a5, 112(sp)
	sd	a6, 120(sp)
	sd	a7, 128(sp)
	sd	s2, 136(sp)
	sd	s3, 144(sp)
	sd	s4, 152(sp)
	sd	s5, 160(sp)
	sd	s6, 168(sp)
	sd	s7, 176(sp)
	sd	s8, 184(sp)
	sd	s9, 192(sp)
	sd	s10, 200(sp)
	sd	s11, 208(sp)
	sd	t3, 216(sp)
	sd	t4, 224(sp)
	sd	t5, 232(sp)
	sd	t6, 240(sp)
	addi	t0, sp, TF_SIZE
	sd	t0, 8(sp)
	csrr	t0, sepc
	sd	t0, TF_SEPC(sp)
	csrr	t0, sstatus
	sd	t0, TF_SSTATUS(sp)
	csrr	t0, scause
	sd	t0, TF_SCAUSE(sp)
	csrr	t0, stval
	sd	t0, TF_STVAL(sp)

	mv	a0, sp
	call	trap_kernel

	ld	t0, TF_SEPC(sp)
	csrw	sepc, t0
	ld	t0, TF_SSTATUS(sp)
	csrw	sstatus, t0
	ld	ra, 0(sp)
	ld	gp, 16(sp)
	ld	t0, 32(sp)
	ld	t1, 40(sp)
	ld	t2, 48(sp)
	ld	s0, 56(sp)
	ld	s1, 64(sp)
	ld	a0, 72(sp)
	ld	a1, 80(sp)
	ld	a2, 88(sp)
	ld	a3, 96(sp)
	ld	a4, 104(sp)
	ld	a5, 112(sp)
	ld	a6, 120(sp)
	ld	a7, 128(sp)
	ld	s2, 136(sp)
	ld	s3, 144(sp)
	ld	s4, 152(sp)
	ld	s5, 160(sp)
	ld	s6, 168(sp)
	ld	s7, 176(sp)
	ld	s8, 184(sp)
	ld	s9, 192(sp)
	ld	s10, 200(sp)
	ld	s11, 208(sp)
	ld	t3, 216(sp)
	ld	t4, 224(sp)
	ld	t5, 232(sp)
	ld	t6, 240(sp)
	addi	sp, sp, TF_SIZE
	sret

stack_overflow:
	ld	sp, CPU_OVERFLOW_SP(tp)
	call	kstack_overflow
2:	wfi
	j	2b

/*
 * From user mode: tp now holds the struct cpu, sscratch the user's tp.
 * The trap frame goes at the top of the process's kernel stack
 * (cpu->kstack_top, set by the scheduler).
 */
trap_from_user:
	sd	sp, CPU_SCRATCH0(tp)
	ld	sp, CPU_KSTACK_TOP(tp)
	addi	sp, sp, -TF_SIZE
	sd	ra, 0(sp)
	sd	gp, 16(sp)
	sd	t0, 32(sp)
	sd	t1, 40(sp)
	sd	t2, 48(sp)
	sd	s0, 56(sp)
	sd	s1, 64(sp)
	sd	a0, 72(sp)
	sd	a1, 80(sp)
	sd	a2, 88(sp)
	sd	a3, 96(sp)
	sd	a4, 104(sp)
	sd	a5, 112(sp)
	sd	a6, 120(sp)
	sd	a7, 128(sp)
	sd	s2, 136(sp)
	sd	s3, 144(sp)
	sd	s4, 152(sp)
	sd	s5, 160(sp)
	sd	s6, 168(sp)
	sd	s7, 176(sp)
	sd	s8, 184(sp)
	sd	s9, 192(sp)
	sd	s10, 200(sp)
	sd	s11, 208(sp)
	sd	t3, 216(sp)
	sd	t4, 224(sp)
	sd	t5, 232(sp)
	sd	t6, 240(sp)
	ld	t0, CPU_SCRATCH0(tp)
	sd	t0, 8(sp)			/* user sp */
	csrr	t0, sscratch
	sd	t0, 24(sp)			/* user tp */
	csrw	sscratch, zero			/* from here on: in the kernel */
	csrr	t0, sepc
	sd	t0, TF_SEPC(sp)
	csrr	t0, sstatus
	sd	t0, TF_SSTATUS(sp)
	csrr	t0, scause
	sd	t0, TF_SCAUSE(sp)
	csrr	t0, stval
	sd	t0, TF_STVAL(sp)
	mv	s0, zero			/* backtraces end here */
	mv	a0, sp
	call	trap_user
	mv	a0, sp
	/* fall through */

/*
 * trap_return_user(tf): leave the kernel through the trap frame tf (at the
 * top of the current kernel stack) to user mode. Interrupts must be off.
 */
	.globl trap_return_user
trap_return_user:
	mv	sp, a0
	csrw	sscratch, tp			/* the kernel's tp, for the next trap */
	ld	t0, TF_SEPC(sp)
	csrw	sepc, t0
	ld	t0, TF_SSTATUS(sp)
	csrw	sstatus, t0
	ld	ra, 0(sp)
	ld	gp, 16(sp)
	ld	tp, 24(sp)
	ld	t0, 32(sp)
	ld	t1, 40(sp)
	ld	t2, 48(sp)
	ld	s0, 56(sp)
	ld	s1, 64(sp)
	ld	a0, 72(sp)
	ld	a1, 80(sp)
	ld	a2, 88(sp)
	ld	a3, 96(sp)
	ld	a4, 104(sp)
	ld	a5, 112(sp)
	ld	a6, 120(sp)
	ld	a7, 128(sp)
	ld	s2, 136(sp)
	ld	s3, 144(sp)
	ld	s4, 152(sp)
	ld	s5, 160(sp)
	ld	s6, 168(sp)
	ld	s7, 176(sp)
	ld	s8, 184(sp)
	ld	s9, 192(sp)
	ld	s10, 200(sp)
	ld	s11, 208(sp)
	ld	t3, 216(sp)
	ld	t4, 224(sp)
	ld	t5, 232(sp)
	ld	t6, 240(sp)
	ld	sp, 8(sp)
	sret
