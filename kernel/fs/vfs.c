/*
 * The VFS core: vnodes and their page caches, the mount table and path
 * resolution.
 */
#include "fs/vfs.h"
#include "kern/files.h"
#include "vm/amap.h"
#include "vm/kmem.h"

#define MOUNTS_MAX	8
#define SYMLINKS_MAX	40

uint64_t vfs_cached_pages;

/*
 * Frames holding the data of files on writable file systems (tmpfs): at
 * most half of RAM, as Linux's tmpfs, so that filling /tmp leaves the
 * kernel the memory to go on (and to remove the files).
 */
static uint64_t vfs_written_pages;

static struct {
	char path[64];
	size_t len;
	struct vnode *root;
} mounts[MOUNTS_MAX];
static int nmounts;

static int vnode_get_page(struct vobject *obj, uint64_t idx, struct page **pg)
{
	return vnode_page(container_of(obj, struct vnode, obj), idx, pg);
}

static void vnode_release(struct vobject *obj)
{
	struct vnode *vn = container_of(obj, struct vnode, obj);

	if (vn->pages) {
		__atomic_sub_fetch(&vfs_cached_pages, vn->pages->npages, __ATOMIC_RELAXED);
		if (vn->writable_fs)
			__atomic_sub_fetch(&vfs_written_pages, vn->pages->npages,
					   __ATOMIC_RELAXED);
		amap_release(vn->pages);
		vn->pages = NULL;
	}
	if (vn->ops->release)
		vn->ops->release(vn);
}

static const char *vnode_path(struct vobject *obj)
{
	return container_of(obj, struct vnode, obj)->path;
}

static void vnode_ident(struct vobject *obj, uint32_t *dev, uint64_t *ino)
{
	struct vnode *vn = container_of(obj, struct vnode, obj);

	*dev = vn->dev;
	*ino = vn->ino;
}

static const struct vobject_ops vnode_vobject_ops = {
	.get_page = vnode_get_page,
	.release = vnode_release,
	.path = vnode_path,
	.ident = vnode_ident,
};

void vnode_init(struct vnode *vn, enum vtype type, uint32_t mode,
		const struct vnode_ops *ops)
{
	vn->obj.ops = &vnode_vobject_ops;
	vn->obj.refs = 1;
	vn->type = type;
	vn->mode = mode;
	vn->nlink = 1;
	vn->ops = ops;
	mutex_init(&vn->lock, "vnode");
}

int vnode_page(struct vnode *vn, uint64_t idx, struct page **out)
{
	struct page *pg;
	int err = 0;

	mutex_lock(&vn->lock);
	if (!vn->pages && !(vn->pages = amap_create())) {
		err = -ENOMEM;
		goto out;
	}
	pg = amap_lookup(vn->pages, idx);
	if (!pg && vn->writable_fs &&
	    __atomic_load_n(&vfs_written_pages, __ATOMIC_RELAXED) >= pmm_total_frames() / 2) {
		err = -ENOSPC;
		goto out;
	}
	if (!pg) {
		pg = pmm_alloc(PMM_ZERO);
		if (!pg) {
			err = -ENOMEM;
			goto out;
		}
		pg->state = PAGE_FILE;
		pg->owner = vn;
		pg->index = idx;
		err = vn->ops->readpage ? vn->ops->readpage(vn, idx, page_to_virt(pg)) : 0;
		if (!err)
			err = amap_set(vn->pages, idx, pg);
		if (err) {
			pmm_free(pg);
			goto out;
		}
		__atomic_add_fetch(&vfs_cached_pages, 1, __ATOMIC_RELAXED);
		if (vn->writable_fs)
			__atomic_add_fetch(&vfs_written_pages, 1, __ATOMIC_RELAXED);
	}
	*out = pg;
out:
	mutex_unlock(&vn->lock);
	return err;
}

long vnode_read(struct vnode *vn, uint64_t off, void *buf, size_t len)
{
	size_t done = 0;

	if (off >= vn->size)
		return 0;
	len = MIN(len, vn->size - off);
	while (done < len) {
		struct page *pg;
		uint64_t pos = off + done;
		size_t in_page = pos & PAGE_MASK;
		size_t n = MIN(len - done, PAGE_SIZE - in_page);
		int err = vnode_page(vn, pos >> PAGE_SHIFT, &pg);

		if (err)
			return done ? (long)done : err;
		memcpy((char *)buf + done, (char *)page_to_virt(pg) + in_page, n);
		done += n;
	}
	return done;
}

void vnode_stat(struct vnode *vn, struct kstat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_dev = vn->dev;
	st->st_ino = vn->ino;
	st->st_mode = vn->mode;
	st->st_nlink = vn->nlink;
	st->st_uid = vn->uid;
	st->st_gid = vn->gid;
	st->st_rdev = vn->rdev;
	st->st_size = vn->size;
	st->st_blksize = PAGE_SIZE;
	st->st_blocks = ALIGN_UP(vn->size, 512) / 512;
	st->st_mtime = st->st_atime = st->st_ctime = vn->mtime;
}

void vfs_init(void)
{
}

int vfs_mount(const char *mountpoint, struct vnode *root)
{
	if (nmounts == MOUNTS_MAX || strlen(mountpoint) >= sizeof(mounts[0].path))
		return -ENOMEM;
	strlcpy(mounts[nmounts].path, mountpoint, sizeof(mounts[0].path));
	mounts[nmounts].len = strlen(mountpoint);
	mounts[nmounts].root = root;
	nmounts++;
	return 0;
}

/* The root of the file system mounted exactly at path[0..len), or NULL. */
static struct vnode *mount_at(const char *path, size_t len)
{
	if (len == 0)
		path = "/", len = 1;
	for (int i = 0; i < nmounts; i++)
		if (mounts[i].len == len && memcmp(mounts[i].path, path, len) == 0)
			return mounts[i].root;
	return NULL;
}

/*
 * A path being resolved: `rest` is what is left to walk; `done` the
 * canonical path of the directory reached so far, `dir` its vnode.
 */
struct walk {
	char *buf;			/* PATH_MAX: holds the path being walked */
	char *rest;			/* points into buf */
	char *done;			/* PATH_MAX buffer */
	size_t done_len;
	struct vnode *dir;
	int links;
};

/* Start again at "/" with path `p` (absolute). */
static int walk_restart(struct walk *w, const char *p)
{
	if (strlen(p) >= PATH_MAX)
		return -ENAMETOOLONG;
	if (w->buf != p)
		memmove(w->buf, p, strlen(p) + 1);
	w->rest = w->buf;
	if (w->dir)
		vnode_put(w->dir);
	w->dir = mount_at("/", 1);
	vnode_get(w->dir);
	w->done[0] = 0;
	w->done_len = 0;
	return 0;
}

/* Take the next component off w->rest (its start and length); false at the end. */
static bool next_component(struct walk *w, char **name, size_t *len, bool *last)
{
	char *p = w->rest;

	while (*p == '/')
		p++;
	if (!*p)
		return false;
	*name = p;
	while (*p && *p != '/')
		p++;
	*len = p - *name;
	while (*p == '/')
		p++;
	*last = !*p;
	return true;
}

/* Go up to the parent of the directory reached so far (re-walked from "/"). */
static int walk_dotdot(struct walk *w)
{
	char *up = w->done;
	size_t n = w->done_len;

	while (n > 0 && up[n - 1] != '/')
		n--;
	if (n > 0)
		n--;			/* the slash */
	up[n] = 0;
	/* re-resolve the parent from the root: simple and symlink-free */
	char *saved = kmalloc(PATH_MAX, 0);

	if (!saved)
		return -ENOMEM;
	size_t rl = strlen(w->rest);

	if (n + 1 + rl + 1 > PATH_MAX) {
		kfree(saved);
		return -ENAMETOOLONG;
	}
	memcpy(saved, up, n);
	saved[n] = '/';
	memcpy(saved + n + 1, w->rest, rl + 1);
	int err = walk_restart(w, saved);

	kfree(saved);
	return err;
}

/* Splice a symlink target in front of the rest of the path. */
static int walk_symlink(struct walk *w, struct vnode *link)
{
	char *target = kmalloc(PATH_MAX, 0), *joined = kmalloc(PATH_MAX, 0);
	long n;
	int err = -ENAMETOOLONG;

	if (!target || !joined) {
		err = -ENOMEM;
		goto out;
	}
	if (++w->links > SYMLINKS_MAX) {
		err = -ELOOP;
		goto out;
	}
	n = link->ops->readlink(link, target, PATH_MAX - 1);
	if (n < 0) {
		err = n;
		goto out;
	}
	target[n] = 0;
	if (target[0] == '/')
		n = ksnprintf(joined, PATH_MAX, "%s/%s", target, w->rest);
	else
		n = ksnprintf(joined, PATH_MAX, "%s/%s/%s", w->done, target, w->rest);
	if (n < PATH_MAX)
		err = walk_restart(w, joined);
out:
	kfree(target);
	kfree(joined);
	return err;
}

/* Step from w->dir into component name; *vn gets the result. */
static int walk_step(struct walk *w, const char *name, size_t len,
		     struct vnode **vn)
{
	struct vnode *mounted;

	if (w->dir->type != VDIR)
		return -ENOTDIR;
	if (len > NAME_MAX)
		return -ENAMETOOLONG;
	if (w->done_len + 1 + len >= PATH_MAX)
		return -ENAMETOOLONG;
	w->done[w->done_len] = '/';
	memcpy(w->done + w->done_len + 1, name, len);
	w->done[w->done_len + 1 + len] = 0;
	mounted = mount_at(w->done, w->done_len + 1 + len);
	if (mounted) {
		vnode_get(mounted);
		*vn = mounted;
		return 0;
	}
	return w->dir->ops->lookup(w->dir, name, len, vn);
}

/*
 * Walk w->rest; stop before the last component if `parent`. On return
 * w->dir is the vnode reached.
 */
static int walk_path(struct walk *w, bool nofollow, bool parent,
		     char **last_name, size_t *last_len)
{
	char *name;
	size_t len;
	bool last;

	while (next_component(w, &name, &len, &last)) {
		struct vnode *vn;
		int err;

		if (parent && last) {
			*last_name = name;
			*last_len = len;
			if (w->dir->type != VDIR)
				return -ENOTDIR;
			return len > NAME_MAX ? -ENAMETOOLONG : 0;
		}
		w->rest = name + len;
		if (len == 1 && name[0] == '.')
			continue;
		if (len == 2 && name[0] == '.' && name[1] == '.') {
			if ((err = walk_dotdot(w)) < 0)
				return err;
			continue;
		}
		err = walk_step(w, name, len, &vn);
		if (err < 0) {
			w->done[w->done_len] = 0;
			return err;
		}
		if (vn->type == VLNK && !(last && nofollow)) {
			w->done[w->done_len] = 0;
			err = walk_symlink(w, vn);
			vnode_put(vn);
			if (err < 0)
				return err;
			continue;
		}
		w->done_len += 1 + len;
		vnode_put(w->dir);
		w->dir = vn;
	}
	if (parent)
		return -ENOENT;		/* no last component ("/") */
	return 0;
}

/* Set up a walk of path relative to cwd. */
static int walk_begin(struct walk *w, const char *cwd, const char *path)
{
	char *buf = kmalloc(2 * PATH_MAX, 0);

	memset(w, 0, sizeof(*w));
	if (!buf)
		return -ENOMEM;
	w->buf = w->rest = buf;
	w->done = buf + PATH_MAX;
	if (!path[0]) {
		kfree(buf);
		return -ENOENT;
	}
	if (path[0] != '/') {
		if (ksnprintf(w->rest, PATH_MAX, "%s/%s", cwd, path) >= PATH_MAX) {
			kfree(buf);
			return -ENAMETOOLONG;
		}
	} else if (strlcpy(w->rest, path, PATH_MAX) >= PATH_MAX) {
		kfree(buf);
		return -ENAMETOOLONG;
	}
	return walk_restart(w, w->rest);
}

static void walk_end(struct walk *w)
{
	if (w->dir)
		vnode_put(w->dir);
	kfree(w->buf);
}

int vfs_lookup(const char *cwd, const char *path, bool nofollow,
	       struct vnode **out, char *canon)
{
	struct walk w;
	int err = walk_begin(&w, cwd, path);

	if (err)
		return err;
	err = walk_path(&w, nofollow, false, NULL, NULL);
	if (!err && path[strlen(path) - 1] == '/' && w.dir->type != VDIR)
		err = -ENOTDIR;
	if (!err) {
		*out = w.dir;
		w.dir = NULL;
		if (canon)
			strlcpy(canon, w.done_len ? w.done : "/", PATH_MAX);
	}
	walk_end(&w);
	return err;
}

int vfs_lookup_parent(const char *cwd, const char *path, struct vnode **dir,
		      const char **name, size_t *len)
{
	struct walk w;
	char *n = NULL;
	int err = walk_begin(&w, cwd, path);

	if (err)
		return err;
	err = walk_path(&w, false, true, &n, len);
	if (!err) {
		/* point the name into the caller's string */
		const char *end = path + strlen(path);

		while (end > path && end[-1] == '/')
			end--;
		*name = end - *len;
		*dir = w.dir;
		w.dir = NULL;
	}
	walk_end(&w);
	return err;
}
