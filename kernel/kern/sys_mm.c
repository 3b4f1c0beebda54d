/*
 * Memory system calls: brk, mmap, munmap, mprotect, madvise. Argument
 * checks follow Linux: the same bad input gets the same errno.
 */
#include "arch/riscv/memlayout.h"
#include "fs/devfs.h"
#include "fs/vfs.h"
#include "kern/files.h"
#include "kern/memlock.h"
#include "kern/proc.h"
#include "kern/syscall.h"
#include "vm/amap.h"
#include "vm/truncate.h"
#include "vm/vmspace.h"
#include "vm/vobject.h"

#define PROT_MASK		(VM_PROT_READ | VM_PROT_WRITE | VM_PROT_EXEC)
#define MAP_SHARED		0x01
#define MAP_PRIVATE		0x02
#define MAP_SHARED_VALIDATE	0x03
#define MAP_TYPE		0x0f
#define MAP_FIXED		0x10
#define MAP_ANONYMOUS		0x20
#define MAP_GROWSDOWN		0x0100
#define MAP_DENYWRITE		0x0800
#define MAP_EXECUTABLE		0x1000
#define MAP_LOCKED		0x2000
#define MAP_NORESERVE		0x4000
#define MAP_POPULATE		0x8000
#define MAP_NONBLOCK		0x10000
#define MAP_STACK		0x20000
#define MAP_FIXED_NOREPLACE	0x100000
#define MAP_KNOWN		(MAP_TYPE | MAP_FIXED | MAP_ANONYMOUS | MAP_GROWSDOWN | \
				 MAP_DENYWRITE | MAP_EXECUTABLE | MAP_LOCKED | \
				 MAP_NORESERVE | MAP_POPULATE | MAP_NONBLOCK | \
				 MAP_STACK | MAP_FIXED_NOREPLACE)
#define MMAP_MIN_ADDR		PAGE_SIZE
#define MADV_NORMAL		0
#define MADV_RANDOM		1
#define MADV_SEQUENTIAL		2
#define MADV_WILLNEED		3
#define MADV_DONTNEED		4
#define MADV_FREE		8
#define MADV_REMOVE		9

static void mmap_populate(struct vmspace *vm, vaddr_t start, uint64_t len,
			  unsigned int prot);

static long sys_brk(long addr)
{
	struct vmspace *vm = current()->vm;
	vaddr_t old, new = addr;
	bool populate = false;
	long ret;

	mutex_lock(&vm->lock);
	old = vm->brk;
	ret = old;
	if (new < vm->heap_start || new >= vm->mmap_base)
		goto out;
	vaddr_t old_end = ALIGN_UP(old, PAGE_SIZE), new_end = ALIGN_UP(new, PAGE_SIZE);

	if (new_end > old_end) {
		struct region *next = vmspace_next(vm, old_end);

		if (next && next->start < new_end)
			goto out;	/* would run into a mapping */
		if ((vm->def_flags & REGION_LOCKED) &&
		    !memlock_future_ok(vm, new_end - old_end))
			goto out;	/* mlockall(MCL_FUTURE) past RLIMIT_MEMLOCK */
		if (vmspace_map(vm, old_end, new_end - old_end,
				VM_PROT_READ | VM_PROT_WRITE, VM_PROT_ALL,
				REGION_HEAP | vm->def_flags, NULL, 0, 0) < 0)
			goto out;
		populate = vm->def_populate;	/* mlockall(MCL_FUTURE) */
	} else if (new_end < old_end) {
		if (vmspace_unmap(vm, new_end, old_end) < 0)
			goto out;
	}
	vm->brk = new;
	ret = new;
out:
	mutex_unlock(&vm->lock);
	if (populate)
		mmap_populate(vm, ALIGN_UP(old, PAGE_SIZE),
			      ALIGN_UP(new, PAGE_SIZE) - ALIGN_UP(old, PAGE_SIZE),
			      VM_PROT_READ | VM_PROT_WRITE);
	return ret;
}

#define MMAP_ZERO	1	/* mmap_file: the file is /dev/zero */

/*
 * Check the file a mapping would use; returns 0 with its vnode (a
 * reference), MMAP_ZERO (with its vnode too) for /dev/zero, whose
 * mappings are anonymous memory as on Linux (private: zero-fill pages, the
 * region still naming /dev/zero; shared: one shared anonymous object), or
 * a negative errno.
 */
static long mmap_file(int fd, unsigned int prot, unsigned int type,
		      struct vnode **vn, unsigned int *maxprot)
{
	struct file *f = fd_get(fd);
	long err = 0;

	if (!f)
		return -EBADF;
	if (!f->vn || (f->vn->type != VREG && !devfs_vnode_is_zero(f->vn)))
		err = -ENODEV;
	else if ((f->flags & O_ACCMODE) == O_WRONLY)
		err = -EACCES;
	else if (type == MAP_SHARED && (prot & VM_PROT_WRITE) &&
		 (f->flags & O_ACCMODE) != O_RDWR)
		err = -EACCES;
	if (!err) {
		*maxprot = PROT_MASK;
		if (type == MAP_SHARED && (f->flags & O_ACCMODE) != O_RDWR)
			*maxprot &= ~VM_PROT_WRITE;
		*vn = f->vn;
		vnode_get(*vn);
		if (devfs_vnode_is_zero(f->vn))
			err = MMAP_ZERO;
	}
	file_put(f);
	return err;
}

/* Where a new mapping of len bytes goes, or a negative errno. */
static long mmap_place(struct vmspace *vm, vaddr_t hint, uint64_t len,
		       unsigned int flags)
{
	if (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) {
		if (hint & PAGE_MASK)
			return -EINVAL;
		if (hint > USER_TOP || len > USER_TOP - hint)
			return -ENOMEM;
		if (hint < MMAP_MIN_ADDR)
			return -EPERM;
		if (flags & MAP_FIXED_NOREPLACE) {
			struct region *r = vmspace_next(vm, hint);

			if (r && r->start < hint + len)
				return -EEXIST;
		}
		return hint;
	}
	hint = ALIGN_DOWN(hint, PAGE_SIZE);
	if (hint >= MMAP_MIN_ADDR && hint <= USER_TOP - len) {
		struct region *r = vmspace_next(vm, hint);

		if (!r || r->start >= hint + len)
			return hint;
	}
	vaddr_t at = vmspace_find_free(vm, len, MMAP_MIN_ADDR,
				       MIN(vm->mmap_base, USER_TOP));

	return at ? (long)at : -ENOMEM;
}

/* Touch every page of a new mapping (MAP_POPULATE). */
static void mmap_populate(struct vmspace *vm, vaddr_t start, uint64_t len,
			  unsigned int prot)
{
	unsigned int access = prot & VM_PROT_WRITE ? VM_PROT_WRITE : VM_PROT_READ;

	if (!(prot & PROT_MASK))
		return;
	for (vaddr_t va = start; va < start + len; va += PAGE_SIZE)
		if (vm_fault(vm, va, access) != FAULT_OK)
			break;
}

static long sys_mmap(long addr, long len, long prot, long flags, long fd,
		     long off)
{
	struct vmspace *vm = current()->vm;
	unsigned int type = flags & MAP_TYPE, maxprot = PROT_MASK, rflags = 0;
	struct vnode *vn = NULL;
	struct vobject *obj = NULL;
	uint64_t size, limit = 0;
	long at;

	if (len == 0 || (off & PAGE_MASK) || (prot & ~PROT_MASK))
		return -EINVAL;		/* a "negative" length is huge: ENOMEM below */
	if (type != MAP_SHARED && type != MAP_PRIVATE && type != MAP_SHARED_VALIDATE)
		return -EINVAL;
	if (type == MAP_SHARED_VALIDATE) {
		if (flags & ~MAP_KNOWN)
			return -EOPNOTSUPP;
		type = MAP_SHARED;
	}
	size = ALIGN_UP((uint64_t)len, PAGE_SIZE);
	if (size == 0 || size > USER_TOP)
		return -ENOMEM;
	if (!(flags & MAP_ANONYMOUS)) {
		if ((uint64_t)off + size < (uint64_t)off)
			return -EOVERFLOW;
		at = mmap_file(fd, prot, type, &vn, &maxprot);
		if (at < 0)
			return at;
		obj = &vn->obj;
		limit = UINT64_MAX;	/* the live file size decides (REGION_FILE) */
		rflags |= REGION_FILE;
		if (at == MMAP_ZERO) {	/* no file pages: every page zero-fill */
			limit = 0;
			rflags &= ~REGION_FILE;
		}
		if (at == MMAP_ZERO && type == MAP_SHARED) {
			vobject_unref(obj);
			obj = NULL;
			flags |= MAP_ANONYMOUS;
		}
	}
	if (!(flags & MAP_ANONYMOUS)) {
		/* obj and limit are set */
	} else if (type == MAP_SHARED) {
		obj = shmem_create(size);
		if (!obj)
			return -ENOMEM;
		limit = size;
		off = 0;
	}
	if (type == MAP_SHARED)
		rflags |= REGION_SHARED;
	if (flags & MAP_NORESERVE)
		rflags |= REGION_NORESERVE;
	if (flags & MAP_LOCKED)
		rflags |= REGION_LOCKED;
	mutex_lock(&vm->lock);
	if (vm->def_flags & REGION_LOCKED) {	/* mlockall(MCL_FUTURE) */
		rflags |= REGION_LOCKED;
		if (vm->def_populate)
			flags |= MAP_POPULATE;
	}
	if ((flags & MAP_LOCKED) && !memlock_allowed())
		at = -EPERM;
	else if ((rflags & REGION_LOCKED) && !memlock_future_ok(vm, size))
		at = -EAGAIN;
	else
		at = mmap_place(vm, addr, size, flags);
	if (at >= 0) {
		long err = vmspace_map(vm, at, size, prot, maxprot, rflags, obj,
				       off, limit);

		if (err)
			at = err;
	}
	mutex_unlock(&vm->lock);
	if (obj)
		vobject_unref(obj);	/* the region holds its own reference */
	if (at >= 0 && (flags & (MAP_POPULATE | MAP_LOCKED)))
		mmap_populate(vm, at, size, prot);
	return at;
}

/* Check an (addr, len) range of munmap/mprotect/madvise; 1 if empty. */
static long range_check(long addr, long len, vaddr_t *end)
{
	if (addr & PAGE_MASK)
		return -EINVAL;
	if (len < 0)
		return -EINVAL;
	*end = addr + ALIGN_UP((uint64_t)len, PAGE_SIZE);
	if (*end < (vaddr_t)addr || *end > USER_TOP)
		return -ENOMEM;
	return len == 0;
}

static long sys_munmap(long addr, long len)
{
	struct vmspace *vm = current()->vm;
	vaddr_t end;
	long err = range_check(addr, len, &end);

	if (err == -ENOMEM || err == 1)
		return -EINVAL;		/* munmap: a bad range is EINVAL */
	if (err)
		return err;
	mutex_lock(&vm->lock);
	err = vmspace_unmap(vm, addr, end);
	mutex_unlock(&vm->lock);
	return err;
}

static long sys_mprotect(long addr, long len, long prot)
{
	struct vmspace *vm = current()->vm;
	vaddr_t end;
	long err = range_check(addr, len, &end);

	if (err)
		return err == 1 ? 0 : err;
	if (prot & ~(PROT_MASK | 0x03000000))	/* PROT_GROWSDOWN/UP accepted */
		return -EINVAL;
	mutex_lock(&vm->lock);
	err = vmspace_protect(vm, addr, end, prot & PROT_MASK);
	mutex_unlock(&vm->lock);
	return err;
}

/*
 * The next part of [va, end) that MADV_WILLNEED reads ahead: a mapping of
 * a file on a disk (a read-only file system: the root image). Sets *obj
 * (with a reference), *idx and *n pages and returns where the part ends;
 * *obj NULL for a part with nothing to read. -ENOMEM for a hole. Takes
 * vm->lock.
 */
static long willneed_part(struct vmspace *vm, vaddr_t va, vaddr_t end, struct vobject **obj,
			  uint64_t *idx, uint64_t *n)
{
	struct vnode *vn;
	struct region *r;
	vaddr_t stop;

	mutex_lock(&vm->lock);
	r = vmspace_find(vm, va);
	stop = r ? MIN(r->end, end) : va;
	vn = r && r->obj ? vnode_of_object(r->obj) : NULL;
	*obj = NULL;
	if (vn && !vn->writable_fs) {
		*obj = r->obj;
		vobject_ref(*obj);
		*idx = r->obj_pgoff + ((va - r->start) >> PAGE_SHIFT);
		*n = (stop - va) >> PAGE_SHIFT;
	}
	mutex_unlock(&vm->lock);
	return r ? (long)stop : -ENOMEM;
}

/*
 * MADV_WILLNEED: read the file pages of [start, end) into the page cache
 * now (they are not mapped: the program's faults then find them), as
 * Linux's readahead does for files on a disk. Anonymous memory, tmpfs and
 * shared memory are left as they are. Returns 0, or -ENOMEM if the range
 * has a hole (after the parts before it).
 */
static long madvise_willneed(struct vmspace *vm, vaddr_t start, vaddr_t end)
{
	for (vaddr_t va = start; va < end; ) {
		struct vobject *obj;
		uint64_t idx = 0, n = 0;
		long stop = willneed_part(vm, va, end, &obj, &idx, &n);

		if (stop < 0)
			return stop;
		for (uint64_t i = 0; obj && i < n; i++) {
			struct page *pg;

			if (obj->ops->get_page(obj, idx + i, &pg) < 0)
				break;		/* past the end of the file */
			page_put(pg);
		}
		if (obj)
			vobject_unref(obj);
		va = stop;
	}
	return 0;
}

/*
 * One region's part of MADV_REMOVE, from va to *stop: its object, with a
 * reference, and the object's pages [*first, *last). Errors as Linux's
 * madvise_remove: -ENOMEM (a hole, which ends at *stop), -EINVAL (locked, or no object:
 * private anonymous memory), -EACCES (not a shared writable mapping),
 * -EOPNOTSUPP (an object that cannot have holes: a file on a disk).
 * Takes vm->lock.
 */
static long remove_part(struct vmspace *vm, vaddr_t va, vaddr_t end, vaddr_t *stop,
			struct vobject **obj, uint64_t *first, uint64_t *last)
{
	struct region *r;
	long err;

	mutex_lock(&vm->lock);
	r = vmspace_find(vm, va);
	if (!r) {		/* a hole: the caller goes on after it */
		r = vmspace_next(vm, va);
		*stop = r && r->start < end ? r->start : end;
		mutex_unlock(&vm->lock);
		return -ENOMEM;
	}
	err = (r->flags & REGION_LOCKED) || !r->obj ? -EINVAL :
	      !(r->flags & REGION_SHARED) || !(r->maxprot & VM_PROT_WRITE) ? -EACCES :
	      !r->obj->ops->punch ? -EOPNOTSUPP : 0;
	if (!err) {
		*stop = MIN(r->end, end);
		*obj = r->obj;
		vobject_ref(*obj);
		*first = r->obj_pgoff + ((va - r->start) >> PAGE_SHIFT);
		*last = *first + ((*stop - va) >> PAGE_SHIFT);
	}
	mutex_unlock(&vm->lock);
	return err;
}

/*
 * MADV_REMOVE: free the pages of [start, end) of shared memory or a tmpfs
 * file in every process that maps them (they read as zeros afterwards;
 * the file keeps its size), as Linux's punch hole. Returns 0 or an errno
 * of remove_part, vm_unmap_object_range or the object's punch.
 */
static long madvise_remove(struct vmspace *vm, vaddr_t start, vaddr_t end)
{
	long hole = 0;

	for (vaddr_t va = start, stop; va < end; va = stop) {
		struct vobject *obj;
		uint64_t first, last;
		long err = remove_part(vm, va, end, &stop, &obj, &first, &last);

		if (err == -ENOMEM) {	/* as Linux: the rest first, then ENOMEM */
			hole = err;
			continue;
		}
		if (err)
			return err;
		err = vm_unmap_object_range(obj, first, last);
		if (!err)
			err = obj->ops->punch(obj, first, last);
		vobject_unref(obj);
		if (err)
			return err;
	}
	return hole;
}

static long sys_madvise(long addr, long len, long advice)
{
	struct vmspace *vm = current()->vm;
	vaddr_t end;
	long err = range_check(addr, len, &end);

	if (err)
		return err == 1 ? 0 : err;
	switch (advice) {
	case MADV_NORMAL:
	case MADV_RANDOM:
	case MADV_SEQUENTIAL:
		return 0;
	case MADV_WILLNEED:
		return madvise_willneed(vm, addr, end);
	case MADV_REMOVE:
		return madvise_remove(vm, addr, end);
	case MADV_DONTNEED:
	case MADV_FREE:
		break;
	default:
		return -EINVAL;
	}
	mutex_lock(&vm->lock);
	err = vmspace_discard(vm, addr, end);
	mutex_unlock(&vm->lock);
	return err;
}

#define MREMAP_MAYMOVE		1
#define MREMAP_FIXED		2
#define MREMAP_DONTUNMAP	4

/*
 * After mremap to `at` (or an errno): the access to bring the pages of a
 * locked region in with, as Linux does for a locked mapping that moved or
 * grew (a moved region's pages are mapped again by faults here), or 0.
 * vm->lock held.
 */
static unsigned int remap_populate_prot(struct vmspace *vm, long at)
{
	struct region *r = at < 0 ? NULL : vmspace_find(vm, at);

	if (!r || !(r->flags & REGION_LOCKED))
		return 0;
	return r->flags & REGION_SHARED ? r->prot & ~VM_PROT_WRITE : r->prot;
}

static long sys_mremap(long old, long old_len, long new_len, long flags,
		       long new_addr)
{
	struct vmspace *vm = current()->vm;
	uint64_t old_size = ALIGN_UP((uint64_t)old_len, PAGE_SIZE);
	uint64_t new_size = ALIGN_UP((uint64_t)new_len, PAGE_SIZE);
	unsigned int prot;
	long ret;

	if ((old & PAGE_MASK) || (flags & ~(MREMAP_MAYMOVE | MREMAP_FIXED)))
		return -EINVAL;
	if ((flags & MREMAP_FIXED) &&
	    (!(flags & MREMAP_MAYMOVE) || (new_addr & PAGE_MASK)))
		return -EINVAL;
	if (new_len <= 0 || old_len <= 0 || new_size > USER_TOP ||
	    old_size > USER_TOP)
		return new_len <= 0 || old_len <= 0 ? -EINVAL : -ENOMEM;
	if ((flags & MREMAP_FIXED) &&
	    (new_addr < (long)MMAP_MIN_ADDR || new_size > USER_TOP - new_addr))
		return -EINVAL;
	mutex_lock(&vm->lock);
	ret = vmspace_remap(vm, old, old_size, new_size, flags & MREMAP_MAYMOVE,
			    flags & MREMAP_FIXED ? new_addr : 0);
	prot = remap_populate_prot(vm, ret);
	mutex_unlock(&vm->lock);
	if (prot)
		mmap_populate(vm, ret, new_size, prot);
	return ret;
}

void syscalls_mm(syscall_fn *t)
{
	SYSCALL(t, mremap);
	SYSCALL(t, brk);
	SYSCALL(t, mmap);
	SYSCALL(t, munmap);
	SYSCALL(t, mprotect);
	SYSCALL(t, madvise);
}
