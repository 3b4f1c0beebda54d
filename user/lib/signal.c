/*
 * Signals beyond sigaction and the mask (proc.c): pending signals, waiting
 * for one, the alternate stack, and setjmp/longjmp with sigsetjmp and
 * siglongjmp.
 */
#include <setjmp.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "internal.h"

/* The blocked signals that are pending; 0 or -1. */
int sigpending(sigset_t *set)
{
	return (int)sys_ret(sys_call2(SYS_rt_sigpending, set, sizeof(sigset_t)));
}

/* Waits with mask as the mask until a handler has run; always -1 (EINTR). */
int sigsuspend(const sigset_t *mask)
{
	return (int)sys_ret(sys_call2(SYS_rt_sigsuspend, mask, sizeof(sigset_t)));
}

/* riscv64 has no pause system call: sigsuspend with the current mask. */
int pause(void)
{
	sigset_t mask;

	sigprocmask(SIG_BLOCK, NULL, &mask);
	return sigsuspend(&mask);
}

/* Sets and/or reads the alternate signal stack; 0 or -1. */
int sigaltstack(const stack_t *ss, stack_t *old)
{
	return (int)sys_ret(sys_call2(SYS_sigaltstack, ss, old));
}

/*
 * The registers a call preserves, into env->__regs and back: ra, sp,
 * s0..s11, fs0..fs11. __jmp_restore returns val (1 if val is 0) where the
 * saving call returned.
 */
__asm__(
	".text\n"
	".globl setjmp\n"
	".globl _setjmp\n"
	".globl __jmp_save\n"
	"setjmp:\n"
	"_setjmp:\n"
	"__jmp_save:\n"
	"	sd ra, 0(a0)\n	sd sp, 8(a0)\n"
	"	sd s0, 16(a0)\n	sd s1, 24(a0)\n	sd s2, 32(a0)\n	sd s3, 40(a0)\n"
	"	sd s4, 48(a0)\n	sd s5, 56(a0)\n	sd s6, 64(a0)\n	sd s7, 72(a0)\n"
	"	sd s8, 80(a0)\n	sd s9, 88(a0)\n	sd s10, 96(a0)\n	sd s11, 104(a0)\n"
	"	fsd fs0, 112(a0)\n	fsd fs1, 120(a0)\n	fsd fs2, 128(a0)\n	fsd fs3, 136(a0)\n"
	"	fsd fs4, 144(a0)\n	fsd fs5, 152(a0)\n	fsd fs6, 160(a0)\n	fsd fs7, 168(a0)\n"
	"	fsd fs8, 176(a0)\n	fsd fs9, 184(a0)\n	fsd fs10, 192(a0)\n	fsd fs11, 200(a0)\n"
	"	sw zero, 208(a0)\n"		/* __mask_saved */
	"	li a0, 0\n"
	"	ret\n"
	".globl sigsetjmp\n"
	"sigsetjmp:\n"
	"	sd ra, 0(a0)\n	sd sp, 8(a0)\n"
	"	sd s0, 16(a0)\n	sd s1, 24(a0)\n	sd s2, 32(a0)\n	sd s3, 40(a0)\n"
	"	sd s4, 48(a0)\n	sd s5, 56(a0)\n	sd s6, 64(a0)\n	sd s7, 72(a0)\n"
	"	sd s8, 80(a0)\n	sd s9, 88(a0)\n	sd s10, 96(a0)\n	sd s11, 104(a0)\n"
	"	fsd fs0, 112(a0)\n	fsd fs1, 120(a0)\n	fsd fs2, 128(a0)\n	fsd fs3, 136(a0)\n"
	"	fsd fs4, 144(a0)\n	fsd fs5, 152(a0)\n	fsd fs6, 160(a0)\n	fsd fs7, 168(a0)\n"
	"	fsd fs8, 176(a0)\n	fsd fs9, 184(a0)\n	fsd fs10, 192(a0)\n	fsd fs11, 200(a0)\n"
	"	tail __sigsetjmp_mask\n"	/* returns 0 to our caller */
	".globl __jmp_restore\n"
	"__jmp_restore:\n"
	"	ld ra, 0(a0)\n	ld sp, 8(a0)\n"
	"	ld s0, 16(a0)\n	ld s1, 24(a0)\n	ld s2, 32(a0)\n	ld s3, 40(a0)\n"
	"	ld s4, 48(a0)\n	ld s5, 56(a0)\n	ld s6, 64(a0)\n	ld s7, 72(a0)\n"
	"	ld s8, 80(a0)\n	ld s9, 88(a0)\n	ld s10, 96(a0)\n	ld s11, 104(a0)\n"
	"	fld fs0, 112(a0)\n	fld fs1, 120(a0)\n	fld fs2, 128(a0)\n	fld fs3, 136(a0)\n"
	"	fld fs4, 144(a0)\n	fld fs5, 152(a0)\n	fld fs6, 160(a0)\n	fld fs7, 168(a0)\n"
	"	fld fs8, 176(a0)\n	fld fs9, 184(a0)\n	fld fs10, 192(a0)\n	fld fs11, 200(a0)\n"
	"	seqz a0, a1\n"
	"	add a0, a0, a1\n"
	"	ret\n");

_Static_assert(__builtin_offsetof(__jmp_buf_tag, __mask_saved) == 208, "setjmp.S offsets");

void __jmp_restore(__jmp_buf_tag *env, int val) __attribute__((noreturn));
int __sigsetjmp_mask(__jmp_buf_tag *env, int savemask);

/* sigsetjmp's second half: note the mask if asked; returns 0. */
int __sigsetjmp_mask(__jmp_buf_tag *env, int savemask)
{
	env->__mask_saved = savemask != 0;
	if (savemask)
		sigprocmask(SIG_BLOCK, NULL, &env->__mask);
	return 0;
}

void longjmp(jmp_buf env, int val)
{
	__jmp_restore(env, val);
}

/* Puts back the mask sigsetjmp saved, if it did, then jumps. */
void siglongjmp(sigjmp_buf env, int val)
{
	if (env->__mask_saved)
		sigprocmask(SIG_SETMASK, &env->__mask, NULL);
	__jmp_restore(env, val);
}
