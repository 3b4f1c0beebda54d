/*
 * Private to the C library: the raw ecall helpers and shared internals.
 *
 * sys_callN(nr, ...) issues one system call and returns the kernel's raw
 * result (a negative errno on failure); sys_ret() turns that into the C
 * convention (-1 with errno set). Wrappers are written as
 *	return sys_ret(sys_call3(SYS_read, fd, (long)buf, n));
 */
#ifndef _KB_INTERNAL_H
#define _KB_INTERNAL_H

#include <stddef.h>

static inline long sys_call6(long nr, long a, long b, long c, long d,
			     long e, long f)
{
	register long a7 __asm__("a7") = nr;
	register long a0 __asm__("a0") = a;
	register long a1 __asm__("a1") = b;
	register long a2 __asm__("a2") = c;
	register long a3 __asm__("a3") = d;
	register long a4 __asm__("a4") = e;
	register long a5 __asm__("a5") = f;

	__asm__ volatile("ecall"
			 : "+r"(a0)
			 : "r"(a7), "r"(a1), "r"(a2), "r"(a3), "r"(a4), "r"(a5)
			 : "memory");
	return a0;
}

#define sys_call0(n)			sys_call6(n, 0, 0, 0, 0, 0, 0)
#define sys_call1(n, a)			sys_call6(n, (long)(a), 0, 0, 0, 0, 0)
#define sys_call2(n, a, b)		sys_call6(n, (long)(a), (long)(b), 0, 0, 0, 0)
#define sys_call3(n, a, b, c) \
	sys_call6(n, (long)(a), (long)(b), (long)(c), 0, 0, 0)
#define sys_call4(n, a, b, c, d) \
	sys_call6(n, (long)(a), (long)(b), (long)(c), (long)(d), 0, 0)
#define sys_call5(n, a, b, c, d, e) \
	sys_call6(n, (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), 0)

/* Returns r if r is not an error, else sets errno to -r and returns -1. */
long sys_ret(long r);

/* stdio: flush every open stream (called by exit). */
void stdio_flush_all(void);

/* The auxiliary vector the kernel passed, or NULL (set by crt0). */
extern unsigned long *libc_auxv;

/*
 * Formatted output core: runs fmt against ap, handing output in pieces to
 * put(ctx, s, n). Returns the number of characters produced.
 */
typedef void (*fmt_put_fn)(void *ctx, const char *s, size_t n);
int fmt_format(fmt_put_fn put, void *ctx, const char *fmt, __builtin_va_list ap);

#endif
