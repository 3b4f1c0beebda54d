/*
 * Self-tests of swap: swapon of a real swap disk, pages written to slots in
 * clusters and read back into other frames, swapoff refused while a slot is
 * in use and done once none is; no frame and no slot leaks.
 *
 * They need a swap disk: a disk whose page 0 holds a Linux swap header, as
 * util-linux's mkswap writes it (make test attaches a fresh copy of
 * build/ktest-swap.img to each self-test boot). It is found by its
 * signature, wherever it is attached. Without one each test fails with a
 * line saying so.
 */
#include "env.h"
#include "arch/riscv/timer.h"
#include "dev/blk.h"
#include "kern/ktest.h"
#include "vm/kmem.h"
#include "vm/pmm.h"
#include "vm/swap_header.h"
#include "vm/swap_io.h"
#include "vm/swapon.h"

#define NPAGES		256	/* pages written in the main test: 1 MiB */

/* True if page 0 of d ends with the swap signature (reads it). */
static bool is_swap_disk(struct blkdev *d)
{
	char *buf = kmalloc(PAGE_SIZE, 0);
	bool yes;

	if (!buf)
		return false;
	yes = blk_sectors(d) >= PAGE_SIZE / BLK_SECTOR_SIZE &&
	      blk_read(d, 0, buf, PAGE_SIZE / BLK_SECTOR_SIZE) == 0 &&
	      memcmp(buf + SWAP_MAGIC_OFF, SWAP_MAGIC, SWAP_MAGIC_LEN) == 0;
	kfree(buf);
	return yes;
}

/* The swap disk, or NULL after failing the test with what to do. */
static struct blkdev *swap_disk(const char *file, int line)
{
	for (int i = 0; i < blk_count(); i++)
		if (!blk_readonly(blk_get(i)) && is_swap_disk(blk_get(i)))
			return blk_get(i);
	kprintf("ktest: this test needs a swap disk: attach a copy of an "
		"image made by mkswap as an extra disk (make test does): "
		"-drive file=COPY,if=none,format=raw,id=swap "
		"-device virtio-blk-device,drive=swap\n");
	ktest_fail(file, line, "needs a swap disk: no writable disk has the "
		   "SWAPSPACE2 signature");
	return NULL;
}
#define SWAP_DISK() swap_disk(__FILE__, __LINE__)

/* The word i of the page that goes to entry e: differs in every page. */
static uint64_t pattern(swap_entry_t e, size_t i)
{
	return (e.val * 0x9e3779b97f4a7c15ULL) ^ (i * 0x0101010101010101ULL) ^ 0x5ca1ab1e;
}

static void fill(struct page *pg, swap_entry_t e)
{
	uint64_t *w = page_to_virt(pg);

	for (size_t i = 0; i < PAGE_SIZE / 8; i++)
		w[i] = pattern(e, i);
}

static bool matches(struct page *pg, swap_entry_t e)
{
	const uint64_t *w = page_to_virt(pg);

	for (size_t i = 0; i < PAGE_SIZE / 8; i++)
		if (w[i] != pattern(e, i))
			return false;
	return true;
}

/* swapon of d as /dev/NAME with flags. */
static int swapon_disk(struct blkdev *d, int flags)
{
	char name[16];

	ksnprintf(name, sizeof(name), "/dev/%s", blk_name(d));
	return swap_on_disk(d, name, flags);
}

/* Take n slots from the areas, in runs: entries[0 .. n). 0 or -errno. */
static int alloc_slots(swap_entry_t *entries, unsigned int n)
{
	for (unsigned int got = 0; got < n; ) {
		swap_entry_t first;
		int k = swap_slot_alloc_any(MIN(n - got, SWAP_CLUSTER_SLOTS), &first);

		if (k < 0)
			return k;
		for (int j = 0; j < k; j++)
			entries[got++].val = first.val + j;
	}
	return 0;
}

struct done_count {
	int calls, errors;
};

static void count_done(void *arg, int err)
{
	struct done_count *c = arg;

	c->calls++;
	if (err)
		c->errors++;
}

KTEST(swap_on_off_with_a_real_disk)
{
	struct blkdev *d = SWAP_DISK();
	uint64_t total, free;
	swap_entry_t e;

	if (!d)
		return;
	KT_CHECK_EQ(swapon_disk(d, 0x80000), -EINVAL);		/* unknown flag */
	KT_CHECK_EQ(swapon_disk(d, SWAP_FLAG_PREFER | 7 | SWAP_FLAG_DISCARD), 0);
	KT_CHECK_EQ(swapon_disk(d, 0), -EBUSY);			/* already on */
	KT_CHECK(blk_holder(d) != NULL);
	swap_slots_totals(&total, &free);
	KT_CHECK(total > 0 && total == free);
	KT_CHECK_EQ(total, blk_sectors(d) / 8 - 1);		/* mkswap: all good */
	KT_CHECK_EQ(alloc_slots(&e, 1), 0);
	KT_CHECK_EQ(swap_off_disk(d), -ENOMEM);			/* a slot in use */
	swap_slots_totals(&total, &free);
	KT_CHECK_EQ(free, total - 1);				/* still enabled */
	swap_entry_free(e);
	KT_CHECK_EQ(swap_off_disk(d), 0);
	KT_CHECK_EQ(swap_off_disk(d), -EINVAL);			/* not on any more */
	swap_slots_totals(&total, &free);
	KT_CHECK_EQ(total, 0);
	KT_CHECK(blk_holder(d) == NULL);
}

/* Frames for n pages, or false after freeing what was taken. */
static bool alloc_frames(struct page **pages, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		pages[i] = pmm_alloc(0);
		if (!pages[i]) {
			while (i--)
				pmm_free(pages[i]);
			return false;
		}
	}
	return true;
}

static void free_frames(struct page **pages, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		pmm_free(pages[i]);
}

/* Write NPAGES pages in one call; check they went in large requests. */
static void write_clustered(swap_entry_t *entries, struct page **out)
{
	struct swap_io_stats before, after;
	struct done_count c = { 0, 0 };
	uint64_t t0 = timer_uptime_ns(), ms;

	for (int i = 0; i < NPAGES; i++)
		fill(out[i], entries[i]);
	swap_io_get_stats(&before);
	KT_CHECK_EQ(swap_write_pages(entries, out, NPAGES, count_done, &c), 0);
	swap_io_wait_idle();
	ms = (timer_uptime_ns() - t0) / 1000000;
	swap_io_get_stats(&after);
	KT_CHECK_EQ(c.calls, 1);
	KT_CHECK_EQ(c.errors, 0);
	KT_CHECK_EQ(after.pswpout - before.pswpout, NPAGES);
	/* consecutive slots: requests of blk_max_pages() (32 on QEMU) pages */
	KT_CHECK(after.write_requests - before.write_requests <= NPAGES / 8);
	KT_CHECK(after.max_inflight >= 2);
	kprintf("  swap: wrote %d pages in %lu requests (%lu pages each), "
		"%lu in flight at most, %lu ms\n", NPAGES,
		after.write_requests - before.write_requests,
		NPAGES / MAX(after.write_requests - before.write_requests, 1UL),
		(unsigned long)after.max_inflight, ms);
}

/* Read them back into other frames: half one page per call, half in one. */
static void read_back(swap_entry_t *entries, struct page **in)
{
	struct swap_io_stats before, after;
	struct done_count c = { 0, 0 };
	int bad = 0;

	swap_io_get_stats(&before);
	for (int i = 0; i < NPAGES / 2; i++)
		KT_CHECK_EQ(swap_read_page(entries[i], in[i], count_done, &c), 0);
	KT_CHECK_EQ(swap_read_pages_sync(&entries[NPAGES / 2], &in[NPAGES / 2],
					 NPAGES / 2), 0);
	swap_io_wait_idle();
	swap_io_get_stats(&after);
	KT_CHECK_EQ(c.calls, NPAGES / 2);
	KT_CHECK_EQ(c.errors, 0);
	KT_CHECK_EQ(after.pswpin - before.pswpin, NPAGES);
	for (int i = 0; i < NPAGES; i++)
		bad += !matches(in[i], entries[i]);
	KT_CHECK_EQ(bad, 0);
}

KTEST(swap_io_pages_come_back)
{
	static swap_entry_t entries[NPAGES];
	static struct page *out[NPAGES], *in[NPAGES];
	struct blkdev *d = SWAP_DISK();
	uint64_t total, free;

	if (!d)
		return;
	KT_CHECK_EQ(swapon_disk(d, 0), 0);
	swap_slots_totals(&total, &free);
	if (alloc_slots(entries, NPAGES) < 0 || !alloc_frames(out, NPAGES)) {
		KT_CHECK(!"no slots or frames for the test");
		return;		/* leaks the slots: the disk stays busy */
	}
	if (!alloc_frames(in, NPAGES)) {
		KT_CHECK(!"no frames for the test");
		free_frames(out, NPAGES);
		return;
	}
	KT_CHECK_EQ(swap_write_pages(entries, out, 0, count_done, NULL), -EINVAL);
	KT_CHECK_EQ(swap_read_page(SWAP_ENTRY_NONE, in[0], count_done, NULL), -EINVAL);
	write_clustered(entries, out);
	read_back(entries, in);
	free_frames(out, NPAGES);
	free_frames(in, NPAGES);
	for (int i = 0; i < NPAGES; i++)
		KT_CHECK_EQ(swap_entry_free(entries[i]), 0);
	swap_slots_totals(&total, &free);
	KT_CHECK_EQ(free, total);				/* no slot leaked */
	KT_CHECK_EQ(swap_off_disk(d), 0);
}
