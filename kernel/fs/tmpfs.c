/*
 * tmpfs: a file system in memory, mounted at /tmp. A file's data is its
 * page cache (frames are allocated as it is written), swap-backed: no disk
 * holds it. A directory is a list of names.
 */
#include "fs/tmpfs.h"
#include "fs/vfs.h"
#include "vm/kmem.h"

#define TMPFS_DEV	2

struct tmpfs_entry {
	struct list_node link;
	struct vnode *vn;		/* the directory's reference */
	size_t len;
	char name[];
};

struct tmpfs_dir {
	struct list_node entries;	/* vn->lock */
	uint64_t nentries;
};

static uint64_t next_ino = 1;

static struct tmpfs_entry *dir_find(struct vnode *dir, const char *name,
				    size_t len)
{
	struct tmpfs_dir *d = dir->priv;
	struct list_node *n;

	list_for_each(n, &d->entries) {
		struct tmpfs_entry *e = list_entry(n, struct tmpfs_entry, link);

		if (e->len == len && memcmp(e->name, name, len) == 0)
			return e;
	}
	return NULL;
}

static int tmpfs_lookup(struct vnode *dir, const char *name, size_t len,
			struct vnode **out)
{
	struct tmpfs_entry *e;

	mutex_lock(&dir->lock);
	e = dir_find(dir, name, len);
	if (e) {
		vnode_get(e->vn);
		*out = e->vn;
	}
	mutex_unlock(&dir->lock);
	return e ? 0 : -ENOENT;
}

static int tmpfs_readdir(struct vnode *dir, uint64_t *pos, struct vdirent *out)
{
	struct tmpfs_dir *d = dir->priv;
	struct list_node *n;
	uint64_t i = 0;
	int ret = 0;

	mutex_lock(&dir->lock);
	list_for_each(n, &d->entries) {
		struct tmpfs_entry *e = list_entry(n, struct tmpfs_entry, link);

		if (i++ != *pos)
			continue;
		ret = vdirent_set(out, e->vn->ino, e->vn->type == VDIR ? DT_DIR : DT_REG,
				  e->name, e->len);
		if (ret == 0) {
			(*pos)++;
			ret = 1;
		}
		break;
	}
	mutex_unlock(&dir->lock);
	return ret;
}

/* Data past the end reads as zeros: fresh pages are zeroed. */
static int tmpfs_readpage(struct vnode *vn, uint64_t idx, void *buf)
{
	return 0;
}

/*
 * Shrinking frees the cached pages past the new size that nothing uses and
 * zeroes the cut-off bytes of the others: a process may map them.
 */
static int tmpfs_truncate(struct vnode *vn, uint64_t size)
{
	vnode_cache_truncate(vn, size);
	vn->size = size;
	vn->obj.size = size;
	return 0;
}

static void tmpfs_release(struct vnode *vn)
{
	struct tmpfs_dir *d = vn->type == VDIR ? vn->priv : NULL;

	if (d)
		kfree(d);
	kfree(vn);
}

static int tmpfs_create(struct vnode *dir, const char *name, size_t len,
			uint32_t mode, struct vnode **out);
static int tmpfs_unlink(struct vnode *dir, const char *name, size_t len,
			bool dir_only);
static int tmpfs_link(struct vnode *dir, const char *name, size_t len,
		      struct vnode *vn);

static const struct vnode_ops tmpfs_ops = {
	.link = tmpfs_link,
	.lookup = tmpfs_lookup,
	.readdir = tmpfs_readdir,
	.readpage = tmpfs_readpage,
	.create = tmpfs_create,
	.unlink = tmpfs_unlink,
	.truncate = tmpfs_truncate,
	.release = tmpfs_release,
};

static struct vnode *tmpfs_new(uint32_t mode)
{
	struct vnode *vn = kmalloc(sizeof(*vn), KM_ZERO);
	bool dir = (mode & S_IFMT) == S_IFDIR;

	if (!vn)
		return NULL;
	vnode_init(vn, dir ? VDIR : VREG, mode, &tmpfs_ops);
	vn->ino = __atomic_fetch_add(&next_ino, 1, __ATOMIC_RELAXED);
	vn->dev = TMPFS_DEV;
	vn->writable_fs = true;
	vn->nlink = dir ? 2 : 1;
	vnode_cache_is_swapbacked(vn);
	if (dir) {
		struct tmpfs_dir *d = kmalloc(sizeof(*d), KM_ZERO);

		if (!d) {
			kfree(vn);
			return NULL;
		}
		list_init(&d->entries);
		vn->priv = d;
	}
	return vn;
}

/*
 * Add name (checked by the VFS; a name above NAME_MAX is refused here too,
 * as readdir could not return it) to dir as a new file or directory.
 * Errors: -ENAMETOOLONG, -EEXIST, -ENOSPC (out of memory).
 */
static int tmpfs_create(struct vnode *dir, const char *name, size_t len,
			uint32_t mode, struct vnode **out)
{
	struct tmpfs_entry *e;
	struct vnode *vn;

	if (len > NAME_MAX)
		return -ENAMETOOLONG;
	mutex_lock(&dir->lock);
	if (dir_find(dir, name, len)) {
		mutex_unlock(&dir->lock);
		return -EEXIST;
	}
	e = kmalloc(sizeof(*e) + len + 1, 0);
	vn = e ? tmpfs_new(mode) : NULL;
	if (!vn) {
		mutex_unlock(&dir->lock);
		kfree(e);
		return -ENOSPC;
	}
	e->vn = vn;
	e->len = len;
	memcpy(e->name, name, len);
	e->name[len] = 0;
	list_append(&((struct tmpfs_dir *)dir->priv)->entries, &e->link);
	((struct tmpfs_dir *)dir->priv)->nentries++;
	mutex_unlock(&dir->lock);
	vnode_get(vn);
	*out = vn;
	return 0;
}

static int tmpfs_unlink(struct vnode *dir, const char *name, size_t len,
			bool dir_only)
{
	struct tmpfs_entry *e;
	int err = 0;

	mutex_lock(&dir->lock);
	e = dir_find(dir, name, len);
	if (!e)
		err = -ENOENT;
	else if (dir_only && e->vn->type != VDIR)
		err = -ENOTDIR;
	else if (!dir_only && e->vn->type == VDIR)
		err = -EISDIR;
	else if (e->vn->type == VDIR &&
		 ((struct tmpfs_dir *)e->vn->priv)->nentries)
		err = -ENOTEMPTY;
	if (!err) {
		list_remove(&e->link);
		((struct tmpfs_dir *)dir->priv)->nentries--;
		if (e->vn->type != VDIR)
			e->vn->nlink--;
	}
	mutex_unlock(&dir->lock);
	if (!err) {
		vnode_put(e->vn);
		kfree(e);
	}
	return err;
}

int tmpfs_mount(const char *mountpoint)
{
	struct vnode *root = tmpfs_new(S_IFDIR | 01777);

	if (!root)
		return -ENOMEM;
	return vfs_mount(mountpoint, root, "tmpfs tmpfs rw");
}

/*
 * A second name for vn in dir (linkat); the entry holds a reference, so
 * the file lives until its last name is gone and nobody uses it.
 * Errors: -ENAMETOOLONG, -EEXIST, -ENOSPC.
 */
static int tmpfs_link(struct vnode *dir, const char *name, size_t len,
		      struct vnode *vn)
{
	struct tmpfs_entry *e;

	if (len > NAME_MAX)
		return -ENAMETOOLONG;
	mutex_lock(&dir->lock);
	if (dir_find(dir, name, len)) {
		mutex_unlock(&dir->lock);
		return -EEXIST;
	}
	e = kmalloc(sizeof(*e) + len + 1, 0);
	if (!e) {
		mutex_unlock(&dir->lock);
		return -ENOSPC;
	}
	vnode_get(vn);
	vn->nlink++;
	e->vn = vn;
	e->len = len;
	memcpy(e->name, name, len);
	e->name[len] = 0;
	list_append(&((struct tmpfs_dir *)dir->priv)->entries, &e->link);
	((struct tmpfs_dir *)dir->priv)->nentries++;
	mutex_unlock(&dir->lock);
	return 0;
}
