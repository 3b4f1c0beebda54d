/* The reverse map of user frames; see rmap.h. */
#include "vm/rmap.h"

/* A chunk of pv entries: one frame, its first entry's room holds the link. */
#define PV_PER_CHUNK	(PAGE_SIZE / sizeof(struct pv_entry))

struct spinlock rmap_locks[RMAP_LOCKS];
static uint64_t pv_in_use;		/* atomic */

void rmap_init(void)
{
	for (int i = 0; i < RMAP_LOCKS; i++)
		spin_init(&rmap_locks[i], "rmap");
}

void pv_pool_init(struct pv_pool *pool)
{
	*pool = (struct pv_pool){ 0 };
}

void pv_pool_destroy(struct pv_pool *pool)
{
	while (pool->chunks) {
		void *chunk = pool->chunks;

		pool->chunks = *(void **)chunk;
		pmm_free(virt_to_page(chunk));
	}
	pv_pool_init(pool);
}

/* The chunk entry e lies in. */
static struct pv_entry *pv_chunk_of(const struct pv_entry *e)
{
	return (struct pv_entry *)ALIGN_DOWN((uintptr_t)e, PAGE_SIZE);
}

#define PV_CHUNK_EMPTY	UINT64_MAX	/* pv_pool_shrink's mark: to be freed */

/*
 * pv_pool_shrink counts each chunk's free entries in the va of its entry
 * 0, which otherwise holds only the link to the next chunk (its `next`):
 * those on the free list, and for the chunk entries are being cut from,
 * those past `bump`.
 */
unsigned int pv_pool_shrink(struct pv_pool *pool)
{
	struct pv_entry *freed, *e, **link, *bumping;
	unsigned int n = 0;
	void **clink;

	if (!pool->chunks)
		return 0;
	/* the entries freed from any context join the free list */
	freed = __atomic_exchange_n(&pool->freed, NULL, __ATOMIC_ACQUIRE);
	if (freed) {
		for (e = freed; e->next; e = e->next)
			;
		e->next = pool->free;
		pool->free = freed;
	}
	for (void *c = pool->chunks; c; c = *(void **)c)
		((struct pv_entry *)c)->va = 0;
	for (e = pool->free; e; e = e->next)
		pv_chunk_of(e)->va++;
	bumping = pool->bump ? pv_chunk_of(pool->end - 1) : NULL;
	if (bumping)		/* the entries it has not handed out yet */
		bumping->va += pool->end - pool->bump;
	for (void *c = pool->chunks; c; c = *(void **)c)
		if (((struct pv_entry *)c)->va == PV_PER_CHUNK - 1)
			((struct pv_entry *)c)->va = PV_CHUNK_EMPTY;
	if (bumping && bumping->va == PV_CHUNK_EMPTY)
		pool->bump = pool->end = NULL;	/* the next entry grows the pool */
	for (link = &pool->free; (e = *link);)
		if (pv_chunk_of(e)->va == PV_CHUNK_EMPTY)
			*link = e->next;
		else
			link = &e->next;
	for (clink = &pool->chunks; *clink;) {
		struct pv_entry *c = *clink;

		if (c->va == PV_CHUNK_EMPTY) {
			*clink = *(void **)c;
			pmm_free(virt_to_page(c));
			n++;
		} else {
			clink = (void **)c;
		}
	}
	return n;
}

/* Another chunk for pool (its pmap's lock held); false if out of memory. */
static bool pv_pool_grow(struct pv_pool *pool)
{
	struct page *pg = pmm_alloc(0);
	struct pv_entry *chunk;

	if (!pg)
		return false;
	pg->state = PAGE_KERNEL;
	chunk = page_to_virt(pg);
	*(void **)chunk = pool->chunks;
	pool->chunks = chunk;
	pool->bump = chunk + 1;		/* entry 0 holds the link */
	pool->end = chunk + PV_PER_CHUNK;
	return true;
}

/* A pv entry from pool (its pmap's lock held), or NULL. */
static struct pv_entry *pv_alloc(struct pv_pool *pool)
{
	struct pv_entry *pv = pool->free;

	if (!pv && READ_ONCE(pool->freed))
		pv = __atomic_exchange_n(&pool->freed, NULL, __ATOMIC_ACQUIRE);
	if (pv) {
		pool->free = pv->next;
	} else {
		if (pool->bump == pool->end && !pv_pool_grow(pool))
			return NULL;
		pv = pool->bump++;
	}
	__atomic_add_fetch(&pv_in_use, 1, __ATOMIC_RELAXED);
	return pv;
}

/* Give pv back to pool, from any context. */
static void pv_free(struct pv_pool *pool, struct pv_entry *pv)
{
	struct pv_entry *head = __atomic_load_n(&pool->freed, __ATOMIC_RELAXED);

	do {
		pv->next = head;
	} while (!__atomic_compare_exchange_n(&pool->freed, &head, pv, true,
					      __ATOMIC_RELEASE, __ATOMIC_RELAXED));
	__atomic_sub_fetch(&pv_in_use, 1, __ATOMIC_RELAXED);
}

static vaddr_t rmap_inline_va(const struct page *pg)
{
	return (vaddr_t)(pg->spare & RMAP_VPN) << PAGE_SHIFT;
}

/* A new inline mapping: not locked, whatever the last one was. */
static void rmap_set_inline(struct page *pg, struct pmap *pm, vaddr_t va)
{
	pg->rmap = pm;
	pg->spare = (pg->spare & ~(RMAP_VPN | RMAP_LOCKED)) |
		    (uint32_t)(va >> PAGE_SHIFT);
}

/* The va a pv entry records, without its PV_LOCKED bit. */
static vaddr_t pv_va(const struct pv_entry *pv)
{
	return pv->va & ~PV_LOCKED;
}

int rmap_add(struct page *pg, struct pmap *pm, vaddr_t va,
	     struct pv_pool *pool)
{
	struct pv_entry *pv;

	if (!pg->rmap) {
		rmap_set_inline(pg, pm, va);
		return 0;
	}
	pv = pv_alloc(pool);
	if (!pv)
		return -ENOMEM;
	pv->pm = pm;
	pv->va = va;
	pv->next = pg->pv;
	pv->pprev = &pg->pv;
	if (pg->pv)
		pg->pv->pprev = &pv->next;
	pg->pv = pv;
	return 0;
}

static __noreturn void rmap_missing(const struct page *pg, vaddr_t va)
{
	panic("rmap: frame 0x%lx has no mapping at 0x%lx to remove",
	      (unsigned long)page_to_pa(pg), (unsigned long)va);
}

/*
 * pg's inline mapping went (rmap lock held): its first pv entry, if any,
 * takes the inline place, lock mark and all, and goes back to the pool of
 * its own pmap. So a frame mapped once is mapped inline again (after a
 * fork's child exits, say), and a pool whose entries all went can be given
 * back (pv_pool_shrink).
 */
static void rmap_promote(struct page *pg)
{
	struct pv_entry *pv = pg->pv;

	if (!pv)
		return;
	pg->pv = pv->next;
	if (pv->next)
		pv->next->pprev = &pg->pv;
	rmap_set_inline(pg, pv->pm, pv_va(pv));
	if (pv->va & PV_LOCKED)
		pg->spare |= RMAP_LOCKED;
	pv_free(pmap_pv_pool(pv->pm), pv);
}

void rmap_remove(struct page *pg, struct pmap *pm, vaddr_t va,
		 struct pv_pool *pool)
{
	struct pv_entry *pv;

	if (pg->rmap == pm && rmap_inline_va(pg) == va) {
		pg->rmap = NULL;
		rmap_promote(pg);
		return;
	}
	for (pv = pg->pv; pv; pv = pv->next)
		if (pv->pm == pm && pv_va(pv) == va)
			break;
	if (!pv)
		rmap_missing(pg, va);
	*pv->pprev = pv->next;
	if (pv->next)
		pv->next->pprev = pv->pprev;
	pv_free(pool, pv);
}

bool rmap_contains(const struct page *pg, const struct pmap *pm, vaddr_t va)
{
	if (pg->rmap == pm && rmap_inline_va(pg) == va)
		return true;
	for (struct pv_entry *pv = pg->pv; pv; pv = pv->next)
		if (pv->pm == pm && pv_va(pv) == va)
			return true;
	return false;
}

unsigned int rmap_count(const struct page *pg)
{
	unsigned int n = pg->rmap != NULL;

	for (struct pv_entry *pv = pg->pv; pv; pv = pv->next)
		n++;
	return n;
}

bool rmap_first(const struct page *pg, struct pmap **pm, vaddr_t *va)
{
	if (pg->rmap) {
		*pm = pg->rmap;
		*va = rmap_inline_va(pg);
		return true;
	}
	if (!pg->pv)
		return false;
	*pm = pg->pv->pm;
	*va = pv_va(pg->pv);
	return true;
}

void rmap_foreach(const struct page *pg, rmap_fn fn, void *arg)
{
	if (pg->rmap)
		fn(pg->rmap, rmap_inline_va(pg), arg);
	for (struct pv_entry *pv = pg->pv; pv; pv = pv->next)
		fn(pv->pm, pv_va(pv), arg);
}

bool rmap_set_locked(struct page *pg, const struct pmap *pm, vaddr_t va,
		     bool locked)
{
	if (pg->rmap == pm && rmap_inline_va(pg) == va) {
		pg->spare = locked ? pg->spare | RMAP_LOCKED : pg->spare & ~RMAP_LOCKED;
		return true;
	}
	for (struct pv_entry *pv = pg->pv; pv; pv = pv->next) {
		if (pv->pm == pm && pv_va(pv) == va) {
			pv->va = locked ? va | PV_LOCKED : va;
			return true;
		}
	}
	return false;
}

bool rmap_any_locked(const struct page *pg)
{
	if (pg->rmap && (pg->spare & RMAP_LOCKED))
		return true;
	for (struct pv_entry *pv = pg->pv; pv; pv = pv->next)
		if (pv->va & PV_LOCKED)
			return true;
	return false;
}

bool rmap_page_locked(struct page *pg)
{
	struct spinlock *l = rmap_lock_of(pg);
	unsigned long flags = spin_lock_irqsave(l);
	bool locked = rmap_any_locked(pg);

	spin_unlock_irqrestore(l, flags);
	return locked;
}

uint64_t rmap_pv_count(void)
{
	return __atomic_load_n(&pv_in_use, __ATOMIC_RELAXED);
}
