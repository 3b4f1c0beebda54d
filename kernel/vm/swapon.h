/*
 * swapon — turning disks into swap areas and back: swapon(2) and
 * swapoff(2) with Linux's numbers, flags and errors, the boot argument
 * swap=, and /proc/swaps.
 *
 * An active area is a disk of /dev (a block device) holding a Linux swap
 * header (swap_header.h), claimed for the area (blk_claim) so that nothing
 * else uses it, with a slot allocator registered in swap_slots.h's table.
 * swapoff disables the area, asks the VM to bring every page back
 * (swap_area_drain), and only then unregisters the area and releases the
 * disk; if the pages cannot come back the area stays as it was.
 *
 * Locks: swapon_mutex (a mutex: the calls read the disk) serializes
 * swapon, swapoff and /proc/swaps and guards the table of active devices.
 * Order: swapon_mutex, then swap_lock and the areas' locks.
 */
#ifndef KILBURN_SWAPON_H
#define KILBURN_SWAPON_H

#include "env.h"
#include "vm/swap_slots.h"

struct blkdev;

/* swapon(2) flags, as Linux's <sys/swap.h> */
#define SWAP_FLAG_PREFER	0x8000		/* the low 15 bits are the priority */
#define SWAP_FLAG_PRIO_MASK	0x7fff
#define SWAP_FLAG_DISCARD	0x10000		/* accepted; disks here cannot discard */
#define SWAP_FLAG_DISCARD_ONCE	0x20000
#define SWAP_FLAG_DISCARD_PAGES	0x40000
#define SWAP_FLAGS_VALID	(SWAP_FLAG_PRIO_MASK | SWAP_FLAG_PREFER |	\
				 SWAP_FLAG_DISCARD | SWAP_FLAG_DISCARD_ONCE |	\
				 SWAP_FLAG_DISCARD_PAGES)

/*
 * swap_on_path - swapon(2) of path (absolute, or relative to cwd; "/" when
 * cwd is NULL) with flags. Returns 0, or as Linux: -EINVAL (unknown flags;
 * not a block device; no valid swap header), -ENOENT, -ENOTDIR, -ELOOP,
 * -ENAMETOOLONG (the path), -EISDIR (a directory), -EROFS (a file of a
 * read-only file system, or a read-only disk), -EBUSY (the disk is in use:
 * an active swap area or the mounted root), -EIO (the header could not be
 * read), -ENOMEM, -EPERM (32 areas already).
 */
int swap_on_path(const char *cwd, const char *path, int flags);

/*
 * swap_on_disk - activate disk d as a swap area, shown as name in
 * /proc/swaps. The errors of swap_on_path from -EINVAL for flags on.
 */
int swap_on_disk(struct blkdev *d, const char *name, int flags);

/*
 * swap_off_path - swapoff(2) of path. Returns 0, or -EINVAL (not an active
 * swap area), the lookup errors of swap_on_path, -EISDIR, -EROFS, or the
 * error of swap_area_drain (-ENOMEM: the pages could not all come back;
 * the area stays active and nothing is lost).
 */
int swap_off_path(const char *cwd, const char *path);

/* swap_off_disk - swapoff of the area on disk d; errors as swap_off_path. */
int swap_off_disk(struct blkdev *d);

/*
 * swap_area_drain - bring every page of area a, which is disabled, back
 * into memory and drop its slots, for swapoff. Returns 0 when no slot of a
 * is in use any more, or -ENOMEM (a stays disabled; swapoff enables it
 * again). The VM's page layer implements it; vm/swap_drain.c holds the
 * version for an area nothing has pages on: it succeeds only if no slot is
 * in use.
 */
int swap_area_drain(struct swap_area *a);

/*
 * swap_register_drainer - have swap_area_drain call drain(area) on each
 * pass too, before the address spaces: for pages on swap that no address
 * space needs to map to be found (the files of tmpfs, System V segments
 * nobody attaches). drain returns 0, -ENOMEM or -EIO, is called with no
 * lock held, and may sleep. At boot.
 */
void swap_register_drainer(int (*drain)(int area));

/*
 * swap_boot - the boot argument swap=: a comma-separated list of paths to
 * activate, in order, with automatic priorities. Logs each failure.
 * Before init starts, after /dev is mounted.
 */
void swap_boot(const char *list);

/*
 * swap_show - append /proc/swaps (Linux's format: a header line, then one
 * line per active area in table order) to buf, at most len bytes with its
 * NUL. Returns the length it wanted (as ksnprintf).
 */
size_t swap_show(char *buf, size_t len);

#endif
