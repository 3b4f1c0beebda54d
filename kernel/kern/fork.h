/* Creating processes. */
#ifndef KILBURN_FORK_H
#define KILBURN_FORK_H

#include "kern/proc.h"

#define CLONE_VM		0x00000100
#define CLONE_FS		0x00000200
#define CLONE_FILES		0x00000400
#define CLONE_SIGHAND		0x00000800
#define CLONE_VFORK		0x00004000
#define CLONE_PARENT		0x00008000
#define CLONE_THREAD		0x00010000
#define CLONE_SYSVSEM		0x00040000
#define CLONE_SETTLS		0x00080000
#define CLONE_PARENT_SETTID	0x00100000
#define CLONE_CHILD_CLEARTID	0x00200000
#define CLONE_CHILD_SETTID	0x01000000

/*
 * proc_fork - clone(2): a new process (a copy-on-write copy of the address
 * space, or with CLONE_VM the same one) or, with CLONE_THREAD, a new thread
 * of the caller's process (docs/threads.md); CLONE_FILES shares the
 * descriptor table, CLONE_SETTLS and the three TID flags are honoured, and
 * CLONE_VFORK (not with CLONE_THREAD) makes the caller sleep until the
 * child execs or exits. The child runs on newsp if it is not 0. Returns
 * the child's tid (a new process's pid), or -EINVAL for a combination
 * Linux or Kilburn refuses, -EINTR if the process is exiting, -ENOMEM or
 * -EFAULT.
 */
long proc_fork(unsigned long flags, uint64_t newsp, uint64_t parent_tid,
	       uint64_t tls, uint64_t child_tid);

/* Free a process that was being built and never ran. */
void proc_discard(struct proc *p);

#endif
