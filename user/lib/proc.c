/*
 * Process system calls: fork (clone), exec with PATH search, wait, ids,
 * signals, uname, reboot.
 */
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/reboot.h>
#include <sys/resource.h>
#include <sys/swap.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>
#include "internal.h"

/*
 * Creates a child process: clone(SIGCHLD) with no new stack, which is
 * fork on riscv64 Linux (there is no fork system call). Returns the child's
 * pid in the parent, 0 in the child, -1 on failure.
 */
pid_t fork(void)
{
	return (pid_t)sys_ret(sys_call5(SYS_clone, SIGCHLD, 0, 0, 0, 0));
}

/*
 * vfork: clone(CLONE_VM | CLONE_VFORK | SIGCHLD) on the caller's own stack;
 * the caller sleeps until the child execs or exits. Written in assembly:
 * the child must not touch the stack frame the parent returns through, so
 * the return address stays in ra. Errors go through sys_ret.
 */
__asm__(
	".text\n"
	".globl vfork\n"
	"vfork:\n"
	"	li a0, 0x4111\n"		/* CLONE_VM | CLONE_VFORK | SIGCHLD */
	"	mv a1, sp\n"
	"	li a2, 0\n	li a3, 0\n	li a4, 0\n"
	"	li a7, 220\n"			/* SYS_clone */
	"	ecall\n"
	"	bltz a0, 1f\n"
	"	ret\n"
	"1:	tail sys_ret\n");

/* Replaces the process image; returns only on failure (-1). */
int execve(const char *path, char *const argv[], char *const envp[])
{
	return (int)sys_ret(sys_call3(SYS_execve, path, argv, envp));
}

/* execve with the current environment. */
int execv(const char *path, char *const argv[])
{
	return execve(path, argv, environ);
}

/*
 * execv, searching $PATH (default "/bin:/sbin") when file has no '/'.
 * Returns -1 with errno EACCES if some candidate was not executable, else
 * ENOENT, or the error of a candidate that existed but failed otherwise.
 */
int execvp(const char *file, char *const argv[])
{
	const char *path = getenv("PATH");
	char buf[PATH_MAX];
	int saw_eacces = 0;

	if (!*file) {
		errno = ENOENT;
		return -1;
	}
	if (strchr(file, '/'))
		return execv(file, argv);
	if (!path)
		path = "/bin:/sbin";
	for (;;) {
		const char *end = strchr(path, ':');
		size_t dlen = end ? (size_t)(end - path) : strlen(path);

		if (dlen + strlen(file) + 2 <= sizeof(buf)) {
			if (dlen) {
				memcpy(buf, path, dlen);
				buf[dlen++] = '/';
			}
			strcpy(buf + dlen, file);
			execv(buf, argv);
			if (errno == EACCES)
				saw_eacces = 1;
			else if (errno != ENOENT && errno != ENOTDIR)
				return -1;
		}
		if (!end)
			break;
		path = end + 1;
	}
	errno = saw_eacces ? EACCES : ENOENT;
	return -1;
}

/* Waits for a child (pid > 0: that one; -1: any); its pid, 0 (WNOHANG) or -1. */
pid_t wait4(pid_t pid, int *status, int options, struct rusage *ru)
{
	return (pid_t)sys_ret(sys_call4(SYS_wait4, pid, status, options, ru));
}

/* wait4 without resource usage. */
pid_t waitpid(pid_t pid, int *status, int options)
{
	return wait4(pid, status, options, 0);
}

/* Waits for any child. */
pid_t wait(int *status)
{
	return wait4(-1, status, 0, 0);
}

/* Process and user ids: these calls cannot fail. */
pid_t getpid(void)  { return (pid_t)sys_call0(SYS_getpid); }
pid_t getppid(void) { return (pid_t)sys_call0(SYS_getppid); }
pid_t gettid(void)  { return (pid_t)sys_call0(SYS_gettid); }
uid_t getuid(void)  { return (uid_t)sys_call0(SYS_getuid); }
uid_t geteuid(void) { return (uid_t)sys_call0(SYS_geteuid); }
gid_t getgid(void)  { return (gid_t)sys_call0(SYS_getgid); }
gid_t getegid(void) { return (gid_t)sys_call0(SYS_getegid); }

/* Process groups and sessions; -1 on failure. */
int setpgid(pid_t pid, pid_t pgid)
{
	return (int)sys_ret(sys_call2(SYS_setpgid, pid, pgid));
}

pid_t getpgid(pid_t pid)
{
	return (pid_t)sys_ret(sys_call1(SYS_getpgid, pid));
}

pid_t setsid(void)
{
	return (pid_t)sys_ret(sys_call0(SYS_setsid));
}

pid_t getsid(pid_t pid)
{
	return (pid_t)sys_ret(sys_call1(SYS_getsid, pid));
}

pid_t getpgrp(void)
{
	return getpgid(0);
}

/* Sends sig to pid (or a group, see kill(2)); 0 or -1. */
int kill(pid_t pid, int sig)
{
	return (int)sys_ret(sys_call2(SYS_kill, pid, sig));
}

/* Sends sig to the calling process. */
int raise(int sig)
{
	return kill(getpid(), sig);
}

/*
 * Sets or reads the action for sig (rt_sigaction with an 8-byte signal
 * set). Handlers return through the kernel-supplied trampoline.
 */
int sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
	return (int)sys_ret(sys_call4(SYS_rt_sigaction, sig, act, old,
				      sizeof(sigset_t)));
}

/* Installs handler for sig with SA_RESTART; the old handler or SIG_ERR. */
sighandler_t signal(int sig, sighandler_t handler)
{
	struct sigaction sa = { .sa_handler = handler, .sa_flags = SA_RESTART };
	struct sigaction old;

	if (sigaction(sig, &sa, &old) < 0)
		return SIG_ERR;
	return old.sa_handler;
}

/* Changes the blocked-signal mask (SIG_BLOCK/UNBLOCK/SETMASK). */
int sigprocmask(int how, const sigset_t *set, sigset_t *old)
{
	return (int)sys_ret(sys_call4(SYS_rt_sigprocmask, how, set, old,
				      sizeof(sigset_t)));
}

/* Signal-set helpers; signal n is bit n-1. -1/EINVAL for a bad number. */
int sigemptyset(sigset_t *set) { *set = 0; return 0; }
int sigfillset(sigset_t *set)  { *set = ~0UL; return 0; }

/* True (with errno EINVAL) if sig is not a valid signal number. */
static int sig_bad(int sig)
{
	if (sig < 1 || sig >= NSIG) {
		errno = EINVAL;
		return 1;
	}
	return 0;
}

int sigaddset(sigset_t *set, int sig)
{
	if (sig_bad(sig))
		return -1;
	*set |= 1UL << (sig - 1);
	return 0;
}

int sigdelset(sigset_t *set, int sig)
{
	if (sig_bad(sig))
		return -1;
	*set &= ~(1UL << (sig - 1));
	return 0;
}

int sigismember(const sigset_t *set, int sig)
{
	if (sig_bad(sig))
		return -1;
	return (*set >> (sig - 1)) & 1;
}

/* Fills *u with the system's names. */
int uname(struct utsname *u)
{
	return (int)sys_ret(sys_call1(SYS_uname, u));
}

/* Reboots, halts or powers off (RB_*), passing Linux's magic numbers. */
int reboot(int howto)
{
	return (int)sys_ret(sys_call4(SYS_reboot, 0xfee1dead, 672274793,
				      howto, 0));
}

/* Starts swapping to the block device path (SWAP_FLAG_* in flags). */
int swapon(const char *path, int flags)
{
	return (int)sys_ret(sys_call2(SYS_swapon, path, flags));
}

/* Stops swapping to path, bringing its pages back first. */
int swapoff(const char *path)
{
	return (int)sys_ret(sys_call1(SYS_swapoff, path));
}

/* Gives up the processor. */
int sched_yield(void)
{
	return (int)sys_ret(sys_call0(SYS_sched_yield));
}

/* Process control with up to four further long arguments. */
int prctl(int option, ...)
{
	va_list ap;
	long a[4];

	va_start(ap, option);
	for (int i = 0; i < 4; i++)
		a[i] = va_arg(ap, long);
	va_end(ap);
	return (int)sys_ret(sys_call5(SYS_prctl, option, a[0], a[1], a[2], a[3]));
}

/* What this process (RUSAGE_SELF) or its waited-for children used. */
int getrusage(int who, struct rusage *usage)
{
	return (int)sys_ret(sys_call2(SYS_getrusage, who, usage));
}

/* This process's limit of resource (prlimit64 on itself). */
int getrlimit(int resource, struct rlimit *rl)
{
	return (int)sys_ret(sys_call4(SYS_prlimit64, 0, resource, 0, rl));
}

/* Set this process's limit of resource. */
int setrlimit(int resource, const struct rlimit *rl)
{
	return (int)sys_ret(sys_call4(SYS_prlimit64, 0, resource, rl, 0));
}

/* Uptime, loads, memory and swap totals, process count. */
int sysinfo(struct sysinfo *info)
{
	return (int)sys_ret(sys_call1(SYS_sysinfo, info));
}
