/*
 * Wait queues: sleep until an event, woken by whoever causes it.
 *
 *	spin_lock(&dev->lock);
 *	while (!done)
 *		waitq_sleep(&dev->wq, &dev->lock);
 *	spin_unlock(&dev->lock);
 *
 * and, from the code (or interrupt handler) that makes done true while
 * holding dev->lock: waitq_wake_all(&dev->wq).
 *
 * waitq_sleep() releases the lock while asleep and takes it again before
 * returning; callers always re-check their condition (wake-ups may be
 * spurious). Called where no process context exists (early boot, the idle
 * loop), it waits for an interrupt with the lock released instead of
 * switching away, so drivers can be used before the scheduler runs.
 * The lock must be taken with spin_lock_irqsave by its users if an
 * interrupt handler also takes it; waitq_sleep keeps interrupts as they
 * were on return. A process that gets a signal while asleep is woken too:
 * callers that can be interrupted check signal_pending() after waking.
 * The implementation is in kern/sched.c.
 */
#ifndef KILBURN_WAITQ_H
#define KILBURN_WAITQ_H

#include "env.h"
#include "list.h"

struct waitq {
	struct list_node waiters;	/* sleeping processes (sched_lock) */
};

void waitq_init(struct waitq *wq);
void waitq_sleep(struct waitq *wq, struct spinlock *lk);
void waitq_wake_all(struct waitq *wq);
/* The same, with sched_lock already held. */
void waitq_wake_all_locked(struct waitq *wq);

#endif
