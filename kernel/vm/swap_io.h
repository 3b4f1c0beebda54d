/*
 * swap_io — pages to and from the swap areas' disks.
 *
 * A page goes to a slot (swap_slots.h) and slot s of an area is page s of
 * its disk, so writing pages to slots a, a+1, a+2, ... is one sequential
 * disk request. swap_write_pages() cuts its entries into runs of
 * consecutive slots of one area (up to blk_max_pages(), 32 pages on QEMU)
 * and starts one request per run without waiting; several requests are in
 * flight at once, on one disk or several. The slot allocator hands out runs
 * (clusters), so pages chosen together for eviction go out together.
 *
 * Completion. The disk finishes a request in its interrupt handler, where
 * nothing may sleep; there the request only goes on a list of finished
 * requests (the work list). The list is emptied, and the callers' done
 * callbacks run, in thread context by swap_io_complete(): a caller waiting
 * in a synchronous call runs it while it waits, every submission runs it
 * first, and a thread that only submits (the page-out daemon) calls it in
 * its loop. A done callback may therefore sleep, take mutexes, allocate,
 * free slots and start more I/O. It is called once per call, when every
 * request of that call has finished, with 0 or the first error.
 *
 * Statistics, as Linux's /proc/vmstat: pswpin and pswpout count pages read
 * and written; the request counts give the pages per request.
 *
 * Locks: swap_io_lock (an irq-safe spinlock) guards the work list and the
 * counters. Order: a disk's lock, then swap_io_lock, then sched_lock.
 * None of these functions may be called from an interrupt handler or with
 * a spinlock held: they may sleep (for the disk's descriptors, or waiting).
 */
#ifndef KILBURN_SWAP_IO_H
#define KILBURN_SWAP_IO_H

#include "env.h"
#include "vm/swap_slots.h"

struct page;

/* Called once per swap_write_pages / swap_read_pages call; see above. */
typedef void (*swap_io_done_t)(void *arg, int err);

/*
 * swap_write_pages - start writing frames pages[i] to the slots entries[i]
 * (i < n) and return; done(arg, err) is called when all are on the disk
 * (err 0), or with -EIO if the disk failed a request, or -ENOMEM if a
 * request could not be made (the pages after it were not written). The
 * caller keeps the frames and its references to the slots until done.
 * Returns 0 (done will be called), or -EINVAL (n is 0, or an entry is
 * none, slot 0 or beyond its area, or names no registered area with a
 * disk) or -ENOMEM, and done is not called.
 */
int swap_write_pages(const swap_entry_t *entries, struct page *const *pages,
		     unsigned int n, swap_io_done_t done, void *arg);

/* swap_read_pages - the same, reading slots entries[i] into frames pages[i]. */
int swap_read_pages(const swap_entry_t *entries, struct page *const *pages,
		    unsigned int n, swap_io_done_t done, void *arg);

/* swap_read_page - swap_read_pages of one page. */
int swap_read_page(swap_entry_t entry, struct page *page, swap_io_done_t done,
		   void *arg);

/*
 * swap_write_pages_sync / swap_read_pages_sync - the same, waiting for the
 * end (and running other calls' completions meanwhile). Return 0, or an
 * error of the call or of its done.
 */
int swap_write_pages_sync(const swap_entry_t *entries, struct page *const *pages,
			  unsigned int n);
int swap_read_pages_sync(const swap_entry_t *entries, struct page *const *pages,
			 unsigned int n);

/*
 * A caller that starts a call itself (swap_read_pages with
 * swap_io_sync_done and a struct swap_io_sync as arg, zeroed), does other
 * work, then waits for it: swap_io_sync_wait returns the call's 0 or error
 * once its done has run (running other calls' completions meanwhile).
 */
struct swap_io_sync {
	bool finished;		/* swap_io_lock */
	int err;
};
void swap_io_sync_done(void *arg, int err);
int swap_io_sync_wait(struct swap_io_sync *s);

/*
 * swap_io_wait_until - wait until cond(arg) holds, running completions
 * meanwhile. cond is called under swap_io_lock (it must not sleep), and
 * whatever makes it true calls swap_io_wake after, so no wake-up is lost:
 * for state that a done callback changes (an anon read ahead stops being
 * busy). No lock held.
 */
void swap_io_wait_until(bool (*cond)(void *arg), void *arg);

/* swap_io_wake - wake swap_io_wait_until's waiters to look again. */
void swap_io_wake(void);

/*
 * swap_io_complete - run the done callbacks of finished requests. Thread
 * context, no spinlock held. Returns how many requests it finished.
 */
unsigned int swap_io_complete(void);

/*
 * swap_io_wait_idle - wait until no swap request is in flight and every
 * done callback has run (running them here). For swapoff and tests.
 */
void swap_io_wait_idle(void);

struct swap_io_stats {
	uint64_t pswpin;		/* pages read from swap */
	uint64_t pswpout;		/* pages written to swap */
	uint64_t read_requests;		/* disk requests that read them */
	uint64_t write_requests;	/* disk requests that wrote them */
	uint64_t errors;		/* requests the disk failed */
	uint32_t inflight;		/* requests started, not yet completed */
	uint32_t max_inflight;		/* the most at once */
};

/* swap_io_get_stats - a consistent copy of the counters. */
void swap_io_get_stats(struct swap_io_stats *st);

#endif
