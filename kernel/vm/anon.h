/*
 * anon — the identity of one private page (anonymous memory, or the copy a
 * write made of a file page), as UVM's vm_anon.
 *
 * An amap slot holds a reference to an anon, never a bare frame. fork makes
 * the child's amap hold the same anons (one more reference each), so a
 * private page keeps one identity however many address spaces share it:
 * copy-on-write is the decision "is this anon referenced more than once?",
 * and later a page sent to swap is one slot recorded in the anon, found by
 * every sharer. The anon holds the reference on its frame; the frame names
 * the anon as its owner (state PAGE_ANON).
 *
 * Locking: refs is atomic, because amaps of different address spaces (each
 * under its own lock) share anons. page and swap change only while the
 * caller holds the only reference, or the lock of the one amap holding it.
 *
 * Machine-independent: compiles on the host.
 */
#ifndef KILBURN_ANON_H
#define KILBURN_ANON_H

#include "env.h"
#include "vm/pmm.h"

struct anon {
	uint32_t refs;		/* amap slots and holders; atomic */
	struct page *page;	/* the resident frame (one reference), or NULL */
	uint64_t swap;		/* swap slot of a swapped-out page, or 0 (unused yet) */
};

/* Set up the anon cache (boot, from vm_init). */
void anon_init(void);

/*
 * anon_alloc - a new anon with one reference, holding pg (whose reference
 * it takes over; pg becomes PAGE_ANON, owned by the anon). Returns NULL if
 * out of memory (pg is still the caller's).
 */
struct anon *anon_alloc(struct page *pg);

static inline void anon_ref(struct anon *an)
{
	__atomic_add_fetch(&an->refs, 1, __ATOMIC_RELAXED);
}

static inline uint32_t anon_refs(const struct anon *an)
{
	return __atomic_load_n(&an->refs, __ATOMIC_ACQUIRE);
}

/* Drop a reference; the last one frees the anon and drops its frame. */
void anon_put(struct anon *an);

/* Anons in use (for tests and /proc). */
uint64_t anon_count(void);

#endif
