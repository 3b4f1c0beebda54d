/*
 * Spinlocks. Machine-independent: built from compiler atomics and the
 * environment's irq_save()/irq_restore()/this_cpu_id()/spin_wait_poll(),
 * which env.h declares before including this file (the kernel's from the
 * arch layer, the host build's from its shim). A hart waiting for a lock
 * calls spin_wait_poll() on each turn: the kernel serves the TLB shootdowns
 * aimed at it there, so a lock holder waiting for this hart's acknowledgement
 * is never stuck behind it (arch/riscv/tlb.c).
 *
 * spin_lock() does not touch interrupts; use spin_lock_irqsave() for any lock
 * that an interrupt handler may also take. Locks are not recursive: taking a
 * lock already held by the same hart panics.
 */
#ifndef KILBURN_SPINLOCK_H
#define KILBURN_SPINLOCK_H

#include "types.h"

/*
 * spin_sched_point(lock): where a lock is about to be taken or was just
 * given back. Nothing in the kernel; the host build's env.h defines it to
 * inject random delays there for its model tests (host/test_fault_mt.c).
 */
#ifndef spin_sched_point
#define spin_sched_point(lock)	((void)(lock))
#endif

struct spinlock {
	uint32_t locked;	/* 0 free, 1 held */
	int owner;		/* cpu index of the holder, -1 when free */
	const char *name;
};

#define SPINLOCK_INIT(n) { 0, -1, (n) }

void spin_held_twice(struct spinlock *lock) __noreturn;

static inline void spin_init(struct spinlock *lock, const char *name)
{
	lock->locked = 0;
	lock->owner = -1;
	lock->name = name;
}

static inline bool spin_held(const struct spinlock *lock)
{
	return __atomic_load_n(&lock->locked, __ATOMIC_RELAXED) &&
	       __atomic_load_n(&lock->owner, __ATOMIC_RELAXED) == this_cpu_id();
}

/*
 * The wait of a contended spin_lock; returns with the lock taken. Out of
 * line and cold, so that the uncontended path compiles as before the wait
 * called spin_wait_poll (a call inline cost a fault about 15 instructions
 * of register saves, make bench).
 */
static __attribute__((noinline, cold, unused)) void
spin_lock_wait(struct spinlock *lock)
{
	do {
		while (__atomic_load_n(&lock->locked, __ATOMIC_RELAXED))
			spin_wait_poll();
	} while (__atomic_exchange_n(&lock->locked, 1, __ATOMIC_ACQUIRE));
}

static inline void spin_lock(struct spinlock *lock)
{
	if (unlikely(spin_held(lock)))
		spin_held_twice(lock);
	spin_sched_point(lock);
	if (unlikely(__atomic_exchange_n(&lock->locked, 1, __ATOMIC_ACQUIRE)))
		spin_lock_wait(lock);
	__atomic_store_n(&lock->owner, this_cpu_id(), __ATOMIC_RELAXED);
}

static inline bool spin_trylock(struct spinlock *lock)
{
	spin_sched_point(lock);
	if (__atomic_exchange_n(&lock->locked, 1, __ATOMIC_ACQUIRE))
		return false;
	__atomic_store_n(&lock->owner, this_cpu_id(), __ATOMIC_RELAXED);
	return true;
}

static inline void spin_unlock(struct spinlock *lock)
{
	__atomic_store_n(&lock->owner, -1, __ATOMIC_RELAXED);
	__atomic_store_n(&lock->locked, 0, __ATOMIC_RELEASE);
	spin_sched_point(lock);
}

static inline unsigned long spin_lock_irqsave(struct spinlock *lock)
{
	unsigned long flags = irq_save();

	spin_lock(lock);
	return flags;
}

static inline void spin_unlock_irqrestore(struct spinlock *lock,
					  unsigned long flags)
{
	spin_unlock(lock);
	irq_restore(flags);
}

#endif
