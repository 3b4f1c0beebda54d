/*
 * Sleeping locks, for code that may block while holding them (an address
 * space across a page fault that reads a file, a pipe, a directory).
 * Never taken in interrupt handlers.
 */
#ifndef KILBURN_MUTEX_H
#define KILBURN_MUTEX_H

#include "env.h"
#include "kern/waitq.h"

struct proc;

struct mutex {
	struct spinlock lock;		/* guards the fields below */
	bool locked;
	struct proc *owner;
	unsigned int sleepers;		/* processes waiting in mutex_lock */
	struct waitq waiters;
};

void mutex_init(struct mutex *m, const char *name);
void mutex_lock(struct mutex *m);
void mutex_unlock(struct mutex *m);
/* Take m if it is free; returns false (without sleeping) if it is held. */
bool mutex_trylock(struct mutex *m);
bool mutex_held(struct mutex *m);

#endif
