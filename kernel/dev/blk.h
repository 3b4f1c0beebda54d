/*
 * Block devices: disks of 512-byte sectors, read and written by the sector.
 *
 * The only kind so far is virtio-blk over virtio-mmio (dev/virtio_blk.c),
 * driven through the modern (virtio 1.x) interface. QEMU's virt board gives
 * legacy virtio-mmio devices unless it is started with
 *
 *	-global virtio-mmio.force-legacy=false
 *	-drive file=disk.img,if=none,format=raw,id=disk0
 *	-device virtio-blk-device,drive=disk0
 *
 * Requests block their caller until the device has finished them (a
 * signal does not cut the wait short: the device owns the buffer until
 * then); callers on different harts may have requests in flight at the
 * same time. None of these functions may be called from an interrupt
 * handler or with a spinlock held.
 */
#ifndef KILBURN_BLK_H
#define KILBURN_BLK_H

#include "types.h"

struct page;

#define BLK_SECTOR_SIZE		512
#define BLK_MAX_SECTORS		256	/* largest request: 128 KiB */
#define BLK_MAX_DISKS		8
#define BLK_MAJOR		254	/* Linux's major for virtio-blk (virtblk) */
#define BLK_MINORS_PER_DISK	16	/* vda is 254:0, vdb 254:16, ... */

struct blkdev;

/*
 * blk_init - find every virtio-blk disk of the board, set it up and log one
 * line for each ("virtio-blk: disk at 0x10008000, 16384 sectors (8 MiB),
 * irq 8, queue 64"). Slots are probed from the highest address down, the
 * order in which QEMU fills them, so disk 0 is the first -device on QEMU's
 * command line: disk n is named as Linux names it, vda, vdb, ... A legacy
 * (version 1) slot, or a disk that fails setup, is
 * skipped with a line saying why. Finding no disk is not an error. Boot
 * hart, once, after the PLIC is up; the disks' interrupts are taken there.
 */
void blk_init(void);

/* Number of disks found; disks are numbered 0 .. blk_count() - 1. */
int blk_count(void);

/* blk_get - disk n, or NULL if there is no such disk. */
struct blkdev *blk_get(int n);

/* blk_root - the first disk (the root disk), or NULL if there is none. */
struct blkdev *blk_root(void);

/* blk_find - the disk named name ("vdb"), or NULL. */
struct blkdev *blk_find(const char *name);

/* blk_name - d's name, "vda" for disk 0 (as Linux names it). */
const char *blk_name(const struct blkdev *d);

/* blk_minor - d's minor number under BLK_MAJOR: 0, 16, 32, ... */
uint32_t blk_minor(const struct blkdev *d);

/*
 * blk_claim - holder (any non-NULL address that names a user: the root
 * file system, a swap area) takes d for itself, as Linux's exclusive open.
 * Returns 0, or -EBUSY if d is held already. blk_release gives it back
 * (panics if holder does not hold it); blk_holder says who holds it.
 * Any context but interrupts.
 */
int blk_claim(struct blkdev *d, const void *holder);
void blk_release(struct blkdev *d, const void *holder);
const void *blk_holder(const struct blkdev *d);

/* blk_sectors - capacity in 512-byte sectors (as read at setup). */
uint64_t blk_sectors(const struct blkdev *d);

/* blk_readonly - true if the device refuses writes (VIRTIO_BLK_F_RO). */
bool blk_readonly(const struct blkdev *d);

/*
 * blk_read - read nsect sectors starting at `sector` into buf, and return
 * when they are there. buf is a kernel virtual address of any alignment
 * (direct map, kmalloc, kernel image or a kernel mapping such as a kernel
 * stack); it is handed to the device one physically contiguous piece at a
 * time, so it need not be contiguous in physical memory.
 * Returns 0, or
 *	-ENODEV  d is NULL;
 *	-EINVAL  nsect is 0 or above BLK_MAX_SECTORS, or the range does not
 *	         lie within the disk;
 *	-EFAULT  part of buf is not mapped;
 *	-EIO     the device reported an error (buf's contents are undefined).
 * A request the device cannot take in one piece (few descriptors or a small
 * segment limit) is sent as several, in order; an error stops at the piece
 * that failed.
 */
int blk_read(struct blkdev *d, uint64_t sector, void *buf, size_t nsect);

/*
 * blk_write - write nsect sectors from buf starting at `sector`, and return
 * when the device has accepted them. Same rules and errors as blk_read,
 * plus -EROFS if the disk is read-only. On -EIO the sectors' contents are
 * undefined.
 */
int blk_write(struct blkdev *d, uint64_t sector, const void *buf,
	      size_t nsect);

/*
 * blk_flush - ask the device to make every completed write durable. Returns
 * 0 (also when the device has no write cache to flush), -ENODEV (d is NULL)
 * or -EIO.
 */
int blk_flush(struct blkdev *d);

/*
 * An asynchronous request (blk_submit_pages). The caller owns it and keeps
 * it until done is called; the fields after done are the driver's.
 */
struct blk_io {
	/*
	 * Called once when the device has finished: err 0 or -EIO. It runs in
	 * the disk's interrupt handler (or in a submitter that reaps), with
	 * the disk's spinlock held and interrupts off: it may only record the
	 * result, queue work and wake sleepers (it may free io).
	 */
	void (*done)(struct blk_io *io, int err);
	void *arg;			/* the caller's */
	/* the driver's */
	bool finished;
	uint8_t status;
	uint32_t type;
	uint64_t sector;
};

/* blk_max_pages - the most pages one blk_submit_pages request may carry. */
unsigned int blk_max_pages(const struct blkdev *d);

/*
 * blk_submit_pages - start reading (write false) or writing n whole frames
 * pages[0 .. n) from or to the disk at `sector`, as one device request, and
 * return without waiting: io->done (set by the caller) reports the end.
 * Frames that follow each other in physical memory go as one buffer. May
 * sleep while the queue has too few free descriptors; not from an
 * interrupt handler or with a spinlock held. The frames belong to the
 * device until done. Returns 0 (done will be called), or, and done is not
 * called: -ENODEV (d is NULL), -EINVAL (n is 0 or above blk_max_pages(d),
 * done is NULL, or the range does not lie within the disk), -EROFS.
 */
int blk_submit_pages(struct blkdev *d, bool write, uint64_t sector,
		     struct page *const *pages, unsigned int n, struct blk_io *io);

/*
 * blk_read_pages - read n whole frames pages[0 .. n) from the disk at
 * `sector`, as one device request, and return when they are there (as
 * blk_read, without a bounce buffer). Returns 0, -ENODEV (d is NULL),
 * -EINVAL (n is 0 or above blk_max_pages(d), or the range does not lie
 * within the disk) or -EIO (the frames' contents are undefined).
 */
int blk_read_pages(struct blkdev *d, uint64_t sector, struct page *const *pages,
		   unsigned int n);

/* Counters and state of one disk, for tests and diagnostics. */
struct blk_stats {
	uint64_t requests;		/* device requests completed */
	uint64_t segments;		/* data buffers (descriptors) sent */
	uint64_t errors;		/* requests the device failed */
	uint64_t interrupts;		/* runs of the interrupt handler */
	uint64_t sectors_read;		/* 512-byte sectors of the reads sent */
	uint64_t sectors_written;	/* and of the writes */
	uint64_t irq_completions;	/* requests it completed */
	uint64_t descriptor_waits;	/* submitters that waited for descriptors */
	uint32_t inflight;		/* requests with the device now */
	uint32_t max_inflight;		/* most requests with it at once */
	uint32_t queue_size;		/* descriptors in the queue */
	uint32_t free_descriptors;	/* of which free now */
	uint32_t max_segments;		/* data buffers per request */
};

/*
 * blk_get_stats - a consistent copy of the counters of disk d (not NULL).
 * Also verifies the queue's free list (panics if it is broken).
 */
void blk_get_stats(struct blkdev *d, struct blk_stats *st);

/*
 * blk_sectors_total - the sectors read and written on every disk since
 * boot (Linux's pgpgin and pgpgout are these halved: KiB).
 */
void blk_sectors_total(uint64_t *read, uint64_t *written);

#endif
