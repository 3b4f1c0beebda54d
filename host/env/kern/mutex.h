/*
 * Sleeping locks, host version. In host builds this header shadows
 * kernel/kern/mutex.h (host/env comes first on the include path), so the
 * machine-independent VM compiles without the scheduler and wait queues.
 *
 * A real lock: host tests may run several threads as harts (each with its
 * own host_cpu_id), and a thread that finds the mutex held yields the host
 * CPU until it is free, as a kernel thread would sleep. Taking a mutex this
 * hart already holds would sleep forever in the kernel and panics here;
 * releasing one this hart does not hold panics too. Taking and releasing
 * are scheduling points (host_sched_point, env.h), where the model tests
 * inject random delays. Same names and contract as the kernel's.
 */
#ifndef KILBURN_MUTEX_H
#define KILBURN_MUTEX_H

#include <sched.h>

#include "env.h"

struct mutex {
	const char *name;
	bool locked;		/* atomic */
	int owner;		/* host_cpu_id of the holder, -1 when free; atomic */
};

static inline void mutex_init(struct mutex *m, const char *name)
{
	m->name = name;
	m->locked = false;
	m->owner = -1;
}

static inline bool mutex_held(struct mutex *m)
{
	return __atomic_load_n(&m->locked, __ATOMIC_RELAXED) &&
	       __atomic_load_n(&m->owner, __ATOMIC_RELAXED) == this_cpu_id();
}

static inline bool mutex_trylock(struct mutex *m)
{
	host_sched_point();
	if (__atomic_exchange_n(&m->locked, true, __ATOMIC_ACQUIRE))
		return false;
	__atomic_store_n(&m->owner, this_cpu_id(), __ATOMIC_RELAXED);
	return true;
}

static inline void mutex_lock(struct mutex *m)
{
	if (mutex_held(m))
		panic("mutex_lock: %s already held (it would never be released)",
		      m->name);
	while (!mutex_trylock(m))
		sched_yield();		/* the kernel's would sleep */
}

static inline void mutex_unlock(struct mutex *m)
{
	if (!mutex_held(m))
		panic("mutex_unlock: %s is not held", m->name);
	__atomic_store_n(&m->owner, -1, __ATOMIC_RELAXED);
	__atomic_store_n(&m->locked, false, __ATOMIC_RELEASE);
	host_sched_point();
}

#endif
