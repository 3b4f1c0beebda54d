/*
 * clone() with fork semantics: a new process with a copy-on-write copy of
 * the caller's address space (vmspace_fork), copies of its descriptors and
 * registers, returning 0 in the child. vfork (CLONE_VM | CLONE_VFORK) is
 * the one kind of sharing offered: the child borrows the address space
 * and the parent sleeps until the child execs or exits.
 */
#include "kern/fork.h"
#include "arch/riscv/csr.h"
#include "arch/riscv/timer.h"
#include "arch/riscv/trap.h"
#include "kern/files.h"
#include "kern/jobctl.h"
#include "kern/sched.h"
#include "kern/signal.h"
#include "kern/uaccess.h"
#include "fs/vfs.h"
#include "vm/kmem.h"
#include "vm/vmspace.h"

#define SSTATUS_FS_DIRTY	(3UL << 13)
#define CSIGNAL			0x000000ff
/* flags of a thread or of sharing we do not offer */
#define CLONE_UNSUPPORTED	(CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | \
				 CLONE_THREAD | CLONE_VFORK)

/* First code a child runs, on its own kernel stack, with sched_lock held. */
static void fork_return(void)
{
	struct proc *p = current();

	spin_unlock(&sched_lock);
	if (p->set_child_tid) {
		uint32_t tid = p->pid;

		copy_to_user(p->set_child_tid, &tid, sizeof(tid));
		p->set_child_tid = 0;
	}
	trap_user_exit();
	trap_return_user(p->tf);
}

/* Copy what the child inherits besides memory. Returns 0 or -ENOMEM. */
static int fork_inherit(struct proc *parent, struct proc *child)
{
	child->files = files_dup(parent->files);
	if (!child->files)
		return -ENOMEM;
	child->cwd_path = kstrdup(parent->cwd_path);
	if (!child->cwd_path)
		return -ENOMEM;
	child->cwd = parent->cwd;
	vnode_get(child->cwd);
	strlcpy(child->name, parent->name, sizeof(child->name));
	strlcpy(child->exe, parent->exe, sizeof(child->exe));
	signal_fork(parent, child);
	child->pgid = parent->pgid;
	child->sid = parent->sid;
	child->vdso = parent->vdso;
	child->stack_limit = parent->stack_limit;
	child->memlock_limit[0] = parent->memlock_limit[0];
	child->memlock_limit[1] = parent->memlock_limit[1];
	child->umask = parent->umask;
	child->cred = parent->cred;
	*child->tf = *parent->tf;
	if ((csr_read(sstatus) & SSTATUS_FS_DIRTY) == SSTATUS_FS_DIRTY)
		fpu_save(&parent->fpu);
	child->fpu = parent->fpu;
	return 0;
}

/* vfork: the address space shared and the parent waiting, nothing else. */
static bool clone_is_vfork(unsigned long flags)
{
	return (flags & CLONE_UNSUPPORTED) == (CLONE_VM | CLONE_VFORK);
}

/* The child's address space: vfork borrows the parent's, fork copies it. */
static struct vmspace *fork_vmspace(struct proc *parent, bool vfork)
{
	if (!vfork)
		return vmspace_fork(parent->vm);
	vmspace_get(parent->vm);
	return parent->vm;
}

long proc_fork(unsigned long flags, uint64_t newsp, uint64_t parent_tid,
	       uint64_t tls, uint64_t child_tid)
{
	struct proc *parent = current(), *child;
	bool vfork = clone_is_vfork(flags);
	unsigned long irq;
	int pid;

	if ((flags & CLONE_UNSUPPORTED) && !vfork)
		return -EINVAL;
	if ((flags & CSIGNAL) != SIGCHLD && (flags & CSIGNAL) != 0)
		return -EINVAL;
	child = proc_alloc();
	if (!child)
		return -ENOMEM;
	child->vm = fork_vmspace(parent, vfork);
	if (!child->vm || fork_inherit(parent, child) < 0)
		goto oom;
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
	pid = child->pid;
	if ((flags & CLONE_PARENT_SETTID) &&
	    copy_to_user(parent_tid, &pid, sizeof(int)) < 0)
		goto oom_fault;
	irq = spin_lock_irqsave(&proc_tree_lock);
	child->parent = parent;
	list_append(&parent->children, &child->sibling);
	if (vfork) {
		child->vfork_parent = parent;
		parent->vfork_done = false;
	}
	spin_unlock_irqrestore(&proc_tree_lock, irq);
	sched_make_runnable(child);
	if (vfork)
		jobctl_vfork_wait(child);
	return pid;
oom_fault:
	proc_discard(child);
	return -EFAULT;
oom:
	proc_discard(child);
	return -ENOMEM;
}

void proc_discard(struct proc *p)
{
	if (p->files)
		files_release(p->files);
	if (p->cwd)
		vnode_put(p->cwd);
	if (p->vm)
		vmspace_destroy(p->vm);
	proc_free(p);
}
