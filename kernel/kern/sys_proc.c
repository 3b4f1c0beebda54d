/* Process, time and identity system calls. */
#include "arch/riscv/csr.h"
#include "arch/riscv/timer.h"
#include "kern/exec.h"
#include "kern/exit.h"
#include "kern/files.h"
#include "kern/fork.h"
#include "kern/power.h"
#include "kern/proc.h"
#include "kern/random.h"
#include "kern/sched.h"
#include "kern/signal.h"
#include "kern/sleep.h"
#include "kern/syscall.h"
#include "kern/thread.h"
#include "kern/uaccess.h"
#include "kern/usage.h"
#include "kern/version.h"
#include "vm/vmspace.h"

#define CLOCK_REALTIME		0
#define CLOCK_MONOTONIC		1
#define CLOCK_PROCESS_CPUTIME	2
#define CLOCK_THREAD_CPUTIME	3
#define CLOCK_MONOTONIC_RAW	4
#define CLOCK_REALTIME_COARSE	5
#define CLOCK_MONOTONIC_COARSE	6
#define CLOCK_BOOTTIME		7
#define RLIMIT_STACK		3
#define RLIMIT_NOFILE		7
#define RLIM_NLIMITS		16
#define RLIM_INFINITY		(~0UL)
#define WUNTRACED		2
#define WCONTINUED		8
#define WALL_FLAGS		0xe0000000	/* __WNOTHREAD, __WALL, __WCLONE */
#define NSEC			1000000000ULL
#define MAX_RW_COUNT		(0x7fffffffUL & ~(PAGE_SIZE - 1))

struct ktimespec {
	int64_t tv_sec;
	int64_t tv_nsec;
};

static long sys_exit(long code)
{
	thread_exit(W_EXITCODE(code));
}

static long sys_exit_group(long code)
{
	proc_exit(W_EXITCODE(code));
}

static long sys_getpid(void)
{
	return current()->pid;
}

static long sys_gettid(void)
{
	return current()->tid;
}

static long sys_getppid(void)
{
	unsigned long flags = spin_lock_irqsave(&proc_tree_lock);
	struct proc *p = current()->tg->leader;
	long ppid = p->parent ? p->parent->pid : 0;

	spin_unlock_irqrestore(&proc_tree_lock, flags);
	return ppid;
}

static long sys_getuid(void)
{
	return 0;
}

static long sys_set_tid_address(long tidptr)
{
	current()->clear_child_tid = tidptr;
	return current()->tid;
}

static long sys_clone(long flags, long newsp, long parent_tid, long tls,
		      long child_tid)
{
	return proc_fork(flags, newsp, parent_tid, tls, child_tid);
}

static long sys_execve(long upath, long uargv, long uenvp)
{
	return proc_execve_user(upath, uargv, uenvp);
}

static long sys_wait4(long pid, long ustatus, long options, long urusage)
{
	struct proc_usage ru = { 0 };
	int status = 0;
	long ret;

	if (options & ~(WNOHANG | WUNTRACED | WCONTINUED | WALL_FLAGS))
		return -EINVAL;
	if (pid == 0 || pid < -1)
		pid = -pid > 1 ? -pid : -1;	/* no process groups: pgid = pid */
	ret = proc_wait(pid, &status, options, &ru);
	if (ret > 0 && ustatus && copy_to_user(ustatus, &status, sizeof(status)))
		return -EFAULT;
	if (ret >= 0 && urusage && rusage_copyout(urusage, &ru, 0))
		return -EFAULT;		/* WNOHANG with none: zeros, as Linux */
	return ret;
}

static int kill_one(struct proc *p, void *arg)
{
	int sig = (long)arg;

	if (p != init_proc && p->tg != current()->tg && p->tg->live && sig)
		signal_send_user(p, sig, SI_USER);
	return 0;
}

/* kill: to a process, or to -pid's group (which is the process). */
static long kill_as(long pid, long sig, int code)
{
	unsigned long flags;
	struct proc *p;
	long err = 0;

	if (sig < 0 || sig > NSIG)
		return -EINVAL;
	if (pid == -1) {
		proc_for_each(kill_one, (void *)sig);
		return 0;
	}
	if (pid == 0)
		pid = current()->pid;	/* no process groups: our own group is us */
	if (pid < 0)
		pid = -pid;
	flags = spin_lock_irqsave(&proc_tree_lock);
	p = proc_find(pid);
	if (!p || !p->tg->live)
		err = -ESRCH;
	else if (sig)
		err = signal_send_user(p, sig, code);
	spin_unlock_irqrestore(&proc_tree_lock, flags);
	return err;
}

/* tkill and tgkill (tgid -1: any process): to one thread. */
static long kill_thread(long tgid, long tid, long sig)
{
	unsigned long flags;
	struct proc *t;
	long err = 0;

	if (sig < 0 || sig > NSIG)
		return -EINVAL;
	flags = spin_lock_irqsave(&proc_tree_lock);
	t = thread_find(tid);
	if (!t || t->state == PROC_ZOMBIE || (tgid != -1 && t->pid != tgid))
		err = -ESRCH;
	else if (sig)
		err = signal_send_user(t, sig, SI_TKILL);
	spin_unlock_irqrestore(&proc_tree_lock, flags);
	return err;
}

static long sys_kill(long pid, long sig)
{
	return kill_as(pid, sig, SI_USER);
}

static long sys_tgkill(long tgid, long tid, long sig)
{
	if (tgid <= 0 || tid <= 0)
		return -EINVAL;
	return kill_thread(tgid, tid, sig);
}

static long sys_tkill(long tid, long sig)
{
	return tid > 0 ? kill_thread(-1, tid, sig) : -EINVAL;
}

static long sys_sched_yield(void)
{
	sched_yield();
	return 0;
}

static uint64_t ns_of(const struct ktimespec *ts)
{
	return ts->tv_sec * NSEC + ts->tv_nsec;
}

static long sys_nanosleep(long ureq, long urem)
{
	struct ktimespec req, rem;
	uint64_t left;

	if (copy_from_user(&req, ureq, sizeof(req)))
		return -EFAULT;
	if (req.tv_sec < 0 || req.tv_nsec < 0 || req.tv_nsec >= (int64_t)NSEC)
		return -EINVAL;
	left = sleep_ns(ns_of(&req));
	if (!left)
		return 0;
	rem.tv_sec = left / NSEC;
	rem.tv_nsec = left % NSEC;
	if (urem && copy_to_user(urem, &rem, sizeof(rem)))
		return -EFAULT;
	return -EINTR;
}

static long sys_clock_nanosleep(long clock, long flags, long ureq, long urem)
{
	if (clock != CLOCK_REALTIME && clock != CLOCK_MONOTONIC &&
	    clock != CLOCK_BOOTTIME)
		return -EINVAL;
	if (flags & 1) {		/* TIMER_ABSTIME */
		struct ktimespec req;
		uint64_t now = timer_uptime_ns();

		if (copy_from_user(&req, ureq, sizeof(req)))
			return -EFAULT;
		if (req.tv_sec < 0 || req.tv_nsec < 0 || req.tv_nsec >= (int64_t)NSEC)
			return -EINVAL;
		return ns_of(&req) > now && sleep_ns(ns_of(&req) - now) ? -EINTR : 0;
	}
	return sys_nanosleep(ureq, urem);
}

static long sys_clock_gettime(long clock, long uts)
{
	struct proc *p = current();
	struct ktimespec ts;
	uint64_t ns;

	switch (clock) {
	case CLOCK_REALTIME:
	case CLOCK_REALTIME_COARSE:
	case CLOCK_MONOTONIC:
	case CLOCK_MONOTONIC_RAW:
	case CLOCK_MONOTONIC_COARSE:
	case CLOCK_BOOTTIME:
		ns = timer_uptime_ns();		/* no real-time clock yet: since boot */
		break;
	case CLOCK_PROCESS_CPUTIME:
	case CLOCK_THREAD_CPUTIME:
		ns = (p->user_ticks + p->system_ticks) * (NSEC / TIMER_HZ);
		break;
	default:
		return -EINVAL;
	}
	ts.tv_sec = ns / NSEC;
	ts.tv_nsec = ns % NSEC;
	return copy_to_user(uts, &ts, sizeof(ts));
}

static long sys_gettimeofday(long utv, long utz)
{
	uint64_t ns = timer_uptime_ns();
	int64_t tv[2] = { ns / NSEC, ns % NSEC / 1000 };

	if (utv && copy_to_user(utv, tv, sizeof(tv)))
		return -EFAULT;
	if (utz && clear_user(utz, 8))
		return -EFAULT;
	return 0;
}

struct kutsname {
	char sysname[65], nodename[65], release[65], version[65], machine[65],
	     domainname[65];
};

static long sys_uname(long ubuf)
{
	struct kutsname u;

	memset(&u, 0, sizeof(u));
	strlcpy(u.sysname, KILBURN_SYSNAME, sizeof(u.sysname));
	strlcpy(u.nodename, KILBURN_NODENAME, sizeof(u.nodename));
	strlcpy(u.release, KILBURN_RELEASE, sizeof(u.release));
	strlcpy(u.version, KILBURN_VERSION, sizeof(u.version));
	strlcpy(u.machine, KILBURN_MACHINE, sizeof(u.machine));
	strlcpy(u.domainname, "(none)", sizeof(u.domainname));
	return copy_to_user(ubuf, &u, sizeof(u));
}

/*
 * getrandom: up to len random bytes (at most MAX_RW_COUNT, as Linux),
 * stopping early for a signal: a huge len into a huge mapping must not keep
 * the process from dying. Returns the count, -EFAULT, -EINTR or -EINVAL.
 */
static long sys_getrandom(long ubuf, long len, long flags)
{
	uint8_t chunk[256];
	long done = 0;

	if (flags & ~7)
		return -EINVAL;
	len = MIN((unsigned long)len, MAX_RW_COUNT);
	while (done < len) {
		if (signal_pending())
			return done ? done : -EINTR;
		size_t n = MIN((size_t)(len - done), sizeof(chunk));

		random_bytes(chunk, n);
		if (copy_to_user(ubuf + done, chunk, n))
			return done ? done : -EFAULT;
		done += n;
	}
	return done;
}

static long sys_prlimit64(long pid, long resource, long unew, long uold)
{
	struct proc *p = current();
	uint64_t lim[2] = { RLIM_INFINITY, RLIM_INFINITY };

	if (pid != 0 && pid != p->pid)
		return -ESRCH;
	if (resource < 0 || resource >= RLIM_NLIMITS)
		return -EINVAL;
	if (resource == RLIMIT_STACK)
		lim[0] = p->stack_limit;
	else if (resource == RLIMIT_NOFILE)
		lim[0] = lim[1] = FILES_MAX;
	if (uold && copy_to_user(uold, lim, sizeof(lim)))
		return -EFAULT;
	if (unew) {
		uint64_t want[2];

		if (copy_from_user(want, unew, sizeof(want)))
			return -EFAULT;
		if (want[0] > want[1])
			return -EINVAL;
		if (resource == RLIMIT_STACK) {
			p->stack_limit = want[0];
			if (p->vm)
				p->vm->stack_limit = want[0];
		} else if (resource == RLIMIT_NOFILE && want[1] > FILES_MAX) {
			return -EPERM;
		}
	}
	return 0;
}

#define REBOOT_MAGIC1		0xfee1dead
#define REBOOT_MAGIC2		672274793
#define REBOOT_CMD_POWER_OFF	0x4321fedc
#define REBOOT_CMD_HALT		0xcdef0123
#define REBOOT_CMD_RESTART	0x01234567

static long sys_reboot(long magic1, long magic2, long cmd)
{
	if ((uint32_t)magic1 != REBOOT_MAGIC1 || magic2 != REBOOT_MAGIC2)
		return -EINVAL;
	if ((uint32_t)cmd == REBOOT_CMD_POWER_OFF || (uint32_t)cmd == REBOOT_CMD_HALT ||
	    (uint32_t)cmd == REBOOT_CMD_RESTART) {
		kprintf("reboot: powering off\n");
		power_off(0);
	}
	return -EINVAL;
}

static long sys_umask(long mask)
{
	struct proc *p = current();
	long old = p->umask;

	p->umask = mask & 0777;
	return old;
}

static long sys_prctl(long option)
{
	return -EINVAL;
}

static long sys_setpgid(long pid, long pgid)
{
	return 0;			/* one process per group: nothing to move */
}

/* One process per group: a process's group is its pid. -ESRCH if none. */
static long sys_getpgid(long pid)
{
	unsigned long flags;
	bool found;

	if (pid == 0)
		return current()->pid;
	flags = spin_lock_irqsave(&proc_tree_lock);
	found = proc_find(pid) != NULL;
	spin_unlock_irqrestore(&proc_tree_lock, flags);
	return found ? (int)pid : -ESRCH;
}

static long sys_setsid(void)
{
	return current()->pid;
}

void syscalls_proc(syscall_fn *t)
{
	SYSCALL(t, exit);
	SYSCALL(t, exit_group);
	SYSCALL(t, getpid);
	SYSCALL(t, getppid);
	SYSCALL(t, gettid);
	t[SYS_getuid] = t[SYS_geteuid] = t[SYS_getgid] = t[SYS_getegid] =
		(syscall_fn)(void *)sys_getuid;
	SYSCALL(t, set_tid_address);
	SYSCALL(t, clone);
	SYSCALL(t, execve);
	SYSCALL(t, wait4);
	SYSCALL(t, kill);
	SYSCALL(t, tkill);
	SYSCALL(t, tgkill);
	SYSCALL(t, sched_yield);
	SYSCALL(t, nanosleep);
	SYSCALL(t, clock_nanosleep);
	SYSCALL(t, clock_gettime);
	SYSCALL(t, gettimeofday);
	SYSCALL(t, uname);
	SYSCALL(t, getrandom);
	SYSCALL(t, prlimit64);
	SYSCALL(t, reboot);
	SYSCALL(t, umask);
	SYSCALL(t, prctl);
	SYSCALL(t, setpgid);
	SYSCALL(t, getpgid);
	SYSCALL(t, setsid);
}
