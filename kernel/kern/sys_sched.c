/*
 * Scheduling queries: CPU affinity and the priority ranges of the
 * scheduling policies, as Linux answers them. Kilburn runs every process
 * on any hart from one run queue: a process's affinity is every online
 * hart, and setting it checks the mask but does not pin the process.
 */
#include "arch/riscv/cpu.h"
#include "kern/proc.h"
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

/* Does pid (0: the caller) name a process? 0 or -ESRCH. */
static int pid_exists(long pid)
{
	unsigned long flags;
	bool found;

	if (pid == 0)
		return 0;
	if (pid < 0)
		return -ESRCH;
	flags = spin_lock_irqsave(&proc_tree_lock);
	found = proc_find(pid) != NULL;
	spin_unlock_irqrestore(&proc_tree_lock, flags);
	return found ? 0 : -ESRCH;
}

/* sched_getaffinity: the bytes of the mask written; -EINVAL if len is too short. */
static long sys_sched_getaffinity(long pid, long len, long umask)
{
	uint64_t mask[MASK_BYTES / 8];
	int err = pid_exists(pid);

	if (err)
		return err;
	if ((unsigned long)len < MASK_BYTES || (len & 7))
		return -EINVAL;
	online_mask(mask);
	return copy_to_user(umask, mask, MASK_BYTES) ? -EFAULT : MASK_BYTES;
}

/* sched_setaffinity: a mask holding no online hart is -EINVAL. */
static long sys_sched_setaffinity(long pid, long len, long umask)
{
	uint64_t want[MASK_BYTES / 8] = { 0 }, online[MASK_BYTES / 8];
	int err = pid_exists(pid);
	bool any = false;

	if (err)
		return err;
	if (len < 0)
		return -EINVAL;
	if (copy_from_user(want, umask, MIN((size_t)len, sizeof(want))))
		return -EFAULT;
	online_mask(online);
	for (int i = 0; i < MASK_BYTES / 8; i++)
		any |= (want[i] & online[i]) != 0;
	return any ? 0 : -EINVAL;
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
