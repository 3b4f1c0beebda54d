/*
 * Raw copies between kernel and user memory. Each instruction that touches
 * user memory has an exception-fixup entry: trap_kernel() first lets the
 * fault handler make the page present (a lazy or copy-on-write page), and
 * only if that fails resumes at the fixup, which returns -EFAULT.
 * sstatus.SUM is set only while copying. Range checks are the caller's
 * (kern/uaccess.c).
 */
#include "arch/riscv/asm.h"
#include "arch/riscv/csr.h"

	.section .text

/* long uaccess_copy(void *dst, const void *src, size_t n): 0 or -EFAULT */
	.globl uaccess_copy
uaccess_copy:
	li	t6, SSTATUS_SUM
	csrs	sstatus, t6
	or	t0, a0, a1
	andi	t0, t0, 7
	bnez	t0, 2f
	li	t1, 8
1:	bltu	a2, t1, 2f
10:	ld	t2, 0(a1)
11:	sd	t2, 0(a0)
	addi	a0, a0, 8
	addi	a1, a1, 8
	addi	a2, a2, -8
	j	1b
2:	beqz	a2, 3f
12:	lbu	t2, 0(a1)
13:	sb	t2, 0(a0)
	addi	a0, a0, 1
	addi	a1, a1, 1
	addi	a2, a2, -1
	j	2b
3:	csrc	sstatus, t6
	li	a0, 0
	ret
	EX_ENTRY(10b, uaccess_fault)
	EX_ENTRY(11b, uaccess_fault)
	EX_ENTRY(12b, uaccess_fault)
	EX_ENTRY(13b, uaccess_fault)

/*
 * long uaccess_strncpy(char *dst, const char *usrc, size_t max):
 * copies up to max bytes, stopping after a NUL. Returns the string's
 * length (the NUL excluded), max if no NUL was found, or -EFAULT.
 */
	.globl uaccess_strncpy
uaccess_strncpy:
	li	t6, SSTATUS_SUM
	csrs	sstatus, t6
	li	t0, 0
4:	beq	t0, a2, 5f
14:	lbu	t2, 0(a1)
	sb	t2, 0(a0)
	beqz	t2, 5f
	addi	a0, a0, 1
	addi	a1, a1, 1
	addi	t0, t0, 1
	j	4b
5:	csrc	sstatus, t6
	mv	a0, t0
	ret
	EX_ENTRY(14b, uaccess_fault)

/*
 * long uaccess_strnlen(const char *usrc, size_t max): the length of the
 * string (the NUL excluded) if it ends within max bytes, max if not, or
 * -EFAULT.
 */
	.globl uaccess_strnlen
uaccess_strnlen:
	li	t6, SSTATUS_SUM
	csrs	sstatus, t6
	li	t0, 0
8:	beq	t0, a1, 9f
16:	lbu	t2, 0(a0)
	beqz	t2, 9f
	addi	a0, a0, 1
	addi	t0, t0, 1
	j	8b
9:	csrc	sstatus, t6
	mv	a0, t0
	ret
	EX_ENTRY(16b, uaccess_fault)

/* long uaccess_zero(void *udst, size_t n): 0 or -EFAULT */
	.globl uaccess_zero
uaccess_zero:
	li	t6, SSTATUS_SUM
	csrs	sstatus, t6
6:	beqz	a1, 7f
15:	sb	zero, 0(a0)
	addi	a0, a0, 1
	addi	a1, a1, -1
	j	6b
7:	csrc	sstatus, t6
	li	a0, 0
	ret
	EX_ENTRY(15b, uaccess_fault)

uaccess_fault:				/* a0 = -EFAULT, set by the trap */
	li	t6, SSTATUS_SUM
	csrc	sstatus, t6
	ret

/*
 * long uaccess_cmpxchg32(uint32_t *uaddr, uint32_t old, uint32_t new,
 * uint32_t *found): atomically store new at uaddr if it holds old; *found
 * gets the value that was there. Returns 0 or -EFAULT. uaddr is 4-byte
 * aligned (the futex code checks). A fault on the sc (a read-only or
 * copy-on-write page) is resolved and the whole lr/sc pair runs again.
 */
	.globl uaccess_cmpxchg32
uaccess_cmpxchg32:
	li	t6, SSTATUS_SUM
	csrs	sstatus, t6
	sext.w	a1, a1
	sext.w	a2, a2
20:	lr.w.aqrl t0, (a0)
	bne	t0, a1, 21f
22:	sc.w.aqrl t1, a2, (a0)
	bnez	t1, 20b
21:	csrc	sstatus, t6
	sw	t0, 0(a3)
	li	a0, 0
	ret
	EX_ENTRY(20b, uaccess_fault)
	EX_ENTRY(22b, uaccess_fault)
