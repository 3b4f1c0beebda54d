/*
 * A software pmap for host tests; see pmap_soft.h. Each pmap is a sorted
 * array of page mappings, searched by binary search, plus a sorted array of
 * the page-table pages the Sv39 pmap would have allocated for them. Its
 * memory comes from the C library, not from the pmm, so the frame counts
 * the tests check are those of the VM alone.
 */
#include "env.h"
#include "pmap_soft.h"
#include "vm/pmm.h"

struct soft_pte {
	vaddr_t va;
	paddr_t pa;
	unsigned int prot;
};

struct pmap {
	struct soft_pte *ptes;		/* sorted by va */
	size_t n, cap;
	uint64_t *tables;		/* sorted keys of page-table pages */
	size_t ntables, tcap;
	uint64_t flushes;
};

static struct pmap *active;
static long live;
static unsigned int fail_enters;

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

static void table_touch(struct pmap *pm, uint64_t key)
{
	size_t lo = 0, hi = pm->ntables;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (pm->tables[mid] < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < pm->ntables && pm->tables[lo] == key)
		return;
	if (pm->ntables == pm->tcap)
		pm->tables = grow(pm->tables, &pm->tcap, sizeof(*pm->tables));
	memmove(&pm->tables[lo + 1], &pm->tables[lo],
		(pm->ntables - lo) * sizeof(*pm->tables));
	pm->tables[lo] = key;
	pm->ntables++;
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

struct pmap *pmap_create(void)
{
	struct pmap *pm = calloc(1, sizeof(*pm));

	if (!pm)
		panic("pmap_soft: out of host memory");
	live++;
	return pm;
}

void pmap_destroy(struct pmap *pm)
{
	if (pm == active)
		panic("pmap_destroy: the pmap is active");
	for (size_t i = 0; i < pm->n; i++)
		page_mapcount_add(pm->ptes[i].pa, -1);
	free(pm->ptes);
	free(pm->tables);
	free(pm);
	live--;
}

void pmap_activate(struct pmap *pm)
{
	active = pm;
}

int pmap_enter(struct pmap *pm, vaddr_t va, paddr_t pa, unsigned int prot)
{
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
		pm->flushes++;		/* replaced a valid entry */
		page_mapcount_add(pm->ptes[i].pa, -1);
	} else {
		if (pm->n == pm->cap)
			pm->ptes = grow(pm->ptes, &pm->cap, sizeof(*pm->ptes));
		memmove(&pm->ptes[i + 1], &pm->ptes[i],
			(pm->n - i) * sizeof(*pm->ptes));
		pm->n++;
	}
	page_mapcount_add(pa, 1);
	pm->ptes[i] = (struct soft_pte){ va, pa, prot_norm(prot) };
	return 0;
}

void pmap_remove(struct pmap *pm, vaddr_t start, vaddr_t end)
{
	size_t i, j;

	check_range("pmap_remove", start, end);
	i = pte_lower_bound(pm, start);
	j = pte_lower_bound(pm, end);
	if (i == j)
		return;
	pm->flushes += j - i;
	for (size_t k = i; k < j; k++)
		page_mapcount_add(pm->ptes[k].pa, -1);
	memmove(&pm->ptes[i], &pm->ptes[j], (pm->n - j) * sizeof(*pm->ptes));
	pm->n -= j - i;
}

void pmap_protect(struct pmap *pm, vaddr_t start, vaddr_t end,
		  unsigned int prot)
{
	size_t i, out;

	check_range("pmap_protect", start, end);
	i = pte_lower_bound(pm, start);
	for (out = i; i < pm->n; i++) {
		struct soft_pte pte = pm->ptes[i];

		if (pte.va < end) {
			unsigned int keep = prot_norm(pte.prot & prot);

			if (keep != pte.prot)
				pm->flushes++;
			if (!keep) {		/* nothing left: unmapped */
				page_mapcount_add(pte.pa, -1);
				continue;
			}
			pte.prot = keep;
		}
		pm->ptes[out++] = pte;
	}
	pm->n = out;
}

int pmap_copy(struct pmap *dst, struct pmap *src, vaddr_t start, vaddr_t end,
	      unsigned int drop)
{
	size_t i = pte_lower_bound(src, start);
	bool changed = false;

	check_range("pmap_copy", start, end);
	for (; i < src->n && src->ptes[i].va < end; i++) {
		struct soft_pte *e = &src->ptes[i];
		int err;

		if ((drop & VM_PROT_WRITE) && (e->prot & VM_PROT_WRITE)) {
			e->prot &= ~VM_PROT_WRITE;
			changed = true;
		}
		err = pmap_enter(dst, e->va, e->pa, e->prot & ~drop);
		if (err)
			return err;
	}
	if (changed)
		src->flushes++;
	return 0;
}

bool pmap_extract(struct pmap *pm, vaddr_t va, paddr_t *pa, unsigned int *prot)
{
	size_t i = pte_lower_bound(pm, ALIGN_DOWN(va, PAGE_SIZE));

	if (i == pm->n || pm->ptes[i].va != ALIGN_DOWN(va, PAGE_SIZE))
		return false;
	if (pa)
		*pa = pm->ptes[i].pa;
	if (prot)
		*prot = pm->ptes[i].prot;
	return true;
}

uint64_t pmap_table_pages(const struct pmap *pm)
{
	return 1 + pm->ntables;
}

uint64_t pmap_resident(const struct pmap *pm)
{
	return pm->n;
}

/* ---- test helpers ---- */

uint64_t pmap_soft_count(const struct pmap *pm)
{
	return pm->n;
}

void pmap_soft_foreach(const struct pmap *pm, pmap_soft_fn fn, void *arg)
{
	for (size_t i = 0; i < pm->n; i++)
		fn(pm->ptes[i].va, pm->ptes[i].pa, pm->ptes[i].prot, arg);
}

uint64_t pmap_soft_flushes(const struct pmap *pm)
{
	return pm->flushes;
}

struct pmap *pmap_soft_active(void)
{
	return active;
}

long pmap_soft_live(void)
{
	return live;
}

void pmap_soft_fail_enters(unsigned int n)
{
	fail_enters = n;
}
