/*
 * vmspace_check - the invariants of an address space, for tests and debug
 * builds. It walks the region tree and every page of every region, so it
 * costs O(pages mapped by regions); the contract is in vmspace.h.
 *
 * The invariants:
 *   - the tree is a valid AVL tree whose regions are sorted, disjoint,
 *     page aligned, non-empty and inside the user half; each node's
 *     summary (lowest start, highest end, largest gap between two regions
 *     of its subtree) agrees with the subtree; the lookup hint is a region
 *     of the tree; there are at most vm_max_map_count + 1 regions; the
 *     free-range cache holds what struct vmspace says it does;
 *   - a region's protection is within its maxprot; a shared region maps an
 *     object and has no amap; a private region indexes its amap by virtual
 *     page number (amap_pgoff == start >> PAGE_SHIFT);
 *   - every amap's refs is the number of regions using it, and it holds
 *     pages only inside those regions (npages agrees), each a referenced
 *     anon whose resident frame is PAGE_ANON and names it as its owner;
 *   - no two neighbours are left unmerged that region_mergeable() would
 *     merge (map, protect and remap merge what they can);
 *   - every pmap entry lies inside a region, within its protection, on a
 *     live frame; in a private region it maps the region's own page if it
 *     has one, and is writable only when that page's anon is not shared;
 *   - every pmap entry of a managed frame (PAGE_ANON, PAGE_FILE) is on
 *     that frame's reverse map, and no other entry is (pmap_rmap_check).
 *   - vm->committed is the number of pages of its REGION_ACCOUNT regions
 *     (vm/commit.h).
 */
#include "vm/vmspace.h"
#include "vm/amap.h"
#include "vm/anon.h"
#include "vm/vobject.h"

static struct region *check_region_of(struct avl_node *n)
{
	return n ? avl_entry(n, struct region, node) : NULL;
}

static int check_cmp(const struct avl_node *a, const struct avl_node *b)
{
	vaddr_t x = check_region_of((struct avl_node *)a)->start;
	vaddr_t y = check_region_of((struct avl_node *)b)->start;

	return x < y ? -1 : x > y;
}

/* The shape of one region on its own, and its place after prev. */
static void check_shape(const struct region *prev, const struct region *r)
{
	unsigned long s = r->start;

	if (r->start >= r->end || !IS_ALIGNED(r->start, PAGE_SIZE) ||
	    !IS_ALIGNED(r->end, PAGE_SIZE) || r->end > USER_TOP)
		panic("vmspace_check: region 0x%lx-0x%lx is empty, unaligned or "
		      "outside the user half", s, (unsigned long)r->end);
	if (prev && prev->end > r->start)
		panic("vmspace_check: region 0x%lx overlaps the one before", s);
	if (prev && prev->end == r->start && region_mergeable(prev, r))
		panic("vmspace_check: region 0x%lx could merge with the one "
		      "before but was left apart", s);
	if (r->prot & ~r->maxprot)
		panic("vmspace_check: region 0x%lx has prot 0x%x beyond maxprot 0x%x",
		      s, r->prot, r->maxprot);
	if ((r->flags & REGION_SHARED) && (!r->obj || r->amap))
		panic("vmspace_check: shared region 0x%lx without an object or "
		      "with an amap", s);
	if (!(r->flags & REGION_SHARED) && r->amap_pgoff != r->start >> PAGE_SHIFT)
		panic("vmspace_check: region 0x%lx: amap_pgoff 0x%lx is not its "
		      "page number", s, (unsigned long)r->amap_pgoff);
	if (r->obj && __atomic_load_n(&r->obj->refs, __ATOMIC_RELAXED) <= 0)
		panic("vmspace_check: region 0x%lx maps an object with no "
		      "references", s);
	if (r->amap && r->amap->refs <= 0)
		panic("vmspace_check: region 0x%lx has an amap with no references", s);
}

/* Check the private page and the pmap entry of va in r; 1 if va is mapped. */
static uint64_t check_page(struct vmspace *vm, const struct region *r,
			   vaddr_t va, uint64_t *held)
{
	struct anon *an = NULL;
	struct page *ap = NULL, *pg;
	unsigned int prot, allowed;
	paddr_t pa;

	if (r->amap && (an = amap_lookup(r->amap, r->amap_pgoff +
					 ((va - r->start) >> PAGE_SHIFT)))) {
		ap = an->page;
		if (anon_refs(an) == 0 || !ap || ap->state != PAGE_ANON ||
		    ap->owner != an || ap->refcount == 0)
			panic("vmspace_check: private page of 0x%lx is not a "
			      "referenced anonymous frame owned by its anon",
			      (unsigned long)va);
		(*held)++;
	}
	if (!pmap_extract(vm->pmap, va, &pa, &prot))
		return 0;
	allowed = r->prot & VM_PROT_WRITE ? r->prot | VM_PROT_READ : r->prot;
	pg = pa_to_page(pa);
	if (prot & ~allowed)
		panic("vmspace_check: 0x%lx is mapped 0x%x, its region allows 0x%x",
		      (unsigned long)va, prot, r->prot);
	if (!pg || pg->state == PAGE_FREE || pg->refcount == 0)
		panic("vmspace_check: 0x%lx maps a free frame", (unsigned long)va);
	if (!pmap_rmap_check(vm->pmap, va))
		panic("vmspace_check: the entry of 0x%lx and its frame's reverse "
		      "map disagree", (unsigned long)va);
	if (r->flags & REGION_SHARED)
		return 1;
	if (ap && pg != ap)
		panic("vmspace_check: 0x%lx maps a frame other than its private "
		      "page", (unsigned long)va);
	if ((prot & VM_PROT_WRITE) && (!an || anon_refs(an) != 1))
		panic("vmspace_check: 0x%lx is writable but its page is shared or "
		      "not private", (unsigned long)va);
	return 1;
}

/* Pages r's amap holds for r's range. */
static uint64_t check_held(const struct region *r)
{
	uint64_t n = 0, pages = (r->end - r->start) >> PAGE_SHIFT;

	for (uint64_t i = 0; i < pages; i++)
		n += amap_lookup(r->amap, r->amap_pgoff + i) != NULL;
	return n;
}

/*
 * Each amap must be used by exactly refs regions and hold exactly npages
 * pages inside them. The page walk took every region's share off its amap
 * (vm->lock guards the amaps): nothing may be left. Then give it back.
 */
static void check_amaps(struct vmspace *vm)
{
	struct avl_node *n;

	for (n = avl_first(&vm->regions); n; n = avl_next(n)) {
		struct region *r = check_region_of(n);

		if (r->amap && (r->amap->refs != 0 || r->amap->npages != 0))
			panic("vmspace_check: the amap of region 0x%lx has refs or "
			      "pages that its regions do not account for",
			      (unsigned long)r->start);
	}
	for (n = avl_first(&vm->regions); n; n = avl_next(n)) {
		struct region *r = check_region_of(n);

		if (r->amap) {
			r->amap->refs++;
			r->amap->npages += check_held(r);
		}
	}
}

/* Check the summaries of n's subtree; return its lowest start, highest end, largest gap. */
static void check_summary(struct avl_node *n, vaddr_t *lo, vaddr_t *hi, uint64_t *gap)
{
	struct region *r = check_region_of(n);
	vaddr_t llo = 0, lhi = 0, rlo = 0, rhi = 0;
	uint64_t lgap = 0, rgap = 0, g = 0;

	if (n->left)
		check_summary(n->left, &llo, &lhi, &lgap);
	if (n->right)
		check_summary(n->right, &rlo, &rhi, &rgap);
	*lo = n->left ? llo : r->start;
	*hi = n->right ? rhi : r->end;
	if (n->left)
		g = MAX(lgap, r->start - lhi);
	if (n->right)
		g = MAX(g, MAX(rgap, rlo - r->end));
	*gap = g;
	if (r->sub_start != *lo || r->sub_end != *hi || r->sub_gap != g)
		panic("vmspace_check: region 0x%lx: stale subtree summary",
		      (unsigned long)r->start);
}

/*
 * The free-range cache: [fa_floor, fa_top) free, a region (or fa_below) at
 * fa_top, and no free range in [fa_top, fa_below) longer than fa_hole.
 */
static void check_free_cache(struct vmspace *vm)
{
	vaddr_t top = vm->fa_top, free_from = top;

	if (!vm->fa_below)
		return;
	if (vm->fa_floor > top || top > vm->fa_below)
		panic("vmspace_check: free-range cache out of order");
	for (struct avl_node *n = avl_first(&vm->regions); n; n = avl_next(n)) {
		struct region *r = check_region_of(n);

		if (r->end > vm->fa_floor && r->start < top)
			panic("vmspace_check: region 0x%lx lies in the cached free range",
			      (unsigned long)r->start);
		if (r->end <= top || r->start >= vm->fa_below)
			continue;
		if (free_from == top && r->start > top)
			panic("vmspace_check: the cached free range goes on above its top");
		if (r->start > free_from && r->start - free_from > vm->fa_hole)
			panic("vmspace_check: a free range above the cache is longer "
			      "than it vouches for");
		free_from = MAX(free_from, r->end);
	}
	if (free_from == top && top < vm->fa_below)
		panic("vmspace_check: the cached free range goes on above its top");
	if (free_from < vm->fa_below && vm->fa_below - free_from > vm->fa_hole)
		panic("vmspace_check: a free range above the cache is longer "
		      "than it vouches for");
}

/* The tree-wide facts: summaries, the hint, the count, the cache. */
static void check_tree(struct vmspace *vm)
{
	vaddr_t lo, hi;
	uint64_t gap;
	bool hint_found = !vm->hint;

	if (avl_check(&vm->regions, check_cmp) != 0)
		panic("vmspace_check: the region tree is broken");
	check_free_cache(vm);
	avl_refresh(&vm->regions);
	if (vm->regions.root)
		check_summary(vm->regions.root, &lo, &hi, &gap);
	struct region *prev = NULL;

	for (struct avl_node *n = avl_first(&vm->regions); n; n = avl_next(n)) {
		struct region *r = check_region_of(n);

		if (r->prev != prev || (prev ? prev->next : NULL) != (prev ? r : NULL))
			panic("vmspace_check: region 0x%lx: the address-order list "
			      "disagrees with the tree", (unsigned long)r->start);
		hint_found |= r == vm->hint;
		prev = r;
	}
	if (prev && prev->next)
		panic("vmspace_check: the last region has a next");
	if (!hint_found)
		panic("vmspace_check: the lookup hint is not a region of the tree");
	if (vm->regions.count > (size_t)vm_max_map_count + 1)
		panic("vmspace_check: %lu regions, more than max_map_count allows",
		      (unsigned long)vm->regions.count);
}

int vmspace_check(struct vmspace *vm)
{
	struct region *prev = NULL;
	uint64_t resident = 0, committed = 0;

	check_tree(vm);
	for (struct avl_node *n = avl_first(&vm->regions); n; n = avl_next(n)) {
		struct region *r = check_region_of(n);
		uint64_t held = 0;

		check_shape(prev, r);
		if (r->flags & REGION_ACCOUNT)
			committed += (r->end - r->start) >> PAGE_SHIFT;
		for (vaddr_t va = r->start; va < r->end; va += PAGE_SIZE)
			resident += check_page(vm, r, va, &held);
		if (r->amap) {
			r->amap->refs--;
			r->amap->npages -= held;
		}
		prev = r;
	}
	if (resident != pmap_resident(vm->pmap))
		panic("vmspace_check: the pmap maps %lu pages, the regions %lu",
		      (unsigned long)pmap_resident(vm->pmap), (unsigned long)resident);
	if (committed != vm->committed)
		panic("vmspace_check: %lu pages committed, the regions say %lu",
		      (unsigned long)vm->committed, (unsigned long)committed);
	check_amaps(vm);
	return 0;
}
