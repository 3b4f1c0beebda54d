/*
 * exit and wait.
 *
 * An exiting process frees everything it can while it still runs (address
 * space, files), becomes a zombie holding only its struct proc and kernel
 * stack, and wakes its parent; the parent's wait frees the rest. Its
 * children go to init. The zombie state is set, and the parent woken, with
 * sched_lock held until the zombie has switched away for good, so a parent
 * that takes sched_lock before freeing never frees a stack still in use.
 */
#include "kern/exit.h"
#include "arch/riscv/memlayout.h"
#include "kern/files.h"
#include "kern/jobctl.h"
#include "kern/power.h"
#include "kern/proc.h"
#include "kern/sched.h"
#include "kern/signal.h"
#include "kern/timers.h"
#include "kern/uaccess.h"
#include "fs/tty.h"
#include "fs/vfs.h"
#include "vm/vmspace.h"

/* Give p's children to init (proc_tree_lock held). */
static void reparent_children(struct proc *p)
{
	while (!list_empty(&p->children)) {
		struct proc *c = list_entry(p->children.next, struct proc, sibling);

		list_remove(&c->sibling);
		c->parent = init_proc;
		list_append(&init_proc->children, &c->sibling);
		if (c->state == PROC_ZOMBIE)
			waitq_wake_all(&init_proc->child_exit);
	}
}

/* What QEMU's exit status is when init ends with this wait status. */
static int init_exit_code(int wait_status)
{
	if ((wait_status & 0x7f) == 0)
		return (wait_status >> 8) & 0xff;
	return 128 + (wait_status & 0x7f);
}

static void release_resources(struct proc *p)
{
	struct vmspace *vm = p->vm;

	if (p->clear_child_tid) {
		uint32_t zero = 0;

		copy_to_user(p->clear_child_tid, &zero, sizeof(zero));
	}
	if (p->files) {
		files_release(p->files);
		p->files = NULL;
	}
	if (p->cwd) {
		vnode_put(p->cwd);
		p->cwd = NULL;
	}
	if (vm) {
		unsigned long flags = spin_lock_irqsave(&proc_tree_lock);

		p->vm = NULL;		/* /proc readers look under this lock */
		p->min_flt += vm->min_flt;
		p->maj_flt += vm->maj_flt;
		spin_unlock_irqrestore(&proc_tree_lock, flags);
		vmspace_activate(NULL);
		vmspace_put(vm);
	}
}

void proc_exit(int wait_status)
{
	struct proc *p = current();
	struct proc *parent;

	if (p == init_proc) {
		kprintf("init exited with status %d: powering off\n",
			init_exit_code(wait_status));
		power_off(init_exit_code(wait_status));
	}
	timers_exit(p);
	tty_session_exit(p);
	release_resources(p);
	jobctl_vfork_release(p);
	jobctl_exit_orphans(p);
	irq_save();
	spin_lock(&proc_tree_lock);
	reparent_children(p);
	parent = p->parent;
	p->exit_status = wait_status;
	if (jobctl_child_exit(p, wait_status)) {
		list_remove(&p->sibling);	/* the scheduler frees it */
		p->autoreap = true;
	}
	spin_lock(&sched_lock);
	p->state = PROC_ZOMBIE;
	waitq_wake_all_locked(&parent->child_exit);
	spin_unlock(&proc_tree_lock);
	sched();
	panic("proc_exit: zombie %d ran again", p->pid);
}

/* Is c one of the children wait4's pid means (> 0, -1, 0: our group, or -pgid)? */
static bool wait_matches(const struct proc *c, int pid)
{
	if (pid > 0)
		return c->pid == pid;
	if (pid == 0)
		return c->pgid == current()->pgid;
	return pid == -1 || c->pgid == -pid;
}

/* Has c something to report that options ask for (a zombie always)? */
static bool wait_ready(const struct proc *c, int options)
{
	if (c->state == PROC_ZOMBIE)
		return true;
	if ((options & WUNTRACED) && (c->wait_report & 0xff) == 0x7f)
		return true;
	return (options & WCONTINUED) && c->wait_report == W_CONTINUED;
}

/*
 * A child of p matching pid with something to report, or NULL; *any set
 * if a matching child exists (proc_tree_lock held).
 */
static struct proc *find_waitable(struct proc *p, int pid, int options, bool *any)
{
	struct list_node *n;

	*any = false;
	list_for_each(n, &p->children) {
		struct proc *c = list_entry(n, struct proc, sibling);

		if (!wait_matches(c, pid))
			continue;
		*any = true;
		if (wait_ready(c, options))
			return c;
	}
	return NULL;
}

/* Add zombie z's usage, and its children's, to p's children's usage. */
static void usage_add_child(struct proc *p, const struct proc *z)
{
	p->cmin_flt += z->min_flt + z->cmin_flt;
	p->cmaj_flt += z->maj_flt + z->cmaj_flt;
	p->cuser_ticks += z->user_ticks + z->cuser_ticks;
	p->csystem_ticks += z->system_ticks + z->csystem_ticks;
}

long proc_wait(int pid, int *status, int options, struct proc_usage *ru)
{
	struct proc *p = current();
	unsigned long flags = spin_lock_irqsave(&proc_tree_lock);
	struct proc *z;
	bool any;

	for (;;) {
		z = find_waitable(p, pid, options, &any);
		if (z || !any || (options & WNOHANG) || signal_pending())
			break;
		waitq_sleep(&p->child_exit, &proc_tree_lock);
	}
	if (z && z->state != PROC_ZOMBIE) {	/* stopped or continued */
		*status = z->wait_report;
		z->wait_report = 0;
		pid = z->pid;
		spin_unlock_irqrestore(&proc_tree_lock, flags);
		return pid;
	}
	spin_unlock_irqrestore(&proc_tree_lock, flags);
	if (!z)
		return !any ? -ECHILD : (options & WNOHANG) ? 0 : -ERESTARTSYS;
	/* wait until the zombie is off its stack (see the top) */
	flags = spin_lock_irqsave(&sched_lock);
	spin_unlock_irqrestore(&sched_lock, flags);
	pid = z->pid;
	*status = z->exit_status;
	usage_add_child(p, z);
	if (ru)
		*ru = (struct proc_usage) {
			.min_flt = z->min_flt + z->cmin_flt,
			.maj_flt = z->maj_flt + z->cmaj_flt,
			.user_ticks = z->user_ticks + z->cuser_ticks,
			.system_ticks = z->system_ticks + z->csystem_ticks,
		};
	proc_free(z);
	return pid;
}
