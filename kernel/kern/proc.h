/*
 * Threads and processes. A struct proc is one thread: what the scheduler
 * runs, with its own kernel stack (guard page below), trap frame, floating
 * point, thread id, signal mask, pending signals and alternate stack. The
 * threads of one process share a struct tgroup (kern/thread.h: the signal
 * actions, the process-wide pending signals, the group's exit) and, by
 * reference, the address space and open files. p->pid is the process id
 * (the thread group's, Linux's tgid) in every thread; p->tid is the
 * thread's own (the leader's tid is its pid). A process with one thread is
 * what Kilburn had before threads. See docs/threads.md.
 *
 * Locks:
 *   sched_lock (sched.c)  - state, run_link, wq, on every proc
 *   proc_tree_lock        - parent, children, sibling, exit_status, the tid table
 *   p->tg->sig_lock       - the signal state (kern/signal.h)
 *   the thread itself     - everything else is touched only by the thread
 *                           (or by its parent once it is a zombie)
 */
#ifndef KILBURN_PROC_H
#define KILBURN_PROC_H

#include "env.h"
#include "list.h"
#include "arch/riscv/context.h"
#include "arch/riscv/cpu.h"
#include "kern/cred.h"
#include "kern/signal.h"
#include "kern/waitq.h"

#define PROC_NAME_MAX	16
#define PROC_PATH_MAX	256	/* of exe, which is truncated to fit */

enum proc_state {
	PROC_EMBRYO,		/* being created */
	PROC_RUNNABLE,		/* on the run queue */
	PROC_RUNNING,		/* on a hart */
	PROC_SLEEPING,		/* on a wait queue */
	PROC_ZOMBIE,		/* exited, waiting for its parent's wait() */
};

struct vmspace;
struct tgroup;
struct files;
struct vnode;
struct fs_context;
struct trapframe;

struct proc {
	/* scheduler (sched_lock) */
	enum proc_state state;
	struct list_node run_link;	/* run queue or wait queue */
	struct waitq *wq;		/* the queue it sleeps on */
	struct context ctx;		/* kernel registers while switched out */
	struct fpu_state fpu;		/* user floating point while switched out */
	uint64_t cpus_allowed;		/* cpu indices it may run on (affinity) */

	/* identity: fixed once created (exec from a thread changes tid) */
	int pid;			/* the process's: the thread group id */
	int tid;			/* the thread's own; == pid in the leader */
	struct tgroup *tg;		/* the process it is a thread of */
	struct list_node tg_link;	/* in tg->threads (proc_tree_lock + sig_lock) */
	char name[PROC_NAME_MAX];	/* the program's base name */
	vaddr_t kstack_top;
	struct trapframe *tf;		/* user registers, at the top of the kstack */
	bool kthread;			/* runs only in the kernel (kern/kthread.h) */

	/* family (proc_tree_lock) */
	struct proc *parent;
	struct list_node children;
	struct list_node sibling;	/* in the parent's children */
	struct list_node hash_link;	/* in the tid table */
	int exit_status;		/* wait status, Linux encoding */
	struct waitq child_exit;	/* wait4 sleeps here */

	/*
	 * signals (kern/signal.h): bit (sig - 1) of a set stands for sig.
	 * The actions and the process-wide pending set are in tg.
	 */
	uint64_t sig_pending;		/* tg->sig_lock; read atomically without it:
					   sent to this thread (tkill, faults) */
	struct ksiginfo sig_info[NSIG];	/* tg->sig_lock: of each pending signal */
	struct list_node sig_queue;	/* tg->sig_lock: queued real-time ones */
	uint64_t sig_blocked;		/* the thread's own */
	uint64_t sig_real_blocked;	/* its mask while sigtimedwait lowers it */
	uint64_t sig_saved_mask;	/* restored after a handler when ... */
	bool sig_restore_mask;		/* ... this is set (sigsuspend) */
	struct kstack sig_altstack;	/* the process's own */

	/*
	 * job control (kern/jobctl.c): of the leader, which stands for the
	 * process, but pgid and sid, kept the same in every thread; a
	 * process's stop is its group's (tg->stopped)
	 */
	int exit_signal;		/* sent to the parent at exit (clone's CSIGNAL) */
	int wait_report;		/* proc_tree_lock: a stop or continue status
					   for the parent's wait4, or 0 */
	bool autoreap;			/* proc_tree_lock: freed once off its stack,
					   never waited for (SIGCHLD ignored) */
	int pgid, sid;			/* proc_tree_lock: process group, session */
	struct proc *vfork_parent;	/* sleeps until this child execs or exits */
	struct proc_timers *timers;	/* kern/timers.c, the leader's; NULL until first used */
	uint64_t restart_deadline;	/* restart_syscall: an interrupted sleep's end */
	uint64_t restart_urem;		/* ... and where its remaining time goes */
	bool vfork_done;		/* proc_tree_lock: of the vfork parent */
	bool execed;			/* proc_tree_lock: has exec'd since its fork
					   (Linux's !PF_FORKNOEXEC; setpgid) */

	/* owned by the process */
	struct cred cred;		/* who it is (kern/cred.h) */
	struct vmspace *vm;
	struct files *files;
	struct fs_context *fs;		/* cwd and umask, shared under CLONE_FS (kern/fsctx.h) */
	char exe[PROC_PATH_MAX];	/* path of the program (/proc/self/exe) */
	uint64_t vdso;			/* where the [vdso] page is (exec) */
	uint64_t clear_child_tid;	/* user address, CLONE_CHILD_CLEARTID */
	uint64_t set_child_tid;		/* user address, CLONE_CHILD_SETTID */
	uint64_t robust_list;		/* user address, set_robust_list */
	uint64_t start_ns;		/* since boot, when it was forked */
	uint64_t user_ticks, system_ticks;	/* timer ticks that found it running */
	/* faults of the address spaces it has left (exec, exit) (proc_tree_lock) */
	uint64_t min_flt, maj_flt;
	/* usage of its reaped children, and of theirs (its own wait4) */
	uint64_t cmin_flt, cmaj_flt, cuser_ticks, csystem_ticks;
};

/* What a process has used, for /proc/<pid>/stat and getrusage. */
struct proc_usage {
	uint64_t min_flt, maj_flt;
	uint64_t user_ticks, system_ticks;
};

extern struct spinlock proc_tree_lock;

/* The process running on this hart, or NULL (boot, idle). */
static inline struct proc *current(void)
{
	return this_cpu()->proc;
}

void proc_init(void);

/*
 * proc_alloc - a new process (one thread, the leader of a new thread
 * group) in state EMBRYO with a pid, a kernel stack and its trap frame at
 * the top of it, and no address space, files or parent. Returns NULL if
 * out of memory.
 */
struct proc *proc_alloc(void);

/*
 * proc_alloc_thread - the same, a new thread of the process of `of`: its
 * own tid, the same pid and thread group (not yet on its thread list).
 */
struct proc *proc_alloc_thread(struct proc *of);

/* Free a process that never ran, or a reaped zombie. */
void proc_free(struct proc *p);

/*
 * Look up a live or zombie process by pid (proc_tree_lock held): its
 * leader thread. NULL if there is none, as for every pid <= 0.
 */
struct proc *proc_find(int pid);

/* Look up any thread by tid (proc_tree_lock held); NULL if none. */
struct proc *thread_find(int tid);

/*
 * Give p another tid, 0 for none (proc_tree_lock held): exec from a thread
 * makes it the leader, with the pid as its tid, and the old leader none.
 */
void proc_set_tid(struct proc *p, int tid);

/* Is p the leader of its thread group (the thread that stands for it)? */
static inline bool proc_is_leader(const struct proc *p)
{
	return p->tid == p->pid;
}

/* Number of processes that exist, zombies included. */
int proc_count(void);

/*
 * Visit every process (its leader thread) under proc_tree_lock; stop when
 * fn returns nonzero.
 */
int proc_for_each(int (*fn)(struct proc *p, void *arg), void *arg);

/* The same with proc_tree_lock already held. */
int proc_for_each_locked(int (*fn)(struct proc *p, void *arg), void *arg);

/*
 * proc_usage - the faults and ticks so far of p's process, its current
 * address space's faults included and the time of every thread, live or
 * exited (proc_tree_lock held, which keeps p and p->vm).
 */
void proc_usage(const struct proc *p, struct proc_usage *u);

/*
 * proc_thread_usage - the same, but the time of thread t alone (the
 * faults are the process's: they are counted per address space).
 */
void proc_thread_usage(const struct proc *t, struct proc_usage *u);

/* The pid given out last (/proc/loadavg). */
int proc_last_pid(void);

/* Processes created since boot (/proc/stat "processes"). */
extern uint64_t proc_forks;

/* Set p's name from a path (its last component). */
void proc_set_name(struct proc *p, const char *path);

/* The first process, pid 1, that orphans are given to. */
extern struct proc *init_proc;

#endif
