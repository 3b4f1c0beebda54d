/*
 * The code of the [vdso] page (vdso.c copies it there at boot): the
 * return trampoline of signal handlers. A handler returns to it through
 * ra, and it asks for rt_sigreturn, as Linux's __vdso_rt_sigreturn does.
 */
	.section .rodata
	.balign 4
	.globl vdso_code_start, vdso_code_end
vdso_code_start:
	.option push
	.option norvc
	li	a7, 139			/* rt_sigreturn */
	ecall
	.option pop
vdso_code_end:
