/*
 * Page-table pages of address spaces that have (next to) nothing resident.
 *
 * When page-out has sent a process's pages to swap, the page tables that
 * mapped them stay behind, empty: a 192 MiB process swapped out keeps 96
 * level-0 tables (384 KiB) that map nothing. The page-out daemon, after
 * each pass, frees the empty tables of every address space whose tables
 * are mostly empty (pmap_trim). The page tables are only a cache of the
 * address space's regions and anons, so nothing is lost: the next fault in
 * such a range makes its table again.
 *
 * The same walk gives back the chunks of reverse-map entries (pv entries,
 * vm/rmap.h) that a pmap no longer uses (pageout_trim_pv): a process that
 * once mapped many shared frames at a time keeps its chunks otherwise
 * until it exits.
 *
 * Locks: proc_tree_lock while the processes are listed (a reference on
 * each address space is taken), then each pmap's lock inside pmap_trim;
 * no address-space lock, as for the rest of page-out.
 */
#include "vm/pageout.h"
#include "kern/proc.h"
#include "vm/pmap.h"
#include "vm/vmspace.h"
#include "vm/vmstat.h"

#define TRIM_BATCH	64	/* address spaces looked at per listing */

/*
 * Worth a look: its tables map on average fewer than TRIM_SPARSE pages
 * each (1 in 32 of their 512 entries), nothing resident included.
 */
#define TRIM_SPARSE	16

struct trim_scan {
	struct vmspace *vm[TRIM_BATCH];	/* referenced */
	bool all;			/* every address space, worth it or not */
	int n;
	int skip;			/* processes listed by earlier batches */
	int seen;
};

static bool trim_worth(struct vmspace *vm)
{
	uint64_t tables = pmap_table_pages(vm->pmap);

	return tables > 1 && pmap_resident(vm->pmap) < (tables - 1) * TRIM_SPARSE;
}

/* proc_for_each: note the address space of each user process once. */
static int trim_note(struct proc *p, void *arg)
{
	struct trim_scan *s = arg;

	if (p->kthread || !p->vm || s->seen++ < s->skip)
		return 0;
	if (s->n == TRIM_BATCH)
		return 1;
	for (int i = 0; i < s->n; i++)
		if (s->vm[i] == p->vm)	/* another thread of the same */
			return 0;
	if (!s->all && !trim_worth(p->vm))
		return 0;
	vmspace_get(p->vm);
	s->vm[s->n++] = p->vm;
	return 0;
}

/*
 * Run fn on the pmap of every user address space (of those worth a trim
 * only, unless all). Returns the sum of what fn returned.
 */
static uint64_t trim_each(bool all, uint64_t (*fn)(struct pmap *pm))
{
	struct trim_scan scan;		/* 540 bytes: each walk its own */
	uint64_t freed = 0;
	bool more;

	scan.all = all;
	scan.skip = 0;
	do {
		scan.n = 0;
		scan.seen = 0;
		more = proc_for_each(trim_note, &scan) == 1;
		for (int i = 0; i < scan.n; i++) {
			freed += fn(scan.vm[i]->pmap);
			vmspace_put(scan.vm[i]);
		}
		scan.skip = scan.seen - 1;
	} while (more);
	return freed;
}

uint64_t pageout_trim_tables(void)
{
	uint64_t freed = trim_each(false, pmap_trim);

	vmstat_add(VMSTAT_PT_TRIMMED, freed);
	return freed;
}

static uint64_t shrink_pv(struct pmap *pm)
{
	return pmap_shrink_pv(pm);
}

uint64_t pageout_trim_pv(void)
{
	uint64_t freed = trim_each(true, shrink_pv);

	vmstat_add(VMSTAT_PV_TRIMMED, freed);
	return freed;
}
