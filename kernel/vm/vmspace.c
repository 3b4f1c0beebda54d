/*
 * Address spaces: the region set and the operations that reshape it. The
 * fault handler is in fault.c.
 *
 * Regions never overlap. Private regions index their amap by absolute
 * virtual page number (amap_pgoff == start >> PAGE_SHIFT), so splitting,
 * merging and growing the stack down never renumber pages.
 */
#include "vm/vmspace.h"
#include "vm/reclaim.h"
#include "vm/amap.h"
#include "vm/anon.h"
#include "vm/kmem.h"
#include "vm/mlock.h"
#include "vm/pcache.h"
#include "vm/vobject.h"
#include "vm/vmstat.h"
#include "vm/commit.h"

static struct kmem_cache *region_cache;
static struct kmem_cache *vmspace_cache;

int vm_max_map_count = VM_MAX_MAP_COUNT_DEFAULT;	/* atomic reads */

void vm_init(void)
{
	region_cache = kmem_cache_create("region", sizeof(struct region), 0);
	vmspace_cache = kmem_cache_create("vmspace", sizeof(struct vmspace), 0);
	if (!region_cache || !vmspace_cache)
		panic("vm_init: out of memory");
	pcache_init();
	amap_init();
	anon_init();
	fault_init();
}

static struct region *region_of(struct avl_node *n)
{
	return n ? avl_entry(n, struct region, node) : NULL;
}

/*
 * The tree's summary of a subtree: its lowest start, highest end and the
 * largest gap between two consecutive regions inside it. Each follows
 * from the node and its children alone, so rotations keep it cheaply.
 */
static void region_augment(struct avl_node *n)
{
	struct region *r = region_of(n);
	struct region *left = region_of(n->left), *right = region_of(n->right);
	uint64_t gap = 0;

	r->sub_start = left ? left->sub_start : r->start;
	r->sub_end = right ? right->sub_end : r->end;
	if (left)
		gap = MAX(left->sub_gap, r->start - left->sub_end);
	if (right)
		gap = MAX(gap, MAX(right->sub_gap, right->sub_start - r->end));
	r->sub_gap = gap;
}

/*
 * The free-range cache (see struct vmspace) after [s, e) became mapped: a
 * region carved from the top of the cached range moves its top down;
 * anything else that reaches into it forgets the cache.
 */
static void fa_note_map(struct vmspace *vm, vaddr_t s, vaddr_t e)
{
	if (!vm->fa_below || e <= vm->fa_floor || s >= vm->fa_top)
		return;
	if (e == vm->fa_top && s >= vm->fa_floor)
		vm->fa_top = s;
	else
		vm->fa_below = 0;
}

/*
 * The cache after [s, e) was unmapped; next is the first region above it.
 * A range freed above fa_top becomes the cached one, up to its true top, so
 * the free ranges above it are still the ones the cache vouches for.
 */
static void fa_note_unmap(struct vmspace *vm, vaddr_t s, vaddr_t e,
			  const struct region *next)
{
	vaddr_t top;

	if (!vm->fa_below || e <= vm->fa_top || s >= vm->fa_below)
		return;
	top = next ? MIN(next->start, vm->fa_below) : vm->fa_below;
	vm->fa_floor = s > vm->fa_top ? s : MIN(vm->fa_floor, s);
	vm->fa_top = top;
}

void vmspace_region_moved(struct vmspace *vm, struct region *r)
{
	avl_propagate(&vm->regions, &r->node);
	fa_note_map(vm, r->start, r->end);
}

/*
 * Put r (not overlapping any region) into the tree and the address-order
 * list: one descent, which also meets both neighbours (the last node it
 * turned left at follows r, the last it turned right at precedes it).
 */
static void region_insert(struct vmspace *vm, struct region *r)
{
	struct avl_node *parent = NULL, *n = vm->regions.root;
	struct region *prev = NULL, *next = NULL;
	bool left = false;

	while (n) {
		parent = n;
		left = r->start < region_of(n)->start;
		if (left)
			next = region_of(n);
		else
			prev = region_of(n);
		n = left ? n->left : n->right;
	}
	avl_link(&vm->regions, &r->node, parent, left);
	r->prev = prev;
	r->next = next;
	if (prev)
		prev->next = r;
	if (next)
		next->prev = r;
	fa_note_map(vm, r->start, r->end);
	vm->hint = r;
}

/* May one more region be made by splitting one (Linux's split_vma rule)? */
static bool may_split(const struct vmspace *vm)
{
	return vm->regions.count < (size_t)READ_ONCE(vm_max_map_count);
}

/* Does r hold va? */
static bool region_holds(const struct region *r, vaddr_t va)
{
	return r && r->start <= va && va < r->end;
}

/* The region holding va, or else the first one above it, or NULL: one descent. */
static struct region *region_at_or_after(const struct vmspace *vm, vaddr_t va)
{
	struct avl_node *n = vm->regions.root;
	struct region *after = NULL;

	while (n) {
		struct region *r = region_of(n);

		if (va < r->start) {
			after = r;
			n = n->left;
		} else if (va >= r->end) {
			n = n->right;
		} else {
			return r;
		}
	}
	return after;
}

struct region *vmspace_find(struct vmspace *vm, vaddr_t va)
{
	struct region *r = vm->hint;

	if (region_holds(r, va))
		return r;
	r = region_at_or_after(vm, va);
	if (!region_holds(r, va))
		return NULL;
	vm->hint = r;
	return r;
}

struct region *vmspace_next(struct vmspace *vm, vaddr_t va)
{
	struct region *r = vm->hint;

	if (region_holds(r, va))
		return r;
	return region_at_or_after(vm, va);
}

/* Take r out of the tree and the list (it stays the caller's). */
static void region_unlink(struct vmspace *vm, struct region *r)
{
	avl_remove(&vm->regions, &r->node);
	if (r->prev)
		r->prev->next = r->next;
	if (r->next)
		r->next->prev = r->prev;
	if (vm->hint == r)
		vm->hint = NULL;
}

struct vmspace *vmspace_create(void)
{
	struct vmspace *vm = kmem_cache_alloc(vmspace_cache, KM_ZERO);

	if (!vm)
		return NULL;
	vm->pmap = pmap_create();
	if (!vm->pmap) {
		kmem_cache_free(vmspace_cache, vm);
		return NULL;
	}
	vm->refs = 1;
	mutex_init(&vm->lock, "vmspace");
	avl_init_augmented(&vm->regions, region_augment);
	vm->stack_limit = VM_STACK_LIMIT_DEFAULT;
	return vm;
}

/* Pages of r that are committed (vm/commit.h). */
static uint64_t region_committed(const struct region *r)
{
	return r->flags & REGION_ACCOUNT ? (r->end - r->start) >> PAGE_SHIFT : 0;
}

/* Committed pages of the regions in [start, end) (their parts in it). */
static uint64_t committed_in(struct vmspace *vm, vaddr_t start, vaddr_t end)
{
	uint64_t pages = 0;

	for (struct region *r = vmspace_next(vm, start); r && r->start < end; r = r->next)
		if (r->flags & REGION_ACCOUNT)
			pages += (MIN(r->end, end) - MAX(r->start, start)) >> PAGE_SHIFT;
	return pages;
}

/* Drop what a region holds (its pages must be unmapped already). */
static void region_free(struct region *r)
{
	if (r->amap)
		amap_release(r->amap);
	if (r->obj)
		vobject_unref(r->obj);
	kmem_cache_free(region_cache, r);
}

static void mlock_mapped_pages(struct vmspace *vm, vaddr_t s, vaddr_t e,
			       bool lock);
static void region_munlock(struct vmspace *vm, struct region *r, vaddr_t s,
			   vaddr_t e);
static void region_mlock(struct vmspace *vm, struct region *r, vaddr_t s,
			 vaddr_t e);

void vmspace_destroy(struct vmspace *vm)
{
	struct avl_node *n;

	/* pages locked here stay so only if another locked region maps them */
	for (n = avl_first(&vm->regions); n; n = avl_next(n)) {
		struct region *r = region_of(n);

		if (r->flags & REGION_LOCKED)
			region_munlock(vm, r, r->start, r->end);
	}
	/* the page tables go first: no frame is freed while it is mapped */
	pmap_destroy(vm->pmap);
	while ((n = avl_first(&vm->regions)) != NULL) {
		struct region *r = region_of(n);

		commit_uncharge(vm, region_committed(r));
		region_unlink(vm, r);
		region_free(r);
	}
	kmem_cache_free(vmspace_cache, vm);
}

void vmspace_get(struct vmspace *vm)
{
	__atomic_add_fetch(&vm->refs, 1, __ATOMIC_RELAXED);
}

void vmspace_put(struct vmspace *vm)
{
	if (__atomic_sub_fetch(&vm->refs, 1, __ATOMIC_ACQ_REL) == 0)
		vmspace_destroy(vm);
}

void vmspace_activate(struct vmspace *vm)
{
	pmap_activate(vm ? vm->pmap : NULL);
}

/*
 * Split r at addr (strictly inside it): r keeps [start, addr), the new
 * region gets [addr, end). Returns the new region or NULL (-ENOMEM: no
 * memory, or vm_max_map_count regions already).
 */
static struct region *region_split(struct vmspace *vm, struct region *r,
				   vaddr_t addr)
{
	struct region *tail;

	if (!may_split(vm) || !(tail = kmem_cache_alloc(region_cache, 0)))
		return NULL;
	*tail = *r;
	tail->start = addr;
	r->end = addr;
	vmspace_region_moved(vm, r);
	if (tail->obj) {
		vobject_ref(tail->obj);
		tail->obj_pgoff += (addr - r->start) >> PAGE_SHIFT;
	}
	tail->amap_pgoff += (addr - r->start) >> PAGE_SHIFT;
	if (tail->amap)
		tail->amap->refs++;
	region_insert(vm, tail);
	return tail;
}

/* Can b (right after a) be folded into a? (vmspace_check uses it too.) */
bool region_mergeable(const struct region *a, const struct region *b)
{
	return a->end == b->start && a->prot == b->prot &&
	       a->maxprot == b->maxprot && a->flags == b->flags &&
	       a->obj == b->obj && a->obj_limit == b->obj_limit &&
	       (!a->obj || a->obj_pgoff + ((a->end - a->start) >> PAGE_SHIFT) ==
			   b->obj_pgoff) &&
	       /* private pages: one amap (or none yet) indexed contiguously */
	       (!a->amap || !b->amap || a->amap == b->amap) &&
	       (!(a->amap || b->amap) ||
		a->amap_pgoff + ((a->end - a->start) >> PAGE_SHIFT) == b->amap_pgoff);
}

/* Fold b (right after a, mergeable) into a. */
static void region_absorb(struct vmspace *vm, struct region *a, struct region *b)
{
	if (!a->amap && b->amap) {	/* a's pages go in b's amap, same indexing */
		a->amap = b->amap;
		a->amap->refs++;
	}
	a->end = b->end;
	region_unlink(vm, b);
	vmspace_region_moved(vm, a);
	region_free(b);
}

/* Merge r with its neighbours where possible. */
static void region_try_merge(struct vmspace *vm, struct region *r)
{
	struct region *prev = r->prev, *next = r->next;

	if (next && region_mergeable(r, next))
		region_absorb(vm, r, next);
	if (prev && region_mergeable(prev, r))
		region_absorb(vm, prev, r);
}

/* Remove the whole region r: its mappings, its private pages, itself. */
static void region_destroy(struct vmspace *vm, struct region *r)
{
	commit_uncharge(vm, region_committed(r));
	if (r->flags & REGION_LOCKED)
		region_munlock(vm, r, r->start, r->end);
	pmap_remove(vm->pmap, r->start, r->end);
	if (r->amap)
		amap_clear(r->amap, r->amap_pgoff,
			   r->amap_pgoff + ((r->end - r->start) >> PAGE_SHIFT));
	region_unlink(vm, r);
	region_free(r);
}

/*
 * Make region boundaries at start and end, so [start, end) is covered by
 * whole regions. Returns 0 or -ENOMEM.
 */
static int vmspace_clip(struct vmspace *vm, vaddr_t start, vaddr_t end)
{
	struct region *r = vmspace_find(vm, start);

	if (r && r->start < start && !region_split(vm, r, start))
		return -ENOMEM;
	r = vmspace_find(vm, end - 1);	/* the region that would hold end */
	if (r && r->end > end && !region_split(vm, r, end))
		return -ENOMEM;
	return 0;
}

int vmspace_unmap(struct vmspace *vm, vaddr_t start, vaddr_t end)
{
	struct region *r, *next;
	int err;

	if (start >= end)
		return 0;	/* clipping an empty range would split a region */
	err = vmspace_clip(vm, start, end);
	if (err)
		return err;
	for (r = vmspace_next(vm, start); r && r->start < end; r = next) {
		next = r->next;
		region_destroy(vm, r);
	}
	vm->hint = r;		/* the region above: where the next lookups go */
	fa_note_unmap(vm, start, end, r);
	return 0;
}

int vmspace_map(struct vmspace *vm, vaddr_t start, uint64_t len,
		unsigned int prot, unsigned int maxprot, unsigned int flags,
		struct vobject *obj, uint64_t off, uint64_t obj_limit)
{
	bool replaces = !vm->fa_below || start < vm->fa_floor ||
			start + len > vm->fa_top;
	uint64_t charge = 0;
	struct region *r;
	int err;

	/* Linux's do_mmap rule: refused once the count is past the limit */
	if (vm->regions.count > (size_t)READ_ONCE(vm_max_map_count))
		return -ENOMEM;
	if (commit_accountable(prot, flags)) {
		flags |= REGION_ACCOUNT;
		charge = len >> PAGE_SHIFT;
	}
	/* what it replaces gives its charge back: only the difference is checked */
	err = commit_charge(vm, charge, replaces ? committed_in(vm, start, start + len) : 0);
	if (err)
		return err;
	/* replace what is mapped there, unless the free-range cache says nothing is */
	if (replaces) {
		r = vmspace_next(vm, start);
		if (r && r->start < start + len &&
		    (err = vmspace_unmap(vm, start, start + len)))
			goto fail;
	}
	err = -ENOMEM;
	r = kmem_cache_alloc(region_cache, KM_ZERO);
	if (!r)
		goto fail;
	r->start = start;
	r->end = start + len;
	r->prot = prot;
	r->maxprot = maxprot;
	r->flags = flags;
	r->obj = obj;
	r->obj_pgoff = off >> PAGE_SHIFT;
	r->obj_limit = obj ? obj_limit : 0;
	r->amap_pgoff = start >> PAGE_SHIFT;
	if (obj)
		vobject_ref(obj);
	region_insert(vm, r);
	region_try_merge(vm, r);
	return 0;
fail:
	commit_uncharge(vm, charge);
	return err;
}

/*
 * Charge the private regions of [start, end) that prot makes writable for
 * the first time (Linux's mprotect); they get REGION_ACCOUNT once the range
 * is clipped (protect_account). Returns 0 or -ENOMEM.
 */
static int protect_charge(struct vmspace *vm, vaddr_t start, vaddr_t end,
			  unsigned int prot, uint64_t *charged)
{
	uint64_t pages = 0;

	for (struct region *r = vmspace_next(vm, start); r && r->start < end; r = r->next)
		if (!(r->flags & REGION_ACCOUNT) &&
		    commit_accountable(prot, r->flags & ~REGION_NORESERVE))
			pages += (MIN(r->end, end) - MAX(r->start, start)) >> PAGE_SHIFT;
	*charged = pages;
	return commit_charge(vm, pages, 0);
}

/*
 * Set REGION_ACCOUNT on the regions of [start, end) (now clipped) that
 * protect_charge charged. A charge is kept when write permission goes,
 * except (as Linux 6) by an anonymous region that never had a page.
 */
static void protect_account(struct vmspace *vm, vaddr_t start, vaddr_t end,
			    unsigned int prot)
{
	for (struct region *r = vmspace_next(vm, start); r && r->start < end; r = r->next) {
		if (!(r->flags & REGION_ACCOUNT) &&
		    commit_accountable(prot, r->flags & ~REGION_NORESERVE))
			r->flags |= REGION_ACCOUNT;
		else if ((r->flags & REGION_ACCOUNT) && !(prot & VM_PROT_WRITE) &&
			 !r->obj && !r->amap) {
			commit_uncharge(vm, region_committed(r));
			r->flags &= ~REGION_ACCOUNT;
		}
	}
}

int vmspace_protect(struct vmspace *vm, vaddr_t start, vaddr_t end,
		    unsigned int prot)
{
	struct region *r;
	vaddr_t va = start;
	uint64_t charged;
	int err;

	/* The whole range must be mapped and allow prot. */
	while (va < end) {
		r = vmspace_find(vm, va);
		if (!r)
			return -ENOMEM;
		if ((prot & ~r->maxprot) != 0)
			return -EACCES;
		va = r->end;
	}
	err = protect_charge(vm, start, end, prot, &charged);
	if (err)
		return err;
	err = vmspace_clip(vm, start, end);
	if (err) {
		commit_uncharge(vm, charged);
		return err;
	}
	protect_account(vm, start, end, prot);
	for (va = start; va < end; ) {
		r = vmspace_find(vm, va);
		va = r->end;
		/* no access: the entries go, and their locks with them */
		if ((r->flags & REGION_LOCKED) && !(prot & VM_PROT_ALL))
			mlock_mapped_pages(vm, r->start, r->end, false);
		pmap_protect(vm->pmap, r->start, r->end, prot);
		r->prot = prot;
		region_try_merge(vm, r);
	}
	return 0;
}

int vmspace_set_flags(struct vmspace *vm, vaddr_t start, vaddr_t end,
		      unsigned int set, unsigned int clear)
{
	struct region *r;
	vaddr_t va;
	int err;

	for (va = start; va < end; va = r->end) {
		r = vmspace_find(vm, va);
		if (!r)
			return -ENOMEM;
	}
	err = vmspace_clip(vm, start, end);
	if (err)
		return err;
	for (va = start; va < end; ) {
		r = vmspace_find(vm, va);
		va = r->end;
		r->flags = (r->flags & ~clear) | set;
		region_try_merge(vm, r);
	}
	return 0;
}

/* amap_foreach of region_mlock: lock one anon's page. */
static void mlock_anon(struct anon *an, void *arg)
{
	struct page *pg;

	anon_lock(an);
	an->flags |= ANON_MLOCKED;
	pg = !(an->flags & ANON_BUSY) ? an->page : NULL;
	if (pg)
		page_ref_inc(pg);
	anon_unlock(an);
	if (!pg)
		return;
	reclaim_untrack(pg);
	page_put(pg);
}

/* amap_foreach of region_munlock: one anon is let go (vm/mlock.h). */
static void munlock_anon_slot(struct anon *an, void *arg)
{
	munlock_anon(an);
}

/*
 * Mark vm's mappings in [s, e) locked or not on their pages' reverse
 * maps (vm/mlock.h), and lock or unlock the pages of an object's cache
 * among them (PG_MLOCKED; one still mapped locked elsewhere stays so).
 * Anonymous pages are their anon's business (the amap's pass, after this).
 */
static void mlock_mapped_pages(struct vmspace *vm, vaddr_t s, vaddr_t e,
			       bool lock)
{
	for (vaddr_t va = s; va < e; va += PAGE_SIZE) {
		struct page *pg = mlock_pin(vm->pmap, va);

		if (!pg)
			continue;
		if (mlock_mark(pg, vm->pmap, va, lock) && pg->state == PAGE_FILE) {
			if (lock)
				reclaim_mlock(pg);
			else
				reclaim_munlock(pg);
		}
		page_put(pg);
	}
}

/* The amap slot of va in r. */
static uint64_t slot_of(const struct region *r, vaddr_t va)
{
	return r->amap_pgoff + ((va - r->start) >> PAGE_SHIFT);
}

/* Lock the pages r holds in [s, e): mappings first, then the pages. */
static void region_mlock(struct vmspace *vm, struct region *r, vaddr_t s,
			 vaddr_t e)
{
	mlock_mapped_pages(vm, s, e, true);
	if (r->amap)
		amap_foreach(r->amap, slot_of(r, s), slot_of(r, e), mlock_anon, NULL);
}

/*
 * Let go of the pages r holds in [s, e) (r is being unlocked, or its
 * mappings there are going): a page stays locked only if another locked
 * region still maps it.
 */
static void region_munlock(struct vmspace *vm, struct region *r, vaddr_t s,
			   vaddr_t e)
{
	mlock_mapped_pages(vm, s, e, false);
	if (r->amap)
		amap_foreach(r->amap, slot_of(r, s), slot_of(r, e),
			     munlock_anon_slot, NULL);
}

void vmspace_mlock_pages(struct vmspace *vm, vaddr_t start, vaddr_t end, bool lock)
{
	for (struct region *r = vmspace_next(vm, start); r && r->start < end; r = r->next) {
		vaddr_t s = MAX(start, r->start), e = MIN(end, r->end);

		if (!lock)
			region_munlock(vm, r, s, e);
		else if (r->flags & REGION_LOCKED)	/* not unlocked meanwhile */
			region_mlock(vm, r, s, e);
	}
}

int vmspace_discard(struct vmspace *vm, vaddr_t start, vaddr_t end)
{
	int err = 0;

	for (vaddr_t va = start; va < end; ) {
		struct region *r = vmspace_find(vm, va);
		vaddr_t stop;

		if (!r) {
			err = -ENOMEM;	/* Linux still discards the mapped parts */
			r = vmspace_next(vm, va);
			if (!r || r->start >= end)
				break;
			va = r->start;
		}
		stop = MIN(end, r->end);
		if (r->flags & REGION_LOCKED)
			region_munlock(vm, r, va, stop);
		pmap_remove(vm->pmap, va, stop);
		if (r->amap)
			amap_clear(r->amap, r->amap_pgoff + ((va - r->start) >> PAGE_SHIFT),
				   r->amap_pgoff + ((stop - r->start) >> PAGE_SHIFT));
		va = stop;
	}
	return err;
}

/* Move the private pages of [from, from + len) of r into the amap of dst. */
static int move_pages(struct region *r, vaddr_t from, struct region *dst,
		      vaddr_t to, uint64_t len)
{
	if (!r->amap)
		return 0;
	if (!dst->amap && !(dst->amap = amap_create()))
		return -ENOMEM;
	for (uint64_t off = 0; off < len; off += PAGE_SIZE) {
		struct anon *an = amap_lookup(r->amap, r->amap_pgoff +
					      ((from + off - r->start) >> PAGE_SHIFT));

		if (!an)
			continue;
		anon_ref(an);
		if (amap_set(dst->amap, dst->amap_pgoff +
			     ((to + off - dst->start) >> PAGE_SHIFT), an) < 0) {
			anon_put(an);
			return -ENOMEM;
		}
	}
	return 0;
}

/* Grow r's end to new_end if nothing is in the way. */
static bool grow_in_place(struct vmspace *vm, struct region *r, vaddr_t new_end)
{
	struct region *next = vmspace_next(vm, r->end);

	if (new_end > USER_TOP || (next && next->start < new_end))
		return false;
	r->end = new_end;
	vmspace_region_moved(vm, r);
	return true;
}

static long remap_grow_or_move(struct vmspace *vm, struct region *r, vaddr_t old,
			       uint64_t old_size, uint64_t new_size, bool may_move,
			       vaddr_t fixed_addr);

long vmspace_remap(struct vmspace *vm, vaddr_t old, uint64_t old_size,
		   uint64_t new_size, bool may_move, vaddr_t fixed_addr)
{
	struct region *r = vmspace_find(vm, old);
	uint64_t grow = 0;
	long err;

	if (!r || old + old_size > r->end)
		return -EFAULT;
	if (new_size <= old_size && !fixed_addr) {	/* MREMAP_FIXED always moves */
		err = vmspace_unmap(vm, old + new_size, old + old_size);
		return err ? err : (long)old;
	}
	if ((r->flags & REGION_ACCOUNT) && new_size > old_size)
		grow = (new_size - old_size) >> PAGE_SHIFT;
	if ((err = commit_charge(vm, grow, 0)) < 0)
		return err;
	err = remap_grow_or_move(vm, r, old, old_size, new_size, may_move, fixed_addr);
	if (err < 0)
		commit_uncharge(vm, grow);
	return err;
}

/* vmspace_remap for a range that grows or moves; its growth is charged. */
static long remap_grow_or_move(struct vmspace *vm, struct region *r, vaddr_t old,
			       uint64_t old_size, uint64_t new_size, bool may_move,
			       vaddr_t fixed_addr)
{
	struct region *nr;
	vaddr_t to;
	int err;

	if (!fixed_addr && old + old_size == r->end &&
	    grow_in_place(vm, r, old + new_size)) {
		region_try_merge(vm, r);
		return old;
	}
	if (!may_move)
		return -ENOMEM;
	/* moving may split at both ends and add one (Linux's move_vma rule) */
	if (vm->regions.count >= (size_t)READ_ONCE(vm_max_map_count) - 3)
		return -ENOMEM;
	if (fixed_addr) {
		if (fixed_addr < old + old_size && old < fixed_addr + new_size)
			return -EINVAL;		/* the ranges may not overlap */
		to = fixed_addr;
		if ((err = vmspace_unmap(vm, to, to + new_size)) < 0)
			return err;
	} else {
		to = vmspace_find_free(vm, new_size, PAGE_SIZE, vm->mmap_base);
		if (!to)
			return -ENOMEM;
	}
	r = vmspace_find(vm, old);
	nr = kmem_cache_alloc(region_cache, 0);
	if (!nr)
		return -ENOMEM;
	*nr = *r;
	nr->start = to;
	nr->end = to + new_size;
	nr->flags &= ~(REGION_HEAP | REGION_GROWSDOWN);
	nr->obj_pgoff = r->obj_pgoff + ((old - r->start) >> PAGE_SHIFT);
	nr->amap = NULL;
	nr->amap_pgoff = to >> PAGE_SHIFT;
	if (nr->obj)
		vobject_ref(nr->obj);
	err = move_pages(r, old, nr, to, MIN(old_size, new_size));
	if (err) {
		region_free(nr);
		return err;
	}
	vmspace_unmap(vm, old, old + old_size);
	/* the moved part's charge went with the unmap: nr holds it now */
	if (nr->flags & REGION_ACCOUNT)
		commit_add(vm, MIN(old_size, new_size) >> PAGE_SHIFT);
	region_insert(vm, nr);
	/* its pages are nr's now: locked again (the caller brings them in) */
	if (nr->flags & REGION_LOCKED)
		region_mlock(vm, nr, nr->start, nr->end);
	region_try_merge(vm, nr);
	return to;
}

/* A search for the highest free range of len bytes inside [above, below). */
struct gap_query {
	uint64_t len;
	vaddr_t above, below;
	vaddr_t lo;			/* out: the bottom of the free range used */
};

/* The top len bytes of the free range [lo, hi) cut to the query, or 0. */
static vaddr_t gap_fit(struct gap_query *q, vaddr_t lo, vaddr_t hi)
{
	vaddr_t cut_lo = MAX(lo, q->above), cut_hi = MIN(hi, q->below);

	if (cut_hi <= cut_lo || cut_hi - cut_lo < q->len)
		return 0;
	q->lo = lo;
	return cut_hi - q->len;
}

/*
 * The highest fit among the gaps between the regions of n's subtree.
 * Subtrees whose largest gap is too small, or that lie wholly outside
 * [above, below), are skipped, so this is O(log n). Summaries are fresh.
 */
static vaddr_t subtree_fit(struct avl_node *n, struct gap_query *q)
{
	struct region *r = region_of(n), *left, *right;
	vaddr_t at;

	if (!r || r->sub_gap < q->len || r->sub_start >= q->below ||
	    r->sub_end <= q->above)
		return 0;
	left = region_of(n->left);
	right = region_of(n->right);
	if ((at = subtree_fit(n->right, q)))
		return at;
	if (right && (at = gap_fit(q, r->end, right->sub_start)))
		return at;
	if (left && (at = gap_fit(q, left->sub_end, r->start)))
		return at;
	return subtree_fit(n->left, q);
}

/* The search itself: above every region, between two, below every one. */
static vaddr_t find_free_in_tree(struct vmspace *vm, struct gap_query *q)
{
	struct region *root;
	vaddr_t at;

	avl_refresh(&vm->regions);
	root = region_of(vm->regions.root);
	if (!root)
		return gap_fit(q, 0, q->below);
	if ((at = gap_fit(q, root->sub_end, q->below)))
		return at;
	if ((at = subtree_fit(&root->node, q)))
		return at;
	return gap_fit(q, 0, root->sub_start);
}

vaddr_t vmspace_find_free(struct vmspace *vm, uint64_t len, vaddr_t above,
			  vaddr_t below)
{
	struct gap_query q = { .len = len, .above = above, .below = below };
	vaddr_t at;

	if (below <= above || below - above < len)
		return 0;
	/* the cached free range, when it answers for this request */
	if (vm->fa_below == below && len > vm->fa_hole &&
	    vm->fa_top - vm->fa_floor >= len && vm->fa_top - len >= above)
		return vm->fa_top - len;
	at = find_free_in_tree(vm, &q);
	vm->fa_below = 0;
	if (at) {	/* nothing above it fits len: cache its free range */
		vm->fa_floor = q.lo;
		vm->fa_top = at + len;
		vm->fa_below = below;
		vm->fa_hole = len - 1;
	}
	return at;
}

uint64_t vmspace_virtual_size(struct vmspace *vm)
{
	uint64_t size = 0;

	for (struct avl_node *n = avl_first(&vm->regions); n; n = avl_next(n)) {
		struct region *r = region_of(n);

		size += r->end - r->start;
	}
	return size;
}

/* Copy one region into the child; private pages become copy-on-write. */
static int fork_region(struct vmspace *parent, struct vmspace *child,
		       const struct region *r)
{
	struct region *c = kmem_cache_alloc(region_cache, 0);

	if (!c)
		return -ENOMEM;
	*c = *r;
	c->flags &= ~REGION_LOCKED;	/* as Linux: locks are not inherited */
	c->amap = NULL;
	if (r->amap) {
		c->amap = amap_copy(r->amap, r->amap_pgoff,
				    r->amap_pgoff + ((r->end - r->start) >> PAGE_SHIFT));
		if (!c->amap) {
			kmem_cache_free(region_cache, c);
			return -ENOMEM;
		}
	}
	/*
	 * The child gets the parent's page-table entries, not its pages:
	 * private pages are now shared, so both sides lose write permission
	 * and the first write on either side copies (or takes over).
	 */
	if (commit_charge(child, region_committed(c), 0) < 0)
		goto fail;
	/*
	 * Entries are only a cache of what the regions say: when memory is
	 * short for the child's page tables or reverse-map entries, the child
	 * faults the rest in later. The parent's entries must all lose write
	 * permission all the same, since its private pages are shared now.
	 */
	if (pmap_copy(child->pmap, parent->pmap, r->start, r->end,
		      r->flags & REGION_SHARED ? 0 : VM_PROT_WRITE) < 0 &&
	    !(r->flags & REGION_SHARED))
		pmap_protect(parent->pmap, r->start, r->end, r->prot & ~VM_PROT_WRITE);
	if (c->obj)
		vobject_ref(c->obj);
	region_insert(child, c);
	return 0;
fail:
	if (c->amap)
		amap_release(c->amap);
	kmem_cache_free(region_cache, c);
	return -ENOMEM;
}

struct vmspace *vmspace_fork(struct vmspace *vm)
{
	struct vmspace *child = vmspace_create();

	if (!child)
		return NULL;
	mutex_lock(&vm->lock);
	child->heap_start = vm->heap_start;
	child->brk = vm->brk;
	child->stack_top = vm->stack_top;
	child->stack_limit = vm->stack_limit;
	child->mmap_base = vm->mmap_base;
	for (struct avl_node *n = avl_first(&vm->regions); n; n = avl_next(n)) {
		if (fork_region(vm, child, region_of(n)) < 0) {
			mutex_unlock(&vm->lock);
			vmspace_destroy(child);
			return NULL;
		}
	}
	mutex_unlock(&vm->lock);
	/* Regions that differed only in REGION_LOCKED are one now. */
	mutex_lock(&child->lock);
	for (struct region *r = vmspace_next(child, 0); r; ) {
		if (r->next && region_mergeable(r, r->next))
			region_absorb(child, r, r->next);
		else
			r = r->next;
	}
	mutex_unlock(&child->lock);
	return child;
}

/*
 * Store n bytes (within one page) at va of vm through the direct map: if
 * the page is not mapped writable, fault it in for a write first, just as
 * a store by the program would.
 */
/*
 * Copy n bytes (within one page) between va in vm and the kernel buffer
 * buf, in the direction access says (VM_PROT_READ: from vm, VM_PROT_WRITE:
 * into vm), faulting the page in as a user access would. Returns 0,
 * -ENOMEM or -EFAULT.
 */
static int copy_page(struct vmspace *vm, vaddr_t va, void *buf, size_t n,
		     unsigned int access)
{
	for (;;) {
		enum fault_result res;
		paddr_t pa;

		mutex_lock(&vm->lock);
		if (pmap_access(vm->pmap, ALIGN_DOWN(va, PAGE_SIZE), access, &pa)) {
			char *user = (char *)phys_to_virt(pa) + (va & (PAGE_SIZE - 1));

			if (access == VM_PROT_WRITE)
				memcpy(user, buf, n);
			else
				memcpy(buf, user, n);
			if (pa_to_page(pa))
				page_put(pa_to_page(pa));	/* pmap_access's pin */
			mutex_unlock(&vm->lock);
			return 0;
		}
		mutex_unlock(&vm->lock);
		res = vm_fault(vm, va, access);
		if (res != FAULT_OK)
			return res == FAULT_OOM ? -ENOMEM : -EFAULT;
	}
}

/* vmspace_copyin and vmspace_copyout: len bytes, a page at a time. */
static int copy_range(struct vmspace *vm, vaddr_t va, char *buf, size_t len,
		      unsigned int access)
{
	if (va >= USER_TOP || len > USER_TOP - va)
		return -EFAULT;
	while (len > 0) {
		size_t n = MIN(len, PAGE_SIZE - (va & (PAGE_SIZE - 1)));
		int err = copy_page(vm, va, buf, n, access);

		if (err)
			return err;
		va += n;
		buf += n;
		len -= n;
	}
	return 0;
}

int vmspace_copyin(struct vmspace *vm, void *dst, vaddr_t va, size_t len)
{
	return copy_range(vm, va, dst, len, VM_PROT_READ);
}

int vmspace_copyout(struct vmspace *vm, vaddr_t va, const void *src, size_t len)
{
	return copy_range(vm, va, (char *)src, len, VM_PROT_WRITE);
}
