/* Sleeping locks: see mutex.h. */
#include "kern/mutex.h"
#include "kern/proc.h"

void mutex_init(struct mutex *m, const char *name)
{
	spin_init(&m->lock, name);
	m->state = MUTEX_FREE;
	m->owner = NULL;
	waitq_init(&m->waiters);
}

/* mutex_lock when m is held: sleep until it is ours. */
static __attribute__((noinline)) void mutex_lock_slow(struct mutex *m)
{
	struct proc *me = current();
	unsigned long flags;

	if (me && READ_ONCE(m->owner) == me)
		panic("mutex_lock: %s already held by pid %d", m->lock.name, me->pid);
	flags = spin_lock_irqsave(&m->lock);
	/* taken as CONTENDED: others may sleep, so the unlock wakes them */
	while (__atomic_exchange_n(&m->state, MUTEX_CONTENDED, __ATOMIC_ACQUIRE) != MUTEX_FREE)
		waitq_sleep(&m->waiters, &m->lock);
	spin_unlock_irqrestore(&m->lock, flags);
}

void mutex_lock(struct mutex *m)
{
	uint32_t free = MUTEX_FREE;

	if (!__atomic_compare_exchange_n(&m->state, &free, MUTEX_HELD, false,
					 __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
		mutex_lock_slow(m);
	m->owner = current();
}

bool mutex_trylock(struct mutex *m)
{
	uint32_t free = MUTEX_FREE;

	if (!__atomic_compare_exchange_n(&m->state, &free, MUTEX_HELD, false,
					 __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
		return false;
	m->owner = current();
	return true;
}

/* mutex_unlock found sleepers, maybe: wake them. */
static __attribute__((noinline)) void mutex_wake(struct mutex *m)
{
	unsigned long flags = spin_lock_irqsave(&m->lock);

	waitq_wake_all(&m->waiters);
	spin_unlock_irqrestore(&m->lock, flags);
}

void mutex_unlock(struct mutex *m)
{
	m->owner = NULL;
	if (__atomic_exchange_n(&m->state, MUTEX_FREE, __ATOMIC_RELEASE) == MUTEX_CONTENDED)
		mutex_wake(m);
}

bool mutex_held(struct mutex *m)
{
	return __atomic_load_n(&m->state, __ATOMIC_RELAXED) != MUTEX_FREE &&
	       m->owner == current();
}
