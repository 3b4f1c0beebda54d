/*
 * swap_ra — the swap readahead window, one rule for both kinds of page
 * that come back from swap:
 *
 *   - private pages (anons): per address space, by page of address
 *     (vm/fault.c, fault_collect_around; anon_read_around reads them);
 *   - pages of an object's cache (tmpfs files, shared anonymous memory):
 *     per object, by page index (pageout_cache_swapin_around).
 *
 * A swap-in reads the aligned block of swap_ra_window() pages around the
 * page it wants: those of the block that are on swap too come with it, in
 * one call (one disk request per run of consecutive slots). The window is
 * sized as Linux sizes its own: the read-ahead pages used since the last
 * swap-in (hits) plus two, rounded up to a power of two, at most
 * SWAP_RA_PAGES; no hit and a swap-in that is not next to the last one
 * gives no readahead (1). It shrinks by at most half per swap-in, so one
 * miss in a run does not stop it. So it grows 2, 4, 8, 16, 32 only while
 * every read-ahead page is used, and a random or widely strided access
 * falls back to one page per swap-in within a few of them.
 *
 * The state is guarded by its owner's lock (vm->lock, or the object's).
 * Header only: the fault path, which is compiled on the host too, uses it.
 */
#ifndef KILBURN_SWAP_RA_H
#define KILBURN_SWAP_RA_H

#include "env.h"

#define SWAP_RA_PAGES	32	/* the largest window (Linux's page_cluster 3
				   is 8: see docs/swap.md for why 32) */

struct swap_ra {
	uint64_t last;		/* the page of the last swap-in */
	unsigned int hits;	/* read-ahead pages used since */
	unsigned int window;	/* pages the last swap-in read around */
};

/*
 * swap_ra_window - the window of a swap-in of page pos (a power of two up
 * to SWAP_RA_PAGES), and the state moved on to it. Owner's lock held.
 */
static inline unsigned int swap_ra_window(struct swap_ra *ra, uint64_t pos)
{
	bool near = pos == ra->last + 1 || pos + 1 == ra->last;
	unsigned int want = ra->hits + 2, win = 1;

	if (ra->hits || near)
		while (win < want && win < SWAP_RA_PAGES)
			win *= 2;
	win = MAX(win, ra->window / 2);
	ra->window = win;
	ra->hits = 0;
	ra->last = pos;
	return win;
}

/*
 * swap_ra_hit - a page read ahead is used for the first time. Owner's
 * lock held; the caller counts swap_ra_hit in /proc/vmstat.
 */
static inline void swap_ra_hit(struct swap_ra *ra)
{
	ra->hits++;
}

#endif
