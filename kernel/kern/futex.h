/*
 * Futexes: sleeping on a 32-bit word of user memory until another thread
 * wakes it (Linux's futex(2), docs/threads.md).
 *
 * A waiter is found by a key: for a private futex (FUTEX_PRIVATE_FLAG, or
 * a word in private memory) the address space and the virtual address; for
 * a word in a shared mapping the backing object and the byte offset in it,
 * so processes that map the same object at different addresses meet. All
 * waiters are in one hash table under one spinlock; each sleeps on a wait
 * queue of its own, so a wake-up wakes exactly the waiters it takes off.
 */
#ifndef KILBURN_FUTEX_H
#define KILBURN_FUTEX_H

#include "env.h"

struct proc;

/*
 * futex_wake_address - wake up to n waiters on the word at uaddr of the
 * current process, keyed as a shared futex (the CLONE_CHILD_CLEARTID wake
 * of a thread's exit). Returns how many were woken, or -errno.
 */
long futex_wake_address(uint64_t uaddr, int n);

/*
 * futex_exit_robust - a thread exits: every futex on its robust list
 * (set_robust_list) that it still owns gets FUTEX_OWNER_DIED and one
 * waiter woken, as Linux does.
 */
void futex_exit_robust(struct proc *p);

/* A timer tick on the boot hart: wake waiters whose timeout passed. */
void futex_tick(void);

#endif
