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

/*
 * state says whether the mutex is held, and whether anyone may be asleep
 * on it: taking a free mutex is one compare-and-swap, giving it back with
 * nobody waiting one swap, neither touching `lock` nor interrupts. A
 * locker that finds it held takes `lock`, marks it MUTEX_CONTENDED and
 * sleeps on `waiters` (all under `lock`); the unlocker that swaps out
 * MUTEX_CONTENDED takes `lock` and wakes them, so no wake-up falls between
 * a sleeper's mark and its sleep.
 */
enum { MUTEX_FREE, MUTEX_HELD, MUTEX_CONTENDED };

struct mutex {
	uint32_t state;			/* MUTEX_*; atomic */
	struct proc *owner;		/* the holder, set once it has it */
	struct spinlock lock;		/* guards waiters */
	struct waitq waiters;
};

void mutex_init(struct mutex *m, const char *name);
void mutex_lock(struct mutex *m);
void mutex_unlock(struct mutex *m);
/* Take m if it is free; returns false (without sleeping) if it is held. */
bool mutex_trylock(struct mutex *m);
bool mutex_held(struct mutex *m);

#endif
