/* Process, time and identity system calls. */
#include "arch/riscv/csr.h"
#include "arch/riscv/timer.h"
#include "dev/rtc.h"
#include "kern/exec.h"
#include "kern/exit.h"
#include "kern/files.h"
#include "kern/fork.h"
#include "kern/fsctx.h"
#include "kern/jobctl.h"
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
#define CLOCK_REALTIME_ALARM	8
#define CLOCK_BOOTTIME_ALARM	9
#define CLOCK_TAI		11
#define RLIMIT_STACK		3
#define RLIMIT_NOFILE		7
#define RLIMIT_MEMLOCK		8
#define RLIM_NLIMITS		16
#define RLIM_INFINITY		(~0UL)
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
	if ((int)pid == -0x7fffffff - 1)
		return -ESRCH;		/* as Linux: -INT_MIN is no group */
	ret = proc_wait((int)pid, &status, options, &ru);
	if (ret > 0 && ustatus && copy_to_user(ustatus, &status, sizeof(status)))
		return -EFAULT;
	if (ret >= 0 && urusage && rusage_copyout(urusage, &ru, 0))
		return -EFAULT;		/* WNOHANG with none: zeros, as Linux */
	return ret;
}

/*
 * May the current process signal p? As Linux: root (CAP_KILL), or a
 * sender whose real or effective uid is p's real or saved uid.
 */
static bool kill_allowed(const struct proc *p)
{
	const struct cred *me = &current()->cred, *to = &p->cred;

	return me->euid == 0 || me->euid == to->uid || me->euid == to->suid ||
	       me->uid == to->uid || me->uid == to->suid;
}

static int kill_one(struct proc *p, void *arg)
{
	int sig = (long)arg;

	if (p != init_proc && p->tg != current()->tg && p->tg->live && sig &&
	    kill_allowed(p))
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
		return jobctl_kill_group(READ_ONCE(current()->pgid), sig);
	if (pid < 0)
		return (int)pid == -0x7fffffff - 1 ? -ESRCH : jobctl_kill_group(-pid, sig);
	flags = spin_lock_irqsave(&proc_tree_lock);
	p = proc_find(pid);
	if (!p || !p->tg->live)
		err = -ESRCH;
	else if (!kill_allowed(p))
		err = -EPERM;
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
	else if (!kill_allowed(t))
		err = -EPERM;
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

/*
 * Sleep until uptime deadline. Cut short by a signal: the time left goes
 * to urem (if not 0) and the sleep fails with EINTR if a handler runs, or
 * goes on to the same deadline through restart_syscall if none does (a
 * stop and continue, as on Linux).
 */
static long sleep_until(uint64_t deadline, uint64_t urem)
{
	struct proc *p = current();
	uint64_t now = timer_uptime_ns(), left;
	struct ktimespec rem;

	left = deadline > now ? sleep_ns(deadline - now) : 0;
	if (!left)
		return 0;
	rem.tv_sec = left / NSEC;
	rem.tv_nsec = left % NSEC;
	if (urem && copy_to_user(urem, &rem, sizeof(rem)))
		return -EFAULT;
	p->restart_deadline = deadline;
	p->restart_urem = urem;
	return -ERESTART_RESTARTBLOCK;
}

static long sys_restart_syscall(void)
{
	struct proc *p = current();
	uint64_t deadline = p->restart_deadline;

	p->restart_deadline = 0;
	return deadline ? sleep_until(deadline, p->restart_urem) : -EINTR;
}

static long sys_nanosleep(long ureq, long urem)
{
	struct ktimespec req;

	if (copy_from_user(&req, ureq, sizeof(req)))
		return -EFAULT;
	if (req.tv_sec < 0 || req.tv_nsec < 0 || req.tv_nsec >= (int64_t)NSEC)
		return -EINVAL;
	if (req.tv_sec > (int64_t)(NSEC * NSEC))	/* about 3e10 years: forever */
		req.tv_sec = NSEC * NSEC;
	return sleep_until(timer_uptime_ns() + ns_of(&req), urem);
}

static long sys_clock_nanosleep(long clock, long flags, long ureq, long urem)
{
	if (clock != CLOCK_REALTIME && clock != CLOCK_MONOTONIC &&
	    clock != CLOCK_BOOTTIME)
		return -EINVAL;
	if (flags & 1) {		/* TIMER_ABSTIME */
		struct ktimespec req;
		uint64_t now = timer_uptime_ns(), until;

		if (copy_from_user(&req, ureq, sizeof(req)))
			return -EFAULT;
		if (req.tv_sec < 0 || req.tv_nsec < 0 || req.tv_nsec >= (int64_t)NSEC)
			return -EINVAL;
		until = ns_of(&req);
		if (clock == CLOCK_REALTIME)	/* the deadline in uptime */
			until -= MIN(until, rtc_offset_ns());
		/* as Linux: the same absolute time again unless a handler ran */
		return until > now && sleep_ns(until - now) ? -ERESTARTNOHAND : 0;
	}
	return sys_nanosleep(ureq, urem);
}

/* The ticks of every thread of p's process, exited ones included. */
static uint64_t process_cpu_ticks(struct proc *p)
{
	unsigned long flags = spin_lock_irqsave(&p->tg->sig_lock);
	uint64_t user, system;

	tgroup_ticks(p->tg, &user, &system);
	spin_unlock_irqrestore(&p->tg->sig_lock, flags);
	return user + system;
}

static long sys_clock_gettime(long clock, long uts)
{
	struct proc *p = current();
	struct ktimespec ts;
	uint64_t ns;

	switch (clock) {
	case CLOCK_REALTIME:
	case CLOCK_REALTIME_COARSE:
		ns = rtc_now_ns();		/* the wall time, from the RTC at boot */
		break;
	case CLOCK_MONOTONIC:
	case CLOCK_MONOTONIC_RAW:
	case CLOCK_MONOTONIC_COARSE:
	case CLOCK_BOOTTIME:
		ns = timer_uptime_ns();		/* since boot */
		break;
	case CLOCK_PROCESS_CPUTIME:
		ns = process_cpu_ticks(p) * (NSEC / TIMER_HZ);
		break;
	case CLOCK_THREAD_CPUTIME:
		ns = (READ_ONCE(p->user_ticks) + READ_ONCE(p->system_ticks)) *
		     (NSEC / TIMER_HZ);
		break;
	case CLOCK_REALTIME_ALARM:
	case CLOCK_BOOTTIME_ALARM:
	case CLOCK_TAI:
		return syscall_unsupported("clock_gettime clock", clock);
	default:
		return -EINVAL;
	}
	ts.tv_sec = ns / NSEC;
	ts.tv_nsec = ns % NSEC;
	return copy_to_user(uts, &ts, sizeof(ts));
}

static long sys_gettimeofday(long utv, long utz)
{
	uint64_t ns = rtc_now_ns();
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

	if (pid != 0 && pid != p->pid && pid != p->tid)
		return -ESRCH;	/* the limits are the process's, one for all threads */
	if (resource < 0 || resource >= RLIM_NLIMITS)
		return -EINVAL;
	if (resource == RLIMIT_STACK)
		lim[0] = p->tg->stack_limit;
	else if (resource == RLIMIT_NOFILE)
		lim[0] = lim[1] = FILES_MAX;
	else if (resource == RLIMIT_MEMLOCK)
		memcpy(lim, p->tg->memlock_limit, sizeof(lim));
	if (uold && copy_to_user(uold, lim, sizeof(lim)))
		return -EFAULT;
	if (unew) {
		uint64_t want[2];

		if (copy_from_user(want, unew, sizeof(want)))
			return -EFAULT;
		if (want[0] > want[1])
			return -EINVAL;
		if (resource == RLIMIT_STACK) {
			p->tg->stack_limit = want[0];
			if (p->vm)
				p->vm->stack_limit = want[0];
		} else if (resource == RLIMIT_MEMLOCK) {
			/* raising the hard limit: Linux's CAP_SYS_RESOURCE */
			if (want[1] > p->tg->memlock_limit[1] && cred_current()->euid != 0)
				return -EPERM;
			memcpy(p->tg->memlock_limit, want, sizeof(want));
		} else if (resource == RLIMIT_NOFILE && want[1] > FILES_MAX) {
			return -EPERM;
		} else if (resource != RLIMIT_NOFILE) {
			syscall_note_ignored("setrlimit of resource", resource);
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
	return syscall_unsupported("reboot command", (uint32_t)cmd);
}

static long sys_umask(long mask)
{
	return fsctx_set_umask(current()->fs, (uint32_t)mask);
}

static long sys_prctl(long option)
{
	return syscall_unsupported("prctl option", option);
}

void syscalls_proc(syscall_fn *t)
{
	SYSCALL(t, exit);
	SYSCALL(t, exit_group);
	SYSCALL(t, getpid);
	SYSCALL(t, getppid);
	SYSCALL(t, gettid);
	SYSCALL(t, set_tid_address);
	SYSCALL(t, clone);
	SYSCALL(t, execve);
	SYSCALL(t, wait4);
	SYSCALL(t, kill);
	SYSCALL(t, tkill);
	SYSCALL(t, tgkill);
	SYSCALL(t, sched_yield);
	SYSCALL(t, nanosleep);
	SYSCALL(t, restart_syscall);
	SYSCALL(t, clock_nanosleep);
	SYSCALL(t, clock_gettime);
	SYSCALL(t, gettimeofday);
	SYSCALL(t, uname);
	SYSCALL(t, getrandom);
	SYSCALL(t, prlimit64);
	SYSCALL(t, reboot);
	SYSCALL(t, umask);
	SYSCALL(t, prctl);
}
