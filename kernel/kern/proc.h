/*
 * Processes. A process is one thread of control in its own address space
 * (struct vmspace), with its own kernel stack (guard page below), open
 * files, working directory, parent and children.
 *
 * Locks:
 *   sched_lock (sched.c)  - state, run_link, wq, on every proc
 *   proc_tree_lock        - parent, children, sibling, exit_status, the pid table
 *   the process itself    - everything else is touched only by the process
 *                           (or by its parent once it is a zombie)
 */
#ifndef KILBURN_PROC_H
#define KILBURN_PROC_H

#include "env.h"
#include "list.h"
#include "arch/riscv/context.h"
#include "arch/riscv/cpu.h"
#include "kern/waitq.h"

#define PROC_NAME_MAX	16
#define PROC_PATH_MAX	256

enum proc_state {
	PROC_EMBRYO,		/* being created */
	PROC_RUNNABLE,		/* on the run queue */
	PROC_RUNNING,		/* on a hart */
	PROC_SLEEPING,		/* on a wait queue */
	PROC_ZOMBIE,		/* exited, waiting for its parent's wait() */
};

struct vmspace;
struct files;
struct vnode;
struct trapframe;

struct proc {
	/* scheduler (sched_lock) */
	enum proc_state state;
	struct list_node run_link;	/* run queue or wait queue */
	struct waitq *wq;		/* the queue it sleeps on */
	struct context ctx;		/* kernel registers while switched out */
	struct fpu_state fpu;		/* user floating point while switched out */

	/* identity: fixed once created */
	int pid;
	char name[PROC_NAME_MAX];	/* the program's base name */
	vaddr_t kstack_top;
	struct trapframe *tf;		/* user registers, at the top of the kstack */

	/* family (proc_tree_lock) */
	struct proc *parent;
	struct list_node children;
	struct list_node sibling;	/* in the parent's children */
	struct list_node hash_link;	/* in the pid table */
	int exit_status;		/* wait status, Linux encoding */
	struct waitq child_exit;	/* wait4 sleeps here */

	/* signals: bit (sig - 1) set when pending (atomic) / ignored */
	uint64_t sig_pending;
	uint64_t sig_ignored;
	uint64_t sig_blocked;		/* rt_sigprocmask */

	/* owned by the process */
	struct vmspace *vm;
	struct files *files;
	struct vnode *cwd;
	char cwd_path[PROC_PATH_MAX];	/* absolute, normalized */
	char exe[PROC_PATH_MAX];	/* path of the program (/proc/self/exe) */
	uint64_t clear_child_tid;	/* user address, CLONE_CHILD_CLEARTID */
	uint64_t set_child_tid;		/* user address, CLONE_CHILD_SETTID */
	uint64_t stack_limit;		/* RLIMIT_STACK soft limit */
	uint32_t umask;			/* permission bits removed on create */
	uint64_t start_ns;
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
 * proc_alloc - a new process in state EMBRYO with a pid, a kernel stack and
 * its trap frame at the top of it, and no address space, files or parent.
 * Returns NULL if out of memory.
 */
struct proc *proc_alloc(void);

/* Free a process that never ran, or a reaped zombie. */
void proc_free(struct proc *p);

/*
 * Look up a live or zombie process by pid (proc_tree_lock held); NULL if
 * there is none, as for every pid <= 0.
 */
struct proc *proc_find(int pid);

/* Number of processes that exist, zombies included. */
int proc_count(void);

/* Visit every process under proc_tree_lock; stop when fn returns nonzero. */
int proc_for_each(int (*fn)(struct proc *p, void *arg), void *arg);

/* Set p's name from a path (its last component). */
void proc_set_name(struct proc *p, const char *path);

/* The first process, pid 1, that orphans are given to. */
extern struct proc *init_proc;

#endif
