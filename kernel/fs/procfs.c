/*
 * /proc: what a user expects from Linux, generated when a file is opened.
 * This file makes the tree; procfs_pid.c and procfs_sys.c write the files
 * (procfs_gen.h lists them).
 *
 *   /proc/{meminfo,slabinfo,swaps,uptime,loadavg,version,stat,cpuinfo,mounts,
 *          vmstat}
 *   /proc/self             symbolic link to the reader's /proc/<pid>
 *   /proc/{kpagecount,kpageflags}   a word per frame (procfs_mem.c)
 *   /proc/<pid>/{stat,statm,status,cmdline,comm,maps,smaps,smaps_rollup}
 *   /proc/<pid>/pagemap    a word per virtual page (procfs_mem.c)
 *   /proc/<pid>/pagetable  the Sv39 tree, Kilburn's own (procfs_mem.c)
 *   /proc/faulttrace       the recent faults (vm/faulttrace.h)
 *   /proc/<pid>/exe        symbolic link to the program
 *   /proc/<pid>/task/<tid>/{stat,status,comm}   each thread of the process
 *   /proc/sys/vm/drop_caches    write 1: drop clean page-cache pages; 2: unused
 *                               vnodes and empty slabs; 3: both
 *   /proc/sys/vm/max_map_count  regions a process may have (read, write)
 *   /proc/sys/vm/overcommit_memory, overcommit_ratio   vm/commit.h
 *   /proc/sys/vm/fault_trace    1: record faults in /proc/faulttrace; 0: stop
 *
 * Vnodes are made per lookup and freed with their last reference.
 */
#include "vm/pageout.h"
#include "fs/procfs.h"
#include "fs/procfs_gen.h"
#include "fs/vfs.h"
#include "kern/files.h"
#include "kern/proc.h"
#include "kern/sysv_shm.h"
#include "kern/thread.h"
#include "kern/uaccess.h"
#include "vm/commit.h"
#include "vm/faulttrace.h"
#include "vm/kmem.h"
#include "vm/reclaim.h"
#include "vm/vmspace.h"

#define PROCFS_DEV	4

enum pnode {
	P_ROOT, P_SELF, P_PIDDIR, P_SYS, P_SYSVM, P_DROP_CACHES,
	/* integer sysctls (sysctl_ints) */
	P_MAX_MAP_COUNT, P_OVERCOMMIT_MEMORY, P_OVERCOMMIT_RATIO, P_FAULT_TRACE,
	P_SYSVIPC, P_SYSVIPC_SHM,
	P_TASKDIR, P_TIDDIR,
	/* files of the system */
	P_MEMINFO, P_SLABINFO, P_SWAPS, P_UPTIME, P_LOADAVG, P_VERSION, P_STAT,
	P_CPUINFO, P_MOUNTS, P_VMSTAT, P_KPAGECOUNT, P_KPAGEFLAGS, P_FAULTTRACE,
	/* files of a process */
	P_PID_STAT, P_STATM, P_STATUS, P_CMDLINE, P_COMM, P_MAPS, P_EXE,
	P_SMAPS, P_SMAPS_ROLLUP, P_PAGEMAP, P_PAGETABLE, P_TID_STAT,
	P_KINDS
};

/* A name in a directory of /proc. */
struct pentry {
	const char *name;
	uint8_t kind;
};

static const struct pentry root_entries[] = {
	{ "self", P_SELF }, { "meminfo", P_MEMINFO }, { "sys", P_SYS },
	{ "swaps", P_SWAPS }, { "slabinfo", P_SLABINFO }, { "uptime", P_UPTIME },
	{ "loadavg", P_LOADAVG }, { "version", P_VERSION }, { "stat", P_STAT },
	{ "cpuinfo", P_CPUINFO }, { "mounts", P_MOUNTS }, { "vmstat", P_VMSTAT },
	{ "kpagecount", P_KPAGECOUNT }, { "kpageflags", P_KPAGEFLAGS },
	{ "faulttrace", P_FAULTTRACE }, { "sysvipc", P_SYSVIPC },
};

static const struct pentry pid_entries[] = {
	{ "stat", P_PID_STAT }, { "statm", P_STATM }, { "status", P_STATUS },
	{ "cmdline", P_CMDLINE }, { "comm", P_COMM }, { "maps", P_MAPS },
	{ "exe", P_EXE }, { "smaps", P_SMAPS }, { "smaps_rollup", P_SMAPS_ROLLUP },
	{ "pagemap", P_PAGEMAP }, { "pagetable", P_PAGETABLE },
	{ "task", P_TASKDIR },
};

static const struct pentry tid_entries[] = {
	{ "stat", P_TID_STAT }, { "status", P_STATUS }, { "comm", P_COMM },
};

static const struct pentry sys_entries[] = { { "vm", P_SYSVM } };

static const struct pentry sysvipc_entries[] = { { "shm", P_SYSVIPC_SHM } };

static const struct pentry sysvm_entries[] = {
	{ "drop_caches", P_DROP_CACHES }, { "max_map_count", P_MAX_MAP_COUNT },
	{ "overcommit_memory", P_OVERCOMMIT_MEMORY },
	{ "overcommit_ratio", P_OVERCOMMIT_RATIO }, { "fault_trace", P_FAULT_TRACE },
};

/* The integer files of /proc/sys/vm: the variable and the values allowed. */
struct sysctl_int {
	int *var;
	int min, max;
};

static const struct sysctl_int sysctl_ints[P_KINDS] = {
	[P_MAX_MAP_COUNT] = { &vm_max_map_count, 0, 0x7fffffff },
	[P_OVERCOMMIT_MEMORY] = { &vm_overcommit_memory, VM_OVERCOMMIT_GUESS,
				  VM_OVERCOMMIT_NEVER },
	[P_OVERCOMMIT_RATIO] = { &vm_overcommit_ratio, 0, 0x7fffffff },
	[P_FAULT_TRACE] = { &vm_fault_trace, 0, 1 },
};

/* The generators of the files, by kind (procfs_gen.h). */
static void (*const sys_gens[P_KINDS])(struct sbuf *sb) = {
	[P_MEMINFO] = procfs_gen_meminfo, [P_SLABINFO] = procfs_gen_slabinfo,
	[P_SWAPS] = procfs_gen_swaps, [P_UPTIME] = procfs_gen_uptime,
	[P_LOADAVG] = procfs_gen_loadavg, [P_VERSION] = procfs_gen_version,
	[P_STAT] = procfs_gen_stat, [P_CPUINFO] = procfs_gen_cpuinfo,
	[P_MOUNTS] = procfs_gen_mounts, [P_VMSTAT] = procfs_gen_vmstat,
	[P_FAULTTRACE] = procfs_gen_faulttrace, [P_SYSVIPC_SHM] = procfs_gen_sysvipc_shm,
};

static void (*const pid_gens[P_KINDS])(struct sbuf *sb, int pid) = {
	[P_PID_STAT] = procfs_gen_stat_pid, [P_STATM] = procfs_gen_statm,
	[P_TID_STAT] = procfs_gen_stat_tid,
	[P_STATUS] = procfs_gen_status, [P_CMDLINE] = procfs_gen_cmdline,
	[P_COMM] = procfs_gen_comm, [P_MAPS] = procfs_gen_maps,
	[P_SMAPS] = procfs_gen_smaps, [P_SMAPS_ROLLUP] = procfs_gen_smaps_rollup,
	[P_PAGETABLE] = procfs_gen_pagetable,
};

struct pinfo {
	enum pnode kind;
	int pid;
};

/* Make room for at least want bytes in sb; 0, or -ENOMEM (sb->failed). */
static int sbuf_grow(struct sbuf *sb, size_t want)
{
	size_t cap = sb->cap ? sb->cap : 4096;
	char *bigger;

	while (cap < want)
		cap *= 2;
	bigger = kmalloc(cap, 0);
	if (!bigger) {
		sb->failed = true;
		return -ENOMEM;
	}
	memcpy(bigger, sb->buf, sb->len);
	kfree(sb->buf);
	sb->buf = bigger;
	sb->cap = cap;
	return 0;
}

void sbuf_printf(struct sbuf *sb, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		if (sb->failed)
			return;
		va_start(ap, fmt);
		n = kvsnprintf(sb->buf + sb->len, sb->cap - sb->len, fmt, ap);
		va_end(ap);
		if (sb->len + n < sb->cap) {
			sb->len += n;
			return;
		}
		if (sbuf_grow(sb, sb->len + n + 1) < 0)
			return;
	}
}

void sbuf_put(struct sbuf *sb, const void *data, size_t len)
{
	if (sb->failed || (sb->len + len >= sb->cap && sbuf_grow(sb, sb->len + len + 1) < 0))
		return;
	memcpy(sb->buf + sb->len, data, len);
	sb->len += len;
}

static const struct vnode_ops procfs_ops, procfs_file_ops;
static const struct file_ops sfile_ops, sysctl_file_ops;

/* The mode of a node of this kind. */
static uint32_t pnode_mode(enum pnode kind)
{
	switch (kind) {
	case P_ROOT: case P_PIDDIR: case P_SYS: case P_SYSVM: case P_SYSVIPC:
	case P_TASKDIR: case P_TIDDIR:
		return S_IFDIR | 0555;
	case P_SELF: case P_EXE:
		return S_IFLNK | 0777;
	case P_SLABINFO: case P_PAGEMAP: case P_KPAGECOUNT: case P_KPAGEFLAGS:
	case P_PAGETABLE:
		return S_IFREG | 0400;
	case P_DROP_CACHES:
		return S_IFREG | 0200;
	case P_MAX_MAP_COUNT: case P_OVERCOMMIT_MEMORY: case P_OVERCOMMIT_RATIO:
	case P_FAULT_TRACE:
		return S_IFREG | 0644;
	default:
		return S_IFREG | 0444;
	}
}

static struct vnode *pnode_new(enum pnode kind, int pid)
{
	struct vnode *vn = kmalloc(sizeof(*vn) + sizeof(struct pinfo), KM_ZERO);
	uint32_t mode = pnode_mode(kind);
	struct pinfo *pi;

	if (!vn)
		return NULL;
	pi = (struct pinfo *)(vn + 1);
	pi->kind = kind;
	pi->pid = pid;
	vnode_init(vn, (mode & S_IFMT) == S_IFDIR ? VDIR :
		   (mode & S_IFMT) == S_IFLNK ? VLNK : VREG, mode, &procfs_ops);
	if (vn->type == VREG)
		vn->ops = &procfs_file_ops;
	vn->priv = pi;
	vn->ino = (uint64_t)pid << 8 | kind;
	vn->dev = PROCFS_DEV;
	vn->nlink = vn->type == VDIR ? 2 : 1;
	if (pid > 0)		/* /proc/<pid>: the process's (root's if it is gone) */
		procfs_pid_owner(pid, &vn->uid, &vn->gid);
	return vn;
}

static bool parse_pid(const char *s, size_t len, int *pid)
{
	int v = 0;

	if (len == 0 || len > 9)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*pid = v;
	return true;
}

static bool pid_exists(int pid)
{
	unsigned long flags = spin_lock_irqsave(&proc_tree_lock);
	bool found = proc_find(pid) != NULL;

	spin_unlock_irqrestore(&proc_tree_lock, flags);
	return found;
}

/* Is tid a live thread of process pid? */
static bool tid_in(int tid, int pid)
{
	unsigned long flags = spin_lock_irqsave(&proc_tree_lock);
	struct proc *t = thread_find(tid);
	bool found = t && t->pid == pid && t->state != PROC_ZOMBIE;

	spin_unlock_irqrestore(&proc_tree_lock, flags);
	return found;
}

static bool name_is(const char *name, size_t len, const char *want)
{
	return strlen(want) == len && memcmp(name, want, len) == 0;
}

/* The entry called name in a table of n; its kind, or -1. */
static int pentry_find(const struct pentry *t, size_t n, const char *name,
		       size_t len)
{
	for (size_t i = 0; i < n; i++)
		if (name_is(name, len, t[i].name))
			return t[i].kind;
	return -1;
}

/* The table of entries of a directory of this kind; NULL for the root's pids. */
static const struct pentry *dir_entries(enum pnode kind, size_t *n)
{
	switch (kind) {
	case P_ROOT:
		*n = ARRAY_SIZE(root_entries);
		return root_entries;
	case P_SYS:
		*n = ARRAY_SIZE(sys_entries);
		return sys_entries;
	case P_SYSVM:
		*n = ARRAY_SIZE(sysvm_entries);
		return sysvm_entries;
	case P_SYSVIPC:
		*n = ARRAY_SIZE(sysvipc_entries);
		return sysvipc_entries;
	case P_TASKDIR:
		*n = 0;
		return NULL;
	case P_TIDDIR:
		*n = ARRAY_SIZE(tid_entries);
		return tid_entries;
	default:
		*n = ARRAY_SIZE(pid_entries);
		return pid_entries;
	}
}

static int procfs_lookup(struct vnode *dir, const char *name, size_t len,
			 struct vnode **out)
{
	struct pinfo *pi = dir->priv;
	size_t n;
	const struct pentry *t = dir_entries(pi->kind, &n);
	int kind = pentry_find(t, n, name, len), pid = pi->pid;

	if (kind < 0 && pi->kind == P_ROOT && parse_pid(name, len, &pid) &&
	    pid_exists(pid))
		kind = P_PIDDIR;
	if (kind < 0 && pi->kind == P_TASKDIR && parse_pid(name, len, &pid) &&
	    tid_in(pid, pi->pid))
		kind = P_TIDDIR;
	if (kind < 0)
		return -ENOENT;
	*out = pnode_new(kind, pid);
	return *out ? 0 : -ENOMEM;
}

struct pid_list {
	int *pids;
	size_t n, cap;
};

static int collect_pid(struct proc *p, void *arg)
{
	struct pid_list *l = arg;

	if (l->n < l->cap)
		l->pids[l->n++] = p->pid;
	return 0;
}

/* Collect the tids of the threads of process pid (proc_tree_lock held). */
static void collect_tids(int pid, struct pid_list *l)
{
	struct proc *p = proc_find(pid);
	struct list_node *n;

	if (!p)
		return;
	list_for_each(n, &p->tg->threads) {
		struct proc *t = list_entry(n, struct proc, tg_link);

		if (l->n < l->cap)
			l->pids[l->n++] = t->tid;
	}
}

static int collect_all(struct pid_list *l, int pid)
{
	unsigned long flags;

	if (pid < 0) {
		proc_for_each(collect_pid, l);
		return 0;
	}
	flags = spin_lock_irqsave(&proc_tree_lock);
	collect_tids(pid, l);
	spin_unlock_irqrestore(&proc_tree_lock, flags);
	return 0;
}

static int cmp_int(int a, int b)
{
	return a < b ? -1 : a > b;
}

static uint8_t pentry_dtype(enum pnode kind)
{
	uint32_t fmt = pnode_mode(kind) & S_IFMT;

	return fmt == S_IFDIR ? DT_DIR : fmt == S_IFLNK ? DT_LNK : DT_REG;
}

static int procfs_readdir(struct vnode *dir, uint64_t *pos, struct vdirent *e)
{
	struct pinfo *pi = dir->priv;
	size_t n;
	const struct pentry *t = dir_entries(pi->kind, &n);

	if (*pos < n) {
		vdirent_set(e, (uint64_t)pi->pid << 8 | t[*pos].kind,
			    pentry_dtype(t[*pos].kind), t[*pos].name,
			    strlen(t[*pos].name));	/* short constant names */
		(*pos)++;
		return 1;
	}
	if (pi->kind != P_ROOT && pi->kind != P_TASKDIR)
		return 0;
	/* then the processes (threads), by increasing id: the next above the last */
	int last = *pos == n ? 0 : (int)(*pos >> 8);
	struct pid_list l = { .cap = proc_count() + 16 };
	enum pnode sub = pi->kind == P_ROOT ? P_PIDDIR : P_TIDDIR;
	int next = 0;

	l.pids = kmalloc(l.cap * sizeof(int), 0);
	if (!l.pids)
		return -ENOMEM;
	collect_all(&l, pi->kind == P_ROOT ? -1 : pi->pid);
	for (size_t i = 0; i < l.n; i++)
		if (cmp_int(l.pids[i], last) > 0 && (!next || l.pids[i] < next))
			next = l.pids[i];
	kfree(l.pids);
	if (!next)
		return 0;
	char name[16];

	vdirent_set(e, (uint64_t)next << 8 | sub, DT_DIR, name,
		    ksnprintf(name, sizeof(name), "%d", next));
	*pos = (uint64_t)next << 8;
	return 1;
}

static long procfs_readlink(struct vnode *vn, char *buf, size_t len)
{
	struct pinfo *pi = vn->priv;
	char tmp[PROC_PATH_MAX];
	size_t n;

	if (pi->kind == P_SELF) {
		ksnprintf(tmp, sizeof(tmp), "%d", current()->pid);
	} else {
		unsigned long flags = spin_lock_irqsave(&proc_tree_lock);
		struct proc *p = proc_find(pi->pid);

		if (p)
			strlcpy(tmp, p->exe, sizeof(tmp));
		spin_unlock_irqrestore(&proc_tree_lock, flags);
		if (!p)
			return -ENOENT;
	}
	n = MIN(strlen(tmp), len);
	memcpy(buf, tmp, n);
	return n;
}

static long sfile_read(struct file *f, uint64_t ubuf, size_t len)
{
	struct sbuf *sb = f->priv;
	long n;

	mutex_lock(&f->pos_lock);
	n = f->off < sb->len ? (long)MIN(len, sb->len - f->off) : 0;
	if (n && copy_to_user(ubuf, sb->buf + f->off, n))
		n = -EFAULT;
	else
		f->off += n;
	mutex_unlock(&f->pos_lock);
	return n;
}

static void sfile_release(struct file *f)
{
	struct sbuf *sb = f->priv;

	kfree(sb->buf);
	kfree(sb);
}

static const struct file_ops sfile_ops = {
	.read = sfile_read,
	.release = sfile_release,
};

/*
 * Parse a sysctl integer as Linux's proc_dointvec does: optional blanks, an
 * optional '-', decimal digits, then only blanks or a newline. Returns 0 or
 * -EINVAL.
 */
static int sysctl_parse(const char *s, size_t len, long *out)
{
	size_t i = 0;
	bool neg = false, digits = false;
	long v = 0;

	while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n'))
		i++;
	if (i < len && s[i] == '-')
		neg = true, i++;
	for (; i < len && s[i] >= '0' && s[i] <= '9'; i++, digits = true) {
		if (v > (0x7fffffff - (s[i] - '0')) / 10)
			return -EINVAL;
		v = v * 10 + (s[i] - '0');
	}
	while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n'))
		i++;
	if (!digits || i != len)
		return -EINVAL;
	*out = neg ? -v : v;
	return 0;
}

/* Write to a /proc/sys file: one integer, acted on at once. */
static long sysctl_write(struct file *f, uint64_t ubuf, size_t len)
{
	struct pinfo *pi = f->vn->priv;
	char tmp[24];		/* Linux: longer input is not an integer */
	long v;

	if (len == 0)
		return 0;
	if (len >= sizeof(tmp))
		return -EINVAL;
	if (copy_from_user(tmp, ubuf, len))
		return -EFAULT;
	if (sysctl_parse(tmp, len, &v) < 0)
		return -EINVAL;
	if (pi->kind == P_DROP_CACHES) {
		if (v < 1 || v > 4)
			return -EINVAL;
		if (v & 1)
			vfs_drop_caches(UINT64_MAX);
		pageout_trim_pv();	/* as empty slab pages: unused pv chunks */
		if (v & 2) {
			vfs_drop_vnodes();
			kmem_reclaim();
		}
	} else {
		const struct sysctl_int *si = &sysctl_ints[pi->kind];

		if (v < si->min || v > si->max)
			return -EINVAL;
		WRITE_ONCE(*si->var, v);
	}
	return len;
}

static const struct file_ops sysctl_file_ops = {
	.read = sfile_read,
	.write = sysctl_write,
	.release = sfile_release,
};

/* May flags open vn, by its permission bits for the owner? */
static int procfs_may_open(struct vnode *vn, unsigned int flags)
{
	unsigned int acc = flags & O_ACCMODE;

	if (acc != O_WRONLY && !(vn->mode & 0400))
		return -EACCES;
	if (acc != O_RDONLY && !(vn->mode & 0200))
		return -EACCES;
	return 0;
}

/* Open a file of 64-bit words (procfs_mem.c): pagemap, kpagecount, kpageflags. */
static int words_open(struct vnode *vn, unsigned int flags, struct file **out)
{
	struct pinfo *pi = vn->priv;
	struct words_file *wf = kmalloc(sizeof(*wf), KM_ZERO);
	struct file *f;

	if (!wf)
		return -ENOMEM;
	wf->kind = pi->kind == P_PAGEMAP ? WORDS_PAGEMAP :
		   pi->kind == P_KPAGECOUNT ? WORDS_KPAGECOUNT : WORDS_KPAGEFLAGS;
	if (pi->kind == P_PAGEMAP && !(wf->vm = procfs_pid_vm(pi->pid))) {
		kfree(wf);
		return -ESRCH;		/* gone, or a zombie */
	}
	f = file_alloc(&procfs_words_ops, flags);
	if (!f) {
		if (wf->vm)
			vmspace_put(wf->vm);
		kfree(wf);
		return -ENOMEM;
	}
	f->priv = wf;
	f->seekable = true;
	vnode_get(vn);
	f->vn = vn;
	*out = f;
	return 0;
}

static int procfs_open(struct vnode *vn, unsigned int flags, struct file **out)
{
	struct pinfo *pi = vn->priv;
	const struct file_ops *ops = &sfile_ops;
	struct sbuf *sb;
	struct file *f;
	int err = procfs_may_open(vn, flags);

	if (!err && (pi->kind == P_PAGEMAP || pi->kind == P_PAGETABLE))
		err = procfs_may_inspect(pi->pid);
	if (err)
		return err;
	if (pi->kind == P_PAGEMAP || pi->kind == P_KPAGECOUNT || pi->kind == P_KPAGEFLAGS)
		return words_open(vn, flags, out);
	sb = kmalloc(sizeof(*sb), KM_ZERO);
	if (!sb)
		return -ENOMEM;
	if (pi->kind == P_DROP_CACHES || sysctl_ints[pi->kind].var)
		ops = &sysctl_file_ops;
	if (sys_gens[pi->kind])
		sys_gens[pi->kind](sb);
	else if (pid_gens[pi->kind])
		pid_gens[pi->kind](sb, pi->pid);
	else if (sysctl_ints[pi->kind].var)
		sbuf_printf(sb, "%d\n", READ_ONCE(*sysctl_ints[pi->kind].var));
	f = sb->failed ? NULL : file_alloc(ops, flags);
	if (!f) {
		kfree(sb->buf);
		kfree(sb);
		return -ENOMEM;
	}
	f->priv = sb;
	f->seekable = true;
	vnode_get(vn);
	f->vn = vn;
	*out = f;
	return 0;
}

static void procfs_release(struct vnode *vn)
{
	if (((struct pinfo *)vn->priv)->kind != P_ROOT)
		kfree(vn);
}

static const struct vnode_ops procfs_ops = {
	.lookup = procfs_lookup,
	.readdir = procfs_readdir,
	.readlink = procfs_readlink,
	.release = procfs_release,
};

/* Regular files get generated contents on open. */
static const struct vnode_ops procfs_file_ops = {
	.open = procfs_open,
	.release = procfs_release,
};

int procfs_mount(const char *mountpoint)
{
	struct vnode *root = pnode_new(P_ROOT, 0);

	if (!root)
		return -ENOMEM;
	return vfs_mount(mountpoint, root, "proc proc rw");
}
