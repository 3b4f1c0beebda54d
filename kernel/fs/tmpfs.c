/*
 * tmpfs: a file system in memory, mounted at /tmp. A file's data is its
 * page cache (frames are allocated as it is written), swap-backed: no disk
 * holds it. A directory is a list of names, each holding a reference to its
 * vnode (a file with hard links has several); a symbolic link keeps its
 * target as a string.
 *
 * Locks: a directory's vn->lock guards its entries. A rename that spans two
 * directories takes rename_lock first and then both directory locks in
 * address order, so two renames cannot lock them in opposite orders.
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
static struct mutex rename_lock;		/* set up by tmpfs_mount */

static uint8_t vtype_dirent(enum vtype t)
{
	return t == VDIR ? DT_DIR : t == VLNK ? DT_LNK : DT_REG;
}

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
		ret = vdirent_set(out, e->vn->ino, vtype_dirent(e->vn->type),
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
 * Shrinking frees the cached pages past the new size that nothing uses, and
 * the swap slots of those on swap, and zeroes the cut-off bytes of the
 * others: a process may map them. -ENOMEM or -EIO: the page holding the new
 * end could not be read back from swap; nothing changed.
 */
static int tmpfs_truncate(struct vnode *vn, uint64_t size)
{
	int err = vnode_cache_truncate(vn, size);

	if (err)
		return err;
	vn->size = size;
	vn->obj.size = size;
	vnode_touch(vn, true, true);
	return 0;
}

/* A symbolic link's target (vn->priv, vn->size bytes) into buf[len]. */
static long tmpfs_readlink(struct vnode *vn, char *buf, size_t len)
{
	size_t n = MIN(len, (size_t)vn->size);

	memcpy(buf, vn->priv, n);
	return n;
}

static void tmpfs_release(struct vnode *vn)
{
	kfree(vn->priv);	/* a directory's entry list, a link's target */
	kfree(vn);
}

static int tmpfs_create(struct vnode *dir, const char *name, size_t len,
			uint32_t mode, struct vnode **out);
static int tmpfs_unlink(struct vnode *dir, const char *name, size_t len,
			bool dir_only);
static int tmpfs_symlink(struct vnode *dir, const char *name, size_t len,
			 const char *target, size_t tlen, struct vnode **out);
static int tmpfs_link(struct vnode *dir, const char *name, size_t len,
		      struct vnode *vn);
static int tmpfs_rename(struct vnode *olddir, const char *oldname, size_t oldlen,
			struct vnode *newdir, const char *newname, size_t newlen,
			unsigned int flags);

static const struct vnode_ops tmpfs_ops = {
	.lookup = tmpfs_lookup,
	.readdir = tmpfs_readdir,
	.readpage = tmpfs_readpage,
	.readlink = tmpfs_readlink,
	.create = tmpfs_create,
	.symlink = tmpfs_symlink,
	.link = tmpfs_link,
	.rename = tmpfs_rename,
	.unlink = tmpfs_unlink,
	.truncate = tmpfs_truncate,
	.release = tmpfs_release,
};

/* A new vnode of type S_IFMT of mode, owned by the caller's fsuid/fsgid. */
static struct vnode *tmpfs_new(uint32_t mode)
{
	struct vnode *vn = kmalloc(sizeof(*vn), KM_ZERO);
	bool dir = (mode & S_IFMT) == S_IFDIR;
	bool lnk = (mode & S_IFMT) == S_IFLNK;

	if (!vn)
		return NULL;
	vnode_init(vn, dir ? VDIR : lnk ? VLNK : VREG, mode, &tmpfs_ops);
	vn->ino = __atomic_fetch_add(&next_ino, 1, __ATOMIC_RELAXED);
	vn->dev = TMPFS_DEV;
	vn->writable_fs = true;
	vn->nlink = dir ? 2 : 1;
	vnode_set_owner(vn);
	vn->atime = vn->mtime = vn->ctime = vfs_now();
	if (dir) {
		struct tmpfs_dir *d = kmalloc(sizeof(*d), KM_ZERO);

		if (!d) {
			kfree(vn);
			return NULL;
		}
		list_init(&d->entries);
		vn->priv = d;
	}
	vnode_cache_is_swapbacked(vn);	/* last: it is on a list from here */
	return vn;
}

static struct tmpfs_dir *dir_of(struct vnode *dir)
{
	return dir->priv;
}

/* A new entry name -> vn (the entry takes the caller's reference), or NULL. */
static struct tmpfs_entry *entry_new(const char *name, size_t len,
				     struct vnode *vn)
{
	struct tmpfs_entry *e = kmalloc(sizeof(*e) + len + 1, 0);

	if (!e)
		return NULL;
	e->vn = vn;
	e->len = len;
	memcpy(e->name, name, len);
	e->name[len] = 0;
	return e;
}

/* Put entry e in dir, which changes (dir->lock held). */
static void dir_insert(struct vnode *dir, struct tmpfs_entry *e)
{
	list_append(&dir_of(dir)->entries, &e->link);
	dir_of(dir)->nentries++;
	if (e->vn->type == VDIR)
		dir->nlink++;		/* the subdirectory's ".." */
	vnode_touch(dir, true, true);
}

/* Take entry e out of dir (dir->lock held). */
static void dir_delete(struct vnode *dir, struct tmpfs_entry *e)
{
	list_remove(&e->link);
	dir_of(dir)->nentries--;
	if (e->vn->type == VDIR)
		dir->nlink--;
	vnode_touch(dir, true, true);
}

/*
 * Add name (checked by the VFS; a name above NAME_MAX is refused here too,
 * as readdir could not return it) to dir for vn, which must be new or a
 * hard link's target; the directory takes a reference to vn. Errors:
 * -ENAMETOOLONG, -EEXIST, -ENOSPC (out of memory).
 */
static int dir_add(struct vnode *dir, const char *name, size_t len,
		   struct vnode *vn)
{
	struct tmpfs_entry *e;

	if (len > NAME_MAX)
		return -ENAMETOOLONG;
	e = entry_new(name, len, vn);
	if (!e)
		return -ENOSPC;
	mutex_lock(&dir->lock);
	if (dir_find(dir, name, len)) {
		mutex_unlock(&dir->lock);
		kfree(e);
		return -EEXIST;
	}
	vnode_get(vn);
	dir_insert(dir, e);
	mutex_unlock(&dir->lock);
	return 0;
}

/* Make vn, new, the entry name of dir; *out gets vn or it is freed. */
static int dir_add_new(struct vnode *dir, const char *name, size_t len,
		       struct vnode *vn, struct vnode **out)
{
	int err = dir_add(dir, name, len, vn);

	if (err) {
		vnode_put(vn);
		return err;
	}
	*out = vn;
	return 0;
}

static int tmpfs_create(struct vnode *dir, const char *name, size_t len,
			uint32_t mode, struct vnode **out)
{
	struct vnode *vn = tmpfs_new(mode);

	if (!vn)
		return -ENOSPC;
	return dir_add_new(dir, name, len, vn, out);
}

static int tmpfs_symlink(struct vnode *dir, const char *name, size_t len,
			 const char *target, size_t tlen, struct vnode **out)
{
	struct vnode *vn = tmpfs_new(S_IFLNK | 0777);

	if (!vn)
		return -ENOSPC;
	vn->priv = kmalloc(tlen, 0);
	if (!vn->priv) {
		vnode_put(vn);
		return -ENOSPC;
	}
	memcpy(vn->priv, target, tlen);
	vn->size = tlen;
	return dir_add_new(dir, name, len, vn, out);
}

/* A new name for vn (not a directory: the VFS checked) in dir. */
static int tmpfs_link(struct vnode *dir, const char *name, size_t len,
		      struct vnode *vn)
{
	int err = dir_add(dir, name, len, vn);

	if (!err) {
		mutex_lock(&vn->lock);
		vn->nlink++;
		vnode_touch(vn, false, true);
		mutex_unlock(&vn->lock);
	}
	return err;
}

/* vn lost a name: its link count drops (a directory's to 0). */
static void vnode_unlinked(struct vnode *vn)
{
	mutex_lock(&vn->lock);
	vn->nlink = vn->type == VDIR ? 0 : vn->nlink - 1;
	vnode_touch(vn, false, true);
	mutex_unlock(&vn->lock);
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
	else if (e->vn->type == VDIR && dir_of(e->vn)->nentries)
		err = -ENOTEMPTY;
	if (!err)
		dir_delete(dir, e);
	mutex_unlock(&dir->lock);
	if (!err) {
		vnode_unlinked(e->vn);
		vnode_put(e->vn);
		kfree(e);
	}
	return err;
}

/* Lock the directories a rename touches (one or two), in address order. */
static void rename_lock_dirs(struct vnode *a, struct vnode *b)
{
	if (a == b) {
		mutex_lock(&a->lock);
		return;
	}
	mutex_lock(&rename_lock);
	mutex_lock(a < b ? &a->lock : &b->lock);
	mutex_lock(a < b ? &b->lock : &a->lock);
}

static void rename_unlock_dirs(struct vnode *a, struct vnode *b)
{
	mutex_unlock(&a->lock);
	if (a != b) {
		mutex_unlock(&b->lock);
		mutex_unlock(&rename_lock);
	}
}

/*
 * May entry from replace entry to (which exists) in a rename without
 * RENAME_EXCHANGE? 0, -ENOTDIR, -EISDIR or -ENOTEMPTY.
 */
static int rename_may_replace(const struct tmpfs_entry *from,
			      const struct tmpfs_entry *to)
{
	if (from->vn->type == VDIR && to->vn->type != VDIR)
		return -ENOTDIR;
	if (from->vn->type != VDIR && to->vn->type == VDIR)
		return -EISDIR;
	if (to->vn->type == VDIR && dir_of(to->vn)->nentries)
		return -ENOTEMPTY;
	return 0;
}

/*
 * The rename proper, with both directories locked: *fresh is the entry
 * the name moves to (used, then set to NULL, unless the rename swaps);
 * *gone gets an entry the rename removed (the replaced one).
 */
static int rename_locked(struct vnode *olddir, struct tmpfs_entry *from,
			 struct vnode *newdir, struct tmpfs_entry *to,
			 unsigned int flags, struct tmpfs_entry **fresh,
			 struct tmpfs_entry **gone)
{
	int err;

	if (from == to)
		return 0;		/* a name renamed to itself */
	if (to && (flags & RENAME_NOREPLACE))
		return -EEXIST;
	if (flags & RENAME_EXCHANGE) {
		struct vnode *vn;

		if (!to)
			return -ENOENT;
		dir_delete(olddir, from);	/* keeps the link counts right */
		dir_delete(newdir, to);
		vn = from->vn;
		from->vn = to->vn;
		to->vn = vn;
		dir_insert(olddir, from);
		dir_insert(newdir, to);
		return 0;
	}
	if (to && to->vn == from->vn)
		return 0;		/* two names of one file: nothing to do */
	if (to && (err = rename_may_replace(from, to)))
		return err;
	if (to) {
		dir_delete(newdir, to);
		*gone = to;
	}
	(*fresh)->vn = from->vn;
	dir_delete(olddir, from);
	dir_insert(newdir, *fresh);
	*fresh = NULL;
	from->vn = NULL;
	kfree(from);
	return 0;
}

static int tmpfs_rename(struct vnode *olddir, const char *oldname, size_t oldlen,
			struct vnode *newdir, const char *newname, size_t newlen,
			unsigned int flags)
{
	struct tmpfs_entry *fresh = entry_new(newname, newlen, NULL), *gone = NULL;
	struct tmpfs_entry *from, *to;
	int err;

	if (!fresh)
		return -ENOSPC;
	rename_lock_dirs(olddir, newdir);
	from = dir_find(olddir, oldname, oldlen);
	to = dir_find(newdir, newname, newlen);
	err = from ? rename_locked(olddir, from, newdir, to, flags, &fresh, &gone)
		   : -ENOENT;
	rename_unlock_dirs(olddir, newdir);
	kfree(fresh);
	if (gone) {
		vnode_unlinked(gone->vn);
		vnode_put(gone->vn);
		kfree(gone);
	}
	return err;
}

int tmpfs_mount(const char *mountpoint)
{
	mutex_init(&rename_lock, "tmpfs rename");
	struct vnode *root = tmpfs_new(S_IFDIR | 01777);

	if (!root)
		return -ENOMEM;
	return vfs_mount(mountpoint, root, "tmpfs tmpfs rw");
}

