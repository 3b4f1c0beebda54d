/*
 * Process start-up and termination: libc_start (called by crt0), exit,
 * atexit, abort, and the raw syscall() entry point.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/auxv.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "internal.h"

int main(int argc, char **argv, char **envp);

char **environ;
unsigned long *libc_auxv;
int errno;

#define ATEXIT_MAX 32
static void (*atexit_fns[ATEXIT_MAX])(void);
static int atexit_count;

/*
 * Entry from crt0 with sp = the initial stack. Sets environ and the auxv
 * pointer, runs main, and exits with its return value.
 */
_Noreturn void libc_start(long *sp)
{
	int argc = (int)sp[0];
	char **argv = (char **)(sp + 1);
	char **envp = argv + argc + 1;
	char **p = envp;

	while (*p)
		p++;
	libc_auxv = (unsigned long *)(p + 1);
	environ = envp;
	exit(main(argc, argv, envp));
}

/* See <sys/auxv.h>. */
unsigned long getauxval(unsigned long type)
{
	for (unsigned long *a = libc_auxv; a && a[0] != AT_NULL; a += 2)
		if (a[0] == type)
			return a[1];
	errno = ENOENT;
	return 0;
}

/* Returns r, or -1 with errno = -r when r is a kernel error (-4095..-1). */
long sys_ret(long r)
{
	if (r < 0 && r > -4096) {
		errno = (int)-r;
		return -1;
	}
	return r;
}

/* Issues system call nr with up to six long arguments; C error convention. */
long syscall(long nr, ...)
{
	va_list ap;
	long a[6];

	va_start(ap, nr);
	for (int i = 0; i < 6; i++)
		a[i] = va_arg(ap, long);
	va_end(ap);
	return sys_ret(sys_call6(nr, a[0], a[1], a[2], a[3], a[4], a[5]));
}

/* Registers fn to run at exit (last registered runs first); 0 or -1 if full. */
int atexit(void (*fn)(void))
{
	if (atexit_count == ATEXIT_MAX)
		return -1;
	atexit_fns[atexit_count++] = fn;
	return 0;
}

/* Runs atexit handlers, flushes all stdio streams, ends the process. */
_Noreturn void exit(int status)
{
	while (atexit_count > 0)
		atexit_fns[--atexit_count]();
	stdio_flush_all();
	_exit(status);
}

/* Ends the process at once with status (exit_group: every thread). */
_Noreturn void _exit(int status)
{
	for (;;) {
		sys_call1(SYS_exit_group, status);
		sys_call1(SYS_exit, status);
	}
}

/* Same as _exit. */
_Noreturn void _Exit(int status)
{
	_exit(status);
}

/* Kills the process with SIGABRT (default action), never returning. */
_Noreturn void abort(void)
{
	struct sigaction sa = { .sa_handler = SIG_DFL };
	sigset_t set = 1UL << (SIGABRT - 1);

	raise(SIGABRT);
	sigaction(SIGABRT, &sa, 0);
	sigprocmask(SIG_UNBLOCK, &set, 0);
	raise(SIGABRT);
	_exit(127);
}
