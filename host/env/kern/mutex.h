/*
 * Sleeping locks, host version. In host builds this header shadows
 * kernel/kern/mutex.h (host/env comes first on the include path), so the
 * machine-independent VM compiles without the scheduler and wait queues.
 *
 * Host tests are single-threaded per mutex, so a mutex is a flag: taking a
 * held mutex would sleep forever in the kernel and panics here instead;
 * releasing a free one panics too. Same names and contract as the kernel's.
 */
#ifndef KILBURN_MUTEX_H
#define KILBURN_MUTEX_H

#include "env.h"

struct mutex {
	const char *name;
	bool locked;
	int owner;		/* host_cpu_id of the holder, -1 when free */
};

static inline void mutex_init(struct mutex *m, const char *name)
{
	m->name = name;
	m->locked = false;
	m->owner = -1;
}

static inline void mutex_lock(struct mutex *m)
{
	if (m->locked)
		panic("mutex_lock: %s already held (it would never be released)",
		      m->name);
	m->locked = true;
	m->owner = this_cpu_id();
}

static inline void mutex_unlock(struct mutex *m)
{
	if (!m->locked)
		panic("mutex_unlock: %s is not held", m->name);
	m->locked = false;
	m->owner = -1;
}

static inline bool mutex_trylock(struct mutex *m)
{
	if (m->locked)
		return false;
	m->locked = true;
	m->owner = this_cpu_id();
	return true;
}

static inline bool mutex_held(struct mutex *m)
{
	return m->locked && m->owner == this_cpu_id();
}

#endif
