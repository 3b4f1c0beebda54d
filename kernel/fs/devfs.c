/*
 * /dev: the console (also as /dev/tty), /dev/null and /dev/zero.
 */
#include "fs/devfs.h"
#include "fs/tty.h"
#include "fs/vfs.h"
#include "kern/files.h"
#include "kern/uaccess.h"
#include "vm/kmem.h"

#define DEVFS_DEV	3

struct devnode {
	const char *name;
	uint32_t rdev;			/* major << 8 | minor, as Linux */
	const struct file_ops *ops;
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

static const struct file_ops null_ops = { .read = null_read, .write = null_write };
static const struct file_ops zero_ops = { .read = zero_read, .write = null_write };

static struct devnode devices[] = {
	{ "console", 5 << 8 | 1, &tty_file_ops, NULL },
	{ "tty", 5 << 8 | 0, &tty_file_ops, NULL },
	{ "null", 1 << 8 | 3, &null_ops, NULL },
	{ "zero", 1 << 8 | 5, &zero_ops, NULL },
};

static int dev_open(struct vnode *vn, unsigned int flags, struct file **out)
{
	struct devnode *d = vn->priv;
	struct file *f = file_alloc(d->ops, flags);

	if (!f)
		return -ENOMEM;
	vnode_get(vn);
	f->vn = vn;
	*out = f;
	return 0;
}

static int devdir_lookup(struct vnode *dir, const char *name, size_t len,
			 struct vnode **out)
{
	for (size_t i = 0; i < ARRAY_SIZE(devices); i++) {
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
	if (*pos >= ARRAY_SIZE(devices))
		return 0;
	vdirent_set(e, devices[*pos].vn->ino, DT_CHR, devices[*pos].name,
		    strlen(devices[*pos].name));	/* short constant names */
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

int devfs_mount(const char *mountpoint)
{
	struct vnode *dir = kmalloc(sizeof(*dir), KM_ZERO);

	if (!dir)
		return -ENOMEM;
	vnode_init(dir, VDIR, S_IFDIR | 0755, &devdir_ops);
	dir->ino = 1;
	dir->dev = DEVFS_DEV;
	for (size_t i = 0; i < ARRAY_SIZE(devices); i++) {
		struct vnode *vn = kmalloc(sizeof(*vn), KM_ZERO);

		if (!vn)
			return -ENOMEM;
		vnode_init(vn, VCHR, S_IFCHR | 0666, &dev_ops);
		vn->ino = i + 2;
		vn->dev = DEVFS_DEV;
		vn->rdev = devices[i].rdev;
		vn->priv = &devices[i];
		devices[i].vn = vn;
	}
	return vfs_mount(mountpoint, dir);
}
