/*
 * Thread groups: what the threads of one process share (docs/threads.md).
 *
 * Every struct proc is a thread and belongs to exactly one struct tgroup,
 * made with the process (fork, init) and shared by the threads clone makes
 * with CLONE_THREAD. The group holds the signal actions, the signals sent
 * to the process as a whole, the list of its threads and how the process
 * ends. The address space and the descriptor table are shared by
 * reference (vmspace refs, files refs), not through the group.
 *
 * Locks: tg->sig_lock (irqsave) guards the signal state of the group and of
 * each of its threads (kern/signal.h). tg->threads changes under both
 * proc_tree_lock and tg->sig_lock, so either is enough to walk it.
 * live and the leader's family fields are under proc_tree_lock.
 */
#ifndef KILBURN_THREAD_H
#define KILBURN_THREAD_H

#include "env.h"
#include "list.h"
#include "kern/proc.h"
#include "kern/signal.h"

struct proc;

struct tgroup {
	int refs;			/* atomic: one per struct proc in it */
	struct proc *leader;		/* stands for the process (pid, family) */
	struct list_node threads;	/* every thread not yet exited, by tg_link */
	int live;			/* threads that have not exited (proc_tree_lock) */
	bool ended;			/* the last one has finished exiting: the
					   leader's zombie may be reaped (proc_tree_lock) */
	bool exiting;			/* a group exit is under way (sig_lock) */
	bool stopped;			/* stopped by a signal (sig_lock, kern/jobctl.c) */
	bool cont_notify;		/* SIGCONT resumed it; a thread tells the parent */
	int exit_status;		/* its wait status (sig_lock) */

	/*
	 * Resource limits, the process's: every thread sees a setrlimit of
	 * any (Linux's signal_struct). Written by prlimit64, read without a
	 * lock (word-sized).
	 */
	uint64_t stack_limit;		/* RLIMIT_STACK soft limit */
	uint64_t memlock_limit[2];	/* RLIMIT_MEMLOCK soft, hard (kern/memlock.h) */
	/* CPU time of the threads that have exited (proc_tree_lock and sig_lock) */
	uint64_t gone_user_ticks, gone_system_ticks;

	struct spinlock sig_lock;
	struct ksigaction sig_action[NSIG];	/* sig_lock */
	uint64_t sig_pending;		/* sig_lock, read atomically without it:
					   sent to the process (kill) */
	struct ksiginfo sig_info[NSIG];	/* sig_lock: of each process-wide one */
	struct list_node sig_queue;	/* sig_lock: queued real-time ones */
	int sig_queued;			/* sig_lock: entries in every queue of it */
};

/* A new group with p as its leader and only (live) thread. */
struct tgroup *tgroup_create(struct proc *p);

void tgroup_get(struct tgroup *tg);
void tgroup_put(struct tgroup *tg);

/*
 * Add the new thread t to its group (it counts as live from now on).
 * Returns 0, or -EINTR if the group is exiting (the caller is being killed).
 */
int thread_attach(struct proc *t);

/*
 * thread_exit - end the calling thread with wait_status (exit). Its
 * CLONE_CHILD_CLEARTID word is cleared and woken and its robust futexes
 * released; if it is the last thread the process ends (exit status:
 * the group exit's if one is under way, else the leader's own), else
 * only this thread goes. Never returns.
 */
void thread_exit(int wait_status) __noreturn;

/*
 * thread_group_kill - start a group exit with wait_status (the first one
 * wins): every other thread of the caller's process gets SIGKILL. The
 * caller goes on (and is expected to call thread_exit).
 */
void thread_group_kill(int wait_status);

/*
 * thread_kill_others - for exec from a thread: end every other thread of
 * the process and wait until they are gone (only the leader's zombie may
 * stay). Returns 0, or -EINTR if the caller itself was killed meanwhile.
 */
int thread_kill_others(void);

/* For thread_exit (kern/exit.c): see thread.c. */
void thread_mark_dead(struct proc *p);
void thread_others_gone(void);

/*
 * Free the threads that ended and switched away for good (scheduler,
 * no locks held).
 */
void thread_reap(void);

/*
 * Has the process p leads ended: the leader a zombie and every thread
 * gone (proc_tree_lock held)? Only then may it be reaped.
 */
static inline bool proc_ended(const struct proc *p)
{
	return p->state == PROC_ZOMBIE && p->tg->ended;
}

/*
 * tgroup_ticks - the CPU time of the whole process: its threads that have
 * exited and those still on the list (proc_tree_lock or tg->sig_lock held).
 */
void tgroup_ticks(const struct tgroup *tg, uint64_t *user, uint64_t *system);

/* Number of threads of p's process that have not exited. */
int thread_count(const struct proc *p);

#endif
