/*
 * Scheduling and sleeping.
 *
 * One lock, sched_lock, guards every process's state, the run queue and all
 * wait queues. A process switching away holds it across swtch(); whoever
 * runs next (scheduler() or the next process returning from sched())
 * releases it. It is always taken with interrupts off.
 *
 * The user floating-point registers stay in the hart while the kernel runs
 * (the kernel never uses them). sched() saves them if the process dirtied
 * them; the hart loads the next process's before switching to it.
 */
#include "env.h"
#include "arch/riscv/cpu.h"
#include "arch/riscv/csr.h"
#include "arch/riscv/smp.h"
#include "kern/sched.h"
#include "kern/timers.h"
#include "kern/thread.h"
#include "vm/vmspace.h"

#define SSTATUS_FS_DIRTY (3UL << 13)

struct spinlock sched_lock = SPINLOCK_INIT("sched");
static struct list_node runq = LIST_HEAD_INIT(runq);

void sched_make_runnable(struct proc *p)
{
	unsigned long flags = spin_lock_irqsave(&sched_lock);
	uint64_t allowed = p->cpus_allowed;	/* p may run and go once unlocked */

	p->state = PROC_RUNNABLE;
	list_append(&runq, &p->run_link);
	spin_unlock_irqrestore(&sched_lock, flags);
	smp_kick_idle_for(allowed);
}

void sched(void)
{
	struct proc *p = current();
	struct cpu *c = this_cpu();

	if (!spin_held(&sched_lock) || irq_enabled())
		panic("sched: called without sched_lock or with interrupts on");
	if ((csr_read(sstatus) & SSTATUS_FS_DIRTY) == SSTATUS_FS_DIRTY)
		fpu_save(&p->fpu);
	swtch(&p->ctx, &c->sched_ctx);
	/* running again, possibly on another hart */
}

void sched_yield(void)
{
	unsigned long flags = spin_lock_irqsave(&sched_lock);
	struct proc *p = current();

	p->state = PROC_RUNNABLE;
	list_append(&runq, &p->run_link);
	sched();
	spin_unlock_irqrestore(&sched_lock, flags);
}

/* Switch this hart to p (sched_lock held, interrupts off). */
static void run(struct cpu *c, struct proc *p)
{
	p->state = PROC_RUNNING;
	c->proc = p;
	c->ctxt++;
	c->kstack_top = p->kstack_top;
	c->need_resched = 0;
	vmspace_activate(p->vm);
	fpu_restore(&p->fpu);
	swtch(&c->sched_ctx, &p->ctx);
	c->proc = NULL;
	/*
	 * Leave p's page table: p may exit or exec on another hart and free
	 * it while this hart idles, and an idle hart still takes traps.
	 */
	vmspace_activate(NULL);
}

/*
 * Is the run queue empty? A look without sched_lock, for the idle loop
 * only: an idle hart that took the lock at every wake-up would make the
 * harts doing real work wait for it. A process made runnable after the
 * look comes with a kick (smp_kick_idle) or is seen at the next tick.
 */
static bool runq_looks_empty(void)
{
	return __atomic_load_n(&runq.next, __ATOMIC_ACQUIRE) == &runq;
}

/*
 * The first process on the run queue that may run on c (its affinity
 * holds c's index), or NULL (sched_lock held). The queue is short: this
 * walk costs nothing while no thread is pinned.
 */
static struct proc *runq_first_for(struct cpu *c)
{
	uint64_t bit = 1UL << (c - cpus);
	struct list_node *n;

	list_for_each(n, &runq) {
		struct proc *p = list_entry(n, struct proc, run_link);

		if (p->cpus_allowed & bit)
			return p;
	}
	return NULL;
}

/*
 * The idle loop of every hart: run the first runnable process that may
 * run here (sched_setaffinity), else run
 * posted smp_call_all work, else sleep in wfi until an interrupt (a tick,
 * a kick, a device). Interrupts are off from the look at the run queue to
 * the wfi, which still wakes on an interrupt pending meanwhile.
 */
void scheduler(void)
{
	struct cpu *c = this_cpu();

	for (;;) {
		irq_save();
		if (runq_looks_empty() && !c->call_pending) {
			wfi();		/* wakes on any pending interrupt */
			irq_enable();	/* take it */
			continue;
		}
		spin_lock(&sched_lock);
		struct proc *p = runq_first_for(c);

		if (p) {
			list_remove(&p->run_link);
			run(c, p);
			spin_unlock(&sched_lock);
			/* p may have been a thread that ended, or a zombie
			   nobody waits for: off its stack now */
			thread_reap();
			continue;
		}
		spin_unlock(&sched_lock);
		if (c->call_pending) {		/* smp_call_all work */
			irq_enable();
			c->call_fn(c->call_arg);
			__atomic_store_n(&c->call_pending, 0, __ATOMIC_RELEASE);
			continue;
		}
		wfi();			/* wakes on any pending interrupt */
		irq_enable();		/* take it */
	}
}

/* Linux's decay factors per LOAD_FREQ: FIXED_1 / exp(5 s / 1, 5, 15 min) */
#define EXP_1		1884
#define EXP_5		2014
#define EXP_15		2037

unsigned long sched_avenrun[3];

int sched_nr_running(void)
{
	unsigned long flags = spin_lock_irqsave(&sched_lock);
	struct list_node *e;
	int n = 0;

	list_for_each(e, &runq)
		n++;
	for (int i = 0; i < ncpus; i++)
		n += cpus[i].proc != NULL;
	spin_unlock_irqrestore(&sched_lock, flags);
	return n;
}

/* One step of an exponentially decayed average, rounding up when it rises. */
static unsigned long load_decay(unsigned long load, unsigned long exp,
				unsigned long active)
{
	unsigned long next = load * exp + active * (FIXED_1 - exp);

	if (active >= load)
		next += FIXED_1 - 1;
	return next / FIXED_1;
}

/* Every LOAD_FREQ ticks of hart 0: fold in the processes running now. */
static void sched_load_tick(void)
{
	static unsigned int ticks;
	unsigned long active;

	if (++ticks < LOAD_FREQ)
		return;
	ticks = 0;
	active = (unsigned long)sched_nr_running() * FIXED_1;
	sched_avenrun[0] = load_decay(sched_avenrun[0], EXP_1, active);
	sched_avenrun[1] = load_decay(sched_avenrun[1], EXP_5, active);
	sched_avenrun[2] = load_decay(sched_avenrun[2], EXP_15, active);
}

void sched_tick(bool from_user)
{
	struct proc *p = current();
	struct cpu *c = this_cpu();

	if (c->id == 0)
		sched_load_tick();
	if (!p) {
		c->idle_ticks++;
		return;
	}
	if (from_user) {
		p->user_ticks++;
		c->user_ticks++;
	} else {
		p->system_ticks++;
		c->system_ticks++;
	}
	if (p->tg && p->tg->leader->timers)	/* the process's, in its leader */
		timers_cpu_tick(p->tg->leader, from_user);
	if ((p->user_ticks + p->system_ticks) % SCHED_SLICE_TICKS == 0)
		c->need_resched = 1;
}

void waitq_init(struct waitq *wq)
{
	list_init(&wq->waiters);
}

/* No process to switch away from: wait for an interrupt instead. */
static void waitq_idle_wait(struct spinlock *lk)
{
	unsigned long flags = irq_save();

	spin_unlock(lk);
	wfi();
	irq_enable();
	irq_save();
	spin_lock(lk);
	irq_restore(flags);
}

void waitq_sleep(struct waitq *wq, struct spinlock *lk)
{
	struct proc *p = current();
	unsigned long flags;

	if (!p) {
		waitq_idle_wait(lk);
		return;
	}
	flags = irq_save();
	spin_lock(&sched_lock);
	spin_unlock(lk);
	p->state = PROC_SLEEPING;
	p->wq = wq;
	list_append(&wq->waiters, &p->run_link);
	sched();
	p->wq = NULL;
	spin_unlock(&sched_lock);
	spin_lock(lk);
	irq_restore(flags);
}

void waitq_wake_all_locked(struct waitq *wq)
{
	uint64_t allowed = 0;	/* where the woken may run */

	while (!list_empty(&wq->waiters)) {
		struct proc *p = list_entry(wq->waiters.next, struct proc, run_link);

		list_remove(&p->run_link);
		p->state = PROC_RUNNABLE;
		list_append(&runq, &p->run_link);
		allowed |= p->cpus_allowed;
	}
	if (allowed)
		smp_kick_idle_for(allowed);
}

void waitq_wake_all(struct waitq *wq)
{
	unsigned long flags = spin_lock_irqsave(&sched_lock);

	waitq_wake_all_locked(wq);
	spin_unlock_irqrestore(&sched_lock, flags);
}

void sched_wake_process(struct proc *p)
{
	unsigned long flags = spin_lock_irqsave(&sched_lock);
	bool woke = p->state == PROC_SLEEPING;
	uint64_t allowed = p->cpus_allowed;	/* p may run and go once unlocked */

	if (woke) {
		list_remove(&p->run_link);
		p->state = PROC_RUNNABLE;
		list_append(&runq, &p->run_link);
	}
	spin_unlock_irqrestore(&sched_lock, flags);
	if (woke)		/* an idle hart takes it now, not at its next tick */
		smp_kick_idle_for(allowed);
}
