/*
 * Thread groups: making and ending the threads of a process, see thread.h
 * and docs/threads.md. A thread other than the leader that exits is
 * nobody's child: it goes on the dead list with sched_lock held until it
 * has switched away for good, and the scheduler frees it (thread_reap).
 */
#include "kern/thread.h"
#include "kern/proc.h"
#include "kern/sched.h"
#include "kern/signal.h"
#include "kern/timers.h"
#include "vm/kmem.h"
#include "vm/vmspace.h"

/* Threads that ended, waiting for thread_reap (sched_lock). */
static struct list_node dead = LIST_HEAD_INIT(dead);

/* exec waits here for the other threads to go (proc_tree_lock). */
static struct waitq others_gone = { LIST_HEAD_INIT(others_gone.waiters) };

struct tgroup *tgroup_create(struct proc *p)
{
	struct tgroup *tg = kmalloc(sizeof(*tg), KM_ZERO);

	if (!tg)
		return NULL;
	tg->refs = 1;
	tg->leader = p;
	list_init(&tg->threads);
	list_init(&tg->sig_queue);
	list_append(&tg->threads, &p->tg_link);
	tg->live = 1;
	spin_init(&tg->sig_lock, "sig");
	return tg;
}

void tgroup_ticks(const struct tgroup *tg, uint64_t *user, uint64_t *system)
{
	const struct list_node *n;

	*user = tg->gone_user_ticks;
	*system = tg->gone_system_ticks;
	list_for_each(n, &tg->threads) {
		const struct proc *t = list_entry(n, struct proc, tg_link);

		*user += READ_ONCE(t->user_ticks);
		*system += READ_ONCE(t->system_ticks);
	}
}

void tgroup_get(struct tgroup *tg)
{
	__atomic_add_fetch(&tg->refs, 1, __ATOMIC_RELAXED);
}

void tgroup_put(struct tgroup *tg)
{
	if (tg && __atomic_sub_fetch(&tg->refs, 1, __ATOMIC_ACQ_REL) == 0) {
		signal_release_group(tg);
		kfree(tg);
	}
}

int thread_attach(struct proc *t)
{
	struct tgroup *tg = t->tg;
	unsigned long flags = spin_lock_irqsave(&proc_tree_lock);
	int err = 0;

	spin_lock(&tg->sig_lock);
	if (tg->exiting)
		err = -EINTR;	/* it would miss the SIGKILL the others got */
	else
		list_append(&tg->threads, &t->tg_link);
	spin_unlock(&tg->sig_lock);
	if (!err)
		tg->live++;
	spin_unlock_irqrestore(&proc_tree_lock, flags);
	return err;
}

int thread_count(const struct proc *p)
{
	return READ_ONCE(p->tg->live);
}

/*
 * Queue SIGKILL for every thread of tg but self and wake them
 * (tg->sig_lock held).
 */
static void kill_others_locked(struct tgroup *tg, struct proc *self)
{
	struct list_node *n;

	list_for_each(n, &tg->threads) {
		struct proc *t = list_entry(n, struct proc, tg_link);

		if (t == self)
			continue;
		t->sig_info[SIGKILL - 1] = (struct ksiginfo) {
			.si_signo = SIGKILL, .si_code = SI_KERNEL,
		};
		__atomic_or_fetch(&t->sig_pending, sig_bit(SIGKILL), __ATOMIC_RELEASE);
		sched_wake_process(t);
	}
}

void thread_group_kill(int wait_status)
{
	struct proc *p = current();
	struct tgroup *tg = p->tg;
	unsigned long flags = spin_lock_irqsave(&tg->sig_lock);

	if (!tg->exiting) {
		tg->exiting = true;
		tg->exit_status = wait_status;
		kill_others_locked(tg, p);
	}
	spin_unlock_irqrestore(&tg->sig_lock, flags);
}

/*
 * Put p, an exiting thread that is not its group's leader, on the dead
 * list (sched_lock held; p switches away for good before it is released).
 */
void thread_mark_dead(struct proc *p)
{
	list_append(&dead, &p->run_link);
}

void thread_reap(void)
{
	struct list_node batch = LIST_HEAD_INIT(batch);
	unsigned long flags;

	if (list_empty(&dead))		/* a racy peek: the next call sees it */
		return;
	flags = spin_lock_irqsave(&sched_lock);
	while (!list_empty(&dead)) {
		struct list_node *n = dead.next;

		list_remove(n);
		list_append(&batch, n);
	}
	spin_unlock_irqrestore(&sched_lock, flags);
	while (!list_empty(&batch)) {
		struct proc *t = list_entry(batch.next, struct proc, run_link);

		list_remove(&t->run_link);
		proc_free(t);
	}
}

/*
 * Make the calling thread p its group's leader in place of the zombie
 * old (exec from a thread; proc_tree_lock held, no other thread left):
 * p takes the pid as its tid, old's place among its parent's children,
 * its children and its usage.
 */
static void take_leadership(struct proc *p, struct proc *old)
{
	struct list_node *n;

	p->parent = old->parent;
	list_insert_between(&p->sibling, &old->sibling, old->sibling.next);
	list_remove(&old->sibling);
	while (!list_empty(&old->children)) {
		n = old->children.next;
		list_remove(n);
		list_append(&p->children, n);
		list_entry(n, struct proc, sibling)->parent = p;
	}
	p->min_flt += old->min_flt;
	p->maj_flt += old->maj_flt;
	p->cmin_flt = old->cmin_flt;
	p->cmaj_flt = old->cmaj_flt;
	p->cuser_ticks = old->cuser_ticks;
	p->csystem_ticks = old->csystem_ticks;
	p->start_ns = old->start_ns;
	p->exit_signal = old->exit_signal;
	p->wait_report = old->wait_report;
	p->vfork_parent = old->vfork_parent;
	timers_move(old, p);
	/* old's tid goes out of the way before p takes the pid */
	proc_set_tid(old, 0);
	proc_set_tid(p, p->pid);
	p->tg->leader = p;
	if (old == init_proc)
		init_proc = p;
}

/* The threads of p's group other than p have all exited (proc_tree_lock). */
static bool others_gone_locked(struct proc *p)
{
	return p->tg->live == 1;
}

/*
 * Wait until p is the only thread left, or it is killed: 0 or -EINTR
 * (proc_tree_lock held).
 */
static int wait_others_locked(struct proc *p)
{
	while (!others_gone_locked(p)) {
		if (__atomic_load_n(&p->sig_pending, __ATOMIC_ACQUIRE) & sig_bit(SIGKILL))
			return -EINTR;
		waitq_sleep(&others_gone, &proc_tree_lock);
	}
	return 0;
}

/* Wake exec waiting in thread_kill_others (proc_tree_lock held). */
void thread_others_gone(void)
{
	waitq_wake_all(&others_gone);
}

int thread_kill_others(void)
{
	struct proc *p = current(), *old = NULL;
	struct tgroup *tg = p->tg;
	struct vmspace *old_vm = NULL;
	unsigned long flags;
	int err;

	flags = spin_lock_irqsave(&tg->sig_lock);
	if (tg->exiting) {		/* someone else ends the process: so do we */
		spin_unlock_irqrestore(&tg->sig_lock, flags);
		return -EINTR;
	}
	if (list_empty(&tg->threads) || tg->threads.next->next == &tg->threads) {
		spin_unlock_irqrestore(&tg->sig_lock, flags);
		if (proc_is_leader(p))
			return 0;	/* the only thread, the common case */
	} else {
		tg->exiting = true;	/* the others exit as threads, quietly */
		tg->exit_status = 0;
		kill_others_locked(tg, p);
		spin_unlock_irqrestore(&tg->sig_lock, flags);
	}
	flags = spin_lock_irqsave(&proc_tree_lock);
	err = wait_others_locked(p);
	if (!err && !proc_is_leader(p)) {
		old = tg->leader;
		old_vm = old->vm;
		old->vm = NULL;
		if (old_vm) {
			p->min_flt += old_vm->min_flt;
			p->maj_flt += old_vm->maj_flt;
		}
		take_leadership(p, old);
	}
	spin_unlock_irqrestore(&proc_tree_lock, flags);
	if (!err) {
		flags = spin_lock_irqsave(&tg->sig_lock);
		tg->exiting = false;
		spin_unlock_irqrestore(&tg->sig_lock, flags);
	}
	if (old) {
		/* wait until old is off its stack, as wait4 does */
		flags = spin_lock_irqsave(&sched_lock);
		spin_unlock_irqrestore(&sched_lock, flags);
		if (old_vm)
			vmspace_put(old_vm);
		proc_free(old);
	}
	return err;
}
