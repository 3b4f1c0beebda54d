/* Job control; see jobctl.h. */
#include "kern/jobctl.h"
#include "kern/proc.h"
#include "kern/sched.h"
#include "kern/syscall.h"
#include "kern/signal.h"
#include "kern/thread.h"
#include "kern/waitq.h"

#define STOP_SIGNALS	(sig_bit(SIGSTOP) | sig_bit(SIGTSTP) | sig_bit(SIGTTIN) | \
			 sig_bit(SIGTTOU))

/* Stopped processes sleep here; SIGCONT and SIGKILL wake them. */
static struct waitq stopped = { LIST_HEAD_INIT(stopped.waiters) };

bool jobctl_stop_signal(int sig)
{
	return sig >= 1 && sig <= NSIG && (STOP_SIGNALS & sig_bit(sig));
}

/* Drop the signals of set pending anywhere in tg (tg->sig_lock held). */
static void discard(struct tgroup *tg, uint64_t set)
{
	struct list_node *n;

	__atomic_and_fetch(&tg->sig_pending, ~set, __ATOMIC_RELAXED);
	list_for_each(n, &tg->threads)
		__atomic_and_fetch(&list_entry(n, struct proc, tg_link)->sig_pending, ~set,
				   __ATOMIC_RELAXED);
}

void jobctl_on_send(struct proc *p, int sig)
{
	struct tgroup *tg = p->tg;
	struct list_node *n;

	if (sig == SIGCONT) {
		discard(tg, STOP_SIGNALS);
		if (tg->stopped) {
			tg->stopped = false;
			tg->cont_notify = true;
			list_for_each(n, &tg->threads)
				sched_wake_process(list_entry(n, struct proc, tg_link));
		}
	} else if (jobctl_stop_signal(sig)) {
		discard(tg, sig_bit(SIGCONT));
	}
}

/* The SIGCHLD information about child p. */
static void chld_info(struct proc *p, int code, int status, struct ksiginfo *info)
{
	uint64_t user, system;

	tgroup_ticks(p->tg, &user, &system);	/* every thread's */
	*info = (struct ksiginfo) { .si_signo = SIGCHLD, .si_code = code };
	info->chld.pid = p->pid;
	info->chld.status = status;
	info->chld.utime = user;
	info->chld.stime = system;
}

/*
 * Tell p's parent that p stopped (code CLD_STOPPED, for sig) or continued
 * (CLD_CONTINUED): a status for wait4 and, unless the parent asked for
 * SA_NOCLDSTOP, a SIGCHLD.
 */
static void notify_parent(struct proc *p, int code, int sig)
{
	unsigned long flags = spin_lock_irqsave(&proc_tree_lock);
	struct proc *parent = p->parent;
	struct ksiginfo info;

	p->wait_report = code == CLD_STOPPED ? W_STOPCODE(sig) : W_CONTINUED;
	if (parent) {
		struct ksigaction act = signal_get_action(parent, SIGCHLD);

		if (!(act.flags & SA_NOCLDSTOP)) {
			chld_info(p, code, sig, &info);
			signal_send_info(parent, &info);
		}
		waitq_wake_all(&parent->child_exit);
	}
	spin_unlock_irqrestore(&proc_tree_lock, flags);
}

void jobctl_stop_wait(void)
{
	struct proc *p = current();
	struct tgroup *tg = p->tg;
	unsigned long flags;
	bool cont;

	flags = spin_lock_irqsave(&tg->sig_lock);
	while (tg->stopped && !signal_kill_pending(p))
		waitq_sleep(&stopped, &tg->sig_lock);
	cont = tg->cont_notify;		/* the first thread to run tells */
	tg->cont_notify = false;
	spin_unlock_irqrestore(&tg->sig_lock, flags);
	if (cont)
		notify_parent(tg->leader, CLD_CONTINUED, SIGCONT);
}

void jobctl_stop(int sig)
{
	struct tgroup *tg = current()->tg;
	unsigned long flags;

	flags = spin_lock_irqsave(&tg->sig_lock);
	tg->stopped = true;	/* the other threads stop at their next return to user */
	spin_unlock_irqrestore(&tg->sig_lock, flags);
	notify_parent(tg->leader, CLD_STOPPED, sig);
	jobctl_stop_wait();
}

bool jobctl_child_exit(struct proc *p, int wait_status)
{
	struct proc *parent = p->parent;
	struct ksigaction act;
	struct ksiginfo info;
	int sig = wait_status & 0x7f;

	if (!p->exit_signal)
		return false;
	if (sig)
		chld_info(p, wait_status & 0x80 ? CLD_DUMPED : CLD_KILLED, sig, &info);
	else
		chld_info(p, CLD_EXITED, (wait_status >> 8) & 0xff, &info);
	info.si_signo = p->exit_signal;
	act = signal_get_action(parent, SIGCHLD);
	signal_send_info(parent, &info);
	return p->exit_signal == SIGCHLD &&
	       (act.handler == SIG_IGN || (act.flags & SA_NOCLDWAIT));
}

void jobctl_vfork_release(struct proc *p)
{
	struct proc *parent = p->vfork_parent;
	unsigned long flags;

	if (!parent)
		return;
	flags = spin_lock_irqsave(&proc_tree_lock);
	parent->vfork_done = true;
	p->vfork_parent = NULL;
	waitq_wake_all(&parent->child_exit);
	spin_unlock_irqrestore(&proc_tree_lock, flags);
}

/*
 * Will a signal pending for thread p (its own or its process's) end it:
 * SIGKILL, or an unblocked one whose action is the default termination
 * (Linux turns those into SIGKILL when they are sent, so its killable
 * waits end for them too)? The default
 * actions are signal.c's: ignore (SIGCHLD, SIGURG, SIGWINCH, SIGCONT),
 * stop, or terminate. proc_tree_lock held (sig_lock comes after it).
 */
static bool fatal_signal_pending(struct proc *p)
{
	uint64_t pending = (__atomic_load_n(&p->sig_pending, __ATOMIC_RELAXED) |
			    __atomic_load_n(&p->tg->sig_pending, __ATOMIC_RELAXED)) &
			   ~READ_ONCE(p->sig_blocked);

	if (pending & sig_bit(SIGKILL))
		return true;
	for (int sig = 1; sig <= NSIG; sig++) {
		if (!(pending & sig_bit(sig)) || sig == SIGCHLD || sig == SIGURG ||
		    sig == SIGWINCH || sig == SIGCONT || jobctl_stop_signal(sig))
			continue;
		if (signal_get_action(p, sig).handler == SIG_DFL)
			return true;
	}
	return false;
}

void jobctl_vfork_wait(struct proc *child)
{
	struct proc *p = current();
	unsigned long flags = spin_lock_irqsave(&proc_tree_lock);

	while (!p->vfork_done && !fatal_signal_pending(p))
		waitq_sleep(&p->child_exit, &proc_tree_lock);
	if (!p->vfork_done)		/* killed: the child keeps the memory, tells no one */
		child->vfork_parent = NULL;
	p->vfork_done = false;
	spin_unlock_irqrestore(&proc_tree_lock, flags);
}

struct group_kill {
	int pgid, sig;
	bool user;		/* kill(): SI_USER from the current process */
	int found, err;
};

static int kill_member(struct proc *p, void *arg)
{
	struct group_kill *k = arg;

	if (p->pgid != k->pgid || !p->tg->live)
		return 0;
	k->found++;
	if (!k->sig)
		return 0;
	if (k->user)
		k->err = signal_send_user(p, k->sig, SI_USER);
	else if (p != init_proc)
		signal_send(p, k->sig);
	return 0;
}

int jobctl_kill_group(int pgid, int sig)
{
	struct group_kill k = { .pgid = pgid, .sig = sig, .user = true };

	if (sig < 0 || sig > NSIG)
		return -EINVAL;
	proc_for_each(kill_member, &k);
	return k.found ? k.err : -ESRCH;
}

void jobctl_signal_group(int pgid, int sig)
{
	struct group_kill k = { .pgid = pgid, .sig = sig };

	proc_for_each(kill_member, &k);
}

struct group_find {
	int pgid, sid;
};

static int is_member(struct proc *p, void *arg)
{
	struct group_find *g = arg;

	return p->pgid == g->pgid && p->tg->live &&
	       (!g->sid || p->sid == g->sid);
}

bool jobctl_group_exists(int pgid, int sid)
{
	struct group_find g = { pgid, sid };

	return proc_for_each(is_member, &g) != 0;
}

/* ------------------------------------------- orphaned process groups */

#define ORPHAN_GROUPS_MAX	16	/* groups one exit may orphan (checked) */

/* Group pgid as the exit of `gone` leaves it. */
struct orphan_find {
	int pgid;
	struct proc *gone;
};

/*
 * Does m, a member of o->pgid other than o->gone, tie the group to its
 * session: a parent (after o->gone's children go to init) in another
 * group of the same session? A child of init ties nothing (Linux's
 * will_become_orphaned_pgrp). proc_tree_lock held.
 */
static int ties_group(struct proc *m, void *arg)
{
	struct orphan_find *o = arg;
	struct proc *parent = m->parent == o->gone ? init_proc : m->parent;

	if (m->pgid != o->pgid || m == o->gone || !m->tg->live ||
	    !parent || parent == init_proc)
		return 0;
	return parent->pgid != o->pgid && parent->sid == m->sid;
}

static int stopped_member(struct proc *m, void *arg)
{
	struct orphan_find *o = arg;

	return m->pgid == o->pgid && m != o->gone && m->tg->live &&
	       READ_ONCE(m->tg->stopped);
}

/*
 * Is p's link to relative (its parent, or a child) the last one that ties
 * p's group to the session, with a stopped member in it? Then the group
 * is orphaned by gone's exit and must be told. proc_tree_lock held.
 */
static bool orphaned_by(struct proc *p, struct proc *relative, struct proc *gone)
{
	struct orphan_find o = { p->pgid, gone };

	if (!relative || relative == init_proc || relative->pgid == p->pgid ||
	    relative->sid != p->sid)
		return false;
	return !proc_for_each_locked(ties_group, &o) &&
	       proc_for_each_locked(stopped_member, &o);
}

/* Add pgid to the n groups of g[] unless it is there or g[] is full. */
static void group_add(int *g, int *n, int pgid)
{
	for (int i = 0; i < *n; i++)
		if (g[i] == pgid)
			return;
	if (*n < ORPHAN_GROUPS_MAX)
		g[(*n)++] = pgid;
}

bool jobctl_group_orphaned(int pgid)
{
	struct orphan_find o = { pgid, NULL };
	unsigned long flags = spin_lock_irqsave(&proc_tree_lock);
	bool orphaned = !proc_for_each_locked(ties_group, &o);

	spin_unlock_irqrestore(&proc_tree_lock, flags);
	return orphaned;
}

void jobctl_exit_orphans(struct proc *p)
{
	int groups[ORPHAN_GROUPS_MAX], n = 0;
	unsigned long flags = spin_lock_irqsave(&proc_tree_lock);
	struct list_node *it;

	if (orphaned_by(p, p->parent, p))
		group_add(groups, &n, p->pgid);
	for (it = p->children.next; it != &p->children; it = it->next) {
		struct proc *c = list_entry(it, struct proc, sibling);

		if (c->tg->live && orphaned_by(c, p, p))
			group_add(groups, &n, c->pgid);
	}
	spin_unlock_irqrestore(&proc_tree_lock, flags);
	for (int i = 0; i < n; i++) {
		jobctl_signal_group(groups[i], SIGHUP);
		jobctl_signal_group(groups[i], SIGCONT);
	}
}

/* ------------------------------------------- process groups and sessions */

/* A process by pid for the calls below (0: the caller) (proc_tree_lock). */
static struct proc *proc_or_self(long pid)
{
	if (pid == 0)
		return current()->tg->leader;
	if (pid < 0 || pid > 0x7fffffff)
		return NULL;
	return proc_find(pid);
}

/* Put every thread of p's process in group pgid of session sid (proc_tree_lock). */
static void set_ids(struct proc *p, int pgid, int sid)
{
	struct list_node *n;

	p->pgid = pgid;		/* the leader may have exited, its zombie stays */
	p->sid = sid;
	list_for_each(n, &p->tg->threads) {
		struct proc *t = list_entry(n, struct proc, tg_link);

		t->pgid = pgid;
		t->sid = sid;
	}
}

/*
 * setpgid: move the caller or one of its children (same session, not a
 * session leader) into group pgid (0: its own pid), which must exist in
 * the session unless it is the process's own pid. Returns 0, -EINVAL,
 * -ESRCH, -EPERM or -EACCES (a child that has exec'd), as Linux.
 */
static long sys_setpgid(long pid, long pgid)
{
	struct proc *self = current()->tg->leader, *p;
	struct group_find g;
	unsigned long flags;
	long err = 0;

	if (pgid < 0 || pgid > 0x7fffffff)
		return -EINVAL;
	flags = spin_lock_irqsave(&proc_tree_lock);
	p = proc_or_self(pid);
	if (!p || (p != self && p->parent != self) || !p->tg->live) {
		err = -ESRCH;
		goto out;
	}
	if (!pgid)
		pgid = p->pid;
	g = (struct group_find) { pgid, self->sid };
	if (p != self && p->sid == self->sid && p->execed)
		err = -EACCES;
	else if (p->sid != self->sid || p->sid == p->pid)
		err = -EPERM;
	else if (pgid != p->pid && !proc_for_each_locked(is_member, &g))
		err = -EPERM;
	else
		set_ids(p, pgid, p->sid);
out:
	spin_unlock_irqrestore(&proc_tree_lock, flags);
	return err;
}

/* getpgid and getsid: of pid (0: the caller); -ESRCH if there is none. */
static long get_ids(long pid, bool session)
{
	unsigned long flags = spin_lock_irqsave(&proc_tree_lock);
	struct proc *p = proc_or_self(pid);
	long ret = !p ? -ESRCH : session ? p->sid : p->pgid;

	spin_unlock_irqrestore(&proc_tree_lock, flags);
	return ret;
}

static long sys_getpgid(long pid)
{
	return get_ids(pid, false);
}

static long sys_getsid(long pid)
{
	return get_ids(pid, true);
}

/*
 * setsid: the caller leads a new session and a new group, with no
 * controlling terminal. Returns the new session id, or -EPERM if the
 * caller already leads a group (some process has its pid as group).
 */
static long sys_setsid(void)
{
	struct proc *self = current()->tg->leader;
	struct group_find g = { self->pid, 0 };
	unsigned long flags = spin_lock_irqsave(&proc_tree_lock);
	long ret = self->pid;

	if (proc_for_each_locked(is_member, &g))
		ret = -EPERM;
	else
		set_ids(self, self->pid, self->pid);
	spin_unlock_irqrestore(&proc_tree_lock, flags);
	return ret;
}

void syscalls_jobctl(syscall_fn *t)
{
	SYSCALL(t, setpgid);
	SYSCALL(t, getpgid);
	SYSCALL(t, getsid);
	SYSCALL(t, setsid);
}
