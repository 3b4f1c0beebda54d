/*
 * Program entry. The kernel starts us with sp pointing at the System V
 * initial stack: argc, argv[0..argc-1], NULL, envp[], NULL, auxv pairs.
 * We set up the global pointer for linker relaxation, clear the frame
 * pointer and return address so backtraces stop here, align the stack and
 * hand the initial stack pointer to libc_start(), which never returns.
 */
	.section .text._start, "ax"
	.globl	_start
	.type	_start, @function
_start:
	.option push
	.option norelax
	la	gp, __global_pointer$
	.option pop
	mv	a0, sp
	li	ra, 0
	li	fp, 0
	andi	sp, sp, -16
	call	libc_start
1:	j	1b
	.size	_start, . - _start
