/*
 * swapon(2), swapoff(2), swap= and /proc/swaps; see swapon.h.
 *
 * Linux's order of checks, which decides the errno when several apply:
 * swapon checks the flags, then opens the path for reading and writing
 * (lookup errors, EISDIR, EROFS), then claims it (EINVAL if it is neither
 * a block device nor a regular file, EBUSY if in use), then reads and
 * checks the header (EINVAL). Kilburn takes block devices only: a regular
 * file gets EINVAL, as a file Linux cannot swap on (tmpfs) does.
 */
#include "vm/swapon.h"
#include "dev/blk.h"
#include "fs/devfs.h"
#include "fs/vfs.h"
#include "kern/fsctx.h"
#include "kern/mutex.h"
#include "kern/proc.h"
#include "kern/syscall.h"
#include "kern/uaccess.h"
#include "vm/kmem.h"
#include "vm/pmm.h"
#include "vm/reclaim.h"
#include "vm/swap_header.h"
#include "vm/swap_io.h"


/* An active swap area and the disk it is on. */
struct swap_device {
	struct swap_area *area;
	struct blkdev *disk;		/* claimed by this record */
	char name[PATH_MAX];		/* as /proc/swaps shows it */
};

static struct mutex swapon_mutex = {
	.lock = SPINLOCK_INIT("swapon"),
	.waiters = { { &swapon_mutex.waiters.waiters, &swapon_mutex.waiters.waiters } },
};
/* By area index (swapon_mutex). */
static struct swap_device *swap_devices[SWAP_AREAS_MAX];

/*
 * Read page 0 of d and make a slot allocator for the area it describes.
 * Returns 0 and the area in *out, or -ENOMEM, -EIO, -EINVAL (no valid
 * header; the disk is smaller than a page).
 */
static int swap_read_header(struct blkdev *d, struct swap_area **out)
{
	uint64_t pages = blk_sectors(d) / (PAGE_SIZE / BLK_SECTOR_SIZE);
	struct page *pg;
	struct swap_info_hdr hdr;
	int err = -EINVAL;

	if (pages == 0)
		return -EINVAL;
	pg = pmm_alloc(0);
	if (!pg)
		return -ENOMEM;
	err = blk_read(d, 0, page_to_virt(pg), PAGE_SIZE / BLK_SECTOR_SIZE);
	if (!err)
		err = swap_header_parse(page_to_virt(pg), pages, &hdr);
	if (!err)
		err = swap_area_create(&hdr, out);
	pmm_free(pg);
	return err;
}

/* Register area a of dev with the priority flags ask for; logs as Linux. */
static int swap_activate(struct swap_device *dev, int flags)
{
	int prio = (flags & SWAP_FLAG_PREFER) ? flags & SWAP_FLAG_PRIO_MASK :
		SWAP_PRIO_AUTO;
	int idx = swap_area_register(dev->area, prio);

	if (idx < 0)
		return idx;
	swap_devices[idx] = dev;
	reclaim_swap_space(swap_area_total(dev->area));	/* parked pages may go */
	kprintf("Adding %luk swap on %s.  Priority:%d extents:1 across:%luk\n",
		swap_area_total(dev->area) * (PAGE_SIZE / 1024), dev->name,
		dev->area->prio, swap_area_total(dev->area) * (PAGE_SIZE / 1024));
	return 0;
}

int swap_on_disk(struct blkdev *d, const char *name, int flags)
{
	struct swap_device *dev;
	int err;

	if (flags & ~SWAP_FLAGS_VALID)
		return -EINVAL;
	dev = kmalloc(sizeof(*dev), KM_ZERO);
	if (!dev)
		return -ENOMEM;
	strlcpy(dev->name, name, sizeof(dev->name));
	dev->disk = d;
	mutex_lock(&swapon_mutex);
	err = blk_claim(d, dev);
	if (err)
		goto out_free;
	err = blk_readonly(d) ? -EROFS : swap_read_header(d, &dev->area);
	if (err)
		goto out_release;
	dev->area->disk = d;
	err = swap_activate(dev, flags);
	if (err)
		goto out_destroy;
	mutex_unlock(&swapon_mutex);
	return 0;
out_destroy:
	swap_area_destroy(dev->area);
out_release:
	blk_release(d, dev);
out_free:
	mutex_unlock(&swapon_mutex);
	kfree(dev);
	return err;
}

/*
 * The disk path names, as swapon and swapoff open it (for reading and
 * writing): lookup errors, -EISDIR, -EROFS, or -EINVAL when it is not a
 * disk. canon (PATH_MAX) gets the canonical path.
 */
static int swap_lookup(const char *cwd, const char *path, struct blkdev **out,
		       char *canon)
{
	struct vnode *vn;
	int err = vfs_lookup(cwd ? cwd : "/", path, false, &vn, canon);

	if (err)
		return err;
	*out = devfs_vnode_disk(vn);
	if (vn->type == VDIR)
		err = -EISDIR;
	else if (!*out && !vn->writable_fs && vn->type != VCHR)
		err = -EROFS;
	else if (!*out)
		err = -EINVAL;
	vnode_put(vn);
	return err;
}

int swap_on_path(const char *cwd, const char *path, int flags)
{
	char *canon;
	struct blkdev *d;
	int err;

	if (flags & ~SWAP_FLAGS_VALID)
		return -EINVAL;
	canon = kmalloc(PATH_MAX, 0);
	if (!canon)
		return -ENOMEM;
	err = swap_lookup(cwd, path, &d, canon);
	if (!err)
		err = swap_on_disk(d, canon, flags);
	kfree(canon);
	return err;
}

/* The active device on disk d, or NULL. swapon_mutex held. */
static struct swap_device *swap_device_of(struct blkdev *d)
{
	for (int i = 0; i < SWAP_AREAS_MAX; i++)
		if (swap_devices[i] && swap_devices[i]->disk == d)
			return swap_devices[i];
	return NULL;
}

/*
 * Take dev's area out of use: disabled, its pages brought back, then
 * unregistered and freed. Returns 0, or the error of swap_area_drain or
 * swap_area_unregister with the area enabled again. swapon_mutex held.
 */
static int swap_deactivate(struct swap_device *dev)
{
	struct swap_area *a = dev->area;
	int idx = a->index, err;

	swap_area_disable(a);
	err = swap_area_drain(a);
	if (!err) {
		swap_io_wait_idle();
		err = swap_area_unregister(a);
	}
	if (err) {
		swap_area_enable(a);
		return err;
	}
	swap_devices[idx] = NULL;
	if (swap_area_destroy(a) < 0)
		panic("swapoff: area of %s busy after it was unregistered", dev->name);
	return 0;
}

int swap_off_disk(struct blkdev *d)
{
	struct swap_device *dev;
	int err = -EINVAL;

	mutex_lock(&swapon_mutex);
	dev = swap_device_of(d);
	if (dev)
		err = swap_deactivate(dev);
	if (!err) {
		blk_release(d, dev);
		kfree(dev);
	}
	mutex_unlock(&swapon_mutex);
	return err;
}

int swap_off_path(const char *cwd, const char *path)
{
	char *canon = kmalloc(PATH_MAX, 0);
	struct blkdev *d;
	int err;

	if (!canon)
		return -ENOMEM;
	err = swap_lookup(cwd, path, &d, canon);
	kfree(canon);
	return err ? err : swap_off_disk(d);
}

void swap_boot(const char *list)
{
	char path[PATH_MAX];

	while (list && *list) {
		size_t len = 0;

		while (list[len] && list[len] != ',')
			len++;

		if (len && len < sizeof(path)) {
			memcpy(path, list, len);
			path[len] = 0;
			int err = swap_on_path(NULL, path, 0);

			if (err)
				kprintf("swap: cannot use %s (error %d)\n", path, -err);
		} else if (len) {
			kprintf("swap: a path in swap= is too long\n");
		}
		list += len + (list[len] == ',');
	}
}

/* One /proc/swaps line, as Linux's swap_show prints it. */
static size_t swap_show_one(char *buf, size_t len, const struct swap_device *dev)
{
	size_t namelen = strlen(dev->name);
	unsigned long size = swap_area_total(dev->area) * (PAGE_SIZE / 1024);
	unsigned long used = swap_area_inuse(dev->area) * (PAGE_SIZE / 1024);

	return ksnprintf(buf, len, "%s%*s%s\t%lu\t%s%lu\t%s%d\n", dev->name,
			 namelen < 40 ? (int)(40 - namelen) : 1, " ", "partition",
			 size, size < 10000000 ? "\t" : "", used,
			 used < 10000000 ? "\t" : "", dev->area->prio);
}

size_t swap_show(char *buf, size_t len)
{
	size_t n = ksnprintf(buf, len, "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n");

	mutex_lock(&swapon_mutex);
	for (int i = 0; i < SWAP_AREAS_MAX; i++)
		if (swap_devices[i])
			n += swap_show_one(buf + MIN(n, len), len - MIN(n, len),
					   swap_devices[i]);
	mutex_unlock(&swapon_mutex);
	return n;
}

/* ------------------------------------------------------------ system calls */

/* The caller's working directory, held (fsctx_cwd_release), or NULL. */
static const char *caller_cwd(void)
{
	return current() ? fsctx_cwd_hold(current()->fs) : NULL;
}

static long sys_swapon(long upath, long flags)
{
	char *path;
	const char *cwd;
	long err;

	if ((unsigned long)flags & ~(unsigned long)SWAP_FLAGS_VALID)
		return -EINVAL;
	err = copy_path_from_user(upath, &path);
	if (err < 0)
		return err;
	cwd = caller_cwd();
	err = swap_on_path(cwd, path, (int)flags);
	fsctx_cwd_release(cwd);
	kfree(path);
	return err;
}

static long sys_swapoff(long upath)
{
	char *path;
	const char *cwd;
	long err = copy_path_from_user(upath, &path);

	if (err < 0)
		return err;
	cwd = caller_cwd();
	err = swap_off_path(cwd, path);
	fsctx_cwd_release(cwd);
	kfree(path);
	return err;
}

void syscalls_swap(syscall_fn *t)
{
	SYSCALL(t, swapon);
	SYSCALL(t, swapoff);
}
