/*
 * clone(): a new process with a copy-on-write copy of the caller's address
 * space (vmspace_fork), copies of its descriptors and registers, returning
 * 0 in the child; or, with Linux's thread flags, a new thread of the
 * caller's process sharing its address space (CLONE_VM), descriptor table
 * (CLONE_FILES), working directory and umask (CLONE_FS) and signal actions
 * (CLONE_SIGHAND, CLONE_THREAD). See
 * docs/threads.md. vfork (CLONE_VM | CLONE_VFORK) borrows the address space:
 * the parent sleeps until the child execs or exits.
 */
#include "kern/fork.h"
#include "arch/riscv/csr.h"
#include "arch/riscv/timer.h"
#include "arch/riscv/trap.h"
#include "kern/files.h"
#include "kern/fsctx.h"
#include "kern/jobctl.h"
#include "kern/sched.h"
#include "kern/signal.h"
#include "kern/thread.h"
#include "kern/uaccess.h"
#include "fs/vfs.h"
#include "vm/kmem.h"
#include "vm/vmspace.h"

#define SSTATUS_FS_DIRTY	(3UL << 13)
#define CSIGNAL			0x000000ff
#define CLONE_NEWNS		0x00020000

/* First code a child runs, on its own kernel stack, with sched_lock held. */
static void fork_return(void)
{
	struct proc *p = current();

	spin_unlock(&sched_lock);
	if (p->set_child_tid) {
		uint32_t tid = p->tid;

		copy_to_user(p->set_child_tid, &tid, sizeof(tid));
		p->set_child_tid = 0;
	}
	trap_user_exit();
	trap_return_user(p->tf);
}

/*
 * Copy (or share, as flags ask) what the child inherits besides memory.
 * Returns 0 or -ENOMEM.
 */
static int fork_inherit(struct proc *parent, struct proc *child, unsigned long flags)
{
	if (flags & CLONE_FILES) {
		child->files = parent->files;
		files_get(child->files);
	} else {
		child->files = files_dup(parent->files);
	}
	if (!child->files)
		return -ENOMEM;
	if (flags & CLONE_FS) {
		child->fs = parent->fs;
		fsctx_get(child->fs);
	} else if (!(child->fs = fsctx_copy(parent->fs))) {
		return -ENOMEM;
	}
	strlcpy(child->name, parent->name, sizeof(child->name));
	strlcpy(child->exe, parent->exe, sizeof(child->exe));
	signal_fork(parent, child, flags);
	child->pgid = parent->pgid;
	child->sid = parent->sid;
	child->vdso = parent->vdso;
	if (!(flags & CLONE_THREAD)) {	/* a thread shares its process's */
		child->tg->stack_limit = parent->tg->stack_limit;
		child->tg->memlock_limit[0] = parent->tg->memlock_limit[0];
		child->tg->memlock_limit[1] = parent->tg->memlock_limit[1];
	}
	child->cred = parent->cred;
	*child->tf = *parent->tf;
	if ((csr_read(sstatus) & SSTATUS_FS_DIRTY) == SSTATUS_FS_DIRTY)
		fpu_save(&parent->fpu);
	child->fpu = parent->fpu;
	return 0;
}

/*
 * Linux's rules for the flags (copy_process): 0 or -EINVAL. Kilburn also
 * refuses what it does not offer: CLONE_SIGHAND without CLONE_THREAD (the
 * actions are shared through the thread group), CLONE_VFORK with
 * CLONE_THREAD, and a signal other than SIGCHLD (or none) at a new
 * process's exit.
 */
static int clone_flags_check(unsigned long flags)
{
	if ((flags & (CLONE_NEWNS | CLONE_FS)) == (CLONE_NEWNS | CLONE_FS))
		return -EINVAL;
	if ((flags & CLONE_THREAD) && !(flags & CLONE_SIGHAND))
		return -EINVAL;
	if ((flags & CLONE_SIGHAND) && !(flags & CLONE_VM))
		return -EINVAL;
	if ((flags & CLONE_SIGHAND) && !(flags & CLONE_THREAD))
		return -EINVAL;
	if ((flags & CLONE_VFORK) && (flags & CLONE_THREAD))
		return -EINVAL;
	if (!(flags & CLONE_THREAD) &&
	    (flags & CSIGNAL) != SIGCHLD && (flags & CSIGNAL) != 0)
		return -EINVAL;
	return 0;
}

/* Tie the new child into the tree (a process) or its group (a thread). */
static int clone_attach(struct proc *parent, struct proc *child, unsigned long flags)
{
	unsigned long irq;

	if (flags & CLONE_THREAD)
		return thread_attach(child);
	irq = spin_lock_irqsave(&proc_tree_lock);
	child->parent = parent->tg->leader;	/* the process's child */
	if ((flags & CLONE_PARENT) && child->parent->parent)
		child->parent = child->parent->parent;
	list_append(&child->parent->children, &child->sibling);
	if (flags & CLONE_VFORK) {
		child->vfork_parent = parent;
		parent->vfork_done = false;
	}
	spin_unlock_irqrestore(&proc_tree_lock, irq);
	return 0;
}

long proc_fork(unsigned long flags, uint64_t newsp, uint64_t parent_tid,
	       uint64_t tls, uint64_t child_tid)
{
	struct proc *parent = current(), *child;
	long err = clone_flags_check(flags);
	int tid;

	if (err)
		return err;
	child = flags & CLONE_THREAD ? proc_alloc_thread(parent) : proc_alloc();
	if (!child)
		return -ENOMEM;
	if (flags & CLONE_VM) {
		child->vm = parent->vm;
		vmspace_get(child->vm);
	} else {
		child->vm = vmspace_fork(parent->vm);
	}
	err = -ENOMEM;
	if (!child->vm || fork_inherit(parent, child, flags) < 0)
		goto fail;
	child->cpus_allowed = READ_ONCE(parent->cpus_allowed);	/* as Linux */
	if (!(flags & CLONE_THREAD))
		child->exit_signal = flags & CSIGNAL;
	child->tf->a0 = 0;
	if (newsp)
		child->tf->sp = newsp;
	if (flags & CLONE_SETTLS)
		child->tf->tp = tls;
	if (flags & CLONE_CHILD_SETTID)
		child->set_child_tid = child_tid;
	if (flags & CLONE_CHILD_CLEARTID)
		child->clear_child_tid = child_tid;
	child->ctx.ra = (uint64_t)fork_return;
	child->ctx.sp = (uint64_t)child->tf;
	child->start_ns = timer_uptime_ns();
	tid = child->tid;
	err = -EFAULT;
	if ((flags & CLONE_PARENT_SETTID) &&
	    copy_to_user(parent_tid, &tid, sizeof(int)) < 0)
		goto fail;
	err = clone_attach(parent, child, flags);
	if (err)
		goto fail;
	sched_make_runnable(child);
	if (flags & CLONE_VFORK)
		jobctl_vfork_wait(child);
	return tid;
fail:
	proc_discard(child);
	return err;
}

void proc_discard(struct proc *p)
{
	if (p->files)
		files_release(p->files);
	if (p->fs)
		fsctx_put(p->fs);
	if (p->vm)
		vmspace_put(p->vm);
	proc_free(p);
}
