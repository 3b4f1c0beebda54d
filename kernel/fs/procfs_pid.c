/*
 * /proc/<pid>: one process, in Linux's formats (man 5 proc).
 *
 *   stat     the 52 fields procps reads, on one line
 *   statm    sizes in pages: size resident shared text lib data dt
 *   status   the same facts by name, for people
 *   cmdline  the arguments, NUL-separated, read from the process's stack
 *   comm     the name
 *   maps     the regions of the address space
 *
 * Kilburn has no process groups or sessions yet, so a process's group and
 * session are its pid; no controlling terminals (tty_nr 0, tpgid -1); one
 * thread per process; everyone is root. Sizes and resident pages come from
 * vmspace_stats (vm/vmspace_stats.c).
 */
#include "fs/procfs_gen.h"
#include "arch/riscv/timer.h"
#include "kern/proc.h"
#include "kern/thread.h"
#include "kern/signal.h"
#include "vm/kmem.h"
#include "vm/vmspace.h"
#include "vm/vobject.h"

#define MAPS_PATH_COLUMN 73	/* where Linux starts the path in maps */
#define RLIM_INFINITY	(~0UL)
#define EXIT_SIGNAL	17	/* SIGCHLD: what a parent is sent */
#define NSEC_PER_TICK	(1000000000UL / TIMER_HZ)	/* USER_HZ is TIMER_HZ, 100 */

/* What /proc shows of a process, copied under proc_tree_lock. */
struct proc_snap {
	bool found;
	int pid, tgid, ppid, hart, threads;
	char name[PROC_NAME_MAX];
	enum proc_state state;
	int exit_status;		/* zombies */
	uint64_t start_ns;
	uint64_t sig_pending, sig_blocked, sig_ignored, sig_caught;
	uint32_t uid[4], gid[4];	/* real, effective, saved, fs */
	struct proc_usage usage;
	uint64_t cmin_flt, cmaj_flt, cuser_ticks, csystem_ticks;
	struct vmspace *vm;		/* with a reference, or NULL */
};

/* The hart p runs on, or 0 (as if it last ran on hart 0). */
static int proc_hart(const struct proc *p)
{
	for (int i = 0; i < ncpus; i++)
		if (READ_ONCE(cpus[i].proc) == p)
			return i;
	return 0;
}

static void snap_ids(struct proc_snap *s, const struct cred *c)
{
	s->uid[0] = c->uid, s->uid[1] = c->euid, s->uid[2] = c->suid, s->uid[3] = c->fsuid;
	s->gid[0] = c->gid, s->gid[1] = c->egid, s->gid[2] = c->sgid, s->gid[3] = c->fsgid;
}

/* Snapshot process (or thread) pid; its own time only if `thread`. */
static void proc_snapshot_of(int pid, struct proc_snap *s, bool thread)
{
	unsigned long flags = spin_lock_irqsave(&proc_tree_lock);
	struct proc *p = thread_find(pid);	/* the process's leader, or a thread */

	memset(s, 0, sizeof(*s));
	if (p) {
		struct proc *leader = p->tg->leader;

		s->found = true;
		s->pid = pid;
		s->tgid = p->pid;
		s->threads = p->tg->live;
		memcpy(s->name, p->name, sizeof(s->name));
		s->state = p->state;
		s->ppid = leader->parent ? leader->parent->pid : 0;
		s->hart = proc_hart(p);
		s->exit_status = p->exit_status;
		s->start_ns = p->start_ns;
		s->sig_pending = p->sig_pending | p->tg->sig_pending;
		s->sig_blocked = p->sig_blocked;
		snap_ids(s, &p->cred);
		for (int sig = 1; sig <= NSIG; sig++) {
			uint64_t h = p->tg->sig_action[sig - 1].handler, bit = 1UL << (sig - 1);

			if (h == SIG_IGN)
				s->sig_ignored |= bit;
			else if (h != SIG_DFL)
				s->sig_caught |= bit;
		}
		if (thread)
			proc_thread_usage(p, &s->usage);
		else
			proc_usage(p, &s->usage);
		s->cmin_flt = p->cmin_flt;
		s->cmaj_flt = p->cmaj_flt;
		s->cuser_ticks = p->cuser_ticks;
		s->csystem_ticks = p->csystem_ticks;
		s->vm = p->vm;
		if (s->vm)
			vmspace_get(s->vm);
	}
	spin_unlock_irqrestore(&proc_tree_lock, flags);
}

static void proc_snapshot(int pid, struct proc_snap *s)
{
	proc_snapshot_of(pid, s, false);
}

static void snap_release(struct proc_snap *s)
{
	if (s->vm)
		vmspace_put(s->vm);
}

/* s's address space's sizes and layout (zeros without one). */
static void snap_vm(struct proc_snap *s, struct vm_stats *st, struct vm_layout *lo,
		    vaddr_t *start_brk)
{
	memset(st, 0, sizeof(*st));
	memset(lo, 0, sizeof(*lo));
	*start_brk = 0;
	if (!s->vm)
		return;
	mutex_lock(&s->vm->lock);
	vmspace_stats(s->vm, st);
	*lo = s->vm->layout;
	*start_brk = s->vm->heap_start;
	mutex_unlock(&s->vm->lock);
}

static char state_letter(enum proc_state st)
{
	return st == PROC_SLEEPING ? 'S' : st == PROC_ZOMBIE ? 'Z' : 'R';
}

static const char *const state_names[] = {
	[PROC_EMBRYO] = "R (running)", [PROC_RUNNABLE] = "R (running)",
	[PROC_RUNNING] = "R (running)", [PROC_SLEEPING] = "S (sleeping)",
	[PROC_ZOMBIE] = "Z (zombie)",
};

/* Bytes of the program's text, as Linux's VmExe counts them. */
static uint64_t text_bytes(const struct vm_layout *lo)
{
	if (!lo->end_code)
		return 0;
	return ALIGN_UP(lo->end_code, PAGE_SIZE) - ALIGN_DOWN(lo->start_code, PAGE_SIZE);
}

/*
 * /proc/<pid>/stat, and /proc/<pid>/task/<tid>/stat with `thread`: fields
 * 1-52 of man 5 proc, in order; a task's utime and stime are its own.
 */
static void gen_stat(struct sbuf *sb, int pid, bool thread)
{
	struct proc_snap s;
	struct vm_stats st;
	struct vm_layout lo;
	vaddr_t start_brk;
	bool zombie;

	proc_snapshot_of(pid, &s, thread);
	if (!s.found)
		return;
	snap_vm(&s, &st, &lo, &start_brk);
	zombie = s.state == PROC_ZOMBIE;
	/* 1-9: pid comm state ppid pgrp session tty_nr tpgid flags */
	sbuf_printf(sb, "%d (%s) %c %d %d %d 0 -1 0 ", s.pid, s.name,
		    state_letter(s.state), s.ppid, s.pid, s.pid);
	/* 10-17: minflt cminflt majflt cmajflt utime stime cutime cstime */
	sbuf_printf(sb, "%lu %lu %lu %lu %lu %lu %lu %lu ", s.usage.min_flt, s.cmin_flt,
		    s.usage.maj_flt, s.cmaj_flt, s.usage.user_ticks, s.usage.system_ticks,
		    s.cuser_ticks, s.csystem_ticks);
	/* 18-25: priority nice num_threads itrealvalue starttime vsize rss rsslim */
	sbuf_printf(sb, "20 0 1 0 %lu %lu %lu %lu ", s.start_ns / NSEC_PER_TICK,
		    st.vsize, st.rss, RLIM_INFINITY);
	/* 26-35: startcode endcode startstack kstkesp kstkeip signal blocked
	   sigignore sigcatch wchan */
	sbuf_printf(sb, "%lu %lu %lu 0 0 %lu %lu %lu %lu 0 ", lo.start_code, lo.end_code,
		    lo.start_stack, s.sig_pending, s.sig_blocked, s.sig_ignored,
		    s.sig_caught);
	/* 36-44: nswap cnswap exit_signal processor rt_priority policy
	   delayacct_blkio_ticks guest_time cguest_time */
	sbuf_printf(sb, "0 0 %d %d 0 0 0 0 0 ", EXIT_SIGNAL, s.hart);
	/* 45-52: start_data end_data start_brk arg_start arg_end env_start
	   env_end exit_code */
	sbuf_printf(sb, "%lu %lu %lu %lu %lu %lu %lu %d\n", lo.start_data, lo.end_data,
		    start_brk, lo.arg_start, lo.arg_end, lo.env_start, lo.env_end,
		    zombie ? s.exit_status : 0);
	snap_release(&s);
}

void procfs_gen_stat_pid(struct sbuf *sb, int pid)
{
	gen_stat(sb, pid, false);
}

void procfs_gen_stat_tid(struct sbuf *sb, int tid)
{
	gen_stat(sb, tid, true);
}

/* /proc/<pid>/statm: size resident shared text lib data dt, in pages. */
void procfs_gen_statm(struct sbuf *sb, int pid)
{
	struct proc_snap s;
	struct vm_stats st;
	struct vm_layout lo;
	vaddr_t start_brk;

	proc_snapshot(pid, &s);
	if (!s.found)
		return;
	snap_vm(&s, &st, &lo, &start_brk);
	sbuf_printf(sb, "%lu %lu %lu %lu 0 %lu 0\n", st.vsize >> PAGE_SHIFT, st.rss,
		    st.rss_file + st.rss_shmem, text_bytes(&lo) >> PAGE_SHIFT,
		    (st.data + st.stack) >> PAGE_SHIFT);
	snap_release(&s);
}

static void status_kb(struct sbuf *sb, const char *name, uint64_t bytes)
{
	sbuf_printf(sb, "%s:\t%8lu kB\n", name, bytes >> 10);
}

/* The Vm and Rss lines of status, in Linux's order. */
static void status_memory(struct sbuf *sb, const struct vm_stats *st,
			  const struct vm_layout *lo)
{
	uint64_t text = text_bytes(lo);

	status_kb(sb, "VmPeak", st->peak_vsize);
	status_kb(sb, "VmSize", st->vsize);
	status_kb(sb, "VmLck", st->locked);
	status_kb(sb, "VmPin", 0);
	status_kb(sb, "VmHWM", st->peak_rss << PAGE_SHIFT);
	status_kb(sb, "VmRSS", st->rss << PAGE_SHIFT);
	status_kb(sb, "RssAnon", st->rss_anon << PAGE_SHIFT);
	status_kb(sb, "RssFile", st->rss_file << PAGE_SHIFT);
	status_kb(sb, "RssShmem", st->rss_shmem << PAGE_SHIFT);
	status_kb(sb, "VmData", st->data);
	status_kb(sb, "VmStk", st->stack);
	status_kb(sb, "VmExe", text);
	status_kb(sb, "VmLib", st->exec > text ? st->exec - text : 0);
	status_kb(sb, "VmPTE", st->page_tables << PAGE_SHIFT);
	status_kb(sb, "VmSwap", st->swap << PAGE_SHIFT);
}

void procfs_gen_status(struct sbuf *sb, int pid)
{
	struct proc_snap s;
	struct vm_stats st;
	struct vm_layout lo;
	vaddr_t start_brk;

	proc_snapshot(pid, &s);
	if (!s.found)
		return;
	sbuf_printf(sb, "Name:\t%s\nState:\t%s\nTgid:\t%d\nPid:\t%d\nPPid:\t%d\n"
		    "TracerPid:\t0\nUid:\t%u\t%u\t%u\t%u\nGid:\t%u\t%u\t%u\t%u\n",
		    s.name, state_names[s.state], s.tgid, pid, s.ppid,
		    s.uid[0], s.uid[1], s.uid[2], s.uid[3],
		    s.gid[0], s.gid[1], s.gid[2], s.gid[3]);
	if (s.vm) {
		snap_vm(&s, &st, &lo, &start_brk);
		status_memory(sb, &st, &lo);
	}
	sbuf_printf(sb, "Threads:\t%d\nSigPnd:\t%016lx\nSigBlk:\t%016lx\n"
		    "SigIgn:\t%016lx\nSigCgt:\t%016lx\n", s.threads, s.sig_pending,
		    s.sig_blocked, s.sig_ignored, s.sig_caught);
	snap_release(&s);
}

/*
 * /proc/<pid>/cmdline: the argument strings as they now are in the
 * process's memory (a program may rewrite them), NULs included.
 */
void procfs_gen_cmdline(struct sbuf *sb, int pid)
{
	struct proc_snap s;
	vaddr_t va, end;
	char *buf;

	proc_snapshot(pid, &s);
	if (!s.vm) {
		snap_release(&s);
		return;			/* gone, or a zombie: empty */
	}
	buf = kmalloc(PAGE_SIZE, 0);
	if (!buf) {
		sb->failed = true;
		snap_release(&s);
		return;
	}
	va = s.vm->layout.arg_start;	/* fixed since exec */
	end = s.vm->layout.arg_end;
	while (va < end) {
		size_t n = MIN(end - va, PAGE_SIZE - (va & (PAGE_SIZE - 1)));

		if (vmspace_copyin(s.vm, buf, va, n) < 0)
			break;		/* unmapped since: what was read */
		sbuf_put(sb, buf, n);
		va += n;
	}
	kfree(buf);
	snap_release(&s);
}

void procfs_gen_comm(struct sbuf *sb, int pid)
{
	struct proc_snap s;

	proc_snapshot(pid, &s);
	if (s.found)
		sbuf_printf(sb, "%s\n", s.name);
	snap_release(&s);
}

bool procfs_pid_owner(int pid, uint32_t *uid, uint32_t *gid)
{
	unsigned long flags = spin_lock_irqsave(&proc_tree_lock);
	struct proc *p = proc_find(pid);

	if (p) {
		*uid = p->cred.euid;
		*gid = p->cred.egid;
	}
	spin_unlock_irqrestore(&proc_tree_lock, flags);
	return p != NULL;
}

int procfs_may_inspect(int pid)
{
	const struct cred *me = cred_current();
	struct proc_snap s;
	bool same = true;

	if (pid == current()->pid || me->euid == 0)	/* itself; CAP_SYS_PTRACE */
		return 0;
	proc_snapshot(pid, &s);
	for (int i = 0; i < 3; i++)	/* real, effective and saved ids all the caller's */
		same &= s.uid[i] == me->fsuid && s.gid[i] == me->fsgid;
	snap_release(&s);
	return !s.found ? -ESRCH : same ? 0 : -EACCES;
}

struct vmspace *procfs_pid_vm(int pid)
{
	struct proc_snap s;

	proc_snapshot(pid, &s);
	return s.vm;		/* the snapshot's reference goes to the caller */
}

void procfs_maps_line(struct sbuf *sb, const struct region *r)
{
	const char *path = r->obj && r->obj->ops->path ? r->obj->ops->path(r->obj) : NULL;
	uint32_t dev = 0;
	uint64_t ino = 0;
	size_t start_len = sb->len;

	if (!path && (r->flags & REGION_HEAP))
		path = "[heap]";
	if (!path && (r->flags & REGION_GROWSDOWN))
		path = "[stack]";
	if (r->obj && r->obj->ops->ident)
		r->obj->ops->ident(r->obj, &dev, &ino);
	sbuf_printf(sb, "%08lx-%08lx %c%c%c%c %08lx %02x:%02x %lu",
		    r->start, r->end,
		    r->prot & VM_PROT_READ ? 'r' : '-',
		    r->prot & VM_PROT_WRITE ? 'w' : '-',
		    r->prot & VM_PROT_EXEC ? 'x' : '-',
		    r->flags & REGION_SHARED ? 's' : 'p',
		    r->obj ? r->obj_pgoff << PAGE_SHIFT : 0,
		    dev >> 8, dev & 0xff, ino);
	if (path) {		/* Linux pads the path to column 73 */
		size_t col = sb->len - start_len;

		sbuf_printf(sb, "%*s%s", col < MAPS_PATH_COLUMN ?
			    (int)(MAPS_PATH_COLUMN - col) : 1, "", path);
	}
	sbuf_printf(sb, "\n");
}

void procfs_gen_maps(struct sbuf *sb, int pid)
{
	struct proc_snap s;

	proc_snapshot(pid, &s);
	if (s.vm) {
		mutex_lock(&s.vm->lock);
		for (struct region *r = vmspace_next(s.vm, 0); r; r = r->next)
			procfs_maps_line(sb, r);
		mutex_unlock(&s.vm->lock);
	}
	snap_release(&s);
}
