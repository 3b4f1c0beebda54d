/*
 * What /proc shows of an address space: its sizes by kind of mapping and
 * its resident pages by kind of frame, as Linux's status and statm count
 * them.
 *
 *   data   private writable mappings, the stack excepted (Linux's data_vm)
 *   stack  the stack region (stack_vm)
 *   exec   executable mappings that are neither writable nor the stack
 *          (exec_vm; VmExe is the program's text, VmLib the rest)
 *
 * A resident page is one the page table maps: an anonymous page (private,
 * PAGE_ANON) is RssAnon, a page of a swap-backed cache (tmpfs, shared
 * anonymous memory) RssShmem, a file page RssFile. The shared zero page is
 * mapped but counted in none of them, as on Linux. A private page whose
 * anon holds it on swap only is VmSwap (swap, pages).
 *
 * Machine-independent: compiles on the host.
 */
#include "vm/vmspace.h"
#include "vm/amap.h"
#include "vm/anon.h"
#include "vm/pmm.h"

/* amap_foreach: count an anon whose page is on swap only (a racy look). */
static void count_swapped(struct anon *an, void *arg)
{
	if (!READ_ONCE(an->page) && READ_ONCE(an->swap))
		(*(uint64_t *)arg)++;
}

/*
 * Count the resident pages of vm into st by the kind of frame: the page
 * table's leaves, found by walking its valid entries only (a region may
 * span terabytes of which a few pages are mapped).
 */
static void stats_resident(struct vmspace *vm, struct vm_stats *st)
{
	struct pmap_entry e[16];
	uint64_t cursor = 0;

	while (cursor != PMAP_WALK_DONE) {
		size_t n = pmap_walk(vm->pmap, &cursor, e, ARRAY_SIZE(e));

		for (size_t i = 0; i < n; i++) {
			struct page *pg = e[i].leaf ? pa_to_page(e[i].pa) : NULL;

			if (!pg)
				continue;
			if (pg->state == PAGE_ANON)
				st->rss_anon++;
			else if (pg->state == PAGE_FILE && (pg->flags & PG_SWAPBACKED))
				st->rss_shmem++;
			else if (pg->state == PAGE_FILE)
				st->rss_file++;
		}
	}
}

void vmspace_stats(struct vmspace *vm, struct vm_stats *st)
{
	memset(st, 0, sizeof(*st));
	for (struct region *r = vmspace_next(vm, 0); r; r = r->next) {
		uint64_t size = r->end - r->start;

		st->vsize += size;
		if (r->flags & REGION_LOCKED)
			st->locked += size;
		if (r->flags & REGION_GROWSDOWN)
			st->stack += size;
		else if ((r->prot & VM_PROT_WRITE) && !(r->flags & REGION_SHARED))
			st->data += size;
		else if (r->prot & VM_PROT_EXEC)
			st->exec += size;
		if (r->amap)
			amap_foreach(r->amap, r->amap_pgoff,
				     r->amap_pgoff + (size >> PAGE_SHIFT),
				     count_swapped, &st->swap);
	}
	stats_resident(vm, st);
	st->rss = st->rss_anon + st->rss_file + st->rss_shmem;
	st->page_tables = pmap_table_pages(vm->pmap);
	vm->peak_vsize = MAX(vm->peak_vsize, st->vsize);
	vm->peak_rss = MAX(vm->peak_rss, st->rss);
	st->peak_vsize = vm->peak_vsize;
	st->peak_rss = vm->peak_rss;
}
