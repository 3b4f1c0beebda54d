/*
 * A software pmap for host tests; see pmap_soft.h. Each pmap is a sorted
 * array of page mappings, searched by binary search, plus a sorted array of
 * the page-table pages the Sv39 pmap would have allocated for them. Its
 * memory comes from the C library, not from the pmm, so the frame counts
 * the tests check are those of the VM alone; the pv entries of the reverse
 * map (vm/rmap.c, shared with the Sv39 pmap) come from kmem as there.
 *
 * Like the Sv39 pmap, entries of managed frames (PAGE_ANON, PAGE_FILE) are
 * on the frame's rmap (SOFT_PV), entries start without the accessed and
 * dirty bits, and the software MMU (pmap_soft_access) sets them.
 *
 * Threads. Each pmap has a spinlock that every call holds while it reads
 * or changes the arrays, so each call is atomic, as one walk or one entry
 * update of the hardware's tables is; the software MMU's loads and stores
 * (pmap_soft_load, pmap_soft_store) translate and copy under it too, so a
 * store never lands once the call that removed its permission returned
 * (a TLB that is flushed at once, everywhere). Lock order as Sv39's:
 * pm->lock -> rmap lock. The frame-wide calls start from the rmap lock, so
 * they only try each pmap's lock and, if it is busy, drop the rmap lock and
 * look again. The active pmap is per thread (per hart).
 */
#include "env.h"
#include "pmap_soft.h"
#include "vm/pmm.h"
#include "vm/rmap.h"

#define SOFT_A		0x1		/* accessed */
#define SOFT_D		0x2		/* dirty */
#define SOFT_PV		0x4		/* on the frame's rmap */

struct soft_pte {
	vaddr_t va;
	paddr_t pa;
	unsigned int prot;
	unsigned int bits;		/* SOFT_* */
};

struct pmap {
	struct soft_pte *ptes;		/* sorted by va */
	size_t n, cap;
	uint64_t *tables;		/* sorted keys of page-table pages */
	size_t ntables, tcap;
	uint64_t flushes;		/* atomic */
	int refs;			/* creator + flush batches; atomic */
	struct spinlock lock;		/* every field above but refs */
	struct pv_pool pv;		/* pv entries of its mappings */
};

static __thread struct pmap *active;	/* this hart's */
static long live;			/* atomic */
static unsigned int fail_enters;	/* set by single-threaded tests */

/* pm asked for n TLB flushes (atomic: batches flush without pm->lock). */
static void soft_flushed(struct pmap *pm, uint64_t n)
{
	__atomic_add_fetch(&pm->flushes, n, __ATOMIC_RELAXED);
}

#define L1_TABLE_KEY(va)	((1UL << 63) | ((va) >> 30))	/* one per GiB */
#define L0_TABLE_KEY(va)	((va) >> 21)			/* one per 2 MiB */

static void *grow(void *array, size_t *cap, size_t elem)
{
	size_t ncap = *cap ? *cap * 2 : 16;
	void *p = realloc(array, ncap * elem);

	if (!p)
		panic("pmap_soft: out of host memory");
	*cap = ncap;
	return p;
}

/* Index of the first entry with va >= key. */
static size_t pte_lower_bound(const struct pmap *pm, vaddr_t key)
{
	size_t lo = 0, hi = pm->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (pm->ptes[mid].va < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Index of the first table key >= key. */
static size_t table_lower_bound(const struct pmap *pm, uint64_t key)
{
	size_t lo = 0, hi = pm->ntables;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (pm->tables[mid] < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void table_touch(struct pmap *pm, uint64_t key)
{
	size_t lo = table_lower_bound(pm, key);

	if (lo < pm->ntables && pm->tables[lo] == key)
		return;
	if (pm->ntables == pm->tcap)
		pm->tables = grow(pm->tables, &pm->tcap, sizeof(*pm->tables));
	memmove(&pm->tables[lo + 1], &pm->tables[lo],
		(pm->ntables - lo) * sizeof(*pm->tables));
	pm->tables[lo] = key;
	pm->ntables++;
}

static bool table_drop(struct pmap *pm, uint64_t key)
{
	size_t i = table_lower_bound(pm, key);

	if (i == pm->ntables || pm->tables[i] != key)
		return false;
	memmove(&pm->tables[i], &pm->tables[i + 1],
		(pm->ntables - i - 1) * sizeof(*pm->tables));
	pm->ntables--;
	return true;
}

/* Does pm map anything in [start, end)? */
static bool maps_in(const struct pmap *pm, vaddr_t start, vaddr_t end)
{
	size_t i = pte_lower_bound(pm, start);

	return i < pm->n && pm->ptes[i].va < end;
}

/*
 * As the Sv39 pmap's pmap_remove does, free the level-0 tables that
 * [start, end) touched and that map nothing now, and a level-1 table left
 * with no level-0 table under it.
 */
static void tables_prune(struct pmap *pm, vaddr_t start, vaddr_t end)
{
	const uint64_t l0 = 1UL << 21, l1 = 1UL << 30;
	size_t k = table_lower_bound(pm, L0_TABLE_KEY(start));

	/* level-0 keys sort below level-1 keys: walk those of the range */
	while (k < pm->ntables && pm->tables[k] <= L0_TABLE_KEY(end - 1)) {
		vaddr_t va = pm->tables[k] << 21, gib = ALIGN_DOWN(va, l1);

		if (maps_in(pm, va, va + l0)) {
			k++;
			continue;
		}
		table_drop(pm, pm->tables[k]);
		if (table_lower_bound(pm, L0_TABLE_KEY(gib)) ==
		    table_lower_bound(pm, L0_TABLE_KEY(gib + l1)))
			table_drop(pm, L1_TABLE_KEY(gib));
	}
}

/* Put the entry (pm, e) of a managed frame on its rmap. */
static int soft_rmap_add(struct pmap *pm, struct soft_pte *e)
{
	struct page *pg = pa_to_page(e->pa);
	struct spinlock *l;
	int err;

	if (!rmap_managed(pg))
		return 0;
	l = rmap_lock_of(pg);
	spin_lock(l);
	err = rmap_add(pg, pm, e->va, &pm->pv);
	spin_unlock(l);
	if (!err)
		e->bits |= SOFT_PV;
	return err;
}

/* The entry e of pm goes: take it off its frame's rmap, keeping A and D. */
static void soft_unmapped(struct pmap *pm, const struct soft_pte *e)
{
	struct page *pg = pa_to_page(e->pa);

	page_mapcount_add(e->pa, -1);
	if (e->bits & SOFT_PV) {
		struct spinlock *l = rmap_lock_of(pg);

		spin_lock(l);
		rmap_save(pg, (e->bits & SOFT_A ? RMAP_SAVED_REF : 0) |
			  (e->bits & SOFT_D ? RMAP_SAVED_MOD : 0));
		rmap_remove(pg, pm, e->va, &pm->pv);
		spin_unlock(l);
	}
}

/* Sv39 cannot express write-only: a writable page is readable too. */
static unsigned int prot_norm(unsigned int prot)
{
	return prot & VM_PROT_WRITE ? prot | VM_PROT_READ : prot;
}

static void check_range(const char *fn, vaddr_t start, vaddr_t end)
{
	if (!IS_ALIGNED(start, PAGE_SIZE) || !IS_ALIGNED(end, PAGE_SIZE) ||
	    start > end || end > PMAP_SOFT_USER_TOP)
		panic("%s: bad range 0x%lx-0x%lx", fn, (unsigned long)start,
		      (unsigned long)end);
}

void pmap_init(void)
{
}

struct pmap *pmap_create(void)
{
	struct pmap *pm = calloc(1, sizeof(*pm));

	if (!pm)
		panic("pmap_soft: out of host memory");
	pm->refs = 1;
	spin_init(&pm->lock, "pmap_soft");
	__atomic_add_fetch(&live, 1, __ATOMIC_RELAXED);
	return pm;
}

static void pmap_unref(struct pmap *pm)
{
	if (__atomic_sub_fetch(&pm->refs, 1, __ATOMIC_ACQ_REL) == 0)
		free(pm);
}

void pmap_destroy(struct pmap *pm)
{
	if (pm == active)
		panic("pmap_destroy: the pmap is active");
	spin_lock(&pm->lock);
	for (size_t i = 0; i < pm->n; i++)
		soft_unmapped(pm, &pm->ptes[i]);
	pv_pool_destroy(&pm->pv);
	free(pm->ptes);
	free(pm->tables);
	pm->ptes = NULL;
	pm->tables = NULL;
	pm->n = pm->ntables = 0;
	spin_unlock(&pm->lock);
	__atomic_sub_fetch(&live, 1, __ATOMIC_RELAXED);
	pmap_unref(pm);
}

void pmap_activate(struct pmap *pm)
{
	active = pm;
}

/* pmap_enter with pm->lock held. */
static int soft_enter(struct pmap *pm, vaddr_t va, paddr_t pa, unsigned int prot)
{
	struct soft_pte e = { va, pa, prot_norm(prot), 0 };
	size_t i;

	if (!IS_ALIGNED(va, PAGE_SIZE) || va >= PMAP_SOFT_USER_TOP ||
	    !IS_ALIGNED(pa, PAGE_SIZE))
		panic("pmap_enter: bad page va 0x%lx pa 0x%lx",
		      (unsigned long)va, (unsigned long)pa);
	if (prot == 0 || (prot & ~(VM_PROT_READ | VM_PROT_WRITE | VM_PROT_EXEC)))
		panic("pmap_enter: bad protection 0x%x at 0x%lx", prot,
		      (unsigned long)va);
	if (fail_enters) {
		fail_enters--;
		return -ENOMEM;
	}
	table_touch(pm, L1_TABLE_KEY(va));
	table_touch(pm, L0_TABLE_KEY(va));
	i = pte_lower_bound(pm, va);
	if (i < pm->n && pm->ptes[i].va == va) {
		soft_flushed(pm, 1);		/* replaced a valid entry */
		if (pm->ptes[i].pa == pa) {	/* same frame: new permissions */
			pm->ptes[i].prot = e.prot;
			return 0;
		}
		soft_unmapped(pm, &pm->ptes[i]);
		memmove(&pm->ptes[i], &pm->ptes[i + 1],
			(pm->n - i - 1) * sizeof(*pm->ptes));
		pm->n--;
	}
	if (soft_rmap_add(pm, &e) < 0)
		return -ENOMEM;
	if (pm->n == pm->cap)
		pm->ptes = grow(pm->ptes, &pm->cap, sizeof(*pm->ptes));
	memmove(&pm->ptes[i + 1], &pm->ptes[i], (pm->n - i) * sizeof(*pm->ptes));
	pm->n++;
	page_mapcount_add(pa, 1);
	pm->ptes[i] = e;
	return 0;
}

int pmap_enter(struct pmap *pm, vaddr_t va, paddr_t pa, unsigned int prot)
{
	int err;

	spin_lock(&pm->lock);
	err = soft_enter(pm, va, pa, prot);
	spin_unlock(&pm->lock);
	return err;
}

void pmap_remove(struct pmap *pm, vaddr_t start, vaddr_t end)
{
	size_t i, j;

	check_range("pmap_remove", start, end);
	spin_lock(&pm->lock);
	i = pte_lower_bound(pm, start);
	j = pte_lower_bound(pm, end);
	soft_flushed(pm, j - i);
	for (size_t k = i; k < j; k++)
		soft_unmapped(pm, &pm->ptes[k]);
	if (i != j)
		memmove(&pm->ptes[i], &pm->ptes[j], (pm->n - j) * sizeof(*pm->ptes));
	pm->n -= j - i;
	if (start < end)
		tables_prune(pm, start, end);
	spin_unlock(&pm->lock);
}

uint64_t pmap_trim(struct pmap *pm)
{
	size_t before;

	spin_lock(&pm->lock);
	before = pm->ntables;
	tables_prune(pm, 0, PMAP_SOFT_USER_TOP);
	before -= pm->ntables;
	spin_unlock(&pm->lock);
	return before;
}

void pmap_protect(struct pmap *pm, vaddr_t start, vaddr_t end,
		  unsigned int prot)
{
	size_t i, out;

	check_range("pmap_protect", start, end);
	spin_lock(&pm->lock);
	i = pte_lower_bound(pm, start);
	for (out = i; i < pm->n; i++) {
		struct soft_pte pte = pm->ptes[i];

		if (pte.va < end) {
			unsigned int keep = prot_norm(pte.prot & prot);

			if (keep != pte.prot)
				soft_flushed(pm, 1);
			if (!keep) {		/* nothing left: unmapped */
				soft_unmapped(pm, &pte);
				continue;
			}
			pte.prot = keep;
		}
		pm->ptes[out++] = pte;
	}
	pm->n = out;
	spin_unlock(&pm->lock);
}

int pmap_copy(struct pmap *dst, struct pmap *src, vaddr_t start, vaddr_t end,
	      unsigned int drop)
{
	bool changed = false;
	int err = 0;
	size_t i;

	check_range("pmap_copy", start, end);
	spin_lock(&src->lock);		/* as Sv39's: the source's, then dst's */
	spin_lock(&dst->lock);
	i = pte_lower_bound(src, start);
	for (; i < src->n && src->ptes[i].va < end; i++) {
		struct soft_pte *e = &src->ptes[i];

		if ((drop & VM_PROT_WRITE) && (e->prot & VM_PROT_WRITE)) {
			e->prot &= ~VM_PROT_WRITE;
			changed = true;
		}
		err = soft_enter(dst, e->va, e->pa, e->prot & ~drop);
		if (err)
			break;
	}
	if (changed)
		soft_flushed(src, 1);
	spin_unlock(&dst->lock);
	spin_unlock(&src->lock);
	return err;
}

static struct soft_pte *soft_find(const struct pmap *pm, vaddr_t va);

bool pmap_extract(struct pmap *pm, vaddr_t va, paddr_t *pa, unsigned int *prot)
{
	struct soft_pte *e;

	spin_lock(&pm->lock);
	e = soft_find(pm, va);
	if (e && pa)
		*pa = e->pa;
	if (e && prot)
		*prot = e->prot;
	spin_unlock(&pm->lock);
	return e != NULL;
}

/* Gather a frame's mappings into an array (up to max). */
struct collect {
	struct pv_entry *out;
	unsigned int *n;
	unsigned int max;
};

static void collect_one(struct pmap *pm, vaddr_t va, void *arg)
{
	struct collect *c = arg;

	if (*c->n < c->max) {
		c->out[*c->n].pm = pm;
		c->out[*c->n].va = va;
		(*c->n)++;
	}
}

/* The entry of pm at va, or NULL. */
static struct soft_pte *soft_find(const struct pmap *pm, vaddr_t va)
{
	size_t i = pte_lower_bound(pm, ALIGN_DOWN(va, PAGE_SIZE));

	if (i == pm->n || pm->ptes[i].va != ALIGN_DOWN(va, PAGE_SIZE))
		return NULL;
	return &pm->ptes[i];
}

static bool soft_allows(const struct soft_pte *e, unsigned int access)
{
	return e && (e->prot & access);
}

static unsigned int access_bits(unsigned int access)
{
	return SOFT_A | (access == VM_PROT_WRITE ? SOFT_D : 0);
}

bool pmap_access(struct pmap *pm, vaddr_t va, unsigned int access, paddr_t *pa)
{
	struct soft_pte *e;
	bool ok;

	spin_lock(&pm->lock);
	e = soft_find(pm, va);
	ok = soft_allows(e, access);
	if (ok) {
		e->bits |= access_bits(access);
		*pa = e->pa;
		if (pa_to_page(e->pa))
			page_ref_inc(pa_to_page(e->pa));
	}
	spin_unlock(&pm->lock);
	return ok;
}

/*
 * One access of the software MMU at va: translate and copy len bytes (not
 * crossing a page) under pm->lock, setting A (and D for a store). Returns
 * false, copying nothing, if the entry does not allow it.
 */
static bool soft_copy(struct pmap *pm, vaddr_t va, void *buf, size_t len,
		      unsigned int access)
{
	struct soft_pte *e;
	bool ok;

	if ((va & PAGE_MASK) + len > PAGE_SIZE)
		panic("pmap_soft: an access of %zu bytes at 0x%lx crosses a page",
		      len, (unsigned long)va);
	spin_lock(&pm->lock);
	e = soft_find(pm, va);
	ok = soft_allows(e, access);
	if (ok) {
		uint8_t *p = (uint8_t *)phys_to_virt(e->pa) + (va & PAGE_MASK);

		e->bits |= access_bits(access);
		if (access == VM_PROT_WRITE)
			memcpy(p, buf, len);
		else
			memcpy(buf, p, len);
	}
	spin_unlock(&pm->lock);
	return ok;
}

bool pmap_soft_load(struct pmap *pm, vaddr_t va, void *dst, size_t len)
{
	return soft_copy(pm, va, dst, len, VM_PROT_READ);
}

bool pmap_soft_store(struct pmap *pm, vaddr_t va, const void *src, size_t len)
{
	return soft_copy(pm, va, (void *)src, len, VM_PROT_WRITE);
}

static uint64_t fixups;			/* atomic */
static bool svade = true;		/* the software MMU never sets A or D */

bool pmap_svade(void)
{
	return svade;
}

bool pmap_set_svade(bool on)
{
	bool old = svade;

	svade = on;
	return old;
}

bool pmap_fault_fixup(struct pmap *pm, vaddr_t va, unsigned int access)
{
	struct soft_pte *e;
	unsigned int need = access_bits(access);

	bool fixed;

	if (!svade)
		return false;
	spin_lock(&pm->lock);
	e = soft_find(pm, va);
	fixed = soft_allows(e, access) && (e->bits & need) != need;
	if (fixed)
		e->bits |= need;
	spin_unlock(&pm->lock);
	if (fixed)
		__atomic_add_fetch(&fixups, 1, __ATOMIC_RELAXED);
	return fixed;
}

uint64_t pmap_fixup_count(void)
{
	return __atomic_load_n(&fixups, __ATOMIC_RELAXED);
}

bool pmap_rmap_check(struct pmap *pm, vaddr_t va)
{
	struct soft_pte *e;
	struct page *pg;
	bool ok;

	spin_lock(&pm->lock);
	e = soft_find(pm, va);
	pg = e ? pa_to_page(e->pa) : NULL;
	if (!e) {
		ok = false;
	} else if (!(e->bits & SOFT_PV)) {
		ok = !rmap_managed(pg);
	} else {
		struct spinlock *l = rmap_lock_of(pg);

		spin_lock(l);
		ok = rmap_managed(pg) && rmap_contains(pg, pm, e->va) &&
		     page_mapcount(pg) >= rmap_count(pg);
		spin_unlock(l);
	}
	spin_unlock(&pm->lock);
	return ok;
}

/* ---- frames, through the reverse map ---- */

static void batch_add(struct pmap_batch *b, struct pmap *pm, vaddr_t va)
{
	for (unsigned int i = 0; i < b->n; i++) {
		if (b->e[i].pm == pm) {
			if (b->e[i].va != va)
				b->e[i].va = PMAP_BATCH_ALL;
			return;
		}
	}
	if (b->n == PMAP_BATCH_MAX)
		pmap_batch_flush(b);
	__atomic_add_fetch(&pm->refs, 1, __ATOMIC_RELAXED);
	b->e[b->n].pm = pm;
	b->e[b->n].va = va;
	b->n++;
}

void pmap_batch_flush(struct pmap_batch *b)
{
	for (unsigned int i = 0; i < b->n; i++) {
		struct pmap *pm = b->e[i].pm;

		soft_flushed(pm, 1);
		pmap_unref(pm);
	}
	b->n = 0;
}

/* The entry (pm, va) that pg's rmap lists. */
static struct soft_pte *rmap_entry(const struct page *pg, struct pmap *pm,
				   vaddr_t va)
{
	struct soft_pte *e = soft_find(pm, va);

	if (!e || e->pa != page_to_pa(pg) || !(e->bits & SOFT_PV))
		panic("pmap_soft: the rmap of frame 0x%lx lists 0x%lx, which "
		      "does not map it", (unsigned long)page_to_pa(pg),
		      (unsigned long)va);
	return e;
}

/*
 * Take pm->lock with pg's rmap lock l held, against the lock order: only
 * try; if pm is busy, drop l, let its holder finish, retake l and return
 * false (the caller looks at the rmap again, which may have changed).
 */
static bool rmap_try_pmap(struct spinlock *l, struct pmap *pm)
{
	if (spin_trylock(&pm->lock))
		return true;
	spin_unlock(l);
	spin_wait_poll();
	spin_lock(l);
	return false;
}

void pmap_page_protect(struct page *pg, unsigned int prot)
{
	struct spinlock *l = rmap_lock_of(pg);
	struct pmap_batch b;
	bool again = true;

	pmap_batch_init(&b);
	spin_lock(l);
	while (again) {
		struct pv_entry all[64];
		unsigned int n = 0;

		again = false;
		rmap_foreach(pg, collect_one, &(struct collect){ all, &n, 64 });
		for (unsigned int k = 0; k < n && !again; k++) {
			struct pmap *pm = all[k].pm;
			struct soft_pte *e;
			unsigned int keep;

			if (!rmap_try_pmap(l, pm)) {
				again = true;	/* the rmap may have changed */
				break;
			}
			e = rmap_entry(pg, pm, all[k].va);
			keep = prot_norm(e->prot & prot);
			if (keep == e->prot) {
				spin_unlock(&pm->lock);
				continue;
			}
			batch_add(&b, pm, e->va);
			if (keep) {
				e->prot = keep;
				spin_unlock(&pm->lock);
				continue;
			}
			rmap_save(pg, (e->bits & SOFT_A ? RMAP_SAVED_REF : 0) |
				  (e->bits & SOFT_D ? RMAP_SAVED_MOD : 0));
			rmap_remove(pg, pm, e->va, &pm->pv);
			page_mapcount_add(e->pa, -1);
			memmove(e, e + 1, (&pm->ptes[pm->n] - (e + 1)) * sizeof(*e));
			pm->n--;
			spin_unlock(&pm->lock);
			again = n == 64;	/* more than one gulp: look again */
		}
	}
	spin_unlock(l);
	pmap_batch_flush(&b);
}

/*
 * Look at (b NULL) or clear (into b) the bits (SOFT_A or SOFT_D) of pg's
 * entries and the saved one; returns whether any was set.
 */
static bool page_bits(struct page *pg, unsigned int bits, struct pmap_batch *b)
{
	uint32_t saved = bits == SOFT_A ? RMAP_SAVED_REF : RMAP_SAVED_MOD;
	struct spinlock *l = rmap_lock_of(pg);
	bool set = false, again = true;

	spin_lock(l);
	while (again) {
		struct pv_entry all[64];
		unsigned int n = 0;

		again = false;
		set |= rmap_saved(pg) & saved;
		if (b)
			rmap_unsave(pg, saved);
		rmap_foreach(pg, collect_one, &(struct collect){ all, &n, 64 });
		if (n == 64)
			panic("pmap_soft: more than 64 mappings of one frame");
		for (unsigned int k = 0; k < n; k++) {
			struct pmap *pm = all[k].pm;
			struct soft_pte *e;

			if (!rmap_try_pmap(l, pm)) {
				again = true;	/* the rmap may have changed */
				break;
			}
			e = rmap_entry(pg, pm, all[k].va);
			if (e->bits & bits) {
				set = true;
				if (b) {
					e->bits &= ~bits;
					batch_add(b, pm, e->va);
				}
			}
			spin_unlock(&pm->lock);
		}
	}
	spin_unlock(l);
	return set;
}

bool pmap_is_referenced(struct page *pg)
{
	return page_bits(pg, SOFT_A, NULL);
}

bool pmap_is_modified(struct page *pg)
{
	return page_bits(pg, SOFT_D, NULL);
}

bool pmap_clear_reference_batch(struct page *pg, struct pmap_batch *b)
{
	return page_bits(pg, SOFT_A, b);
}

bool pmap_clear_reference(struct page *pg)
{
	struct pmap_batch b;
	bool set;

	pmap_batch_init(&b);
	set = page_bits(pg, SOFT_A, &b);
	pmap_batch_flush(&b);
	return set;
}

bool pmap_clear_modify(struct page *pg)
{
	struct pmap_batch b;
	bool set;

	pmap_batch_init(&b);
	set = page_bits(pg, SOFT_D, &b);
	pmap_batch_flush(&b);
	return set;
}

/* A count of pm's, read under its lock (the const is the caller's view). */
static uint64_t soft_read(const struct pmap *pm, const size_t *field)
{
	struct spinlock *l = (struct spinlock *)&pm->lock;
	uint64_t v;

	spin_lock(l);
	v = *field;
	spin_unlock(l);
	return v;
}

uint64_t pmap_table_pages(const struct pmap *pm)
{
	return 1 + soft_read(pm, &pm->ntables);
}

uint64_t pmap_resident(const struct pmap *pm)
{
	return soft_read(pm, &pm->n);
}

/* ---- test helpers ---- */

uint64_t pmap_soft_count(const struct pmap *pm)
{
	return soft_read(pm, &pm->n);
}

void pmap_soft_foreach(const struct pmap *pm, pmap_soft_fn fn, void *arg)
{
	struct spinlock *l = (struct spinlock *)&pm->lock;

	spin_lock(l);
	for (size_t i = 0; i < pm->n; i++)
		fn(pm->ptes[i].va, pm->ptes[i].pa, pm->ptes[i].prot, arg);
	spin_unlock(l);
}

uint64_t pmap_soft_flushes(const struct pmap *pm)
{
	return __atomic_load_n(&pm->flushes, __ATOMIC_RELAXED);
}

struct pmap *pmap_soft_active(void)
{
	return active;
}

long pmap_soft_live(void)
{
	return __atomic_load_n(&live, __ATOMIC_RELAXED);
}

void pmap_soft_fail_enters(unsigned int n)
{
	fail_enters = n;
}

struct pv_pool *pmap_pv_pool(struct pmap *pm)
{
	return &pm->pv;
}

unsigned int pmap_shrink_pv(struct pmap *pm)
{
	unsigned long flags = spin_lock_irqsave(&pm->lock);
	unsigned int n = pv_pool_shrink(&pm->pv);

	spin_unlock_irqrestore(&pm->lock, flags);
	return n;
}
