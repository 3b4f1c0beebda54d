/*
 * Memory system calls beyond mapping: msync, mincore, and the locking
 * calls mlock, mlock2, munlock, mlockall, munlockall. Argument checks and
 * errnos follow Linux (mm/msync.c, mm/mincore.c, mm/mlock.c).
 *
 * A locked region carries REGION_LOCKED (vm/vmspace.h): its pages are
 * brought in when it is locked (not with MLOCK_ONFAULT / MCL_ONFAULT),
 * reclaim must leave them, and fork does not pass the lock on. After
 * mlockall(MCL_FUTURE) every new mapping is locked too (vm->def_flags).
 *
 * RLIMIT_MEMLOCK (kern/memlock.h) limits a process whose euid is not 0 as
 * Linux limits one without CAP_IPC_LOCK: with a limit of 0 it may lock
 * nothing (EPERM); mlock fails with ENOMEM when the regions locked already
 * plus the new range (less what of it is locked) pass the limit, mlockall
 * (MCL_CURRENT) when the whole address space does, and mmap(MAP_LOCKED) or
 * any mapping after mlockall(MCL_FUTURE) with EAGAIN. Root is not limited.
 */
#include "arch/riscv/memlayout.h"
#include "kern/cred.h"
#include "kern/memlock.h"
#include "kern/proc.h"
#include "kern/syscall.h"
#include "kern/thread.h"
#include "kern/uaccess.h"
#include "vm/amap.h"
#include "vm/anon.h"
#include "vm/vmspace.h"
#include "vm/vobject.h"

#define SYS_msync	227
#define SYS_mlock	228
#define SYS_munlock	229
#define SYS_mlockall	230
#define SYS_munlockall	231
#define SYS_mincore	232
#define SYS_mlock2	284

#define MS_ASYNC	1
#define MS_INVALIDATE	2
#define MS_SYNC		4

#define MCL_CURRENT	1
#define MCL_FUTURE	2
#define MCL_ONFAULT	4
#define MLOCK_ONFAULT	1

#define MINCORE_BATCH	64	/* vector bytes copied out at a time */

/*
 * Bytes of vm's REGION_LOCKED regions inside [start, end) (all of them:
 * Linux's locked_vm), or, with `locked` false, of every region there
 * (total_vm). vm->lock held.
 */
static uint64_t mapped_bytes(struct vmspace *vm, vaddr_t start, vaddr_t end, bool locked)
{
	uint64_t sum = 0;

	for (struct region *r = vmspace_next(vm, start); r && r->start < end; r = r->next)
		if (!locked || (r->flags & REGION_LOCKED))
			sum += MIN(r->end, end) - MAX(r->start, start);
	return sum;
}

/* Is the current process privileged for locking (Linux's CAP_IPC_LOCK)? */
static bool memlock_privileged(void)
{
	return cred_current()->euid == 0;
}

bool memlock_allowed(void)
{
	return current()->tg->memlock_limit[0] != 0 || memlock_privileged();
}

bool memlock_future_ok(struct vmspace *vm, uint64_t bytes)
{
	uint64_t limit = current()->tg->memlock_limit[0] >> PAGE_SHIFT;

	if (memlock_privileged())
		return true;
	return (bytes >> PAGE_SHIFT) + (mapped_bytes(vm, 0, USER_TOP, true) >> PAGE_SHIFT) <=
	       limit;
}

/*
 * May [start, end) of vm be locked under RLIMIT_MEMLOCK (Linux's
 * do_mlock)? What of it is locked already is not counted twice. Returns 0
 * or -ENOMEM. Takes vm->lock.
 */
static long mlock_limit_check(struct vmspace *vm, vaddr_t start, vaddr_t end)
{
	uint64_t limit = current()->tg->memlock_limit[0] >> PAGE_SHIFT, pages;

	if (memlock_privileged())
		return 0;
	mutex_lock(&vm->lock);
	pages = ((end - start) + mapped_bytes(vm, 0, USER_TOP, true)) >> PAGE_SHIFT;
	if (pages > limit)
		pages -= mapped_bytes(vm, start, end, true) >> PAGE_SHIFT;
	mutex_unlock(&vm->lock);
	return pages > limit ? -ENOMEM : 0;
}

/*
 * The page range of (addr, len) as mlock and munlock take it (Linux's
 * do_mlock): addr rounded down, the end rounded up. Returns 0, 1 if empty,
 * or -EINVAL if it wraps. A range past the user half is simply not
 * mapped: -ENOMEM later.
 */
static long lock_range(long addr, long len, vaddr_t *start, vaddr_t *end)
{
	uint64_t size = ALIGN_UP((uint64_t)len + ((uint64_t)addr & PAGE_MASK), PAGE_SIZE);

	*start = ALIGN_DOWN((uint64_t)addr, PAGE_SIZE);
	*end = *start + size;
	if (*end < *start)
		return -EINVAL;
	return *start == *end;
}

/*
 * Bring in every page of [start, end) that a program could touch, as
 * mlock does: writable private pages are faulted for writing (their copy
 * made now), the rest for reading; PROT_NONE regions are left. Takes
 * vm->lock (not held by the caller). Returns 0, -EAGAIN (out of memory)
 * or -ENOMEM (a page that cannot be had: unmapped, past a file's end).
 */
static long populate(struct vmspace *vm, vaddr_t start, vaddr_t end)
{
	for (vaddr_t va = start; va < end; va += PAGE_SIZE) {
		unsigned int prot, access;
		struct region *r;
		enum fault_result res;

		mutex_lock(&vm->lock);
		r = vmspace_find(vm, va);
		prot = r ? r->prot : 0;
		access = (prot & VM_PROT_WRITE) && !(r->flags & REGION_SHARED) ?
			 VM_PROT_WRITE : VM_PROT_READ;
		mutex_unlock(&vm->lock);
		if (!r)
			return -ENOMEM;
		if (!(prot & VM_PROT_ALL))
			continue;
		res = vm_fault(vm, va, access);
		if (res == FAULT_OOM)
			return -EAGAIN;
		if (res != FAULT_OK)
			return -ENOMEM;
	}
	return 0;
}

/* Lock (or unlock) [start, end) of the current address space. */
static long lock_pages(vaddr_t start, vaddr_t end, bool lock, bool fill)
{
	struct vmspace *vm = current()->vm;
	long err;

	mutex_lock(&vm->lock);
	err = vmspace_set_flags(vm, start, end, lock ? REGION_LOCKED : 0,
				lock ? 0 : REGION_LOCKED);
	if (!err && !lock)
		vmspace_mlock_pages(vm, start, end, false);
	mutex_unlock(&vm->lock);
	if (!err && lock && fill)
		err = populate(vm, start, end);
	if (!err && lock) {		/* what is resident now stays so */
		mutex_lock(&vm->lock);
		vmspace_mlock_pages(vm, start, end, true);
		mutex_unlock(&vm->lock);
	}
	return err;
}

static long sys_mlock2(long addr, long len, long flags)
{
	vaddr_t start, end;
	long err;

	if (flags & ~MLOCK_ONFAULT)
		return -EINVAL;
	if (!memlock_allowed())
		return -EPERM;
	err = lock_range(addr, len, &start, &end);
	if (err)
		return err == 1 ? 0 : err;
	err = mlock_limit_check(current()->vm, start, end);
	if (err)
		return err;
	return lock_pages(start, end, true, !(flags & MLOCK_ONFAULT));
}

static long sys_mlock(long addr, long len)
{
	return sys_mlock2(addr, len, 0);
}

static long sys_munlock(long addr, long len)
{
	vaddr_t start, end;
	long err = lock_range(addr, len, &start, &end);

	if (err)
		return err == 1 ? 0 : err;
	return lock_pages(start, end, false, false);
}

/* Set or clear REGION_LOCKED on every region of vm (vm->lock held). */
static long lock_all(struct vmspace *vm, bool lock)
{
	vaddr_t va = 0;

	for (struct region *r; (r = vmspace_next(vm, va)) != NULL; ) {
		long err;

		va = r->end;		/* r may be merged away below */
		err = vmspace_set_flags(vm, r->start, r->end, lock ? REGION_LOCKED : 0,
					lock ? 0 : REGION_LOCKED);
		if (err)
			return err;
	}
	vmspace_mlock_pages(vm, 0, USER_TOP, lock);
	return 0;
}

static long sys_mlockall(long flags)
{
	struct vmspace *vm = current()->vm;
	vaddr_t lo = 0, hi = 0;
	long err = 0;

	if (!flags || (flags & ~(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT)) ||
	    flags == MCL_ONFAULT)
		return -EINVAL;
	if (!memlock_allowed())
		return -EPERM;
	mutex_lock(&vm->lock);
	if ((flags & MCL_CURRENT) && !memlock_privileged() &&
	    mapped_bytes(vm, 0, USER_TOP, false) > current()->tg->memlock_limit[0]) {
		mutex_unlock(&vm->lock);
		return -ENOMEM;
	}
	vm->def_flags = flags & MCL_FUTURE ? REGION_LOCKED : 0;
	vm->def_populate = (flags & MCL_FUTURE) && !(flags & MCL_ONFAULT);
	if (flags & MCL_CURRENT) {
		struct region *first = vmspace_next(vm, 0);

		err = lock_all(vm, true);
		lo = first ? first->start : 0;
		for (struct region *r = first; r; r = r->next)
			hi = r->end;
	}
	mutex_unlock(&vm->lock);
	if (!err && (flags & MCL_CURRENT) && !(flags & MCL_ONFAULT)) {
		/* as Linux: what cannot be brought in is no error here */
		for (vaddr_t va = lo; va < hi; ) {
			struct region *r;
			vaddr_t stop;

			mutex_lock(&vm->lock);
			r = vmspace_next(vm, va);
			va = r ? MAX(va, r->start) : hi;
			stop = r ? r->end : hi;
			mutex_unlock(&vm->lock);
			if (r && populate(vm, va, stop) == -EAGAIN)
				return -ENOMEM;
			va = stop;
		}
	}
	return err;
}

static long sys_munlockall(void)
{
	struct vmspace *vm = current()->vm;
	long err;

	mutex_lock(&vm->lock);
	vm->def_flags = 0;
	vm->def_populate = false;
	err = lock_all(vm, false);
	mutex_unlock(&vm->lock);
	return err;
}

static long sys_msync(long addr, long len, long flags)
{
	struct vmspace *vm = current()->vm;
	vaddr_t end;
	long err = 0;

	if ((flags & ~(MS_ASYNC | MS_INVALIDATE | MS_SYNC)) || (addr & PAGE_MASK) ||
	    ((flags & MS_ASYNC) && (flags & MS_SYNC)))
		return -EINVAL;
	end = addr + ALIGN_UP((uint64_t)len, PAGE_SIZE);	/* -1 rounds to 0, as Linux */
	if (end < (vaddr_t)addr)
		return -ENOMEM;
	/*
	 * Nothing to write back: tmpfs pages live in memory, the root file
	 * system is read-only, and a MAP_SHARED store is already in the
	 * file's page cache, where read(2) sees it. What is left are the
	 * checks: every page mapped, and no MS_INVALIDATE of locked pages.
	 */
	mutex_lock(&vm->lock);
	for (vaddr_t va = addr; va < end; ) {
		struct region *r = vmspace_next(vm, va);

		if (!r || r->start >= end) {
			err = -ENOMEM;
			break;
		}
		if (r->start > va)
			err = -ENOMEM;	/* a hole: Linux goes on, then says so */
		if ((flags & MS_INVALIDATE) && (r->flags & REGION_LOCKED)) {
			err = -EBUSY;
			break;
		}
		va = r->end;
	}
	mutex_unlock(&vm->lock);
	return err;
}

/* Is the page at va of region r in memory? vm->lock held. */
static uint8_t page_resident(struct vmspace *vm, const struct region *r, vaddr_t va)
{
	uint64_t slot = (va - r->start) >> PAGE_SHIFT;
	paddr_t pa;
	unsigned int prot;

	if (pmap_extract(vm->pmap, va, &pa, &prot))
		return 1;
	if (r->amap) {
		struct anon *an = amap_lookup(r->amap, r->amap_pgoff + slot);

		if (an)
			return __atomic_load_n(&an->page, __ATOMIC_RELAXED) != NULL;
	}
	/* Linux: a file page counts if it is in the page cache, mapped or not. */
	if (r->obj && r->obj->ops->resident)
		return r->obj->ops->resident(r->obj, r->obj_pgoff + slot);
	return 0;
}

static long sys_mincore(long addr, long len, long uvec)
{
	struct vmspace *vm = current()->vm;
	uint8_t vec[MINCORE_BATCH];
	vaddr_t end;

	if (addr & PAGE_MASK)
		return -EINVAL;
	if ((uint64_t)addr > USER_TOP || (uint64_t)len > USER_TOP - addr)
		return -ENOMEM;		/* Linux: !access_ok */
	end = addr + ALIGN_UP((uint64_t)len, PAGE_SIZE);
	for (vaddr_t va = addr; va < end; ) {
		size_t n = 0;
		long err = 0;

		mutex_lock(&vm->lock);
		for (; n < MINCORE_BATCH && va < end; n++, va += PAGE_SIZE) {
			struct region *r = vmspace_find(vm, va);

			if (!r) {
				err = -ENOMEM;
				break;
			}
			vec[n] = page_resident(vm, r, va);
		}
		mutex_unlock(&vm->lock);
		if (err)
			return err;
		if (copy_to_user(uvec, vec, n))
			return -EFAULT;
		uvec += n;
	}
	return 0;
}

void syscalls_mem(syscall_fn *t)
{
	SYSCALL(t, msync);
	SYSCALL(t, mlock);
	SYSCALL(t, munlock);
	SYSCALL(t, mlockall);
	SYSCALL(t, munlockall);
	SYSCALL(t, mincore);
	SYSCALL(t, mlock2);
}
