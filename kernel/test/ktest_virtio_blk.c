/*
 * Self-tests of the virtio-blk driver against the pattern disk, an image
 * from scripts/mkpattern.sh in which the 8-byte little-endian word at byte
 * offset o holds o ^ 0x5a5a5a5a5a5a5a5a, so any sector read can be checked
 * knowing only where it came from. The tests write to it (and undo their
 * writes before they end), so it must be a throwaway copy: `make run` with
 * ktest in APPEND and `make test` attach a fresh one.
 *
 * The pattern disk is found by its content, never by its place: it is the
 * disk whose first sector holds the pattern (its signature). Any other disk,
 * such as the root disk, is only read. Without a pattern disk every test
 * that needs one fails, saying so. The root disk is attached read-only, and
 * one test checks that writes to it are refused before they reach it.
 */
#include "env.h"
#include "arch/riscv/cpu.h"
#include "arch/riscv/csr.h"
#include "arch/riscv/smp.h"
#include "arch/riscv/timer.h"
#include "dev/blk.h"
#include "kern/kstack.h"
#include "kern/ktest.h"
#include "vm/kmem.h"
#include "vm/pmap.h"
#include "vm/pmm.h"

#define PATTERN_XOR	0x5a5a5a5a5a5a5a5aULL
#define SECT		BLK_SECTOR_SIZE

static uint64_t pattern_word(uint64_t disk_offset)
{
	return disk_offset ^ PATTERN_XOR;
}

/*
 * First byte offset in buf (nsect sectors read from `sector`) whose word
 * differs from the pattern, or -1 if all match. buf may be unaligned.
 */
static long pattern_mismatch(const void *buf, uint64_t sector, size_t nsect,
			     uint64_t *got)
{
	const uint8_t *b = buf;

	for (size_t i = 0; i < nsect * SECT; i += 8) {
		uint64_t w;

		memcpy(&w, b + i, 8);
		if (w != pattern_word(sector * SECT + i)) {
			*got = w;
			return i;
		}
	}
	return -1;
}

/* Fail the test (at file:line) if buf does not hold the pattern. */
static void check_pattern(const char *file, int line, const void *buf,
			  uint64_t sector, size_t nsect)
{
	uint64_t got;
	long at = pattern_mismatch(buf, sector, nsect, &got);
	char msg[160];

	if (at < 0)
		return;
	ksnprintf(msg, sizeof(msg), "disk byte %#lx (sector %lu): read %#lx, "
		  "want %#lx", sector * SECT + at, sector + at / SECT, got,
		  pattern_word(sector * SECT + at));
	ktest_fail(file, line, msg);
}
#define CHECK_PATTERN(buf, sector, nsect) \
	check_pattern(__FILE__, __LINE__, buf, sector, nsect)

/* Fill buf with the pattern of nsect sectors from `sector`. */
static void fill_pattern(void *buf, uint64_t sector, size_t nsect)
{
	uint8_t *b = buf;

	for (size_t i = 0; i < nsect * SECT; i += 8) {
		uint64_t w = pattern_word(sector * SECT + i);

		memcpy(b + i, &w, 8);
	}
}

/* True if disk d's first sector holds the pattern (reads it). */
static bool is_pattern_disk(struct blkdev *d)
{
	uint8_t *buf = kmalloc(SECT, 0);
	uint64_t got;
	bool yes;

	if (!buf)
		return false;
	yes = blk_read(d, 0, buf, 1) == 0 &&
	      pattern_mismatch(buf, 0, 1, &got) < 0;
	kfree(buf);
	return yes;
}

/* The pattern disk, or NULL after failing the test with what to do. */
static struct blkdev *test_disk(const char *file, int line)
{
	for (int i = 0; i < blk_count(); i++)
		if (is_pattern_disk(blk_get(i)))
			return blk_get(i);
	kprintf("ktest: this test needs the pattern disk: attach a copy of "
		"the image of scripts/mkpattern.sh as an extra disk (make run "
		"does when APPEND has ktest): -drive file=COPY,if=none,"
		"format=raw,id=pattern -device virtio-blk-device,drive=pattern\n");
	ktest_fail(file, line, "needs the pattern disk: none of the "
		   "disks has its signature");
	return NULL;
}
#define TEST_DISK() test_disk(__FILE__, __LINE__)

/* The first read-only disk, or NULL after failing the test with why. */
static struct blkdev *readonly_disk(const char *file, int line)
{
	for (int i = 0; i < blk_count(); i++)
		if (blk_readonly(blk_get(i)))
			return blk_get(i);
	ktest_fail(file, line, "needs a read-only disk: attach the root disk "
		   "with -drive ...,readonly=on, as make run and make test do");
	return NULL;
}

static struct blk_stats stats_of(struct blkdev *d)
{
	struct blk_stats st;

	blk_get_stats(d, &st);
	return st;
}

KTEST(blk_reads_first_middle_and_last_sector)
{
	struct blkdev *d = TEST_DISK();
	uint8_t *buf = kmalloc(SECT, 0);
	uint64_t n = blk_sectors(d);
	uint64_t where[] = { 0, n / 2, n - 1 };

	KT_CHECK(buf != NULL);
	if (!d || !buf)
		goto out;
	KT_CHECK(n >= 1024);
	KT_CHECK(!blk_readonly(d));
	for (size_t i = 0; i < ARRAY_SIZE(where); i++) {
		memset(buf, 0, SECT);
		KT_CHECK_EQ(blk_read(d, where[i], buf, 1), 0);
		CHECK_PATTERN(buf, where[i], 1);
	}
out:
	kfree(buf);
}

/* A kmalloc block this large is contiguous: one data descriptor. */
KTEST(blk_multi_page_reads_into_kmalloc_buffers)
{
	struct blkdev *d = TEST_DISK();
	uint8_t *buf = kmalloc(BLK_MAX_SECTORS * SECT, 0);
	struct blk_stats before, after;

	KT_CHECK(buf != NULL);
	if (!d || !buf)
		goto out;
	before = stats_of(d);
	KT_CHECK_EQ(blk_read(d, 1000, buf, 128), 0);		/* 64 KiB */
	after = stats_of(d);
	CHECK_PATTERN(buf, 1000, 128);
	KT_CHECK_EQ(after.requests - before.requests, 1);
	KT_CHECK_EQ(after.segments - before.segments, 1);

	KT_CHECK_EQ(blk_read(d, 3, buf, BLK_MAX_SECTORS), 0);	/* 128 KiB */
	CHECK_PATTERN(buf, 3, BLK_MAX_SECTORS);

	memset(buf, 0, 8 * SECT);				/* unaligned */
	KT_CHECK_EQ(blk_read(d, 77, buf + 100, 7), 0);
	CHECK_PATTERN(buf + 100, 77, 7);
out:
	kfree(buf);
}

/*
 * The four frames of one block, mapped at the four pages of a fresh kernel
 * stack in reverse order: a buffer there is contiguous in virtual memory
 * only, so a read goes out as one descriptor per page and each part must
 * land in its own frame.
 */
#define SCATTER_PAGES	(KSTACK_SIZE / PAGE_SIZE)

/* Map frame SCATTER_PAGES-1-i of the block at lo to page i at va. */
static void scatter_map(vaddr_t va, paddr_t lo, paddr_t old[])
{
	for (unsigned int i = 0; i < SCATTER_PAGES; i++) {
		old[i] = pmap_kremove(va + i * PAGE_SIZE);
		KT_CHECK_EQ(pmap_kenter(va + i * PAGE_SIZE,
					lo + (SCATTER_PAGES - 1 - i) * PAGE_SIZE,
					VM_PROT_READ | VM_PROT_WRITE), 0);
	}
}

static void scatter_unmap(vaddr_t va, const paddr_t old[])
{
	for (unsigned int i = 0; i < SCATTER_PAGES; i++) {
		pmap_kremove(va + i * PAGE_SIZE);
		pmap_kenter(va + i * PAGE_SIZE, old[i], VM_PROT_READ | VM_PROT_WRITE);
	}
}

KTEST(blk_read_into_physically_scattered_pages)
{
	struct blkdev *d = TEST_DISK();
	vaddr_t top = kstack_alloc();
	struct page *block = pmm_alloc_order(2, PMM_ZERO);
	vaddr_t va = top - KSTACK_SIZE;
	paddr_t lo, old[SCATTER_PAGES] = { 0 };
	struct blk_stats before, after;
	uint8_t *buf = (uint8_t *)va + PAGE_SIZE - 3 * SECT;
	uint8_t *last;

	_Static_assert(SCATTER_PAGES == 4, "a kernel stack is four pages");
	KT_CHECK(top != 0 && block != NULL);
	if (!d || !top || !block)
		goto out;
	lo = page_to_pa(block);
	scatter_map(va, lo, old);

	before = stats_of(d);
	KT_CHECK_EQ(blk_read(d, 4242, buf, 8), 0);	/* 3 + 5 sectors */
	after = stats_of(d);
	KT_CHECK_EQ(after.segments - before.segments, 2);
	CHECK_PATTERN(buf, 4242, 8);
	/* seen through the direct map: each part is in the frame it should be */
	last = phys_to_virt(lo + SCATTER_PAGES * PAGE_SIZE);
	CHECK_PATTERN(last - 3 * SECT, 4242, 3);
	CHECK_PATTERN((uint8_t *)last - 2 * PAGE_SIZE, 4245, 5);

	/* 31 sectors from an odd offset: four pieces, none a whole sector */
	before = stats_of(d);
	KT_CHECK_EQ(blk_read(d, 7001, (uint8_t *)va + 300, 31), 0);
	after = stats_of(d);
	KT_CHECK(after.segments - before.segments >= SCATTER_PAGES);
	CHECK_PATTERN((uint8_t *)va + 300, 7001, 31);

	/* one sector into the last 512 bytes of a frame */
	KT_CHECK_EQ(blk_read(d, 9, last - SECT, 1), 0);
	CHECK_PATTERN(last - SECT, 9, 1);
out:
	if (old[0])
		scatter_unmap(va, old);
	if (top)
		kstack_free(top);
	if (block)
		pmm_free_order(block, 2);
}

KTEST(blk_write_reads_back_and_is_undone)
{
	struct blkdev *d = TEST_DISK();
	uint8_t *buf = kmalloc(16 * SECT, 0), *back = kmalloc(16 * SECT, 0);
	uint64_t s = blk_sectors(d) - 40;

	KT_CHECK(buf != NULL && back != NULL);
	if (!d || !buf || !back)
		goto out;
	for (size_t i = 0; i < 16 * SECT; i++)
		buf[i] = (uint8_t)(i * 7 + 1);
	KT_CHECK_EQ(blk_write(d, s, buf, 16), 0);
	KT_CHECK_EQ(blk_flush(d), 0);
	memset(back, 0, 16 * SECT);
	KT_CHECK_EQ(blk_read(d, s, back, 16), 0);
	KT_CHECK(memcmp(buf, back, 16 * SECT) == 0);
	/* the neighbours are untouched */
	KT_CHECK_EQ(blk_read(d, s - 1, back, 1), 0);
	CHECK_PATTERN(back, s - 1, 1);
	KT_CHECK_EQ(blk_read(d, s + 16, back, 1), 0);
	CHECK_PATTERN(back, s + 16, 1);

	fill_pattern(buf + 1, s, 15);			/* from an unaligned buffer */
	KT_CHECK_EQ(blk_write(d, s, buf + 1, 15), 0);
	fill_pattern(buf, s + 15, 1);
	KT_CHECK_EQ(blk_write(d, s + 15, buf, 1), 0);
	KT_CHECK_EQ(blk_read(d, s, back, 16), 0);
	CHECK_PATTERN(back, s, 16);
out:
	kfree(buf);
	kfree(back);
}

KTEST(blk_rejects_bad_requests)
{
	struct blkdev *d = TEST_DISK();
	uint8_t *buf = kmalloc((BLK_MAX_SECTORS + 1) * SECT, 0);
	uint64_t n = blk_sectors(d);
	struct blk_stats before, after;

	KT_CHECK(buf != NULL);
	if (!d || !buf)
		goto out;
	before = stats_of(d);
	KT_CHECK_EQ(blk_read(d, 0, buf, 0), -EINVAL);
	KT_CHECK_EQ(blk_read(d, n, buf, 1), -EINVAL);
	KT_CHECK_EQ(blk_read(d, n - 1, buf, 2), -EINVAL);
	KT_CHECK_EQ(blk_read(d, UINT64_MAX, buf, 2), -EINVAL);
	KT_CHECK_EQ(blk_read(d, 0, buf, BLK_MAX_SECTORS + 1), -EINVAL);
	KT_CHECK_EQ(blk_write(d, n, buf, 1), -EINVAL);
	KT_CHECK_EQ(blk_write(d, 0, buf, 0), -EINVAL);
	KT_CHECK_EQ(blk_read(NULL, 0, buf, 1), -ENODEV);
	KT_CHECK_EQ(blk_flush(NULL), -ENODEV);
	KT_CHECK_EQ(blk_read(d, 0, (void *)PAGE_SIZE, 1), -EFAULT);
	KT_CHECK_EQ(blk_write(d, 0, (void *)PAGE_SIZE, 1), -EFAULT);
	after = stats_of(d);
	KT_CHECK_EQ(after.requests, before.requests);	/* none reached the device */
	KT_CHECK_EQ(after.free_descriptors, after.queue_size);
out:
	kfree(buf);
}

KTEST(blk_completions_arrive_by_interrupt)
{
	struct blkdev *d = TEST_DISK();
	uint8_t *buf = kmalloc(SECT, 0);
	struct blk_stats before, after;

	KT_CHECK(buf != NULL);
	if (!d || !buf)
		goto out;
	before = stats_of(d);
	for (int i = 0; i < 16; i++) {
		KT_CHECK_EQ(blk_read(d, 100 + i, buf, 1), 0);
		CHECK_PATTERN(buf, 100 + i, 1);
	}
	after = stats_of(d);
	KT_CHECK(after.interrupts > before.interrupts);
	KT_CHECK(after.irq_completions > before.irq_completions);
	KT_CHECK_EQ(after.inflight, 0);
out:
	kfree(buf);
}

/*
 * A disk the device calls read-only (VIRTIO_BLK_F_RO) refuses writes with
 * -EROFS before anything is sent to it, and still reads.
 */
KTEST(blk_read_only_disk_refuses_writes)
{
	struct blkdev *d = readonly_disk(__FILE__, __LINE__);
	uint8_t *buf = kmalloc(2 * SECT, KM_ZERO);
	struct blk_stats before, after;

	KT_CHECK(buf != NULL);
	if (!d || !buf)
		goto out;
	KT_CHECK_EQ(blk_read(d, 0, buf, 1), 0);
	before = stats_of(d);
	KT_CHECK_EQ(blk_write(d, 0, buf, 1), -EROFS);
	KT_CHECK_EQ(blk_write(d, blk_sectors(d) - 1, buf, 1), -EROFS);
	KT_CHECK_EQ(blk_write(d, 0, buf, 2), -EROFS);
	after = stats_of(d);
	KT_CHECK_EQ(after.requests, before.requests);	/* none reached the device */
	KT_CHECK_EQ(after.segments, before.segments);
	KT_CHECK_EQ(blk_read(d, 0, buf + SECT, 1), 0);
	KT_CHECK(memcmp(buf, buf + SECT, SECT) == 0);
out:
	kfree(buf);
}

/* ---- every hart at once */

#define HART_ROUNDS	24
#define HART_MAX_NSECT	16

struct hart_io {
	struct blkdev *d;
	int errors;		/* atomic */
	int ops;		/* atomic */
};

static uint64_t rng_next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void hart_error(struct hart_io *io, const char *what, uint64_t sector,
		       long err)
{
	kprintf("  hart %d: %s at sector %lu: %ld\n", this_cpu_id(), what,
		sector, err);
	__atomic_add_fetch(&io->errors, 1, __ATOMIC_RELAXED);
}

/*
 * Hart 0 takes the disk's interrupts. While its interrupts are masked, the
 * other harts' requests stay with the device until their own harts wake and
 * reap them, so hart 0 waits (up to 20 ms) until one is in flight: the
 * request it sends next joins it.
 */
static void wait_for_company(struct blkdev *d)
{
	uint64_t until = rdtime() + timer_hz() / 50;
	struct blk_stats st;

	do {
		for (volatile int i = 0; i < 1000; i++)
			;
		blk_get_stats(d, &st);
	} while (st.inflight == 0 && rdtime() < until);
}

/*
 * One hart's share: random reads checked against the pattern and, every
 * fourth round, a write of this hart's own mark to its own sector, read
 * back and then restored.
 */
static void hart_io_worker(void *arg)
{
	struct hart_io *io = arg;
	int cpu = this_cpu_id();
	uint64_t rng = 0x9e3779b97f4a7c15ULL * (cpu + 7), got;
	uint64_t n = blk_sectors(io->d), mine = n / 2 + cpu;
	uint8_t *buf = kmalloc(HART_MAX_NSECT * SECT, 0);
	unsigned long flags = irq_save();
	long err;

	if (!buf) {
		hart_error(io, "kmalloc", 0, -ENOMEM);
		goto out;
	}
	for (int r = 0; r < HART_ROUNDS; r++) {
		size_t nsect = 1 + rng_next(&rng) % HART_MAX_NSECT;
		uint64_t s = rng_next(&rng) % (n - nsect);

		if (cpu == 0 && smp_online_count() > 1)
			wait_for_company(io->d);
		if ((err = blk_read(io->d, s, buf, nsect)) != 0)
			hart_error(io, "read", s, err);
		else if ((err = pattern_mismatch(buf, s, nsect, &got)) >= 0)
			hart_error(io, "pattern mismatch", s + err / SECT, err);
		__atomic_add_fetch(&io->ops, 1, __ATOMIC_RELAXED);
		if (r % 4)
			continue;
		memset(buf, 0xc0 + cpu, SECT);
		if ((err = blk_write(io->d, mine, buf, 1)) != 0 ||
		    (err = blk_read(io->d, mine, buf + SECT, 1)) != 0 ||
		    (err = memcmp(buf, buf + SECT, SECT)) != 0)
			hart_error(io, "write and read back", mine, err);
		fill_pattern(buf, mine, 1);
		if ((err = blk_write(io->d, mine, buf, 1)) != 0)
			hart_error(io, "restore", mine, err);
	}
	kfree(buf);
out:
	irq_restore(flags);
}

/*
 * Every hart reads and writes at once; all data checks out, several
 * requests were with the device together (when there are several harts),
 * and afterwards every descriptor is free again.
 */
KTEST(blk_requests_in_flight_from_every_hart)
{
	struct blkdev *d = TEST_DISK();
	struct hart_io io = { .d = d };
	struct blk_stats st;
	uint8_t *buf = kmalloc(NCPU_MAX * SECT, 0);
	int harts = smp_online_count();

	KT_CHECK(buf != NULL);
	if (!d || !buf)
		goto out;
	smp_call_all(hart_io_worker, &io);
	KT_CHECK_EQ(io.errors, 0);
	KT_CHECK_EQ(io.ops, harts * HART_ROUNDS);
	st = stats_of(d);
	KT_CHECK_EQ(st.inflight, 0);
	KT_CHECK_EQ(st.free_descriptors, st.queue_size);
	if (harts > 1 && st.queue_size >= 8)	/* room for two requests */
		KT_CHECK(st.max_inflight >= 2);
	/* every hart's own sector holds the pattern again */
	KT_CHECK_EQ(blk_read(d, blk_sectors(d) / 2, buf, NCPU_MAX), 0);
	CHECK_PATTERN(buf, blk_sectors(d) / 2, NCPU_MAX);
out:
	kfree(buf);
}
