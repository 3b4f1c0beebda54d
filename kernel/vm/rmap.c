/* The reverse map of user frames; see rmap.h. */
#include "vm/rmap.h"
#include "vm/kmem.h"

#define RMAP_LIST	1UL		/* tag: rmap points at a pv list */

static struct kmem_cache *pv_cache;
static struct spinlock rmap_locks[RMAP_LOCKS];
static uint64_t pv_in_use;		/* atomic */

void rmap_init(void)
{
	for (int i = 0; i < RMAP_LOCKS; i++)
		spin_init(&rmap_locks[i], "rmap");
	pv_cache = kmem_cache_create("pv_entry", sizeof(struct pv_entry), 0);
	if (!pv_cache)
		panic("rmap_init: out of memory");
}

struct spinlock *rmap_lock_of(const struct page *pg)
{
	uintptr_t h = (uintptr_t)pg / sizeof(struct page);

	return &rmap_locks[(h ^ (h >> 6)) % RMAP_LOCKS];
}

static bool rmap_is_list(const struct page *pg)
{
	return (uintptr_t)pg->rmap & RMAP_LIST;
}

static struct pv_entry *rmap_list(const struct page *pg)
{
	return (struct pv_entry *)((uintptr_t)pg->rmap & ~RMAP_LIST);
}

static vaddr_t rmap_inline_va(const struct page *pg)
{
	return (vaddr_t)(pg->spare & RMAP_VPN) << PAGE_SHIFT;
}

static void rmap_set_inline(struct page *pg, struct pmap *pm, vaddr_t va)
{
	pg->rmap = pm;
	pg->spare = (pg->spare & ~RMAP_VPN) | (uint32_t)(va >> PAGE_SHIFT);
}

static struct pv_entry *pv_alloc(struct pmap *pm, vaddr_t va,
				 struct pv_entry *next)
{
	struct pv_entry *pv = kmem_cache_alloc(pv_cache, 0);

	if (!pv)
		return NULL;
	pv->next = next;
	pv->pm = pm;
	pv->va = va;
	__atomic_add_fetch(&pv_in_use, 1, __ATOMIC_RELAXED);
	return pv;
}

static void pv_free(struct pv_entry *pv)
{
	kmem_cache_free(pv_cache, pv);
	__atomic_sub_fetch(&pv_in_use, 1, __ATOMIC_RELAXED);
}

int rmap_add(struct page *pg, struct pmap *pm, vaddr_t va)
{
	struct pv_entry *first, *second;

	if (!pg->rmap) {
		rmap_set_inline(pg, pm, va);
		return 0;
	}
	if (rmap_is_list(pg)) {
		first = pv_alloc(pm, va, rmap_list(pg));
		if (!first)
			return -ENOMEM;
		pg->rmap = (void *)((uintptr_t)first | RMAP_LIST);
		return 0;
	}
	/* the second mapping: the inline one moves into the list too */
	second = pv_alloc(pg->rmap, rmap_inline_va(pg), NULL);
	if (!second)
		return -ENOMEM;
	first = pv_alloc(pm, va, second);
	if (!first) {
		pv_free(second);
		return -ENOMEM;
	}
	pg->rmap = (void *)((uintptr_t)first | RMAP_LIST);
	return 0;
}

static __noreturn void rmap_missing(const struct page *pg, vaddr_t va)
{
	panic("rmap: frame 0x%lx has no mapping at 0x%lx to remove",
	      (unsigned long)page_to_pa(pg), (unsigned long)va);
}

void rmap_remove(struct page *pg, struct pmap *pm, vaddr_t va)
{
	struct pv_entry **link, *pv, *left;

	if (!rmap_is_list(pg)) {
		if (pg->rmap != pm || rmap_inline_va(pg) != va)
			rmap_missing(pg, va);
		pg->rmap = NULL;
		return;
	}
	for (link = (struct pv_entry **)&pg->rmap; ; link = &pv->next) {
		pv = (struct pv_entry *)((uintptr_t)*link & ~RMAP_LIST);
		if (!pv)
			rmap_missing(pg, va);
		if (pv->pm == pm && pv->va == va)
			break;
	}
	*link = link == (struct pv_entry **)&pg->rmap && pv->next ?
		(void *)((uintptr_t)pv->next | RMAP_LIST) : pv->next;
	pv_free(pv);
	left = rmap_list(pg);
	if (!left->next) {		/* one left: back into the descriptor */
		rmap_set_inline(pg, left->pm, left->va);
		pv_free(left);
	}
}

bool rmap_contains(const struct page *pg, const struct pmap *pm, vaddr_t va)
{
	if (!rmap_is_list(pg))
		return pg->rmap == pm && rmap_inline_va(pg) == va;
	for (struct pv_entry *pv = rmap_list(pg); pv; pv = pv->next)
		if (pv->pm == pm && pv->va == va)
			return true;
	return false;
}

unsigned int rmap_count(const struct page *pg)
{
	unsigned int n = 0;

	if (!rmap_is_list(pg))
		return pg->rmap != NULL;
	for (struct pv_entry *pv = rmap_list(pg); pv; pv = pv->next)
		n++;
	return n;
}

bool rmap_first(const struct page *pg, struct pmap **pm, vaddr_t *va)
{
	if (!pg->rmap)
		return false;
	if (rmap_is_list(pg)) {
		*pm = rmap_list(pg)->pm;
		*va = rmap_list(pg)->va;
	} else {
		*pm = pg->rmap;
		*va = rmap_inline_va(pg);
	}
	return true;
}

void rmap_foreach(const struct page *pg, rmap_fn fn, void *arg)
{
	if (!rmap_is_list(pg)) {
		if (pg->rmap)
			fn(pg->rmap, rmap_inline_va(pg), arg);
		return;
	}
	for (struct pv_entry *pv = rmap_list(pg); pv; pv = pv->next)
		fn(pv->pm, pv->va, arg);
}

uint64_t rmap_pv_count(void)
{
	return __atomic_load_n(&pv_in_use, __ATOMIC_RELAXED);
}
