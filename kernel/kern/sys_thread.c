/*
 * System calls of threads: clone3 (clone with its arguments in Linux's
 * struct clone_args), and the signal calls threads lean on: sigtimedwait
 * and sigqueueinfo (to a process or, tgsigqueueinfo, a thread).
 */
#include "arch/riscv/timer.h"
#include "kern/fork.h"
#include "kern/proc.h"
#include "kern/signal.h"
#include "kern/sleep.h"
#include "kern/syscall.h"
#include "kern/thread.h"
#include "kern/uaccess.h"

#define SIGINFO_SIZE		128	/* Linux's siginfo_t */
#define NSEC			1000000000LL
#define SI_QUEUE		(-1)

#define CSIGNAL			0xffUL
#define CLONE_PIDFD		0x00001000UL
#define CLONE_ARGS_SIZE_VER0	64
#define CLONE_ARGS_SIZE_KNOWN	88	/* up to cgroup */

struct clone_args {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal;
	uint64_t stack, stack_size, tls, set_tid, set_tid_size, cgroup;
};

/*
 * Bytes of a larger struct than Kilburn knows must be zero (E2BIG if not,
 * as Linux's copy_struct_from_user). Returns 0, -E2BIG or -EFAULT.
 */
static long tail_zero(uint64_t uargs, uint64_t size)
{
	for (uint64_t off = CLONE_ARGS_SIZE_KNOWN; off < size; off++) {
		uint8_t b;

		if (copy_from_user(&b, uargs + off, 1))
			return -EFAULT;
		if (b)
			return -E2BIG;
	}
	return 0;
}

/*
 * clone3(args, size): the checks of Linux's clone3 (a signal in flags,
 * a stack without a size, unknown upper flags, set_tid and pidfds, which
 * Kilburn does not offer, are EINVAL), then clone.
 */
static long sys_clone3(long uargs, long size)
{
	struct clone_args a = { 0 };
	long err;

	if ((uint64_t)size < CLONE_ARGS_SIZE_VER0)
		return -EINVAL;
	if ((uint64_t)size > PAGE_SIZE)
		return -E2BIG;
	if (copy_from_user(&a, uargs, MIN((uint64_t)size, sizeof(a))))
		return -EFAULT;
	err = tail_zero(uargs, size);
	if (err)
		return err;
	if ((a.flags & CSIGNAL) || (a.exit_signal & ~CSIGNAL) || (a.flags >> 32) ||
	    (a.flags & CLONE_PIDFD) || a.set_tid || a.set_tid_size || a.cgroup)
		return -EINVAL;
	if (!a.stack != !a.stack_size)
		return -EINVAL;
	if ((a.flags & (CLONE_THREAD | CLONE_PARENT)) && a.exit_signal)
		return -EINVAL;
	return proc_fork(a.flags | a.exit_signal, a.stack ? a.stack + a.stack_size : 0,
			 a.parent_tid, a.tls, a.child_tid);
}

/* Copy info out as a whole siginfo_t (the rest zero); 0 or -EFAULT. */
static long siginfo_copyout(uint64_t uinfo, const struct ksiginfo *info)
{
	if (copy_to_user(uinfo, info, sizeof(*info)) ||
	    clear_user(uinfo + sizeof(*info), SIGINFO_SIZE - sizeof(*info)))
		return -EFAULT;
	return 0;
}

/* The deadline of a sigtimedwait timeout (0: none); 0 or -EFAULT/-EINVAL. */
static long wait_deadline(uint64_t uts, uint64_t *deadline)
{
	int64_t ts[2];

	*deadline = 0;
	if (!uts)
		return 0;
	if (copy_from_user(ts, uts, sizeof(ts)))
		return -EFAULT;
	if (ts[0] < 0 || ts[1] < 0 || ts[1] >= NSEC)
		return -EINVAL;
	*deadline = timer_uptime_ns() + (uint64_t)MIN(ts[0], (int64_t)1 << 32) * NSEC + ts[1];
	return 0;
}

/*
 * rt_sigtimedwait(set, info, timeout, size): wait for a signal of set
 * (blocked ones; while waiting they are unblocked for this thread, so a
 * signal sent to the process picks it) and take it without running its
 * handler. Returns the signal, -EAGAIN when the timeout passes, -EINTR if
 * another signal arrives, -EFAULT or -EINVAL.
 */
static long sys_rt_sigtimedwait(long uset, long uinfo, long uts, long size)
{
	struct proc *p = current();
	struct ksiginfo info;
	uint64_t set, saved, deadline, now;
	long err;
	int sig;

	if (size != sizeof(uint64_t))
		return -EINVAL;
	if (copy_from_user(&set, uset, sizeof(set)))
		return -EFAULT;
	err = wait_deadline(uts, &deadline);
	if (err)
		return err;
	set &= ~SIG_UNCATCHABLE;
	saved = p->sig_blocked;
	WRITE_ONCE(p->sig_real_blocked, saved);
	p->sig_blocked &= ~set;
	for (;;) {
		sig = signal_take(set, &info);
		if (sig)
			break;
		if (signal_pending()) {
			sig = signal_take(set, &info);	/* it may have just come */
			err = sig ? 0 : -EINTR;
			break;
		}
		now = timer_uptime_ns();
		if (uts && now >= deadline) {
			err = -EAGAIN;
			break;
		}
		sleep_ns(uts ? deadline - now : NSEC);
	}
	p->sig_blocked = saved;
	WRITE_ONCE(p->sig_real_blocked, 0);
	if (!sig)
		return err;
	if (uinfo && siginfo_copyout(uinfo, &info))
		return -EFAULT;
	return sig;
}

/*
 * Send sig with the information at uinfo to process tgid (tid 0) or to
 * thread tid of it. As Linux, only a negative si_code other than SI_TKILL
 * may be forged for another process (-EPERM). Returns 0, -ESRCH, -EPERM,
 * -EINVAL, -EAGAIN (queue full) or -EFAULT.
 */
static long queue_info(long tgid, long tid, long sig, long uinfo)
{
	struct ksiginfo info;
	unsigned long flags;
	struct proc *p;
	long err = 0;

	if (sig < 0 || sig > NSIG)
		return -EINVAL;
	if (copy_from_user(&info, uinfo, sizeof(info)))
		return -EFAULT;
	if ((info.si_code >= 0 || info.si_code == SI_TKILL) && tgid != current()->pid)
		return -EPERM;
	info.si_signo = sig;
	flags = spin_lock_irqsave(&proc_tree_lock);
	p = tid ? thread_find(tid) : proc_find(tgid);
	if (!p || p->pid != tgid || (tid ? p->state == PROC_ZOMBIE : !p->tg->live))
		err = -ESRCH;
	else if (sig)
		err = tid ? signal_send_thread(p, &info) : signal_send_info(p, &info);
	spin_unlock_irqrestore(&proc_tree_lock, flags);
	return err;
}

static long sys_rt_sigqueueinfo(long tgid, long sig, long uinfo)
{
	return queue_info(tgid, 0, sig, uinfo);
}

static long sys_rt_tgsigqueueinfo(long tgid, long tid, long sig, long uinfo)
{
	if (tgid <= 0 || tid <= 0)
		return -EINVAL;
	return queue_info(tgid, tid, sig, uinfo);
}

void syscalls_thread(syscall_fn *t)
{
	SYSCALL(t, clone3);
	SYSCALL(t, rt_sigtimedwait);
	SYSCALL(t, rt_sigqueueinfo);
	SYSCALL(t, rt_tgsigqueueinfo);
}
