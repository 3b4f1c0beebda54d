/*
 * System V shared memory: shmget, shmat, shmdt, shmctl (IPC_STAT, IPC_SET,
 * IPC_RMID) and /proc/sysvipc/shm, with Linux's errnos and structures
 * (asm-generic shmid64_ds).
 *
 * A segment is a vobject that attachments map (REGION_SHARED regions);
 * its pages live in a shared anonymous object (vm/shmem.c), so they are
 * swap-backed like any shared memory. References to the segment are the
 * table's (until IPC_RMID) and one per region that maps it: fork copies
 * regions and exit, exec and shmdt destroy them, so shm_nattch is simply
 * the references less the table's, counting regions as Linux counts
 * vmas. IPC_RMID drops the table's reference: the segment goes with its
 * last attachment (at once if it has none).
 *
 * Lock order: vm->lock, then shm_lock (a segment may be released under a
 * vm->lock); shmat looks the segment up and takes a reference before it
 * locks the address space.
 */
#include "arch/riscv/memlayout.h"
#include "arch/riscv/timer.h"
#include "dev/rtc.h"
#include "fs/procfs_gen.h"
#include "kern/proc.h"
#include "kern/spinlock.h"
#include "kern/syscall.h"
#include "kern/sysv_shm.h"
#include "kern/uaccess.h"
#include "lib/format.h"
#include "vm/kmem.h"
#include "vm/swapon.h"
#include "vm/vmspace.h"
#include "vm/vobject.h"

#define SYS_shmget	194
#define SYS_shmctl	195
#define SYS_shmat	196
#define SYS_shmdt	197

#define IPC_PRIVATE	0
#define IPC_CREAT	01000
#define IPC_EXCL	02000
#define IPC_RMID	0
#define IPC_SET		1
#define IPC_STAT	2
#define SHM_DEST	01000		/* in mode: removed, waiting for its last detach */
#define SHM_RDONLY	010000
#define SHM_RND		020000
#define SHM_REMAP	040000
#define SHM_EXEC	0100000
#define SHMLBA		PAGE_SIZE
#define SHMMNI		4096		/* segments at most (Linux's default) */
#define IPCMNI		32768		/* id = sequence * IPCMNI + slot, as Linux */
#define SHMMAX		(USER_TOP / 2)	/* bytes of one segment at most */

/* Linux's struct ipc64_perm and struct shmid64_ds (asm-generic, 64-bit). */
struct ipc64_perm {
	int32_t key;
	uint32_t uid, gid, cuid, cgid;
	uint32_t mode;
	uint16_t seq, pad2;
	uint64_t unused1, unused2;
};

struct shmid64_ds {
	struct ipc64_perm perm;
	uint64_t segsz;
	int64_t atime, dtime, ctime;
	int32_t cpid, lpid;
	uint64_t nattch;
	uint64_t unused4, unused5;
};

_Static_assert(sizeof(struct shmid64_ds) == 112, "Linux's shmid64_ds is 112 bytes");

struct shm_seg {
	struct vobject obj;		/* what attachments map */
	struct vobject *mem;		/* its pages: shared anonymous memory */
	int id, key;
	uint64_t size;			/* bytes asked for */
	uint32_t mode, uid, gid;	/* permission bits (and SHM_DEST) */
	int cpid, lpid;
	int64_t atime, dtime, ctime;
	bool removed;			/* IPC_RMID: the table holds no reference */
	char path[32];			/* "/SYSV<key> (deleted)" in maps */
};

static struct spinlock shm_lock = SPINLOCK_INIT("sysv shm");
static struct shm_seg *segs[SHMMNI];	/* shm_lock */
static uint16_t seqs[SHMMNI];		/* shm_lock: sequence of each slot */

static int64_t shm_now(void)
{
	return rtc_now_ns() / 1000000000;
}

static int seg_get_page(struct vobject *obj, uint64_t idx, struct page **pg)
{
	struct shm_seg *s = container_of(obj, struct shm_seg, obj);

	return s->mem->ops->get_page(s->mem, idx, pg);
}

static bool seg_resident(struct vobject *obj, uint64_t idx)
{
	struct shm_seg *s = container_of(obj, struct shm_seg, obj);

	return s->mem->ops->resident(s->mem, idx);
}

static const char *seg_path(struct vobject *obj)
{
	return container_of(obj, struct shm_seg, obj)->path;
}

static void seg_ident(struct vobject *obj, uint32_t *dev, uint64_t *ino)
{
	*dev = 0;
	*ino = container_of(obj, struct shm_seg, obj)->id;
}

/* The last reference is gone: out of the table, pages freed. */
static void seg_release(struct vobject *obj)
{
	struct shm_seg *s = container_of(obj, struct shm_seg, obj);
	unsigned long flags = spin_lock_irqsave(&shm_lock);

	if (segs[s->id % IPCMNI] == s)
		segs[s->id % IPCMNI] = NULL;
	spin_unlock_irqrestore(&shm_lock, flags);
	vobject_unref(s->mem);
	kfree(s);
}

/* The page-out side of the segment is its memory's: these pass through. */
static bool seg_on_swap(struct vobject *obj, uint64_t idx)
{
	struct shm_seg *s = container_of(obj, struct shm_seg, obj);

	return s->mem->ops->on_swap(s->mem, idx);
}

static int seg_swap_drain(struct vobject *obj, int area)
{
	struct shm_seg *s = container_of(obj, struct shm_seg, obj);

	return s->mem->ops->swap_drain(s->mem, area);
}

static int seg_punch(struct vobject *obj, uint64_t from, uint64_t to)
{
	struct shm_seg *s = container_of(obj, struct shm_seg, obj);

	return s->mem->ops->punch(s->mem, from, to);
}

static const struct vobject_ops seg_ops = {
	.get_page = seg_get_page,
	.release = seg_release,
	.path = seg_path,
	.ident = seg_ident,
	.resident = seg_resident,
	.on_swap = seg_on_swap,
	.swap_drain = seg_swap_drain,
	.punch = seg_punch,
};

/* The segment with this id, or NULL. shm_lock held. */
static struct shm_seg *seg_find(long id)
{
	struct shm_seg *s;

	if (id < 0 || id % IPCMNI >= SHMMNI)
		return NULL;
	s = segs[id % IPCMNI];
	return s && s->id == id ? s : NULL;
}

/* Attachments of s: its references less the table's. shm_lock held. */
static uint64_t seg_nattch(struct shm_seg *s)
{
	int refs = __atomic_load_n(&s->obj.refs, __ATOMIC_RELAXED);

	return refs - (s->removed ? 0 : 1);
}

/* A new segment of size bytes for key, in the table. Returns its id or an errno. */
static long seg_create(int key, uint64_t size, unsigned int flags)
{
	struct shm_seg *s;
	unsigned long irq;
	int slot;

	if (size < 1 || size > SHMMAX)
		return -EINVAL;
	s = kmalloc(sizeof(*s), KM_ZERO);
	if (!s)
		return -ENOMEM;
	s->mem = shmem_create(ALIGN_UP(size, PAGE_SIZE));
	if (!s->mem) {
		kfree(s);
		return -ENOMEM;
	}
	s->obj.ops = &seg_ops;
	s->obj.refs = 1;		/* the table's */
	s->obj.size = ALIGN_UP(size, PAGE_SIZE);
	s->key = key;
	s->size = size;
	s->mode = flags & 0777;
	s->cpid = current()->pid;
	s->ctime = shm_now();
	ksnprintf(s->path, sizeof(s->path), "/SYSV%08x (deleted)", (unsigned int)key);
	irq = spin_lock_irqsave(&shm_lock);
	for (slot = 0; slot < SHMMNI && segs[slot]; slot++)
		;
	if (slot < SHMMNI) {
		s->id = seqs[slot]++ % (INT32_MAX / IPCMNI) * IPCMNI + slot;
		segs[slot] = s;
	}
	spin_unlock_irqrestore(&shm_lock, irq);
	if (slot == SHMMNI) {
		vobject_unref(s->mem);
		kfree(s);
		return -ENOSPC;
	}
	return s->id;
}

static long sys_shmget(long key, long size, long flags)
{
	struct shm_seg *found = NULL;
	unsigned long irq;
	long ret = 0;

	if ((int)key != IPC_PRIVATE) {
		irq = spin_lock_irqsave(&shm_lock);
		for (int i = 0; i < SHMMNI && !found; i++)
			if (segs[i] && !segs[i]->removed && segs[i]->key == (int)key)
				found = segs[i];
		if (found && (flags & IPC_CREAT) && (flags & IPC_EXCL))
			ret = -EEXIST;
		else if (found && (uint64_t)size > found->size)
			ret = -EINVAL;
		else if (found)
			ret = found->id;
		else if (!(flags & IPC_CREAT))
			ret = -ENOENT;
		spin_unlock_irqrestore(&shm_lock, irq);
		if (found || ret)
			return ret;
	}
	return seg_create((int)key, (uint64_t)size, flags);
}

/* Where an attachment of len bytes goes (vm->lock held): an address or an errno. */
static long shmat_place(struct vmspace *vm, uint64_t addr, uint64_t len, long flags)
{
	struct region *r;

	if (!addr) {
		vaddr_t at = vmspace_find_free(vm, len, PAGE_SIZE, vm->mmap_base);

		return flags & SHM_REMAP ? -EINVAL : at ? (long)at : -ENOMEM;
	}
	if (flags & SHM_RND)
		addr = ALIGN_DOWN(addr, SHMLBA);
	if ((addr & (SHMLBA - 1)) || addr < PAGE_SIZE || addr > USER_TOP ||
	    len > USER_TOP - addr)
		return -EINVAL;
	r = vmspace_next(vm, addr);
	if (!(flags & SHM_REMAP) && r && r->start < addr + len)
		return -EINVAL;		/* Linux: overlaps a mapping */
	return addr;
}

static long sys_shmat(long id, long addr, long flags)
{
	struct vmspace *vm = current()->vm;
	unsigned int prot = VM_PROT_READ, maxprot = VM_PROT_READ | VM_PROT_EXEC;
	struct shm_seg *s;
	unsigned long irq = spin_lock_irqsave(&shm_lock);
	uint64_t len;
	long at;

	s = seg_find(id);
	if (s && !vobject_tryref(&s->obj))
		s = NULL;
	spin_unlock_irqrestore(&shm_lock, irq);
	if (!s)
		return -EINVAL;
	if (!(flags & SHM_RDONLY)) {
		prot |= VM_PROT_WRITE;
		maxprot |= VM_PROT_WRITE;
	}
	if (flags & SHM_EXEC)
		prot |= VM_PROT_EXEC;
	len = ALIGN_UP(s->size, PAGE_SIZE);
	mutex_lock(&vm->lock);
	at = shmat_place(vm, addr, len, flags);
	if (at >= 0) {
		long err = vmspace_map(vm, at, len, prot, maxprot, REGION_SHARED,
				       &s->obj, 0, len);

		if (err)
			at = err;
	}
	mutex_unlock(&vm->lock);
	if (at >= 0) {
		irq = spin_lock_irqsave(&shm_lock);
		s->atime = shm_now();
		s->lpid = current()->pid;
		spin_unlock_irqrestore(&shm_lock, irq);
	}
	vobject_unref(&s->obj);		/* the region holds its own */
	return at;
}

static long sys_shmdt(long addr)
{
	struct vmspace *vm = current()->vm;
	struct shm_seg *s = NULL;
	struct region *r;
	vaddr_t end;
	long err = -EINVAL;

	if (addr & PAGE_MASK)
		return -EINVAL;
	mutex_lock(&vm->lock);
	r = vmspace_find(vm, addr);
	if (r && r->start == (vaddr_t)addr && r->obj && r->obj->ops == &seg_ops &&
	    r->obj_pgoff == 0) {
		s = container_of(r->obj, struct shm_seg, obj);
		vobject_ref(&s->obj);	/* it stays while we note the detach */
		end = addr + ALIGN_UP(s->size, PAGE_SIZE);
		/* every piece of this attachment in [addr, addr + size) */
		for (vaddr_t va = addr; va < end; ) {
			r = vmspace_next(vm, va);
			if (!r || r->start >= end)
				break;
			va = r->end;
			if (r->obj == &s->obj)
				vmspace_unmap(vm, r->start, MIN(r->end, end));
		}
		err = 0;
	}
	mutex_unlock(&vm->lock);
	if (s) {
		unsigned long irq = spin_lock_irqsave(&shm_lock);

		s->dtime = shm_now();
		s->lpid = current()->pid;
		spin_unlock_irqrestore(&shm_lock, irq);
		vobject_unref(&s->obj);
	}
	return err;
}

/* IPC_STAT of s into *ds. shm_lock held. */
static void seg_stat(struct shm_seg *s, struct shmid64_ds *ds)
{
	memset(ds, 0, sizeof(*ds));
	ds->perm.key = s->key;
	ds->perm.uid = ds->perm.cuid = s->uid;
	ds->perm.gid = ds->perm.cgid = s->gid;
	ds->perm.mode = s->mode | (s->removed ? SHM_DEST : 0);
	ds->perm.seq = s->id / IPCMNI;
	ds->segsz = s->size;
	ds->atime = s->atime;
	ds->dtime = s->dtime;
	ds->ctime = s->ctime;
	ds->cpid = s->cpid;
	ds->lpid = s->lpid;
	ds->nattch = seg_nattch(s);
}

static long sys_shmctl(long id, long cmd, long ubuf)
{
	struct shmid64_ds ds;
	struct shm_seg *s;
	unsigned long irq;
	bool drop = false;
	long err = 0;

	if (cmd == IPC_SET && copy_from_user(&ds, ubuf, sizeof(ds)))
		return -EFAULT;
	if (cmd != IPC_STAT && cmd != IPC_SET && cmd != IPC_RMID)
		return -EINVAL;
	irq = spin_lock_irqsave(&shm_lock);
	s = seg_find(id);
	if (!s) {
		err = -EINVAL;
	} else if (cmd == IPC_STAT) {
		seg_stat(s, &ds);
	} else if (cmd == IPC_SET) {
		s->uid = ds.perm.uid;
		s->gid = ds.perm.gid;
		s->mode = (s->mode & ~0777) | (ds.perm.mode & 0777);
		s->ctime = shm_now();
	} else if (!s->removed) {	/* IPC_RMID */
		s->removed = true;
		s->key = IPC_PRIVATE;
		s->ctime = shm_now();
		drop = true;
	}
	spin_unlock_irqrestore(&shm_lock, irq);
	if (drop)
		vobject_unref(&s->obj);	/* the table's: gone with the last detach */
	if (!err && cmd == IPC_STAT && copy_to_user(ubuf, &ds, sizeof(ds)))
		err = -EFAULT;
	return err;
}

void procfs_gen_sysvipc_shm(struct sbuf *sb)
{
	unsigned long irq;

	sbuf_printf(sb, "       key      shmid perms                  size  cpid  lpid nattch"
		    "   uid   gid  cuid  cgid      atime      dtime      ctime"
		    "                   rss                  swap\n");
	for (int i = 0; i < SHMMNI; i++) {
		struct shmid64_ds ds;
		uint64_t rss = 0;
		bool there;

		irq = spin_lock_irqsave(&shm_lock);
		there = segs[i] != NULL;
		if (there) {
			seg_stat(segs[i], &ds);
			rss = shmem_resident_pages(segs[i]->mem) << PAGE_SHIFT;
			ds.unused4 = segs[i]->id;
		}
		spin_unlock_irqrestore(&shm_lock, irq);
		if (there)
			sbuf_printf(sb, "%10d %10d  %4o %21lu %5d %5d  %5lu %5u %5u %5u %5u "
				    "%10ld %10ld %10ld %21lu %21lu\n",
				    ds.perm.key, (int)ds.unused4, ds.perm.mode, ds.segsz,
				    ds.cpid, ds.lpid, ds.nattch, ds.perm.uid, ds.perm.gid,
				    ds.perm.cuid, ds.perm.cgid, ds.atime, ds.dtime, ds.ctime,
				    rss, 0UL);
	}
}

/*
 * swapoff's drainer (vm/swapon.h): the pages on swap area `area` of every
 * segment still in the table, attached or not (a detached segment lives
 * on until IPC_RMID). Removed segments are attached, so swapoff finds
 * them through the address spaces. Returns 0, -ENOMEM or -EIO.
 */
static int shm_swap_drain(int area)
{
	for (int i = 0; i < SHMMNI; i++) {
		unsigned long flags = spin_lock_irqsave(&shm_lock);
		struct shm_seg *s = segs[i];
		int err;

		if (s && s->removed)
			s = NULL;
		if (s)
			vobject_ref(&s->obj);	/* the table's keeps it alive */
		spin_unlock_irqrestore(&shm_lock, flags);
		if (!s)
			continue;
		err = seg_swap_drain(&s->obj, area);
		vobject_unref(&s->obj);
		if (err)
			return err;
	}
	return 0;
}

void syscalls_sysv_shm(syscall_fn *t)
{
	swap_register_drainer(shm_swap_drain);	/* once, at boot */
	SYSCALL(t, shmget);
	SYSCALL(t, shmctl);
	SYSCALL(t, shmat);
	SYSCALL(t, shmdt);
}
