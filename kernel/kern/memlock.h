/*
 * RLIMIT_MEMLOCK as Linux enforces it (mm/mlock.c, mm/mmap.c): how much
 * memory a process without privilege (euid not 0: Linux's CAP_IPC_LOCK)
 * may lock with mlock, mlockall, MAP_LOCKED or brk after
 * mlockall(MCL_FUTURE). Implemented in sys_mem.c.
 */
#ifndef KILBURN_MEMLOCK_H
#define KILBURN_MEMLOCK_H

#include "env.h"

struct vmspace;

#define MEMLOCK_LIMIT_DEFAULT	(8UL << 20)	/* Linux's MLOCK_LIMIT, 8 MiB */

/* May the current process lock memory at all (Linux's can_do_mlock)? */
bool memlock_allowed(void);

/*
 * May vm, the current process's, lock `bytes` more (Linux's
 * mlock_future_ok)? Always if the process is privileged. vm->lock held.
 */
bool memlock_future_ok(struct vmspace *vm, uint64_t bytes);

#endif
