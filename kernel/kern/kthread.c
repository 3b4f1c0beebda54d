/* Kernel threads; see kthread.h. */
#include "kern/kthread.h"
#include "kern/proc.h"
#include "kern/sched.h"

/* The function each thread runs: in the proc's saved registers (s0, s1). */
static void kthread_entry(void)
{
	struct proc *p = current();
	void (*fn)(void *) = (void (*)(void *))p->ctx.s[0];
	void *arg = (void *)p->ctx.s[1];

	spin_unlock(&sched_lock);	/* as a new process starts (sched) */
	irq_enable();
	fn(arg);
	panic("kthread %s returned", p->name);
}

struct proc *kthread_start(const char *name, void (*fn)(void *arg), void *arg)
{
	struct proc *p = proc_alloc();

	if (!p)
		panic("kthread_start: out of memory");
	strlcpy(p->name, name, sizeof(p->name));
	p->kthread = true;
	p->ctx.ra = (uint64_t)kthread_entry;
	p->ctx.sp = (uint64_t)p->tf;
	p->ctx.s[0] = (uint64_t)fn;
	p->ctx.s[1] = (uint64_t)arg;
	sched_make_runnable(p);
	return p;
}
