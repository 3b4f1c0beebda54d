/*
 * exit and wait.
 *
 * An exiting thread frees everything it can while it still runs (address
 * space, files). The last thread of a process ends the process: the
 * leader, a zombie holding only its struct proc and kernel stack, is what
 * the parent waits for and frees; other threads are freed by the
 * scheduler once they have switched away (kern/thread.c). The process's
 * children go to init. The zombie state is set, and the parent woken, with
 * sched_lock held until the zombie has switched away for good, so a parent
 * that takes sched_lock before freeing never frees a stack still in use.
 */
#include "kern/exit.h"
#include "arch/riscv/memlayout.h"
#include "kern/files.h"
#include "kern/fsctx.h"
#include "kern/futex.h"
#include "kern/jobctl.h"
#include "kern/thread.h"
#include "kern/power.h"
#include "kern/proc.h"
#include "kern/sched.h"
#include "kern/signal.h"
#include "kern/timers.h"
#include "kern/uaccess.h"
#include "fs/tty.h"
#include "fs/vfs.h"
#include "vm/vmspace.h"
#include "vm/swap_io.h"

/* Give p's children to init (proc_tree_lock held). */
static void reparent_children(struct proc *p)
{
	while (!list_empty(&p->children)) {
		struct proc *c = list_entry(p->children.next, struct proc, sibling);

		list_remove(&c->sibling);
		c->parent = init_proc;
		list_append(&init_proc->children, &c->sibling);
		if (proc_ended(c))
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

/* Give up p's hold on its address space (it exits or exec replaces it). */
static void release_vm(struct proc *p)
{
	struct vmspace *vm = p->vm;
	unsigned long flags;

	if (!vm)
		return;
	flags = spin_lock_irqsave(&proc_tree_lock);
	p->vm = NULL;		/* /proc readers look under this lock */
	p->min_flt += vm->min_flt;
	p->maj_flt += vm->maj_flt;
	spin_unlock_irqrestore(&proc_tree_lock, flags);
	if (p == current())
		vmspace_activate(NULL);
	vmspace_put(vm);
	/*
	 * Swap readahead of it that the disk has finished frees its frames
	 * and slots now, not whenever swap I/O is next started or waited for
	 * (vm/swap_io.h): a parent that looks at SwapFree once we are gone
	 * finds them free.
	 */
	swap_io_complete();
}

/*
 * What an exiting thread p gives back while it still runs: its files,
 * working directory and, unless it is the leader (whose address space
 * stays for /proc until the process ends), its hold on the address space.
 */
static void release_resources(struct proc *p)
{
	if (p->files) {
		files_release(p->files);
		p->files = NULL;
	}
	if (p->fs) {
		fsctx_put(p->fs);
		p->fs = NULL;
	}
	if (!proc_is_leader(p) && p->vm) {
		struct vmspace *vm = p->vm;
		unsigned long flags = spin_lock_irqsave(&proc_tree_lock);

		p->vm = NULL;	/* its faults are the address space's, counted once */
		spin_unlock_irqrestore(&proc_tree_lock, flags);
		vmspace_activate(NULL);
		vmspace_put(vm);
	}
}

/* A thread's CLONE_CHILD_CLEARTID word: cleared, and its waiter woken. */
static void clear_child_tid(struct proc *p)
{
	uint32_t zero = 0;

	if (!p->clear_child_tid || !p->vm)
		return;
	if (copy_to_user(p->clear_child_tid, &zero, sizeof(zero)) == 0)
		futex_wake_address(p->clear_child_tid, 1);
	p->clear_child_tid = 0;
}

/*
 * Take p off its group's list of threads; its time stays the process's
 * (tg->gone_*). Returns true if p was the last thread (proc_tree_lock held).
 */
static bool leave_group(struct proc *p)
{
	struct tgroup *tg = p->tg;

	spin_lock(&tg->sig_lock);
	list_remove(&p->tg_link);
	tg->gone_user_ticks += p->user_ticks;
	tg->gone_system_ticks += p->system_ticks;
	spin_unlock(&tg->sig_lock);
	if (--tg->live == 1)
		thread_others_gone();
	return tg->live == 0;
}

/* The wait status of a process whose last thread is going (sig_lock taken). */
static int group_status(struct tgroup *tg)
{
	unsigned long flags = spin_lock_irqsave(&tg->sig_lock);
	int status = tg->exiting ? tg->exit_status : tg->leader->exit_status;

	spin_unlock_irqrestore(&tg->sig_lock, flags);
	return status;
}

/*
 * The last thread of tg has exited (proc_tree_lock held): the leader's
 * children go to init, it gets the process's wait status and its parent
 * its exit signal; a parent that does not wait for children (SIGCHLD
 * ignored) does not get the zombie either: it is freed without a wait.
 */
static void process_end(struct tgroup *tg)
{
	struct proc *leader = tg->leader;

	reparent_children(leader);
	leader->exit_status = group_status(tg);
	tg->ended = true;
	if (jobctl_child_exit(leader, leader->exit_status)) {
		list_remove(&leader->sibling);
		leader->autoreap = true;
	}
}

void thread_exit(int wait_status)
{
	struct proc *p = current();
	struct tgroup *tg = p->tg;
	struct proc *leader, *parent;
	unsigned long flags;
	bool last;

	clear_child_tid(p);
	futex_exit_robust(p);
	release_resources(p);
	flags = spin_lock_irqsave(&proc_tree_lock);
	if (proc_is_leader(p))
		p->exit_status = wait_status;
	last = leave_group(p);
	leader = tg->leader;
	if (last && leader == init_proc) {
		int code = init_exit_code(group_status(tg));

		kprintf("init exited with status %d: powering off\n", code);
		power_off(code);
	}
	spin_unlock_irqrestore(&proc_tree_lock, flags);
	if (last) {
		timers_exit(leader);
		tty_session_exit(leader);
		release_vm(leader);	/* the process's faults stay its */
		jobctl_vfork_release(leader);
		jobctl_exit_orphans(leader);
	}
	irq_save();
	spin_lock(&proc_tree_lock);
	if (last)
		process_end(tg);
	parent = leader->parent;
	spin_lock(&sched_lock);
	p->state = PROC_ZOMBIE;
	if (p != leader)
		thread_mark_dead(p);
	/* a process nobody waits for is freed once all of it is off its stacks */
	if (tg->ended && leader->autoreap && leader->state == PROC_ZOMBIE)
		thread_mark_dead(leader);
	if (last)
		waitq_wake_all_locked(&parent->child_exit);
	spin_unlock(&proc_tree_lock);
	sched();
	panic("thread_exit: zombie %d ran again", p->tid);
}

void proc_exit(int wait_status)
{
	struct proc *p = current();

	if (p->tg == init_proc->tg) {
		kprintf("init exited with status %d: powering off\n",
			init_exit_code(wait_status));
		power_off(init_exit_code(wait_status));
	}
	thread_group_kill(wait_status);
	thread_exit(wait_status);
}

/*
 * Is c one of the children wait4's pid means (> 0, -1, 0: the caller's
 * group, or -pgid)?
 */
static bool wait_matches(const struct proc *c, int pid)
{
	if (pid > 0)
		return c->pid == pid;
	if (pid == 0)
		return c->pgid == current()->pgid;
	return pid == -1 || c->pgid == -pid;
}

/* Has c something to report that options ask for (its end always)? */
static bool wait_ready(const struct proc *c, int options)
{
	if (proc_ended(c))
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

/*
 * Add zombie z's usage (every thread's), and its children's, to p's
 * children's usage; the sum is also left in *u.
 */
static void usage_add_child(struct proc *p, const struct proc *z,
			    struct proc_usage *u)
{
	tgroup_ticks(z->tg, &u->user_ticks, &u->system_ticks);
	u->min_flt = z->min_flt + z->cmin_flt;
	u->maj_flt = z->maj_flt + z->cmaj_flt;
	u->user_ticks += z->cuser_ticks;
	u->system_ticks += z->csystem_ticks;
	p->cmin_flt += u->min_flt;
	p->cmaj_flt += u->maj_flt;
	p->cuser_ticks += u->user_ticks;
	p->csystem_ticks += u->system_ticks;
}

long proc_wait(int pid, int *status, int options, struct proc_usage *ru)
{
	unsigned long flags = spin_lock_irqsave(&proc_tree_lock);
	struct proc *p = current()->tg->leader;	/* children are the process's */
	struct proc *z;
	struct proc_usage zu;
	bool any;

	for (;;) {
		z = find_waitable(p, pid, options, &any);
		if (z || !any || (options & WNOHANG) || signal_pending())
			break;
		waitq_sleep(&p->child_exit, &proc_tree_lock);
	}
	if (z && !proc_ended(z)) {	/* stopped or continued */
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
	usage_add_child(p, z, &zu);
	if (ru)
		*ru = zu;
	proc_free(z);
	return pid;
}
