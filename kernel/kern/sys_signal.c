/*
 * Signal system calls: actions, masks, waiting, the alternate stack and the
 * return from a handler. Sets are Linux's 64-signal sigset_t: a sigsetsize
 * other than 8 is EINVAL.
 */
#include "arch/riscv/trap.h"
#include "kern/proc.h"
#include "kern/signal.h"
#include "kern/syscall.h"
#include "kern/uaccess.h"

#define SIG_BLOCK	0
#define SIG_UNBLOCK	1
#define SIG_SETMASK	2

static long sys_rt_sigaction(long sig, long uact, long uold, long size)
{
	struct ksigaction act, old;
	long err;

	if (size != sizeof(uint64_t))
		return -EINVAL;
	if (uact && copy_from_user(&act, uact, sizeof(act)))
		return -EFAULT;
	err = signal_action(sig, uact ? &act : NULL, &old);
	if (!err && uold && copy_to_user(uold, &old, sizeof(old)))
		return -EFAULT;
	return err;
}

static long sys_rt_sigprocmask(long how, long uset, long uold, long size)
{
	uint64_t set, old = current()->sig_blocked;

	if (size != sizeof(uint64_t))
		return -EINVAL;
	if (uset) {
		if (copy_from_user(&set, uset, sizeof(set)))
			return -EFAULT;
		if (how == SIG_BLOCK)
			set |= old;
		else if (how == SIG_UNBLOCK)
			set = old & ~set;
		else if (how != SIG_SETMASK)
			return -EINVAL;
	}
	if (uold && copy_to_user(uold, &old, sizeof(old)))
		return -EFAULT;
	if (uset)
		signal_set_blocked(set);
	return 0;
}

static long sys_rt_sigpending(long uset, long size)
{
	uint64_t set = signal_pending_set();

	if (size != sizeof(uint64_t))
		return -EINVAL;
	return copy_to_user(uset, &set, sizeof(set));
}

static long sys_rt_sigsuspend(long uset, long size)
{
	uint64_t set;

	if (size != sizeof(uint64_t))
		return -EINVAL;
	if (copy_from_user(&set, uset, sizeof(set)))
		return -EFAULT;
	return signal_suspend(set);
}

static long sys_sigaltstack(long uss, long uold)
{
	struct kstack ss, old;
	long err;

	if (uss && copy_from_user(&ss, uss, sizeof(ss)))
		return -EFAULT;
	err = signal_altstack(uss ? &ss : NULL, &old, current()->tf->sp);
	if (!err && uold && copy_to_user(uold, &old, sizeof(old)))
		return -EFAULT;
	return err;
}

static long sys_rt_sigreturn(void)
{
	return sigframe_return(current()->tf);
}

void syscalls_signal(syscall_fn *t)
{
	SYSCALL(t, rt_sigaction);
	SYSCALL(t, rt_sigprocmask);
	SYSCALL(t, rt_sigpending);
	SYSCALL(t, rt_sigsuspend);
	SYSCALL(t, sigaltstack);
	SYSCALL(t, rt_sigreturn);
}
