/*
 * /dev: the console (also as /dev/tty), /dev/null, /dev/zero, /dev/full,
 * /dev/random and /dev/urandom (the same generator, kern/random.h), and the
 * disks as block devices named as Linux names them: vda (the root disk),
 * vdb, ..., major 254 and minors 0, 16, 32, ...
 */
#include "fs/devfs.h"
#include "lib/format.h"
#include "dev/blk.h"
#include "fs/tty.h"
#include "fs/vfs.h"
#include "kern/files.h"
#include "kern/mutex.h"
#include "kern/random.h"
#include "kern/uaccess.h"
#include "vm/kmem.h"
#include "vm/pmm.h"

#define DEVFS_DEV	3
#define DEVFS_CHARS	7	/* the character devices before the disks */
#define DEVFS_MAX	(DEVFS_CHARS + BLK_MAX_DISKS)
#define RANDOM_CHUNK	256
#define GID_DISK	6	/* Linux's group "disk" owns its disks */

struct devnode {
	const char *name;
	uint32_t rdev;			/* major << 8 | minor, as Linux */
	const struct file_ops *ops;
	struct blkdev *disk;		/* block devices: the disk */
	struct vnode *vn;
};

static long null_read(struct file *f, uint64_t ubuf, size_t len)
{
	return 0;
}

static long null_write(struct file *f, uint64_t ubuf, size_t len)
{
	return len;
}

static long zero_read(struct file *f, uint64_t ubuf, size_t len)
{
	int err = clear_user(ubuf, len);

	return err ? err : (long)len;
}

/* /dev/full: reads as zeros, and is always full. */
static long full_write(struct file *f, uint64_t ubuf, size_t len)
{
	return -ENOSPC;
}

/* /dev/random and /dev/urandom: random bytes, as many as asked for. */
static long random_read(struct file *f, uint64_t ubuf, size_t len)
{
	char buf[RANDOM_CHUNK];
	size_t done = 0;

	while (done < len) {
		size_t n = MIN(len - done, sizeof(buf));

		random_bytes(buf, n);
		if (copy_to_user(ubuf + done, buf, n))
			return done ? (long)done : -EFAULT;
		done += n;
	}
	return done;
}

/* One writer at a time per disk (disk_pwrite), indexed by disk number. */
static struct mutex disk_write_locks[BLK_MAX_DISKS];

#define DISK_BOUNCE_ORDER	5	/* 128 KiB: the largest request (BLK_MAX_SECTORS) */

/*
 * A bounce buffer for a disk transfer of len bytes: the smallest block of
 * up to 2^DISK_BOUNCE_ORDER frames that holds it, or a smaller one (down to
 * a frame) when memory is short. Sets *order. Returns NULL if not even one
 * frame is free.
 */
static struct page *disk_bounce_alloc(size_t len, unsigned int *order)
{
	unsigned int o = 0;

	while (o < DISK_BOUNCE_ORDER && ((size_t)PAGE_SIZE << o) < len)
		o++;
	for (;; o--) {
		struct page *pg = pmm_alloc_order(o, 0);

		if (pg || o == 0) {
			*order = o;
			return pg;
		}
	}
}

/*
 * The piece of a transfer at byte pos that fits a bounce buffer of cap
 * bytes: the sectors [*base, *base + *bytes) that hold the n bytes at pos,
 * up to left of them, clipped to the disk's end (size).
 */
static size_t disk_piece(uint64_t pos, size_t left, uint64_t size, size_t cap,
			 uint64_t *base, size_t *bytes)
{
	uint64_t b = ALIGN_DOWN(pos, BLK_SECTOR_SIZE);
	size_t n = MIN(left, cap - (size_t)(pos - b));
	uint64_t end = MIN(ALIGN_UP(pos + n, BLK_SECTOR_SIZE), size);

	*base = b;
	*bytes = end - b;
	return MIN(n, end - pos);
}

/*
 * Read a disk through a bounce buffer (up to 128 KiB per request): up to len
 * bytes at byte off (clipped to the disk's end) into user memory. Returns the
 * bytes read, or -ENOMEM, -EFAULT, -EIO before any was.
 */
static long disk_pread(struct file *f, uint64_t ubuf, size_t len, uint64_t off)
{
	struct blkdev *d = ((struct devnode *)f->vn->priv)->disk;
	uint64_t size = blk_sectors(d) * BLK_SECTOR_SIZE;
	unsigned int order;
	struct page *bounce;
	size_t done = 0;
	long err = 0;

	if (off >= size || len == 0)
		return 0;
	len = MIN(len, size - off);
	bounce = disk_bounce_alloc(len + BLK_SECTOR_SIZE, &order);
	if (!bounce)
		return -ENOMEM;
	while (done < len && !err) {
		uint64_t pos = off + done, base;
		size_t bytes, n = disk_piece(pos, len - done, size,
					     (size_t)PAGE_SIZE << order, &base, &bytes);
		char *buf = page_to_virt(bounce);

		err = blk_read(d, base / BLK_SECTOR_SIZE, buf, bytes / BLK_SECTOR_SIZE);
		if (!err && copy_to_user(ubuf + done, buf + (pos - base), n))
			err = -EFAULT;
		if (!err)
			done += n;
	}
	pmm_free_order(bounce, order);
	return done ? (long)done : err;
}

static long disk_read(struct file *f, uint64_t ubuf, size_t len)
{
	long n;

	mutex_lock(&f->pos_lock);
	n = disk_pread(f, ubuf, len, f->off);
	if (n > 0)
		f->off += n;
	mutex_unlock(&f->pos_lock);
	return n;
}

/*
 * Why a disk refuses writes from user space, as Linux says it: -EPERM if the
 * device is read-only (the root disk is always attached so, and holds the
 * mounted root file system in any case), -ETXTBSY while it is an active
 * swap area; 0 if it takes them.
 */
static int disk_write_refused(struct blkdev *d)
{
	if (blk_readonly(d) || d == blk_root())
		return -EPERM;
	return blk_holder(d) ? -ETXTBSY : 0;
}

/*
 * Write one piece: the sectors [base, base + bytes) of the disk with the n
 * user bytes at ubuf placed at pos; a sector the bytes cover only in part is
 * read first. Returns 0, -EFAULT or -EIO.
 */
static int disk_write_piece(struct blkdev *d, char *buf, uint64_t base,
			    size_t bytes, uint64_t pos, uint64_t ubuf, size_t n)
{
	uint64_t sect = base / BLK_SECTOR_SIZE;
	int err = 0;

	if (pos != base)
		err = blk_read(d, sect, buf, 1);
	if (!err && (pos + n) % BLK_SECTOR_SIZE)
		err = blk_read(d, sect + bytes / BLK_SECTOR_SIZE - 1,
			       buf + bytes - BLK_SECTOR_SIZE, 1);
	if (!err && copy_from_user(buf + (pos - base), ubuf, n))
		err = -EFAULT;
	return err ? err : blk_write(d, sect, buf, bytes / BLK_SECTOR_SIZE);
}

/*
 * Write up to len bytes of user memory at byte off of a disk, as Linux's
 * block devices take them: synchronously (the disk has no cache in front of
 * it), through a bounce buffer of up to 128 KiB per request, clipped to the
 * disk's end; writes of one disk are serialized, so that a partly covered
 * sector read and written back never loses another writer's bytes. Returns
 * the bytes written; or, before any was, 0 for len 0, the errors of
 * disk_write_refused, -ENOSPC at or after the end, -ENOMEM, -EFAULT, -EIO.
 */
static long disk_pwrite(struct file *f, uint64_t ubuf, size_t len, uint64_t off)
{
	struct devnode *node = f->vn->priv;
	struct blkdev *d = node->disk;
	struct mutex *lock = &disk_write_locks[(blk_minor(d) / BLK_MINORS_PER_DISK)];
	uint64_t size = blk_sectors(d) * BLK_SECTOR_SIZE;
	long err = disk_write_refused(d);
	unsigned int order;
	struct page *bounce;
	size_t done = 0;

	if (err || len == 0)
		return err;
	if (off >= size)
		return -ENOSPC;
	len = MIN(len, size - off);
	bounce = disk_bounce_alloc(len + BLK_SECTOR_SIZE, &order);
	if (!bounce)
		return -ENOMEM;
	mutex_lock(lock);
	while (done < len && !err) {
		uint64_t pos = off + done, base;
		size_t bytes, n = disk_piece(pos, len - done, size,
					     (size_t)PAGE_SIZE << order, &base, &bytes);

		err = disk_write_refused(d);	/* swapon meanwhile */
		if (!err)
			err = disk_write_piece(d, page_to_virt(bounce), base, bytes,
					       pos, ubuf + done, n);
		if (!err)
			done += n;
	}
	mutex_unlock(lock);
	pmm_free_order(bounce, order);
	return done ? (long)done : err;
}

static long disk_write(struct file *f, uint64_t ubuf, size_t len)
{
	long n;

	mutex_lock(&f->pos_lock);
	n = disk_pwrite(f, ubuf, len, f->off);
	if (n > 0)
		f->off += n;
	mutex_unlock(&f->pos_lock);
	return n;
}

static const struct file_ops null_ops = { .read = null_read, .write = null_write };
static const struct file_ops zero_ops = { .read = zero_read, .write = null_write };
static const struct file_ops full_ops = { .read = zero_read, .write = full_write };
static const struct file_ops random_ops = { .read = random_read, .write = null_write };
static const struct file_ops disk_ops = {
	.read = disk_read, .write = disk_write,
	.pread = disk_pread, .pwrite = disk_pwrite,
};

static struct devnode devices[DEVFS_MAX] = {
	{ "console", 5 << 8 | 1, &tty_file_ops, NULL, NULL },
	{ "tty", 5 << 8 | 0, &tty_file_ops, NULL, NULL },
	{ "null", 1 << 8 | 3, &null_ops, NULL, NULL },
	{ "zero", 1 << 8 | 5, &zero_ops, NULL, NULL },
	{ "full", 1 << 8 | 7, &full_ops, NULL, NULL },
	{ "random", 1 << 8 | 8, &random_ops, NULL, NULL },
	{ "urandom", 1 << 8 | 9, &random_ops, NULL, NULL },
};
static size_t ndevices = DEVFS_CHARS;	/* then the disks, added by devfs_mount */

static int dev_open(struct vnode *vn, unsigned int flags, struct file **out)
{
	struct devnode *d = vn->priv;
	struct file *f = file_alloc(d->ops, flags);

	if (!f)
		return -ENOMEM;
	vnode_get(vn);
	f->vn = vn;
	f->seekable = d->disk != NULL;
	*out = f;
	return 0;
}

static int devdir_lookup(struct vnode *dir, const char *name, size_t len,
			 struct vnode **out)
{
	for (size_t i = 0; i < ndevices; i++) {
		if (strlen(devices[i].name) == len &&
		    memcmp(devices[i].name, name, len) == 0) {
			vnode_get(devices[i].vn);
			*out = devices[i].vn;
			return 0;
		}
	}
	return -ENOENT;
}

static int devdir_readdir(struct vnode *dir, uint64_t *pos, struct vdirent *e)
{
	struct devnode *d = &devices[*pos];

	if (*pos >= ndevices)
		return 0;
	vdirent_set(e, d->vn->ino, d->disk ? DT_BLK : DT_CHR, d->name,
		    strlen(d->name));	/* short names */
	(*pos)++;
	return 1;
}

static const struct vnode_ops devdir_ops = {
	.lookup = devdir_lookup,
	.readdir = devdir_readdir,
};

static const struct vnode_ops dev_ops = {
	.open = dev_open,
};

/* Open the console as a file (init's standard descriptors). */
int devfs_open_console(unsigned int flags, struct file **out)
{
	return dev_open(devices[0].vn, flags, out);
}

/* One devices[] entry for each disk, named as Linux names it. */
static void devfs_add_disks(void)
{
	for (int i = 0; i < blk_count() && ndevices < DEVFS_MAX; i++) {
		struct blkdev *disk = blk_get(i);

		devices[ndevices++] = (struct devnode){
			.name = blk_name(disk), .disk = disk, .ops = &disk_ops,
			.rdev = BLK_MAJOR << 8 | blk_minor(disk),
		};
		mutex_init(&disk_write_locks[i], "disk write");
	}
}

/* The vnode of devices[i]. Returns 0 or -ENOMEM. */
static int devfs_make_vnode(size_t i)
{
	struct devnode *d = &devices[i];
	struct vnode *vn = kmalloc(sizeof(*vn), KM_ZERO);

	if (!vn)
		return -ENOMEM;
	if (d->disk) {
		vnode_init(vn, VBLK, S_IFBLK | 0660, &dev_ops);
		vn->gid = GID_DISK;
	} else {
		vnode_init(vn, VCHR, S_IFCHR | 0666, &dev_ops);
	}
	vn->path = kmalloc(strlen("/dev/") + strlen(d->name) + 1, 0);	/* maps */
	if (vn->path)
		ksnprintf(vn->path, strlen("/dev/") + strlen(d->name) + 1, "/dev/%s", d->name);
	vn->ino = i + 2;
	vn->dev = DEVFS_DEV;
	vn->rdev = d->rdev;
	vn->priv = d;
	d->vn = vn;
	return 0;
}

int devfs_mount(const char *mountpoint)
{
	struct vnode *dir = kmalloc(sizeof(*dir), KM_ZERO);

	if (!dir)
		return -ENOMEM;
	vnode_init(dir, VDIR, S_IFDIR | 0755, &devdir_ops);
	dir->ino = 1;
	dir->dev = DEVFS_DEV;
	devfs_add_disks();
	for (size_t i = 0; i < ndevices; i++)
		if (devfs_make_vnode(i) < 0)
			return -ENOMEM;
	return vfs_mount(mountpoint, dir, "devfs devfs rw");
}

struct blkdev *devfs_vnode_disk(struct vnode *vn)
{
	return vn->type == VBLK && vn->ops == &dev_ops ?
		((struct devnode *)vn->priv)->disk : NULL;
}

bool devfs_vnode_is_zero(const struct vnode *vn)
{
	return vn && vn->ops == &dev_ops && ((struct devnode *)vn->priv)->ops == &zero_ops;
}
