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


/*
 * The trap frame (struct trapframe, trap.h) holds x1..x31 at 8 * (n - 1),
 * then sepc, sstatus, scause and stval. These macros move the registers
 * from t2 (x7) up, which both paths treat alike; ra, sp, gp, tp, t0 and t1
 * need path-specific handling and are moved by hand.
 */
.macro SAVE_T2_TO_T6
	sd	t2, 48(sp)
	sd	s0, 56(sp)
	sd	s1, 64(sp)
	.irp n, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
	sd	x\n, (8 * (\n - 1))(sp)
	.endr
.endm

.macro RESTORE_T2_TO_T6
	ld	t2, 48(sp)
	ld	s0, 56(sp)
	ld	s1, 64(sp)
	.irp n, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
	ld	x\n, (8 * (\n - 1))(sp)
	.endr
.endm

/* sepc, sstatus, scause and stval into the frame (clobbers t0). */
.macro SAVE_TRAP_CSRS
	csrr	t0, sepc
	sd	t0, TF_SEPC(sp)
	csrr	t0, sstatus
	sd	t0, TF_SSTATUS(sp)
	csrr	t0, scause
	sd	t0, TF_SCAUSE(sp)
	csrr	t0, stval
	sd	t0, TF_STVAL(sp)
.endm

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
	SAVE_T2_TO_T6
	addi	t0, sp, TF_SIZE
	sd	t0, 8(sp)
	SAVE_TRAP_CSRS

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
	RESTORE_T2_TO_T6
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
	SAVE_T2_TO_T6
	ld	t0, CPU_SCRATCH0(tp)
	sd	t0, 8(sp)			/* user sp */
	csrr	t0, sscratch
	sd	t0, 24(sp)			/* user tp */
	csrw	sscratch, zero			/* from here on: in the kernel */
	SAVE_TRAP_CSRS
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
	RESTORE_T2_TO_T6
	ld	sp, 8(sp)
	sret
