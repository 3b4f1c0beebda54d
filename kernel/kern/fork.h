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
 * proc_fork - clone(2) with fork semantics (the exit signal SIGCHLD or 0;
 * CLONE_SETTLS and the three TID flags honoured; sharing flags refused
 * with -EINVAL), or vfork's (CLONE_VM | CLONE_VFORK, and no other
 * sharing flag): the child runs in the caller's address space, on newsp,
 * and the caller sleeps until it execs or exits. Returns the child's pid, or -ENOMEM / -EFAULT.
 */
long proc_fork(unsigned long flags, uint64_t newsp, uint64_t parent_tid,
	       uint64_t tls, uint64_t child_tid);

/* Free a process that was being built and never ran. */
void proc_discard(struct proc *p);

#endif
