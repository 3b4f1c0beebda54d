/*
 * getrusage(2) and sysinfo(2): what a process and its children have used,
 * and the state of the whole system, in Linux's structures.
 */
#include "arch/riscv/timer.h"
#include "kern/proc.h"
#include "kern/sched.h"
#include "kern/thread.h"
#include "kern/syscall.h"
#include "kern/uaccess.h"
#include "kern/usage.h"
#include "vm/kmem.h"
#include "vm/pmm.h"
#include "vm/swap_slots.h"
#include "vm/vmspace.h"

#define RUSAGE_SELF	0
#define RUSAGE_CHILDREN	(-1)
#define RUSAGE_THREAD	1
#define SI_LOAD_SHIFT	16		/* sysinfo's loads: 1.0 is 1 << 16 */
#define USEC_PER_TICK	(1000000 / TIMER_HZ)

/* Linux's struct rusage on 64-bit machines. */
struct krusage {
	int64_t utime_sec, utime_usec;
	int64_t stime_sec, stime_usec;
	int64_t maxrss, ixrss, idrss, isrss, minflt, majflt, nswap, inblock,
		oublock, msgsnd, msgrcv, nsignals, nvcsw, nivcsw;
};

/* Linux's struct sysinfo on 64-bit machines (112 bytes). */
struct ksysinfo {
	int64_t uptime;			/* seconds since boot */
	uint64_t loads[3];		/* 1, 5, 15 minute load averages */
	uint64_t totalram, freeram, sharedram, bufferram;
	uint64_t totalswap, freeswap;
	uint16_t procs;
	uint16_t pad;
	uint64_t totalhigh, freehigh;
	uint32_t mem_unit;		/* the sizes above are in these units */
	char reserved[4];
};

_Static_assert(sizeof(struct krusage) == 144, "struct rusage");
_Static_assert(sizeof(struct ksysinfo) == 112, "struct sysinfo");

int rusage_copyout(uint64_t uaddr, const struct proc_usage *u, uint64_t maxrss_kb)
{
	struct krusage r;

	memset(&r, 0, sizeof(r));
	r.utime_sec = u->user_ticks / TIMER_HZ;
	r.utime_usec = u->user_ticks % TIMER_HZ * USEC_PER_TICK;
	r.stime_sec = u->system_ticks / TIMER_HZ;
	r.stime_usec = u->system_ticks % TIMER_HZ * USEC_PER_TICK;
	r.maxrss = maxrss_kb;
	r.minflt = u->min_flt;
	r.majflt = u->maj_flt;
	return copy_to_user(uaddr, &r, sizeof(r));
}

/* The largest resident set the caller's address space has had, in KiB. */
static uint64_t self_maxrss_kb(struct proc *p)
{
	struct vm_stats st;

	if (!p->vm)
		return 0;
	mutex_lock(&p->vm->lock);
	vmspace_stats(p->vm, &st);
	mutex_unlock(&p->vm->lock);
	return st.peak_rss * (PAGE_SIZE / 1024);
}

/*
 * getrusage(who, usage): RUSAGE_SELF, the time of every thread of the
 * process (exited ones too); RUSAGE_THREAD, the calling thread's time (its
 * faults and maxrss are the process's: Kilburn counts them per address
 * space); RUSAGE_CHILDREN, the children it has waited for and theirs.
 * ru_maxrss of the children is not tracked (0). Returns 0, -EINVAL, -EFAULT.
 */
static long sys_getrusage(long who, long uaddr)
{
	struct proc *p = current();
	struct proc_usage u;
	unsigned long flags;

	if (who == RUSAGE_SELF || who == RUSAGE_THREAD) {
		flags = spin_lock_irqsave(&proc_tree_lock);
		if (who == RUSAGE_SELF)
			proc_usage(p, &u);
		else
			proc_thread_usage(p, &u);
		spin_unlock_irqrestore(&proc_tree_lock, flags);
		return rusage_copyout(uaddr, &u, self_maxrss_kb(p));
	}
	if (who != RUSAGE_CHILDREN)
		return -EINVAL;
	flags = spin_lock_irqsave(&proc_tree_lock);
	p = p->tg->leader;		/* the process's children: kept on the leader */
	u = (struct proc_usage) {
		.min_flt = p->cmin_flt, .maj_flt = p->cmaj_flt,
		.user_ticks = p->cuser_ticks, .system_ticks = p->csystem_ticks,
	};
	spin_unlock_irqrestore(&proc_tree_lock, flags);
	return rusage_copyout(uaddr, &u, 0);
}

/*
 * sysinfo(info): uptime, load averages, memory and swap in bytes
 * (mem_unit 1, as Linux gives on 64-bit machines), and the number of
 * processes. MemFree of /proc/meminfo and freeram agree: both count empty
 * slab pages as free. Returns 0 or -EFAULT.
 */
static long sys_sysinfo(long uaddr)
{
	uint64_t ns = timer_uptime_ns(), swap_total, swap_free;
	struct ksysinfo si;

	memset(&si, 0, sizeof(si));
	kmem_reclaim();
	si.uptime = ns / 1000000000 + (ns % 1000000000 != 0);
	for (int i = 0; i < 3; i++)
		si.loads[i] = READ_ONCE(sched_avenrun[i]) << (SI_LOAD_SHIFT - FSHIFT);
	si.totalram = pmm_total_frames() * PAGE_SIZE;
	si.freeram = pmm_free_frames() * PAGE_SIZE;
	swap_slots_totals(&swap_total, &swap_free);
	si.totalswap = swap_total * PAGE_SIZE;
	si.freeswap = swap_free * PAGE_SIZE;
	si.procs = MIN(proc_count(), 0xffff);
	si.mem_unit = 1;
	return copy_to_user(uaddr, &si, sizeof(si));
}

void syscalls_usage(syscall_fn *t)
{
	SYSCALL(t, getrusage);
	SYSCALL(t, sysinfo);
}
