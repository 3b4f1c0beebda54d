/* Sleeping locks: see mutex.h. */
#include "kern/mutex.h"
#include "kern/proc.h"

void mutex_init(struct mutex *m, const char *name)
{
	spin_init(&m->lock, name);
	m->locked = false;
	m->owner = NULL;
	m->sleepers = 0;
	waitq_init(&m->waiters);
}

void mutex_lock(struct mutex *m)
{
	unsigned long flags = spin_lock_irqsave(&m->lock);

	if (m->locked && m->owner == current() && current())
		panic("mutex_lock: %s already held by pid %d", m->lock.name,
		      current()->pid);
	while (m->locked) {
		/* counted before m->lock is let go: mutex_unlock sees us */
		m->sleepers++;
		waitq_sleep(&m->waiters, &m->lock);
		m->sleepers--;
	}
	m->locked = true;
	m->owner = current();
	spin_unlock_irqrestore(&m->lock, flags);
}

bool mutex_trylock(struct mutex *m)
{
	unsigned long flags = spin_lock_irqsave(&m->lock);
	bool got = !m->locked;

	if (got) {
		m->locked = true;
		m->owner = current();
	}
	spin_unlock_irqrestore(&m->lock, flags);
	return got;
}

void mutex_unlock(struct mutex *m)
{
	unsigned long flags = spin_lock_irqsave(&m->lock);

	m->locked = false;
	m->owner = NULL;
	if (m->sleepers)	/* else no wake-up, and no scheduler lock */
		waitq_wake_all(&m->waiters);
	spin_unlock_irqrestore(&m->lock, flags);
}

bool mutex_held(struct mutex *m)
{
	return m->locked && m->owner == current();
}
