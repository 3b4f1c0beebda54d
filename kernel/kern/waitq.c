/*
 * Wait queues, first version: no process context exists yet, so a sleeper
 * waits for an interrupt with its lock released and interrupts enabled.
 */
#include "env.h"
#include "arch/riscv/csr.h"
#include "kern/waitq.h"

void waitq_init(struct waitq *wq)
{
	spin_init(&wq->lock, "waitq");
	list_init(&wq->waiters);
}

void waitq_sleep(struct waitq *wq, struct spinlock *lk)
{
	unsigned long flags = irq_save();

	spin_unlock(lk);
	wfi();		/* returns at once if an interrupt is already pending */
	irq_enable();	/* take it */
	irq_save();
	spin_lock(lk);
	irq_restore(flags);
}

void waitq_wake_all(struct waitq *wq)
{
	(void)wq;
}
