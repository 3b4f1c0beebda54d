/* Private page identities; see anon.h. */
#include "vm/anon.h"
#include "vm/kmem.h"

static struct kmem_cache *anon_cache;
static uint64_t anons_in_use;		/* atomic */

void anon_init(void)
{
	anon_cache = kmem_cache_create("anon", sizeof(struct anon), 0);
	if (!anon_cache)
		panic("anon_init: out of memory");
}

struct anon *anon_alloc(struct page *pg)
{
	struct anon *an = kmem_cache_alloc(anon_cache, 0);

	if (!an)
		return NULL;
	an->refs = 1;
	an->page = pg;
	an->swap = 0;
	pg->state = PAGE_ANON;
	pg->owner = an;
	__atomic_add_fetch(&anons_in_use, 1, __ATOMIC_RELAXED);
	return an;
}

void anon_put(struct anon *an)
{
	if (__atomic_sub_fetch(&an->refs, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	if (an->page)
		page_put(an->page);
	kmem_cache_free(anon_cache, an);
	__atomic_sub_fetch(&anons_in_use, 1, __ATOMIC_RELAXED);
}

uint64_t anon_count(void)
{
	return __atomic_load_n(&anons_in_use, __ATOMIC_RELAXED);
}
