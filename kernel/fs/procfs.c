/*
 * /proc: what a user expects from Linux, generated when a file is opened.
 *
 *   /proc/meminfo          memory totals (kB)
 *   /proc/slabinfo         the kernel's object caches, Linux's version 2.1 format
 *   /proc/swaps            the active swap areas (vm/swapon.h)
 *   /proc/self             symbolic link to the reader's /proc/<pid>
 *   /proc/<pid>/status     Name, State, Pid, PPid, VmSize, VmRSS, ...
 *   /proc/<pid>/maps       the regions of the address space, Linux's format
 *   /proc/<pid>/exe        symbolic link to the program
 *   /proc/sys/vm/drop_caches    write 1: drop clean page-cache pages; 2: unused
 *                               vnodes and empty slabs; 3: both
 *   /proc/sys/vm/max_map_count  regions a process may have (read, write)
 *
 * Vnodes are made per lookup and freed with their last reference.
 */
#include "fs/procfs.h"
#include "fs/vfs.h"
#include "kern/files.h"
#include "kern/proc.h"
#include "kern/uaccess.h"
#include "vm/kmem.h"
#include "vm/pmm.h"
#include "vm/reclaim.h"
#include "vm/swap_slots.h"
#include "vm/swapon.h"
#include "vm/vmspace.h"
#include "vm/vobject.h"

#define PROCFS_DEV	4
#define MAPS_PATH_COLUMN 73	/* where Linux starts the path in maps */

enum pnode {
	P_ROOT, P_SELF, P_MEMINFO, P_SLABINFO, P_PIDDIR, P_STATUS, P_MAPS, P_EXE,
	P_SYS, P_SYSVM, P_DROP_CACHES, P_MAX_MAP_COUNT, P_SWAPS,
};

struct pinfo {
	enum pnode kind;
	int pid;
};

/* A growing text buffer. */
struct sbuf {
	char *buf;
	size_t len, cap;
	bool failed;
};

static void sbuf_printf(struct sbuf *sb, const char *fmt, ...) __printf(2, 3);

static void sbuf_printf(struct sbuf *sb, const char *fmt, ...)
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
		size_t cap = sb->cap ? sb->cap * 2 : 4096;
		char *bigger = kmalloc(cap, 0);

		if (!bigger) {
			sb->failed = true;
			return;
		}
		memcpy(bigger, sb->buf, sb->len);
		kfree(sb->buf);
		sb->buf = bigger;
		sb->cap = cap;
	}
}

static const struct vnode_ops procfs_ops, procfs_file_ops;
static const struct file_ops sfile_ops, sysctl_file_ops;

static struct vnode *pnode_new(enum pnode kind, int pid)
{
	struct vnode *vn = kmalloc(sizeof(*vn) + sizeof(struct pinfo), KM_ZERO);
	struct pinfo *pi;
	static const uint32_t modes[] = {
		[P_ROOT] = S_IFDIR | 0555, [P_SELF] = S_IFLNK | 0777,
		[P_MEMINFO] = S_IFREG | 0444, [P_SLABINFO] = S_IFREG | 0400,
		[P_PIDDIR] = S_IFDIR | 0555,
		[P_STATUS] = S_IFREG | 0444, [P_MAPS] = S_IFREG | 0444,
		[P_EXE] = S_IFLNK | 0777, [P_SYS] = S_IFDIR | 0555,
		[P_SYSVM] = S_IFDIR | 0555, [P_DROP_CACHES] = S_IFREG | 0200,
		[P_MAX_MAP_COUNT] = S_IFREG | 0644, [P_SWAPS] = S_IFREG | 0444,
	};

	if (!vn)
		return NULL;
	pi = (struct pinfo *)(vn + 1);
	pi->kind = kind;
	pi->pid = pid;
	vnode_init(vn, (modes[kind] & S_IFMT) == S_IFDIR ? VDIR :
		   (modes[kind] & S_IFMT) == S_IFLNK ? VLNK : VREG,
		   modes[kind], &procfs_ops);
	if (vn->type == VREG)
		vn->ops = &procfs_file_ops;
	vn->priv = pi;
	vn->ino = (uint64_t)pid << 8 | kind;
	vn->dev = PROCFS_DEV;
	vn->nlink = vn->type == VDIR ? 2 : 1;
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

static bool name_is(const char *name, size_t len, const char *want)
{
	return strlen(want) == len && memcmp(name, want, len) == 0;
}

static int procfs_lookup(struct vnode *dir, const char *name, size_t len,
			 struct vnode **out)
{
	struct pinfo *pi = dir->priv;
	enum pnode kind;
	int pid = pi->pid;

	if (pi->kind == P_ROOT) {
		if (name_is(name, len, "self"))
			kind = P_SELF;
		else if (name_is(name, len, "meminfo"))
			kind = P_MEMINFO;
		else if (name_is(name, len, "slabinfo"))
			kind = P_SLABINFO;
		else if (name_is(name, len, "sys"))
			kind = P_SYS;
		else if (name_is(name, len, "swaps"))
			kind = P_SWAPS;
		else if (parse_pid(name, len, &pid) && pid_exists(pid))
			kind = P_PIDDIR;
		else
			return -ENOENT;
	} else if (pi->kind == P_SYS) {
		if (!name_is(name, len, "vm"))
			return -ENOENT;
		kind = P_SYSVM;
	} else if (pi->kind == P_SYSVM) {
		if (name_is(name, len, "drop_caches"))
			kind = P_DROP_CACHES;
		else if (name_is(name, len, "max_map_count"))
			kind = P_MAX_MAP_COUNT;
		else
			return -ENOENT;
	} else {
		if (name_is(name, len, "status"))
			kind = P_STATUS;
		else if (name_is(name, len, "maps"))
			kind = P_MAPS;
		else if (name_is(name, len, "exe"))
			kind = P_EXE;
		else
			return -ENOENT;
	}
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

static int cmp_int(int a, int b)
{
	return a < b ? -1 : a > b;
}

static int procfs_readdir(struct vnode *dir, uint64_t *pos, struct vdirent *e)
{
	struct pinfo *pi = dir->priv;
	static const char *const root_names[] = { "self", "meminfo", "sys", "swaps", "slabinfo" };
	static const uint8_t root_kinds[] = { P_SELF, P_MEMINFO, P_SYS, P_SWAPS, P_SLABINFO };
	static const char *const pid_names[] = { "status", "maps", "exe" };
	static const char *const sysvm_names[] = { "drop_caches", "max_map_count" };

	if (pi->kind == P_SYS || pi->kind == P_SYSVM) {
		bool vm = pi->kind == P_SYSVM;

		if (*pos >= (vm ? ARRAY_SIZE(sysvm_names) : 1))
			return 0;
		const char *name = vm ? sysvm_names[*pos] : "vm";

		vdirent_set(e, vm ? P_DROP_CACHES + *pos : P_SYSVM, vm ? DT_REG : DT_DIR,
			    name, strlen(name));
		(*pos)++;
		return 1;
	}
	if (pi->kind == P_PIDDIR) {
		if (*pos >= ARRAY_SIZE(pid_names))
			return 0;
		vdirent_set(e, (uint64_t)pi->pid << 8 | (P_STATUS + *pos),
			    *pos == 2 ? DT_LNK : DT_REG, pid_names[*pos],
			    strlen(pid_names[*pos]));	/* short constant names */
		(*pos)++;
		return 1;
	}
	if (*pos < ARRAY_SIZE(root_names)) {
		vdirent_set(e, root_kinds[*pos], *pos == 0 ? DT_LNK : *pos == 2 ? DT_DIR : DT_REG,
			    root_names[*pos], strlen(root_names[*pos]));
		(*pos)++;
		return 1;
	}
	/* then the processes, by increasing pid: the next pid above the last */
	int last = *pos == ARRAY_SIZE(root_names) ? 0 : (int)(*pos >> 8);
	struct pid_list l = { .cap = proc_count() + 16 };
	int next = 0;

	l.pids = kmalloc(l.cap * sizeof(int), 0);
	if (!l.pids)
		return -ENOMEM;
	proc_for_each(collect_pid, &l);
	for (size_t i = 0; i < l.n; i++)
		if (cmp_int(l.pids[i], last) > 0 && (!next || l.pids[i] < next))
			next = l.pids[i];
	kfree(l.pids);
	if (!next)
		return 0;
	char name[16];

	vdirent_set(e, (uint64_t)next << 8 | P_PIDDIR, DT_DIR, name,
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

static void gen_meminfo(struct sbuf *sb)
{
	kmem_reclaim();		/* empty slab pages count as free */
	uint64_t total = pmm_total_frames() * PAGE_SIZE / 1024;
	uint64_t free = pmm_free_frames() * PAGE_SIZE / 1024;
	uint64_t cached = vfs_cached_pages * PAGE_SIZE / 1024;
	uint64_t slab = kmem_slab_pages() * PAGE_SIZE / 1024;
	uint64_t swap_total, swap_free;

	swap_slots_totals(&swap_total, &swap_free);
	sbuf_printf(sb, "MemTotal:       %8lu kB\n", total);
	sbuf_printf(sb, "MemFree:        %8lu kB\n", free);
	sbuf_printf(sb, "MemAvailable:   %8lu kB\n", free);
	sbuf_printf(sb, "Cached:         %8lu kB\n", cached);
	sbuf_printf(sb, "SwapTotal:      %8lu kB\n", swap_total * (PAGE_SIZE / 1024));
	sbuf_printf(sb, "SwapFree:       %8lu kB\n", swap_free * (PAGE_SIZE / 1024));
	sbuf_printf(sb, "Slab:           %8lu kB\n", slab);
}

/* /proc/slabinfo: every object cache, in Linux's version 2.1 columns. */
static void gen_slabinfo(struct sbuf *sb)
{
	size_t n = kmem_cache_infos(NULL, 0) + 8, got;
	struct kmem_cache_info *info = kmalloc(n * sizeof(*info), 0);

	if (!info) {
		sb->failed = true;
		return;
	}
	got = MIN(kmem_cache_infos(info, n), n);
	sbuf_printf(sb, "slabinfo - version: 2.1\n");
	sbuf_printf(sb, "# name            <active_objs> <num_objs> <objsize> "
		    "<objperslab> <pagesperslab> : tunables <limit> <batchcount> "
		    "<sharedfactor> : slabdata <active_slabs> <num_slabs> "
		    "<sharedavail>\n");
	for (size_t i = 0; i < got; i++)
		sbuf_printf(sb, "%-17s %6lu %6lu %6lu %4lu %4lu : tunables %4u %4u %4u"
			    " : slabdata %6lu %6lu %6u\n", info[i].name,
			    info[i].active, info[i].total, info[i].objsize,
			    info[i].per_slab, info[i].pages_per_slab, 0, 0, 0,
			    info[i].slabs, info[i].slabs, 0);
	kfree(info);
}

static void gen_swaps(struct sbuf *sb)
{
	char *buf = kmalloc(PAGE_SIZE, 0);
	size_t n;

	if (!buf) {
		sb->failed = true;
		return;
	}
	n = swap_show(buf, PAGE_SIZE);	/* 32 areas of < 128 bytes fit */
	if (n >= PAGE_SIZE)
		sb->failed = true;
	else
		sbuf_printf(sb, "%s", buf);
	kfree(buf);
}

static const char *const state_names[] = {
	[PROC_EMBRYO] = "R (running)", [PROC_RUNNABLE] = "R (running)",
	[PROC_RUNNING] = "R (running)", [PROC_SLEEPING] = "S (sleeping)",
	[PROC_ZOMBIE] = "Z (zombie)",
};

/* What /proc shows of a process, copied under proc_tree_lock. */
struct proc_snap {
	bool found;
	char name[PROC_NAME_MAX];
	enum proc_state state;
	int ppid;
	struct vmspace *vm;	/* with a reference, or NULL */
};

static void proc_snapshot(int pid, struct proc_snap *snap)
{
	unsigned long flags = spin_lock_irqsave(&proc_tree_lock);
	struct proc *p = proc_find(pid);

	memset(snap, 0, sizeof(*snap));
	if (p) {
		snap->found = true;
		memcpy(snap->name, p->name, sizeof(snap->name));
		snap->state = p->state;
		snap->ppid = p->parent ? p->parent->pid : 0;
		snap->vm = p->vm;
		if (snap->vm)
			vmspace_get(snap->vm);
	}
	spin_unlock_irqrestore(&proc_tree_lock, flags);
}

static void gen_status(struct sbuf *sb, int pid)
{
	struct proc_snap snap;
	struct vmspace *vm;

	proc_snapshot(pid, &snap);
	if (!snap.found)
		return;
	vm = snap.vm;
	sbuf_printf(sb, "Name:\t%s\nState:\t%s\nTgid:\t%d\nPid:\t%d\nPPid:\t%d\n",
		    snap.name, state_names[snap.state], pid, pid, snap.ppid);
	if (vm) {
		mutex_lock(&vm->lock);
		sbuf_printf(sb, "VmSize:\t%8lu kB\n", vmspace_virtual_size(vm) / 1024);
		sbuf_printf(sb, "VmRSS:\t%8lu kB\n",
			    pmap_resident(vm->pmap) * PAGE_SIZE / 1024);
		mutex_unlock(&vm->lock);
		vmspace_put(vm);
	}
	sbuf_printf(sb, "Threads:\t1\n");
}

static void gen_maps(struct sbuf *sb, int pid)
{
	struct proc_snap snap;
	struct vmspace *vm;

	proc_snapshot(pid, &snap);
	vm = snap.vm;
	if (!vm)
		return;
	mutex_lock(&vm->lock);
	for (struct avl_node *n = avl_first(&vm->regions); n; n = avl_next(n)) {
		struct region *r = avl_entry(n, struct region, node);
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
	mutex_unlock(&vm->lock);
	vmspace_put(vm);
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
		if (v & 2) {
			vfs_drop_vnodes();
			kmem_reclaim();
		}
	} else {
		if (v < 0)
			return -EINVAL;
		WRITE_ONCE(vm_max_map_count, v);
	}
	return len;
}

static const struct file_ops sysctl_file_ops = {
	.read = sfile_read,
	.write = sysctl_write,
	.release = sfile_release,
};

/* May flags open vn, by its permission bits for the owner (root)? */
static int procfs_may_open(struct vnode *vn, unsigned int flags)
{
	unsigned int acc = flags & O_ACCMODE;

	if (acc != O_WRONLY && !(vn->mode & 0400))
		return -EACCES;
	if (acc != O_RDONLY && !(vn->mode & 0200))
		return -EACCES;
	return 0;
}

static int procfs_open(struct vnode *vn, unsigned int flags, struct file **out)
{
	struct pinfo *pi = vn->priv;
	const struct file_ops *ops = &sfile_ops;
	struct sbuf *sb;
	struct file *f;
	int err = procfs_may_open(vn, flags);

	if (err)
		return err;
	sb = kmalloc(sizeof(*sb), KM_ZERO);
	if (!sb)
		return -ENOMEM;
	if (pi->kind == P_DROP_CACHES || pi->kind == P_MAX_MAP_COUNT)
		ops = &sysctl_file_ops;
	if (pi->kind == P_MEMINFO)
		gen_meminfo(sb);
	else if (pi->kind == P_SLABINFO)
		gen_slabinfo(sb);
	else if (pi->kind == P_STATUS)
		gen_status(sb, pi->pid);
	else if (pi->kind == P_MAPS)
		gen_maps(sb, pi->pid);
	else if (pi->kind == P_MAX_MAP_COUNT)
		sbuf_printf(sb, "%d\n", READ_ONCE(vm_max_map_count));
	else if (pi->kind == P_SWAPS)
		gen_swaps(sb);
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
	return vfs_mount(mountpoint, root);
}
