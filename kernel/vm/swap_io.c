/*
 * Swap I/O: runs of consecutive slots become single disk requests; the
 * disk's interrupt hands finished requests to a work list that thread
 * context empties. See swap_io.h.
 *
 * A call (swap_write_pages, swap_read_pages) is a batch of requests. The
 * batch counts its requests not yet completed, plus one that the submitter
 * holds until it has started them all, so that done runs once, after the
 * last of them, however quickly the disk is.
 */
#include "vm/swap_io.h"
#include "vm/vmstat.h"
#include "dev/blk.h"
#include "kern/waitq.h"
#include "list.h"
#include "vm/kmem.h"
#include "vm/pmm.h"

#define SWAP_SECTORS_PER_PAGE	(PAGE_SIZE / BLK_SECTOR_SIZE)

struct swap_io_batch {
	swap_io_done_t done;
	void *arg;
	int pending;		/* requests not completed, + 1 while submitting (atomic) */
	int err;		/* the first error (atomic: set once from 0) */
};

struct swap_io_req {
	struct blk_io io;		/* the disk's request; io.arg is unused */
	struct list_node link;		/* on swap_io_done_list (swap_io_lock) */
	struct swap_io_batch *batch;
	unsigned int npages;
	bool write;
	int err;			/* set by the interrupt */
};

static struct spinlock swap_io_lock = SPINLOCK_INIT("swap_io");
static struct list_node swap_io_done_list = { &swap_io_done_list, &swap_io_done_list };
static struct waitq swap_io_wq = { { &swap_io_wq.waiters, &swap_io_wq.waiters } };
static struct swap_io_stats swap_io_stats;	/* swap_io_lock */

/* ------------------------------------------------------------ completion */

/* The disk's interrupt: queue req for thread context and wake the waiters. */
static void swap_io_irq_done(struct blk_io *io, int err)
{
	struct swap_io_req *req = container_of(io, struct swap_io_req, io);
	unsigned long flags = spin_lock_irqsave(&swap_io_lock);

	req->err = err;
	list_append(&swap_io_done_list, &req->link);
	waitq_wake_all(&swap_io_wq);
	spin_unlock_irqrestore(&swap_io_lock, flags);
}

static void batch_set_error(struct swap_io_batch *b, int err)
{
	int none = 0;

	if (err)
		__atomic_compare_exchange_n(&b->err, &none, err, false,
					    __ATOMIC_RELAXED, __ATOMIC_RELAXED);
}

/* Drop one count of b; the last runs its done and frees it. Thread context. */
static void batch_put(struct swap_io_batch *b)
{
	if (__atomic_sub_fetch(&b->pending, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	b->done(b->arg, __atomic_load_n(&b->err, __ATOMIC_RELAXED));
	kfree(b);
}

/* Account for a finished request, then let go of it. Thread context. */
static void swap_io_finish(struct swap_io_req *req)
{
	struct swap_io_batch *b = req->batch;
	unsigned long flags = spin_lock_irqsave(&swap_io_lock);

	if (--swap_io_stats.inflight == 0)
		waitq_wake_all(&swap_io_wq);	/* swap_io_wait_idle */
	if (req->err)
		swap_io_stats.errors++;
	else if (req->write)
		swap_io_stats.pswpout += req->npages;
	else
		swap_io_stats.pswpin += req->npages;
	if (!req->err) {
		vmstat_add(req->write ? VMSTAT_PSWPOUT : VMSTAT_PSWPIN, req->npages);
		vmstat_inc(req->write ? VMSTAT_SWAP_WRITE_REQUESTS : VMSTAT_SWAP_READ_REQUESTS);
	}
	spin_unlock_irqrestore(&swap_io_lock, flags);
	batch_set_error(b, req->err);
	kfree(req);
	batch_put(b);
}

unsigned int swap_io_complete(void)
{
	unsigned int n = 0;

	for (;;) {
		unsigned long flags = spin_lock_irqsave(&swap_io_lock);
		struct swap_io_req *req = list_first(&swap_io_done_list,
						     struct swap_io_req, link);

		if (req)
			list_remove(&req->link);
		spin_unlock_irqrestore(&swap_io_lock, flags);
		if (!req)
			return n;
		swap_io_finish(req);
		n++;
	}
}

void swap_io_wait_until(bool (*cond)(void *arg), void *arg)
{
	unsigned long flags;

	for (;;) {
		swap_io_complete();
		flags = spin_lock_irqsave(&swap_io_lock);
		if (cond(arg)) {
			spin_unlock_irqrestore(&swap_io_lock, flags);
			return;
		}
		if (list_empty(&swap_io_done_list))
			waitq_sleep(&swap_io_wq, &swap_io_lock);
		spin_unlock_irqrestore(&swap_io_lock, flags);
	}
}

void swap_io_wake(void)
{
	unsigned long flags = spin_lock_irqsave(&swap_io_lock);

	waitq_wake_all(&swap_io_wq);
	spin_unlock_irqrestore(&swap_io_lock, flags);
}

static bool swap_io_idle(void *arg)
{
	return swap_io_stats.inflight == 0 && list_empty(&swap_io_done_list);
}

void swap_io_wait_idle(void)
{
	swap_io_wait_until(swap_io_idle, NULL);
}

/* ------------------------------------------------------------ submission */

/* The disk of e's area if e is a page slot of it, else NULL. */
static struct blkdev *entry_disk(swap_entry_t e)
{
	struct swap_area *a = swap_area_lookup(swap_entry_area(e));
	uint64_t slot = swap_entry_slot(e);

	if (!a || !a->disk || slot == 0 || slot >= a->nslots)
		return NULL;
	return a->disk;
}

/* How many of entries[0 .. n) (at least 1) are consecutive slots of one disk
   that one request may carry. */
static unsigned int run_length(const swap_entry_t *entries, unsigned int n,
			       struct blkdev *disk)
{
	unsigned int len = 1, max = blk_max_pages(disk);

	while (len < n && len < max && entries[len].val == entries[0].val + len)
		len++;
	return len;
}

/* Start one request for a run; counts it in b. Returns 0 or -errno. */
static int swap_io_start(struct swap_io_batch *b, bool write, struct blkdev *disk,
			 swap_entry_t first, struct page *const *pages,
			 unsigned int n)
{
	struct swap_io_req *req = kmalloc(sizeof(*req), KM_ZERO);
	unsigned long flags;
	int err;

	if (!req)
		return -ENOMEM;
	req->io.done = swap_io_irq_done;
	req->batch = b;
	req->npages = n;
	req->write = write;
	__atomic_add_fetch(&b->pending, 1, __ATOMIC_RELAXED);
	flags = spin_lock_irqsave(&swap_io_lock);
	swap_io_stats.inflight++;
	swap_io_stats.max_inflight = MAX(swap_io_stats.max_inflight,
					 swap_io_stats.inflight);
	if (write)
		swap_io_stats.write_requests++;
	else
		swap_io_stats.read_requests++;
	spin_unlock_irqrestore(&swap_io_lock, flags);
	err = blk_submit_pages(disk, write,
			       swap_entry_slot(first) * SWAP_SECTORS_PER_PAGE,
			       pages, n, &req->io);
	if (err) {		/* not started: undo, as if it completed */
		req->err = err;
		swap_io_finish(req);
	}
	return err;
}

/* swap_write_pages and swap_read_pages; see swap_io.h. */
static int swap_io_submit(const swap_entry_t *entries, struct page *const *pages,
			  unsigned int n, bool write, swap_io_done_t done, void *arg)
{
	struct swap_io_batch *b;
	unsigned int i, len;
	int err = 0;

	if (n == 0 || !done)
		return -EINVAL;
	for (i = 0; i < n; i++)
		if (!entry_disk(entries[i]))
			return -EINVAL;
	swap_io_complete();
	b = kmalloc(sizeof(*b), KM_ZERO);
	if (!b)
		return -ENOMEM;
	*b = (struct swap_io_batch){ .done = done, .arg = arg, .pending = 1 };
	for (i = 0; i < n && !err; i += len) {
		struct blkdev *disk = entry_disk(entries[i]);

		len = run_length(&entries[i], n - i, disk);
		err = swap_io_start(b, write, disk, entries[i], &pages[i], len);
	}
	batch_set_error(b, err);
	batch_put(b);
	return 0;
}

int swap_write_pages(const swap_entry_t *entries, struct page *const *pages,
		     unsigned int n, swap_io_done_t done, void *arg)
{
	return swap_io_submit(entries, pages, n, true, done, arg);
}

int swap_read_pages(const swap_entry_t *entries, struct page *const *pages,
		    unsigned int n, swap_io_done_t done, void *arg)
{
	return swap_io_submit(entries, pages, n, false, done, arg);
}

int swap_read_page(swap_entry_t entry, struct page *page, swap_io_done_t done,
		   void *arg)
{
	return swap_io_submit(&entry, &page, 1, false, done, arg);
}

/* ------------------------------------------------------------ synchronous */

void swap_io_sync_done(void *arg, int err)
{
	struct swap_io_sync *s = arg;
	unsigned long flags = spin_lock_irqsave(&swap_io_lock);

	s->err = err;
	s->finished = true;
	waitq_wake_all(&swap_io_wq);
	spin_unlock_irqrestore(&swap_io_lock, flags);
}

static bool swap_io_sync_finished(void *arg)
{
	return ((struct swap_io_sync *)arg)->finished;
}

int swap_io_sync_wait(struct swap_io_sync *s)
{
	swap_io_wait_until(swap_io_sync_finished, s);
	return s->err;
}

static int swap_io_sync(const swap_entry_t *entries, struct page *const *pages,
			unsigned int n, bool write)
{
	struct swap_io_sync s = { false, 0 };
	int err = swap_io_submit(entries, pages, n, write, swap_io_sync_done, &s);

	if (err)
		return err;
	return swap_io_sync_wait(&s);
}

int swap_write_pages_sync(const swap_entry_t *entries, struct page *const *pages,
			  unsigned int n)
{
	return swap_io_sync(entries, pages, n, true);
}

int swap_read_pages_sync(const swap_entry_t *entries, struct page *const *pages,
			 unsigned int n)
{
	return swap_io_sync(entries, pages, n, false);
}

void swap_io_get_stats(struct swap_io_stats *st)
{
	unsigned long flags = spin_lock_irqsave(&swap_io_lock);

	*st = swap_io_stats;
	spin_unlock_irqrestore(&swap_io_lock, flags);
}
