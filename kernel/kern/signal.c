/* Pending signals, actions, masks and the alternate stack; see signal.h. */
#include "kern/signal.h"
#include "arch/riscv/trap.h"
#include "kern/exit.h"
#include "kern/fork.h"
#include "kern/jobctl.h"
#include "kern/proc.h"
#include "kern/sched.h"
#include "kern/thread.h"
#include "kern/waitq.h"
#include "vm/kmem.h"

#define SIGQUEUE_MAX	1024	/* real-time signals queued in one process */

/* Faults go first when several signals are ready, as on Linux. */
#define SIG_SYNCHRONOUS	(sig_bit(SIGSEGV) | sig_bit(SIGBUS) | sig_bit(SIGILL) | \
			 sig_bit(SIGTRAP) | sig_bit(SIGFPE) | sig_bit(SIGSYS))

/* sigsuspend sleeps here; a signal wakes the process itself. */
static struct waitq suspended = { LIST_HEAD_INIT(suspended.waiters) };

static bool sig_valid(long sig)
{
	return sig >= 1 && sig <= NSIG;
}

/*
 * Signals whose default action is to be ignored. SIGCONT's is too: it
 * resumes a stopped process when it is sent (jobctl_on_send), whatever
 * the action.
 */
static bool default_ignored(int sig)
{
	return sig == SIGCHLD || sig == SIGURG || sig == SIGWINCH || sig == SIGCONT;
}

/* Does handler (for sig) throw the signal away? */
static bool handler_ignores(int sig, uint64_t handler)
{
	return handler == SIG_IGN || (handler == SIG_DFL && default_ignored(sig));
}

/*
 * Is sig dropped when sent to thread p (p->tg->sig_lock held)? A blocked
 * signal never is: its action may change before it is unblocked.
 */
static bool sig_ignored(struct proc *p, int sig)
{
	return !(p->sig_blocked & sig_bit(sig)) &&
	       handler_ignores(sig, p->tg->sig_action[sig - 1].handler);
}

/* A queued real-time signal (one per sending: they queue, with values). */
struct sigq {
	struct list_node link;
	struct ksiginfo info;
};

static bool sig_realtime(int sig)
{
	return sig >= SIGRTMIN_KERNEL;
}

/* A spare queue entry for sig, made before the lock is taken; NULL if none. */
static struct sigq *sigq_spare(int sig)
{
	return sig_valid(sig) && sig_realtime(sig) ? kmalloc(sizeof(struct sigq), 0) : NULL;
}

/*
 * Add the signal of info to a pending set, with its information (an
 * ordinary signal already pending keeps its first) or, for a real-time
 * signal, a queue entry taken from *spare (sig_lock held). Returns 0, or
 * -EAGAIN if a real-time signal cannot be queued (no memory, or
 * SIGQUEUE_MAX of them queued in the process).
 */
static int pend(struct tgroup *tg, uint64_t *pending, struct ksiginfo *infos,
		struct list_node *queue, const struct ksiginfo *info, struct sigq **spare)
{
	int sig = info->si_signo;

	if (sig_realtime(sig)) {
		if (!*spare || tg->sig_queued >= SIGQUEUE_MAX)
			return -EAGAIN;
		(*spare)->info = *info;
		list_append(queue, &(*spare)->link);
		*spare = NULL;
		tg->sig_queued++;
	} else if (!(*pending & sig_bit(sig))) {
		infos[sig - 1] = *info;
	}
	__atomic_or_fetch(pending, sig_bit(sig), __ATOMIC_RELEASE);
	return 0;
}

/*
 * Take pending sig off a set (sig_lock held): its information into *info;
 * a real-time one leaves the set only with the last of its queue.
 */
static void unpend(struct tgroup *tg, uint64_t *pending, struct ksiginfo *infos,
		   struct list_node *queue, int sig, struct ksiginfo *info)
{
	struct list_node *n;
	struct sigq *first = NULL;
	bool more = false;

	if (!sig_realtime(sig)) {
		*info = infos[sig - 1];
		__atomic_and_fetch(pending, ~sig_bit(sig), __ATOMIC_RELAXED);
		return;
	}
	list_for_each(n, queue) {
		struct sigq *q = list_entry(n, struct sigq, link);

		if (q->info.si_signo != sig)
			continue;
		if (first) {
			more = true;
			break;
		}
		first = q;
	}
	if (first) {
		*info = first->info;
		list_remove(&first->link);
		kfree(first);
		tg->sig_queued--;
	} else {
		*info = (struct ksiginfo) { .si_signo = sig, .si_code = SI_KERNEL };
	}
	if (!more)
		__atomic_and_fetch(pending, ~sig_bit(sig), __ATOMIC_RELAXED);
}

/* Drop every queued entry of sig (all if sig is 0) from a queue (sig_lock held). */
static void queue_drop(struct tgroup *tg, struct list_node *queue, int sig)
{
	struct list_node *n, *next;

	for (n = queue->next; n != queue; n = next) {
		struct sigq *q = list_entry(n, struct sigq, link);

		next = n->next;
		if (sig && q->info.si_signo != sig)
			continue;
		list_remove(n);
		kfree(q);
		tg->sig_queued--;
	}
}

void signal_release_thread(struct proc *p)
{
	unsigned long flags = spin_lock_irqsave(&p->tg->sig_lock);

	queue_drop(p->tg, &p->sig_queue, 0);
	spin_unlock_irqrestore(&p->tg->sig_lock, flags);
}

void signal_release_group(struct tgroup *tg)
{
	queue_drop(tg, &tg->sig_queue, 0);
}

/*
 * The thread of tg to wake for a process-wide sig (sig_lock held): the
 * current thread if it is one of them and does not block sig, else the
 * first that does not; NULL if every thread blocks it (it stays pending
 * for the first to unblock it).
 */
static struct proc *pick_thread(struct tgroup *tg, int sig)
{
	struct proc *self = current();
	struct list_node *n;

	if (self && self->tg == tg && !(self->sig_blocked & sig_bit(sig)))
		return self;
	list_for_each(n, &tg->threads) {
		struct proc *t = list_entry(n, struct proc, tg_link);

		if (!(READ_ONCE(t->sig_blocked) & sig_bit(sig)))
			return t;
	}
	return NULL;
}

int signal_send_info(struct proc *p, const struct ksiginfo *info)
{
	struct tgroup *tg = p->tg;
	int sig = info->si_signo, err = 0;
	struct sigq *spare = sigq_spare(sig);
	struct proc *t = NULL;
	unsigned long flags;

	if (!sig_valid(sig))
		return -EINVAL;
	flags = spin_lock_irqsave(&tg->sig_lock);
	jobctl_on_send(p, sig);
	t = pick_thread(tg, sig);
	if (!handler_ignores(sig, tg->sig_action[sig - 1].handler) || !t) {
		err = pend(tg, &tg->sig_pending, tg->sig_info, &tg->sig_queue, info, &spare);
		if (t && !err)
			sched_wake_process(t);
	}
	spin_unlock_irqrestore(&tg->sig_lock, flags);
	kfree(spare);
	return err;
}

int signal_send_thread(struct proc *t, const struct ksiginfo *info)
{
	struct tgroup *tg = t->tg;
	struct sigq *spare = sigq_spare(info->si_signo);
	unsigned long flags;
	int err = 0;

	if (!sig_valid(info->si_signo))
		return -EINVAL;
	flags = spin_lock_irqsave(&tg->sig_lock);
	jobctl_on_send(t, info->si_signo);
	if (!sig_ignored(t, info->si_signo)) {
		err = pend(tg, &t->sig_pending, t->sig_info, &t->sig_queue, info, &spare);
		if (!err)
			sched_wake_process(t);
	}
	spin_unlock_irqrestore(&tg->sig_lock, flags);
	kfree(spare);
	return err;
}

int signal_send(struct proc *p, int sig)
{
	struct ksiginfo info = { .si_signo = sig, .si_code = SI_KERNEL };

	return signal_send_info(p, &info);
}

/*
 * Does a thread of tg block sig, or wait for it in sigtimedwait
 * (proc_tree_lock held: the list stays)?
 */
static bool group_blocks(struct tgroup *tg, int sig)
{
	struct list_node *n;

	list_for_each(n, &tg->threads) {
		struct proc *t = list_entry(n, struct proc, tg_link);

		if ((READ_ONCE(t->sig_blocked) | READ_ONCE(t->sig_real_blocked)) & sig_bit(sig))
			return true;
	}
	return false;
}

int signal_send_user(struct proc *p, int sig, int code)
{
	struct ksiginfo info = { .si_signo = sig, .si_code = code };

	if (!sig_valid(sig))
		return -EINVAL;
	info.kill.pid = current()->pid;
	if (p->tg == init_proc->tg && !group_blocks(p->tg, sig) &&
	    __atomic_load_n(&p->tg->sig_action[sig - 1].handler, __ATOMIC_RELAXED) == SIG_DFL)
		return 0;	/* init gets only what it handles (or blocks, to wait for) */
	if (code == SI_TKILL)
		return signal_send_thread(p, &info);
	return signal_send_info(p, &info);
}

int signal_force_info(const struct ksiginfo *info)
{
	struct proc *p = current();
	int sig = info->si_signo;
	struct ksigaction *act;
	unsigned long flags;

	if (!sig_valid(sig))
		return -EINVAL;
	flags = spin_lock_irqsave(&p->tg->sig_lock);
	act = &p->tg->sig_action[sig - 1];
	if (act->handler == SIG_IGN || (p->sig_blocked & sig_bit(sig))) {
		act->handler = SIG_DFL;
		p->sig_blocked &= ~sig_bit(sig);
	}
	spin_unlock_irqrestore(&p->tg->sig_lock, flags);
	return signal_send_thread(p, info);	/* the faulting thread's */
}

int signal_force(int sig)
{
	struct ksiginfo info = { .si_signo = sig, .si_code = SI_KERNEL };

	return signal_force_info(&info);
}

/* Signals pending for thread p: its own and its process's. */
static uint64_t pending_of(struct proc *p)
{
	return __atomic_load_n(&p->sig_pending, __ATOMIC_ACQUIRE) |
	       __atomic_load_n(&p->tg->sig_pending, __ATOMIC_ACQUIRE);
}

/* Pending signals that are not blocked. */
static uint64_t deliverable(struct proc *p)
{
	return pending_of(p) & ~p->sig_blocked;
}

bool signal_has_handler(int sig)
{
	struct proc *p = current();

	return sig_valid(sig) && !(p->sig_blocked & sig_bit(sig)) &&
	       __atomic_load_n(&p->tg->sig_action[sig - 1].handler, __ATOMIC_RELAXED) > SIG_IGN;
}

bool signal_kill_pending(struct proc *p)
{
	return pending_of(p) & sig_bit(SIGKILL);
}

bool signal_pending(void)
{
	struct proc *p = current();

	return p && deliverable(p) != 0;
}

/* Take pending sig off p's own set if there, else its process's (sig_lock held). */
static void take_locked(struct proc *p, int sig, struct ksiginfo *info)
{
	struct tgroup *tg = p->tg;

	if (p->sig_pending & sig_bit(sig))
		unpend(tg, &p->sig_pending, p->sig_info, &p->sig_queue, sig, info);
	else
		unpend(tg, &tg->sig_pending, tg->sig_info, &tg->sig_queue, sig, info);
}

/*
 * Take the next signal to act on off p's pending sets (the thread's own
 * first, then its process's): its number (0 if none), with its information
 * and the action it gets. SA_RESETHAND puts the default back for the next
 * one.
 */
static int dequeue(struct proc *p, struct ksiginfo *info, struct ksigaction *act)
{
	struct tgroup *tg = p->tg;
	unsigned long flags = spin_lock_irqsave(&tg->sig_lock);
	uint64_t ready = (p->sig_pending | tg->sig_pending) & ~p->sig_blocked;
	int sig = 0;

	if (ready & sig_bit(SIGKILL))
		ready = sig_bit(SIGKILL);
	else if (ready & SIG_SYNCHRONOUS)
		ready &= SIG_SYNCHRONOUS;
	if (ready) {
		sig = __builtin_ctzl(ready) + 1;
		take_locked(p, sig, info);
		*act = tg->sig_action[sig - 1];
		if (act->handler > SIG_IGN && (act->flags & SA_RESETHAND))
			tg->sig_action[sig - 1].handler = SIG_DFL;
	}
	spin_unlock_irqrestore(&tg->sig_lock, flags);
	return sig;
}

/*
 * Run the handler act for the signal of info: push its frame, then block
 * what the handler asks. A frame that cannot be written is a SIGSEGV (the
 * default action if it was SIGSEGV's own frame), as on Linux.
 */
static void run_handler(struct proc *p, struct trapframe *tf,
			const struct ksiginfo *info, const struct ksigaction *act)
{
	int sig = info->si_signo;
	uint64_t saved = p->sig_restore_mask ? p->sig_saved_mask : p->sig_blocked;

	if (sigframe_push(tf, info, act, saved) < 0) {
		kprintf("pid %d (%s): cannot write the frame for signal %d: SIGSEGV\n",
			p->pid, p->name, sig);
		if (sig == SIGSEGV) {
			unsigned long flags = spin_lock_irqsave(&p->tg->sig_lock);

			p->tg->sig_action[SIGSEGV - 1].handler = SIG_DFL;
			spin_unlock_irqrestore(&p->tg->sig_lock, flags);
		}
		signal_force(SIGSEGV);
		return;
	}
	p->sig_restore_mask = false;
	p->sig_blocked |= act->mask | (act->flags & SA_NODEFER ? 0 : sig_bit(sig));
	p->sig_blocked &= ~SIG_UNCATCHABLE;
}

/*
 * signal_deliver's work when there is some: a stop to wait in, signals to
 * act on, a mask to restore. Out of line, so that the common case (every
 * return to user space) does not save the registers this needs.
 */
static __attribute__((noinline)) void signal_deliver_slow(struct proc *p)
{
	struct trapframe *tf = p->tf;
	struct ksiginfo info;
	struct ksigaction act;
	int sig;

	if (READ_ONCE(p->tg->stopped))	/* another thread stopped the process */
		jobctl_stop_wait();
	while ((sig = dequeue(p, &info, &act)) != 0) {
		if (handler_ignores(sig, act.handler))
			continue;
		if (act.handler == SIG_DFL && jobctl_stop_signal(sig)) {
			jobctl_stop(sig);
			continue;
		}
		if (act.handler == SIG_DFL)
			proc_exit(sig);		/* wait status: terminated by sig */
		sigframe_syscall_restart(tf, &act);
		run_handler(p, tf, &info, &act);
	}
	sigframe_syscall_restart(tf, NULL);
	if (p->sig_restore_mask) {
		p->sig_restore_mask = false;
		p->sig_blocked = p->sig_saved_mask;
	}
}

void signal_deliver(void)
{
	struct proc *p = current();

	if (!deliverable(p) && !p->sig_restore_mask &&
	    !READ_ONCE(p->tg->stopped)) {	/* the common case */
		sigframe_syscall_restart(p->tf, NULL);
		return;
	}
	signal_deliver_slow(p);
}

/* Drop sig wherever it is pending in tg: process and threads (sig_lock held). */
static void signal_discard_locked(struct tgroup *tg, int sig)
{
	struct list_node *n;

	__atomic_and_fetch(&tg->sig_pending, ~sig_bit(sig), __ATOMIC_RELAXED);
	queue_drop(tg, &tg->sig_queue, sig);
	list_for_each(n, &tg->threads) {
		struct proc *t = list_entry(n, struct proc, tg_link);

		__atomic_and_fetch(&t->sig_pending, ~sig_bit(sig), __ATOMIC_RELAXED);
		queue_drop(tg, &t->sig_queue, sig);
	}
}

int signal_action(int sig, const struct ksigaction *act, struct ksigaction *old)
{
	struct tgroup *tg = current()->tg;
	unsigned long flags;

	if (!sig_valid(sig) || (act && (sig_bit(sig) & SIG_UNCATCHABLE)))
		return -EINVAL;
	flags = spin_lock_irqsave(&tg->sig_lock);
	if (old) {
		*old = tg->sig_action[sig - 1];
		old->flags &= SA_UAPI_FLAGS;
	}
	if (act) {
		struct ksigaction *a = &tg->sig_action[sig - 1];

		*a = *act;
		a->flags &= SA_UAPI_FLAGS;
		a->mask &= ~SIG_UNCATCHABLE;
		if (handler_ignores(sig, a->handler))	/* pending ones go too */
			signal_discard_locked(tg, sig);
	}
	spin_unlock_irqrestore(&tg->sig_lock, flags);
	return 0;
}

struct ksigaction signal_get_action(struct proc *p, int sig)
{
	unsigned long flags = spin_lock_irqsave(&p->tg->sig_lock);
	struct ksigaction act = p->tg->sig_action[sig - 1];

	spin_unlock_irqrestore(&p->tg->sig_lock, flags);
	return act;
}

void signal_set_blocked(uint64_t mask)
{
	current()->sig_blocked = mask & ~SIG_UNCATCHABLE;
}

uint64_t signal_pending_set(void)
{
	struct proc *p = current();

	return pending_of(p) & p->sig_blocked;
}

long signal_suspend(uint64_t mask)
{
	struct proc *p = current();
	unsigned long flags;

	p->sig_saved_mask = p->sig_blocked;
	p->sig_restore_mask = true;
	signal_set_blocked(mask);
	flags = spin_lock_irqsave(&p->tg->sig_lock);
	while (!deliverable(p))
		waitq_sleep(&suspended, &p->tg->sig_lock);
	spin_unlock_irqrestore(&p->tg->sig_lock, flags);
	return -ERESTARTNOHAND;
}

int signal_take(uint64_t set, struct ksiginfo *info)
{
	struct proc *p = current();
	unsigned long flags = spin_lock_irqsave(&p->tg->sig_lock);
	uint64_t ready = (p->sig_pending | p->tg->sig_pending) & set;
	int sig = 0;

	if (ready) {
		sig = __builtin_ctzl(ready) + 1;
		take_locked(p, sig, info);
	}
	spin_unlock_irqrestore(&p->tg->sig_lock, flags);
	return sig;
}

bool signal_on_altstack(uint64_t sp)
{
	const struct kstack *ss = &current()->sig_altstack;

	return sp > ss->ss_sp && sp - ss->ss_sp <= ss->ss_size;
}

/* ss_flags as sigaltstack reports them when the stack pointer is sp. */
static int32_t altstack_flags(uint64_t sp)
{
	const struct kstack *ss = &current()->sig_altstack;

	if (!ss->ss_size)
		return SS_DISABLE | ss->ss_flags;
	return (signal_on_altstack(sp) ? SS_ONSTACK : 0) | ss->ss_flags;
}

int signal_altstack(const struct kstack *ss, struct kstack *old, uint64_t sp)
{
	struct kstack *cur = &current()->sig_altstack;
	uint32_t mode;

	if (old) {
		*old = *cur;
		old->ss_flags = altstack_flags(sp);
	}
	if (!ss)
		return 0;
	if (signal_on_altstack(sp))
		return -EPERM;
	mode = (uint32_t)ss->ss_flags & ~SS_AUTODISARM;
	if (mode != SS_DISABLE && mode != SS_ONSTACK && mode != 0)
		return -EINVAL;
	if (mode == SS_DISABLE) {
		cur->ss_sp = cur->ss_size = 0;
	} else {
		if (ss->ss_size < MINSIGSTKSZ)
			return -ENOMEM;
		cur->ss_sp = ss->ss_sp;
		cur->ss_size = ss->ss_size;
	}
	cur->ss_flags = (uint32_t)ss->ss_flags & SS_AUTODISARM;
	return 0;
}

uint64_t signal_frame_top(uint64_t sp, const struct ksigaction *act)
{
	const struct kstack *ss = &current()->sig_altstack;

	if ((act->flags & SA_ONSTACK) && ss->ss_size && !signal_on_altstack(sp))
		return ss->ss_sp + ss->ss_size;
	return sp;
}

void signal_altstack_save(uint64_t sp, struct kstack *out)
{
	struct kstack *cur = &current()->sig_altstack;

	*out = *cur;
	out->ss_flags = altstack_flags(sp);
	if (cur->ss_flags & SS_AUTODISARM)
		memset(cur, 0, sizeof(*cur));
}

void signal_exec_reset(struct proc *p)
{
	unsigned long flags = spin_lock_irqsave(&p->tg->sig_lock);

	for (int i = 0; i < NSIG; i++) {
		struct ksigaction *a = &p->tg->sig_action[i];

		if (a->handler != SIG_IGN)
			a->handler = SIG_DFL;
		a->flags = a->mask = 0;
	}
	spin_unlock_irqrestore(&p->tg->sig_lock, flags);
	memset(&p->sig_altstack, 0, sizeof(p->sig_altstack));
	p->sig_restore_mask = false;
}

void signal_fork(struct proc *parent, struct proc *child, unsigned long clone_flags)
{
	if (child->tg != parent->tg) {
		unsigned long flags = spin_lock_irqsave(&parent->tg->sig_lock);

		memcpy(child->tg->sig_action, parent->tg->sig_action,
		       sizeof(child->tg->sig_action));
		spin_unlock_irqrestore(&parent->tg->sig_lock, flags);
	}
	child->sig_blocked = parent->sig_blocked;
	if (!(clone_flags & CLONE_VM))	/* a new thread's stack is its own */
		child->sig_altstack = parent->sig_altstack;
}
