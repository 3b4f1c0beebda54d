/*
 * Non-local jumps. A jmp_buf holds ra, sp, s0..s11 and fs0..fs11 (what a
 * call preserves); a sigjmp_buf also the signal mask when sigsetjmp was
 * asked to save it, which siglongjmp puts back (so a SIGSEGV handler can
 * jump out of itself, its signal unblocked again).
 */
#ifndef _SETJMP_H
#define _SETJMP_H

#include <signal.h>

typedef struct {
	unsigned long	__regs[26];
	int		__mask_saved;
	sigset_t	__mask;
} __jmp_buf_tag;

typedef __jmp_buf_tag jmp_buf[1];
typedef __jmp_buf_tag sigjmp_buf[1];

int setjmp(jmp_buf env) __attribute__((returns_twice));
void longjmp(jmp_buf env, int val) __attribute__((noreturn));
int sigsetjmp(sigjmp_buf env, int savemask) __attribute__((returns_twice));
void siglongjmp(sigjmp_buf env, int val) __attribute__((noreturn));

#endif
