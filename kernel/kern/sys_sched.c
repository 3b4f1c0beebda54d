/*
 * Scheduling queries: CPU affinity and the priority ranges of the
 * scheduling policies, as Linux answers them. Every thread has an
 * affinity, the cpus it may run on (proc.cpus_allowed, cpu indices as
 * Linux numbers cpus: the boot hart is 0); the one run queue hands each
 * hart only threads that may run there (sched.c).
 */
#include "arch/riscv/cpu.h"
#include "kern/proc.h"
#include "kern/sched.h"
#include "kern/syscall.h"
#include "kern/uaccess.h"

#define SCHED_OTHER	0
#define SCHED_FIFO	1
#define SCHED_RR	2
#define SCHED_BATCH	3
#define SCHED_IDLE	5
#define MASK_BYTES	(((NCPU_MAX + 63) / 64) * 8)	/* Linux's cpumask size */

/* The mask of online harts. */
static void online_mask(uint64_t mask[MASK_BYTES / 8])
{
	for (int i = 0; i < MASK_BYTES / 8; i++)
		mask[i] = 0;
	for (int i = 0; i < ncpus; i++)
		if (cpus[i].online)
			mask[i / 64] |= 1UL << (i % 64);
}

/*
 * The thread tid names (0: the caller), with *allowed its affinity; 0 or
 * -ESRCH. Linux's affinity calls take a thread id.
 */
static int affinity_of(long tid, uint64_t *allowed)
{
	unsigned long flags;
	struct proc *p;

	if (tid == 0) {
		*allowed = READ_ONCE(current()->cpus_allowed);
		return 0;
	}
	if (tid < 0)
		return -ESRCH;
	flags = spin_lock_irqsave(&proc_tree_lock);
	p = thread_find(tid);
	if (p)
		*allowed = READ_ONCE(p->cpus_allowed);
	spin_unlock_irqrestore(&proc_tree_lock, flags);
	return p ? 0 : -ESRCH;
}

/* sched_getaffinity: the bytes of the mask written; -EINVAL if len is too short. */
static long sys_sched_getaffinity(long pid, long len, long umask)
{
	uint64_t mask[MASK_BYTES / 8], allowed;
	int err = affinity_of(pid, &allowed);

	if (err)
		return err;
	if ((unsigned long)len < MASK_BYTES || (len & 7))
		return -EINVAL;
	online_mask(mask);
	mask[0] &= allowed;
	return copy_to_user(umask, mask, MASK_BYTES) ? -EFAULT : MASK_BYTES;
}

/*
 * Give thread tid (0: the caller) the harts of allowed, as Linux: the
 * caller must be root or have tid's real or effective uid as its effective
 * uid (EPERM). The caller itself moves at once if its hart is not allowed;
 * another thread moves at its next switch (a tick at most).
 */
static int affinity_set(long tid, uint64_t allowed)
{
	struct proc *me = current(), *p = me;
	unsigned long flags;
	int err = 0;

	flags = spin_lock_irqsave(&proc_tree_lock);
	if (tid != 0)
		p = thread_find(tid);
	if (!p)
		err = -ESRCH;
	else if (me->cred.euid != 0 && me->cred.euid != p->cred.uid &&
		 me->cred.euid != p->cred.euid)
		err = -EPERM;
	else
		__atomic_store_n(&p->cpus_allowed, allowed, __ATOMIC_RELEASE);
	spin_unlock_irqrestore(&proc_tree_lock, flags);
	if (!err && p == me && !(allowed & (1UL << (this_cpu() - cpus))))
		sched_yield();		/* a hart it may run on takes it */
	return err;
}

/* sched_setaffinity: a mask holding no online hart is -EINVAL. */
static long sys_sched_setaffinity(long pid, long len, long umask)
{
	uint64_t want[MASK_BYTES / 8] = { 0 }, online[MASK_BYTES / 8];
	uint64_t allowed;

	if (pid < 0)
		return -ESRCH;
	if (len < 0)
		return -EINVAL;
	if (copy_from_user(want, umask, MIN((size_t)len, sizeof(want))))
		return -EFAULT;
	online_mask(online);
	allowed = want[0] & online[0];		/* NCPU_MAX <= 64 */
	if (!allowed)
		return -EINVAL;
	return affinity_set(pid, allowed);
}

static long policy_priority(long policy, bool max)
{
	switch (policy) {
	case SCHED_FIFO:
	case SCHED_RR:
		return max ? 99 : 1;
	case SCHED_OTHER:
	case SCHED_BATCH:
	case SCHED_IDLE:
		return 0;
	}
	return -EINVAL;
}

static long sys_sched_get_priority_max(long policy)
{
	return policy_priority(policy, true);
}

static long sys_sched_get_priority_min(long policy)
{
	return policy_priority(policy, false);
}

void syscalls_sched(syscall_fn *t)
{
	SYSCALL(t, sched_getaffinity);
	SYSCALL(t, sched_setaffinity);
	SYSCALL(t, sched_get_priority_max);
	SYSCALL(t, sched_get_priority_min);
}
