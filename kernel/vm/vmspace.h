/*
 * vmspace — a process's address space: a pmap and a sorted set of regions.
 *
 * A region is [start, end) with a protection, flags, and what backs it:
 *   - a private anonymous region has only an amap (pages appear on first
 *     touch: a read maps the shared zero frame, a write a fresh zeroed one);
 *   - a private file region maps pages of a vobject read-only and copies a
 *     page into its amap on the first write (copy-on-write);
 *   - a shared region maps the vobject's pages directly.
 * Regions are split and merged by map, unmap and protect. Lookup is
 * O(log n) in the number of regions, and so is finding a free range: the
 * region tree is augmented with the largest gap between the regions of each
 * subtree. A process may have at most vm_max_map_count regions
 * (/proc/sys/vm/max_map_count, as Linux): a call that would need more fails
 * with ENOMEM.
 *
 * Locks: vm->lock (a sleeping mutex) guards the region set, every field of
 * every region, the amaps the regions hold and the fields of struct vmspace
 * marked (lock); the pmap has its own spinlock, taken inside vm->lock. The
 * lock order of the whole VM is written at the top of vm/fault.c.
 */
#ifndef KILBURN_VMSPACE_H
#define KILBURN_VMSPACE_H

#include "env.h"
#include "lib/avl.h"
#include "kern/mutex.h"
#include "vm/pmap.h"
#include "vm/swap_ra.h"
#include "vm/vmstat.h"

struct amap;
struct vobject;

/* region flags */
#define REGION_SHARED		0x01	/* writes go to the object, fork shares */
#define REGION_GROWSDOWN	0x02	/* the stack: grows on faults below it */
#define REGION_HEAP		0x04	/* the brk area */
#define REGION_FILE		0x08	/* an mmap of a file: pages wholly past the
					   file's current end raise SIGBUS */
#define REGION_ACCOUNT		0x10	/* its size is committed (vm/commit.h) */
#define REGION_NORESERVE	0x20	/* MAP_NORESERVE: not committed unless
					   overcommit_memory is 2 */
#define REGION_LOCKED		0x40	/* mlock, mlockall, MAP_LOCKED (Linux's
					   VM_LOCKED): its pages are brought in when
					   it is locked (unless MLOCK_ONFAULT) and must
					   not be reclaimed or swapped out; fork does
					   not pass it on */

/* A region; every field is guarded by its address space's vm->lock. */
struct region {
	struct avl_node node;		/* in vm->regions, by start */
	struct region *prev, *next;	/* the neighbours in address order */
	vaddr_t start, end;
	unsigned int prot;		/* VM_PROT_* */
	unsigned int maxprot;		/* what mprotect may grant */
	unsigned int flags;
	struct vobject *obj;		/* backing object, or NULL (zero fill) */
	uint64_t obj_pgoff;		/* object page mapped at start */
	uint64_t obj_limit;		/* object bytes past which the region reads zeros */
	struct amap *amap;		/* private pages, or NULL (shared regions) */
	uint64_t amap_pgoff;		/* amap slot of start */
	/* summary of this region's subtree (kept by the tree, region_augment) */
	vaddr_t sub_start, sub_end;	/* lowest start, highest end */
	uint64_t sub_gap;		/* largest gap between two of its regions */
};

/*
 * Where exec put the parts of the program (user addresses), for /proc: the
 * text and data segments, the stack pointer it started with, and the
 * argument and environment strings on the stack (/proc/<pid>/cmdline).
 */
struct vm_layout {
	vaddr_t start_code, end_code;
	vaddr_t start_data, end_data;
	vaddr_t start_stack;
	vaddr_t arg_start, arg_end, env_start, env_end;
};

struct vmspace {
	int refs;			/* atomic: the owner, /proc readers */
	struct mutex lock;
	struct pmap *pmap;		/* set at creation; its own lock inside */
	struct avl_tree regions;	/* lock */
	struct region *hint;		/* the region last found or made, or NULL:
					   lookups try it first (lock) */
	/*
	 * The free-range cache (lock), so that mmap(NULL) rarely searches the
	 * tree: while fa_below is not 0, [fa_floor, fa_top) is free, fa_top
	 * is where a region starts (or fa_below), and no free range in
	 * [fa_top, fa_below) is longer than fa_hole bytes.
	 */
	vaddr_t fa_floor, fa_top, fa_below;
	uint64_t fa_hole;
	vaddr_t heap_start, brk;	/* lock: the program break */
	vaddr_t stack_top;		/* lock */
	uint64_t stack_limit;		/* lock: RLIMIT_STACK */
	vaddr_t mmap_base;		/* lock: mmap searches down from here */
	unsigned int def_flags;		/* lock: flags of every new mapping
					   (REGION_LOCKED after mlockall(MCL_FUTURE)) */
	bool def_populate;		/* lock: and bring their pages in (not
					   with MCL_ONFAULT) */

	/*
	 * Faults resolved here (lock; /proc reads them without it): minor
	 * ones, and major ones, which read a page from a disk. The process
	 * adds them to its own when it leaves the address space (exec, exit).
	 */
	uint64_t min_flt, maj_flt;
	uint64_t peak_vsize, peak_rss;	/* VmPeak, VmHWM as last seen (lock) */
	uint64_t committed;		/* pages of REGION_ACCOUNT regions (lock) */
	struct vm_layout layout;	/* set by exec, then fixed */

	/* Swap readahead's window, by page of address (lock; vm/swap_ra.h). */
	struct swap_ra ra;
	int ra_dir;			/* 1: reading up, -1: down (read ahead; lock) */
};

/*
 * vmspace_count_fault - count one resolved fault of vm (vm->lock held): a
 * major one if it read a page from a disk, else a minor one, and the
 * system's pgfault (and pgmajfault) in vm/vmstat.h. vm_fault calls it once
 * per fault. Inline: it is on every fault's path.
 */
static inline void vmspace_count_fault(struct vmspace *vm, bool major)
{
	if (major) {
		vm->maj_flt++;
		vmstat_inc(VMSTAT_PGMAJFAULT);
	} else {
		vm->min_flt++;
	}
	vmstat_inc(VMSTAT_PGFAULT);
}

/* An address space's sizes and resident pages (vmspace_stats.c). */
struct vm_stats {
	uint64_t vsize, data, stack, exec;	/* bytes mapped, by kind */
	uint64_t locked;			/* bytes of REGION_LOCKED regions (VmLck) */
	uint64_t rss, rss_anon, rss_file, rss_shmem;	/* pages */
	uint64_t page_tables;			/* frames of the page table */
	uint64_t swap;				/* private pages on swap only */
	uint64_t peak_vsize, peak_rss;		/* bytes, pages: the largest seen */
};

/*
 * vmspace_stats - fill *st for vm (vm->lock held), walking every page of
 * every region: O(pages mapped by regions). Notes the peaks seen.
 */
void vmspace_stats(struct vmspace *vm, struct vm_stats *st);

/*
 * vmspace_copyin - copy len bytes at va in vm into the kernel at dst,
 * reading the frames through the direct map (vm need not be active);
 * pages not present are faulted in for reading. Takes vm->lock, which the
 * caller must not hold. Returns 0, -EFAULT or -ENOMEM.
 */
int vmspace_copyin(struct vmspace *vm, void *dst, vaddr_t va, size_t len);

#define VM_MAX_MAP_COUNT_DEFAULT	65530	/* Linux's DEFAULT_MAX_MAP_COUNT */
extern int vm_max_map_count;		/* regions per address space */

#define VM_STACK_LIMIT_DEFAULT	(8UL << 20)
#define VM_STACK_GUARD		(256UL << 10)	/* gap kept below the stack */

/* Set up the VM (boot, after kmem_init): caches and the shared zero frame. */
void vm_init(void);
void fault_init(void);

/* A new, empty address space; NULL if out of memory. */
struct vmspace *vmspace_create(void);

/*
 * Free an address space: every region, page and page table. It must not be
 * active on any hart. vmspace_put() does it when the last reference goes.
 */
void vmspace_destroy(struct vmspace *vm);
void vmspace_get(struct vmspace *vm);
void vmspace_put(struct vmspace *vm);

/* Make vm this hart's user address space (NULL: none). */
void vmspace_activate(struct vmspace *vm);

/*
 * vmspace_fork - a copy of vm for a child: private regions share their
 * pages copy-on-write, shared regions stay shared. Returns NULL if out of
 * memory.
 */
struct vmspace *vmspace_fork(struct vmspace *vm);

/*
 * vmspace_map - map [start, start + len) (page aligned, len > 0, inside
 * the user half) with prot/flags, backed by obj from byte offset `off`
 * (page aligned; obj may be NULL for anonymous memory), replacing what was
 * mapped there. maxprot: what mprotect may later grant (a superset of
 * prot). obj_limit: bytes of obj visible before zeros (ELF bss).
 * Returns 0 or -ENOMEM (out of memory, or the address space already has
 * more than vm_max_map_count regions). Takes its own reference on obj.
 * vm->lock held.
 */
int vmspace_map(struct vmspace *vm, vaddr_t start, uint64_t len,
		unsigned int prot, unsigned int maxprot, unsigned int flags,
		struct vobject *obj, uint64_t off, uint64_t obj_limit);

/* VM_PROT_READ | VM_PROT_WRITE | VM_PROT_EXEC: no limit on mprotect. */
#define VM_PROT_ALL	(VM_PROT_READ | VM_PROT_WRITE | VM_PROT_EXEC)

/*
 * Unmap [start, end) (page aligned). Returns 0 or -ENOMEM (splitting a
 * region would exceed vm_max_map_count). vm->lock held.
 */
int vmspace_unmap(struct vmspace *vm, vaddr_t start, vaddr_t end);

/*
 * vmspace_protect - set the protection of [start, end). Returns 0, -ENOMEM
 * if part of the range is not mapped or a split would exceed
 * vm_max_map_count, -EACCES if prot exceeds a region's maxprot. vm->lock
 * held.
 */
int vmspace_protect(struct vmspace *vm, vaddr_t start, vaddr_t end,
		    unsigned int prot);

/*
 * vmspace_set_flags - on [start, end) (page aligned), set the region flags
 * `set` and clear `clear` (REGION_LOCKED only is meant: not the flags that
 * say what backs a region), splitting and merging regions as needed.
 * Returns 0, -ENOMEM if part of the range is not mapped or a split would
 * exceed vm_max_map_count. vm->lock held.
 */
int vmspace_set_flags(struct vmspace *vm, vaddr_t start, vaddr_t end,
		      unsigned int set, unsigned int clear);

/*
 * vmspace_discard - MADV_DONTNEED: drop the pages of [start, end); private
 * anonymous memory reads as zeros again, file mappings as the file.
 * Returns 0 or -ENOMEM if part of the range is not mapped. vm->lock held.
 */
int vmspace_discard(struct vmspace *vm, vaddr_t start, vaddr_t end);

/*
 * vmspace_mlock_pages - lock (lock: the REGION_LOCKED regions only) or
 * unlock the pages of [start, end) (vm/mlock.h): their mappings are marked
 * locked on the reverse map, or unmarked, and then the pages follow: a
 * private page's anon is ANON_MLOCKED (off the replacement policy, so never
 * evicted), a page of an object's evictable cache PG_MLOCKED
 * (reclaim_mlock). Unlocking leaves locked a page that another locked
 * region still maps. vm->lock held. Pages faulted in later in a
 * REGION_LOCKED region are locked by the fault.
 */
void vmspace_mlock_pages(struct vmspace *vm, vaddr_t start, vaddr_t end, bool lock);

/*
 * vmspace_remap - mremap: resize [old, old + old_size) (inside one region)
 * to new_size, in place if it shrinks or the space after it is free, else
 * (may_move) at a new address (fixed_addr if not 0), moving its pages
 * without copying them. Returns the new address, or -EFAULT (not one
 * mapped region), -ENOMEM (no room), -EINVAL. vm->lock held.
 */
long vmspace_remap(struct vmspace *vm, vaddr_t old, uint64_t old_size,
		   uint64_t new_size, bool may_move, vaddr_t fixed_addr);

/*
 * vmspace_find_free - the highest free gap of len bytes below `below` (and
 * above `above`), or 0 if none. vm->lock held.
 */
vaddr_t vmspace_find_free(struct vmspace *vm, uint64_t len, vaddr_t above,
			  vaddr_t below);

/* The region containing va, or NULL. vm->lock held. */
struct region *vmspace_find(struct vmspace *vm, vaddr_t va);

/* The first region ending above va, or NULL. vm->lock held. */
struct region *vmspace_next(struct vmspace *vm, vaddr_t va);

/*
 * vmspace_region_moved - r's start or end changed in place (stack growth):
 * update the tree's gap summaries. vm->lock held.
 */
void vmspace_region_moved(struct vmspace *vm, struct region *r);

/* Number of regions. vm->lock held. */
static inline size_t vmspace_region_count(const struct vmspace *vm)
{
	return vm->regions.count;
}

/*
 * region_mergeable - can b (right after a) be folded into a? Map, protect
 * and remap merge every such pair they make. vm->lock held.
 */
bool region_mergeable(const struct region *a, const struct region *b);

/*
 * vmspace_check - verify the invariants of vm (kernel/vm/vmspace_check.c
 * lists them): the region tree, amap indexing and references, merging and
 * the pmap's agreement with the regions. O(pages mapped by regions); for
 * tests and debug builds. vm->lock held. Returns 0 or panics naming the
 * broken invariant.
 */
int vmspace_check(struct vmspace *vm);

/* Virtual size (bytes mapped by regions). */
uint64_t vmspace_virtual_size(struct vmspace *vm);

/*
 * vmspace_copyout - copy len bytes from the kernel at src to va in vm, as
 * the program's own stores would: lazy and copy-on-write pages are faulted
 * in for writing, and the bytes are written through the kernel's direct
 * map, so vm need not be active (exec fills a new stack this way). Takes
 * vm->lock, which the caller must not hold. Returns 0, -EFAULT (a page not
 * mapped, or not writable) or -ENOMEM; on an error a first part of the
 * range may have been written.
 */
int vmspace_copyout(struct vmspace *vm, vaddr_t va, const void *src, size_t len);

/* Outcome of a fault. */
enum fault_result {
	FAULT_OK = 0,
	FAULT_NOT_MAPPED,		/* no region */
	FAULT_PROTECTION,		/* region forbids the access */
	FAULT_OOM,			/* no memory for the page */
	FAULT_IO,			/* reading the file failed */
	FAULT_PAST_EOF,			/* file mapping beyond the end of the file */
	FAULT_AGAIN,			/* internal to vm_fault: start again after
					   waiting without the lock */
};

/*
 * vm_fault - make the page at va present for an access of type `access`
 * (one of VM_PROT_READ, VM_PROT_WRITE, VM_PROT_EXEC). Takes vm->lock.
 */
enum fault_result vm_fault(struct vmspace *vm, vaddr_t va, unsigned int access);

/* The words a fault message uses for a result and access. */
const char *vm_fault_reason(enum fault_result r, unsigned int access);

#endif
