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

#define BLK_SECTOR_SIZE		512
#define BLK_MAX_SECTORS		256	/* largest request: 128 KiB */
#define BLK_MAX_DISKS		8

struct blkdev;

/*
 * blk_init - find every virtio-blk disk of the board, set it up and log one
 * line for each ("virtio-blk: disk at 0x10008000, 16384 sectors (8 MiB),
 * irq 8, queue 64"). Slots are probed from the highest address down, the
 * order in which QEMU fills them, so disk 0 is the first -device on QEMU's
 * command line. A legacy (version 1) slot, or a disk that fails setup, is
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

/* Counters and state of one disk, for tests and diagnostics. */
struct blk_stats {
	uint64_t requests;		/* device requests completed */
	uint64_t segments;		/* data buffers (descriptors) sent */
	uint64_t errors;		/* requests the device failed */
	uint64_t interrupts;		/* runs of the interrupt handler */
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

#endif
