/*
 * Page by page views of address spaces and frames for /proc (the contract
 * and Kilburn's choices are in vmspace_pages.h).
 *
 * Machine-independent: compiles on the host.
 */
#include "vm/vmspace_pages.h"
#include "vm/amap.h"
#include "vm/anon.h"
#include "vm/swap_slots.h"
#include "vm/pmm.h"
#include "vm/vmspace.h"

/* Is the user page pg dirty, mapped with prot? */
static bool page_is_dirty(const struct page *pg, unsigned int prot)
{
	return pg->state == PAGE_ANON || (prot & VM_PROT_WRITE) ||
	       (__atomic_load_n(&pg->flags, __ATOMIC_RELAXED) & PG_DIRTY);
}

/* Add one resident user page pg, mapped with prot, to *u. */
static void usage_add_page(struct region_usage *u, const struct page *pg,
			   unsigned int prot)
{
	uint32_t maps = MAX(page_mapcount(pg), 1U);
	uint64_t pss = ((uint64_t)PAGE_SIZE << PSS_SHIFT) / maps;
	bool dirty = page_is_dirty(pg, prot), anon = pg->state == PAGE_ANON;

	u->rss += PAGE_SIZE;
	u->referenced += PAGE_SIZE;
	u->pss += pss;
	if (dirty)
		u->pss_dirty += pss;
	if (anon)
		u->pss_anon += pss;
	else if (__atomic_load_n(&pg->flags, __ATOMIC_RELAXED) & PG_SWAPBACKED)
		u->pss_shmem += pss;
	else
		u->pss_file += pss;
	if (anon)
		u->anonymous += PAGE_SIZE;
	if (maps > 1)
		*(dirty ? &u->shared_dirty : &u->shared_clean) += PAGE_SIZE;
	else
		*(dirty ? &u->private_dirty : &u->private_clean) += PAGE_SIZE;
}

/* amap_foreach: an anon whose page is on swap only adds to Swap. */
static void usage_add_swapped(struct anon *an, void *arg)
{
	if (!READ_ONCE(an->page) && READ_ONCE(an->swap))
		((struct region_usage *)arg)->swap += PAGE_SIZE;
}

void vmspace_region_usage(struct vmspace *vm, const struct region *r,
			  struct region_usage *u)
{
	if (r->amap)
		amap_foreach(r->amap, r->amap_pgoff,
			     r->amap_pgoff + ((r->end - r->start) >> PAGE_SHIFT),
			     usage_add_swapped, u);
	for (vaddr_t va = r->start; va < r->end; va += PAGE_SIZE) {
		unsigned int prot;
		struct page *pg;
		paddr_t pa;

		if (!pmap_extract(vm->pmap, va, &pa, &prot))
			continue;
		pg = pa_to_page(pa);
		if (pg && (pg->state == PAGE_ANON || pg->state == PAGE_FILE))
			usage_add_page(u, pg, prot);
	}
}

uint64_t vmspace_pagemap_entry(struct vmspace *vm, vaddr_t va)
{
	uint64_t e = PM_SOFT_DIRTY;
	struct page *pg;
	paddr_t pa;
	const struct region *r = vmspace_find(vm, va);

	if (!r)
		return 0;
	if (!pmap_extract(vm->pmap, va, &pa, NULL)) {
		/* on swap: Linux's swap entry, type in bits 0-4, offset above */
		struct anon *an = r->amap ? amap_lookup(r->amap, r->amap_pgoff +
					      ((va - r->start) >> PAGE_SHIFT)) : NULL;
		swap_entry_t se = { an && !READ_ONCE(an->page) ? READ_ONCE(an->swap) : 0 };

		if (!swap_entry_is_none(se))
			e |= PM_SWAP | (swap_entry_area(se) & 0x1f) |
			     ((swap_entry_slot(se) << 5) & PM_PFN_MASK);
		return e;
	}
	e |= PM_PRESENT | ((pa >> PAGE_SHIFT) & PM_PFN_MASK);
	pg = pa_to_page(pa);
	if (!pg || (pg->state != PAGE_ANON && pg->state != PAGE_FILE))
		return e;		/* the zero page: neither file nor exclusive */
	if (pg->state == PAGE_FILE)
		e |= PM_FILE;
	if (page_mapcount(pg) == 1)
		e |= PM_MMAP_EXCLUSIVE;
	return e;
}

/* The kpageflags of a user page (anonymous or page cache). */
static uint64_t user_page_flags(const struct page *pg, uint16_t flags)
{
	uint64_t f = 1UL << KPF_UPTODATE | 1UL << KPF_LRU;

	if (page_mapcount(pg))
		f |= 1UL << KPF_MMAP;
	if (pg->state == PAGE_ANON)
		f |= 1UL << KPF_ANON | 1UL << KPF_SWAPBACKED;
	if (flags & PG_SWAPBACKED)
		f |= 1UL << KPF_SWAPBACKED;
	if (flags & PG_DIRTY)
		f |= 1UL << KPF_DIRTY;
	if (flags & PG_REFERENCED)
		f |= 1UL << KPF_REFERENCED | 1UL << KPF_ACTIVE;
	return f;
}

uint64_t vm_kpageflags(uint64_t pfn)
{
	struct page *pg = pmm_pfn_to_page(pfn);
	uint16_t flags;

	if (!pg)
		return 1UL << KPF_NOPAGE;
	if (pg == vm_zero_page())
		return 1UL << KPF_ZERO_PAGE | 1UL << KPF_RESERVED;
	flags = __atomic_load_n(&pg->flags, __ATOMIC_RELAXED);
	switch (READ_ONCE(pg->state)) {
	case PAGE_FREE:
		return flags & PG_BUDDY_HEAD ? 1UL << KPF_BUDDY : 0;
	case PAGE_RESERVED:
		return 1UL << KPF_RESERVED;
	case PAGE_SLAB:
		return 1UL << KPF_SLAB;
	case PAGE_PGTABLE:
		return 1UL << KPF_PGTABLE;
	case PAGE_ANON:
	case PAGE_FILE:
		return user_page_flags(pg, flags) |
		       (flags & PG_LOCKED ? 1UL << KPF_LOCKED : 0);
	default:
		return 0;
	}
}

uint64_t vm_kpagecount(uint64_t pfn)
{
	struct page *pg = pmm_pfn_to_page(pfn);

	return pg ? page_mapcount(pg) : 0;
}
