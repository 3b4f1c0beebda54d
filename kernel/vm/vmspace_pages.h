/*
 * What /proc shows page by page of an address space and of physical memory,
 * in Linux's terms (man 5 proc): smaps' per-region usage, pagemap's 64-bit
 * entries, kpagecount and kpageflags. The VM answers; procfs formats.
 *
 * Kilburn's page tables are made with the accessed and dirty bits already
 * set (pmap), so every resident page is "Referenced"; a page is dirty if it
 * is anonymous (no copy of it is on a disk), mapped writable, or a page-cache
 * page with PG_DIRTY. Kilburn has no clear_refs: every page inside a region
 * is soft-dirty, as on Linux before the first clear_refs.
 *
 * Machine-independent: compiles on the host.
 */
#ifndef KILBURN_VMSPACE_PAGES_H
#define KILBURN_VMSPACE_PAGES_H

#include "env.h"

struct vmspace;
struct region;
struct page;

#define PSS_SHIFT	12	/* Pss is kept in bytes << PSS_SHIFT, as Linux */

/* The usage of one region (or a sum of them), in bytes. */
struct region_usage {
	uint64_t rss, shared_clean, shared_dirty, private_clean, private_dirty;
	uint64_t referenced, anonymous, swap;
	uint64_t pss, pss_dirty, pss_anon, pss_file, pss_shmem;	/* << PSS_SHIFT */
};

/*
 * vmspace_region_usage - add r's resident pages to *u (vm->lock held). A
 * page counts if it is an anonymous or page-cache frame (not the zero page,
 * as Linux); it is shared if more than one page-table entry maps it, and
 * its Pss share is PAGE_SIZE / that number. O(pages of r).
 */
void vmspace_region_usage(struct vmspace *vm, const struct region *r,
			  struct region_usage *u);

/* pagemap entry bits (Linux's fs/proc/task_mmu.c ABI) */
#define PM_PFN_MASK		((1UL << 55) - 1)
#define PM_SOFT_DIRTY		(1UL << 55)
#define PM_MMAP_EXCLUSIVE	(1UL << 56)
#define PM_FILE			(1UL << 61)
#define PM_SWAP			(1UL << 62)
#define PM_PRESENT		(1UL << 63)

/*
 * vmspace_pagemap_entry - the /proc/<pid>/pagemap entry of the page at va
 * (vm->lock held): present and its frame number; exclusive if one entry
 * maps the frame; file if it is a page-cache page; soft-dirty inside a
 * region; 0 outside every region.
 */
uint64_t vmspace_pagemap_entry(struct vmspace *vm, vaddr_t va);

/* kpageflags bits (Linux's include/uapi/linux/kernel-page-flags.h) */
#define KPF_LOCKED		0
#define KPF_REFERENCED		2
#define KPF_UPTODATE		3
#define KPF_DIRTY		4
#define KPF_LRU			5
#define KPF_ACTIVE		6
#define KPF_SLAB		7
#define KPF_BUDDY		10
#define KPF_MMAP		11
#define KPF_ANON		12
#define KPF_SWAPBACKED		14
#define KPF_NOPAGE		20
#define KPF_ZERO_PAGE		24
#define KPF_PGTABLE		26
#define KPF_RESERVED		32

/* The kpageflags word of frame pfn (KPF_NOPAGE if it is not RAM). */
uint64_t vm_kpageflags(uint64_t pfn);

/* The kpagecount word of frame pfn: page-table entries that map it. */
uint64_t vm_kpagecount(uint64_t pfn);

/* The shared zero frame (vm/fault.c). */
struct page *vm_zero_page(void);

#endif
