/*
 * The thread table: threads come from a kmem cache (memory is the only
 * limit) and are found by tid through a hash table; a process is found as
 * its leader thread, whose tid is the pid. Pids and tids are one number
 * space.
 */
#include "kern/proc.h"
#include "kern/signal.h"
#include "kern/thread.h"
#include "arch/riscv/trap.h"
#include "kern/kstack.h"
#include "vm/kmem.h"
#include "vm/vmspace.h"

#define PID_HASH	256
#define PID_MAX		4194304		/* as Linux's pid_max */

struct spinlock proc_tree_lock = SPINLOCK_INIT("proc tree");
struct proc *init_proc;

static struct kmem_cache *proc_cache;
static struct list_node pid_hash[PID_HASH];
static int next_pid = 1;
static int last_pid;
static int nprocs;
uint64_t proc_forks;

void proc_init(void)
{
	proc_cache = kmem_cache_create("proc", sizeof(struct proc), 16);
	if (!proc_cache)
		panic("proc_init: out of memory");
	kstack_init();
	for (int i = 0; i < PID_HASH; i++)
		list_init(&pid_hash[i]);
}

struct proc *thread_find(int tid)
{
	struct list_node *n;

	if (tid <= 0)
		return NULL;	/* and a negative tid would index before the table */
	list_for_each(n, &pid_hash[tid % PID_HASH]) {
		struct proc *p = list_entry(n, struct proc, hash_link);

		if (p->tid == tid)
			return p;
	}
	return NULL;
}

struct proc *proc_find(int pid)
{
	struct proc *p = thread_find(pid);

	return p && proc_is_leader(p) ? p : NULL;
}

/* The next free pid or tid (proc_tree_lock held). */
static int pid_alloc(void)
{
	for (;;) {
		int pid = next_pid++;

		if (next_pid >= PID_MAX)
			next_pid = 2;
		if (!thread_find(pid))
			return last_pid = pid;
	}
}

/* A thread with a kernel stack and trap frame, not yet in any table. */
static struct proc *proc_alloc_common(void)
{
	struct proc *p = kmem_cache_alloc(proc_cache, KM_ZERO);

	if (!p)
		return NULL;
	p->kstack_top = kstack_alloc();
	if (!p->kstack_top) {
		kmem_cache_free(proc_cache, p);
		return NULL;
	}
	p->tf = (struct trapframe *)(p->kstack_top - sizeof(struct trapframe));
	memset(p->tf, 0, sizeof(*p->tf));
	p->state = PROC_EMBRYO;
	p->cpus_allowed = ~0UL;		/* every hart; fork copies the parent's */
	list_init(&p->run_link);
	list_init(&p->children);
	list_init(&p->sibling);
	list_init(&p->tg_link);
	list_init(&p->sig_queue);
	waitq_init(&p->child_exit);
	return p;
}

/* Give p a tid (and pid, if it leads a new process) and list it. */
static void proc_register(struct proc *p, bool leader)
{
	unsigned long flags = spin_lock_irqsave(&proc_tree_lock);

	p->tid = pid_alloc();
	if (leader)
		p->pid = p->pgid = p->sid = p->tid;	/* fork gives the parent's */
	list_push(&pid_hash[p->tid % PID_HASH], &p->hash_link);
	nprocs++;
	proc_forks++;
	spin_unlock_irqrestore(&proc_tree_lock, flags);
}

struct proc *proc_alloc(void)
{
	struct proc *p = proc_alloc_common();

	if (!p)
		return NULL;
	p->tg = tgroup_create(p);
	if (!p->tg) {
		kstack_free(p->kstack_top);
		kmem_cache_free(proc_cache, p);
		return NULL;
	}
	proc_register(p, true);
	return p;
}

struct proc *proc_alloc_thread(struct proc *of)
{
	struct proc *p = proc_alloc_common();

	if (!p)
		return NULL;
	p->pid = of->pid;
	p->pgid = of->pgid;	/* kept the same in every thread (jobctl.c) */
	p->sid = of->sid;
	p->tg = of->tg;
	tgroup_get(p->tg);
	proc_register(p, false);
	return p;
}

void proc_free(struct proc *p)
{
	unsigned long flags = spin_lock_irqsave(&proc_tree_lock);

	list_remove(&p->hash_link);
	list_remove(&p->sibling);
	spin_unlock_irqrestore(&proc_tree_lock, flags);
	kstack_free(p->kstack_top);
	if (p->tg)
		signal_release_thread(p);
	tgroup_put(p->tg);
	kmem_cache_free(proc_cache, p);
	/* counted until all of it is free: a process count of one means so */
	flags = spin_lock_irqsave(&proc_tree_lock);
	nprocs--;
	spin_unlock_irqrestore(&proc_tree_lock, flags);
}

void proc_set_tid(struct proc *p, int tid)
{
	list_remove(&p->hash_link);
	p->tid = tid;
	if (tid)
		list_push(&pid_hash[tid % PID_HASH], &p->hash_link);
}

int proc_last_pid(void)
{
	return READ_ONCE(last_pid);
}

int proc_count(void)
{
	return nprocs;
}

int proc_for_each(int (*fn)(struct proc *p, void *arg), void *arg)
{
	unsigned long flags = spin_lock_irqsave(&proc_tree_lock);
	int ret = proc_for_each_locked(fn, arg);

	spin_unlock_irqrestore(&proc_tree_lock, flags);
	return ret;
}

int proc_for_each_locked(int (*fn)(struct proc *p, void *arg), void *arg)
{
	int ret = 0;

	for (int i = 0; i < PID_HASH && !ret; i++) {
		struct list_node *n;

		list_for_each(n, &pid_hash[i]) {
			struct proc *p = list_entry(n, struct proc, hash_link);

			if (!proc_is_leader(p))
				continue;
			ret = fn(p, arg);
			if (ret)
				break;
		}
	}
	return ret;
}

void proc_set_name(struct proc *p, const char *path)
{
	const char *base = path;

	for (const char *s = path; *s; s++)
		if (*s == '/' && s[1])
			base = s + 1;
	strlcpy(p->name, base, sizeof(p->name));
}

void proc_usage(const struct proc *p, struct proc_usage *u)
{
	const struct vmspace *vm = p->vm;

	u->min_flt = p->min_flt;
	u->maj_flt = p->maj_flt;
	if (vm) {		/* counted under vm->lock: a relaxed read */
		u->min_flt += __atomic_load_n(&vm->min_flt, __ATOMIC_RELAXED);
		u->maj_flt += __atomic_load_n(&vm->maj_flt, __ATOMIC_RELAXED);
	}
	tgroup_ticks(p->tg, &u->user_ticks, &u->system_ticks);
}

void proc_thread_usage(const struct proc *t, struct proc_usage *u)
{
	proc_usage(t, u);
	u->user_ticks = READ_ONCE(t->user_ticks);
	u->system_ticks = READ_ONCE(t->system_ticks);
}
