/*
 * Names that point at existing files: symbolic links, hard links and
 * renames, in the VFS (the file systems' symlink, link and rename
 * operations do the rest). Errors come in Linux's order.
 */
#include "fs/vfs.h"
#include "fs/vfs_walk.h"
#include "kern/syscall.h"
#include "vm/kmem.h"

#define RENAME_KNOWN	(RENAME_NOREPLACE | RENAME_EXCHANGE | RENAME_WHITEOUT)

/*
 * Can a new entry `last` be made in w->dir? 0 (w->dir has no such name and
 * the caller may write it), -EEXIST, -EACCES.
 */
static int name_is_free(struct walk *w, const struct last *last)
{
	struct vnode *dir = w->dir, *vn;

	if (last->kind != LAST_NAME || walk_mounted(w, last->name, last->len))
		return -EEXIST;
	if (dir->ops->lookup(dir, last->name, last->len, &vn) == 0) {
		vnode_put(vn);
		return -EEXIST;
	}
	return vnode_permission(dir, MAY_WRITE | MAY_EXEC);
}

/* The error for an operation dir's file system does not have. */
static int no_such_op(struct vnode *dir)
{
	return dir->writable_fs ? -EPERM : -EROFS;
}

int vfs_symlink(const char *cwd, const char *path, const char *target)
{
	struct walk w;
	struct last last;
	struct vnode *vn;
	int err;

	if (!target[0])
		return -ENOENT;
	err = walk_parent(&w, cwd, path, &last);
	if (!err)
		err = name_is_free(&w, &last);
	if (!err && !w.dir->ops->symlink)
		err = no_such_op(w.dir);
	if (!err)
		err = w.dir->ops->symlink(w.dir, last.name, last.len, target,
					  strlen(target), &vn);
	if (!err)
		vnode_put(vn);
	walk_end(&w);
	return err;
}

int vfs_link(struct vnode *vn, const char *cwd, const char *path)
{
	struct walk w;
	struct last last;
	int err;

	err = walk_parent(&w, cwd, path, &last);
	if (!err && last.kind == LAST_NAME && w.dir->dev != vn->dev)
		err = -EXDEV;
	if (!err)
		err = name_is_free(&w, &last);
	if (!err && vn->type == VDIR)
		err = -EPERM;
	if (!err && !w.dir->ops->link)
		err = no_such_op(w.dir);
	if (!err)
		err = w.dir->ops->link(w.dir, last.name, last.len, vn);
	walk_end(&w);
	return err;
}

/* One side of a rename: its walk, last component and the vnode it names. */
struct rename_end {
	struct walk w;
	struct last last;
	struct vnode *vn;		/* NULL if the name does not exist */
};

/* Walk to one end of a rename and look its name up. */
static int rename_walk(struct rename_end *e, const char *cwd, const char *path)
{
	int err = walk_parent(&e->w, cwd, path, &e->last);

	if (err)
		return err;
	if (e->last.kind != LAST_NAME || walk_mounted(&e->w, e->last.name, e->last.len))
		return -EBUSY;
	err = e->w.dir->ops->lookup(e->w.dir, e->last.name, e->last.len, &e->vn);
	return err == -ENOENT ? 0 : err;
}

/* Is the directory named by end a, or what is under it, where end b is? */
static bool rename_into_itself(struct rename_end *a, struct rename_end *b)
{
	size_t alen = a->w.done_len + 1 + a->last.len;
	char *apath = kmalloc(PATH_MAX, 0), *bpath = kmalloc(PATH_MAX, 0);
	bool inside = false;

	if (apath && bpath && a->vn && a->vn->type == VDIR) {
		ksnprintf(apath, PATH_MAX, "%s/%.*s", a->w.done, (int)a->last.len, a->last.name);
		ksnprintf(bpath, PATH_MAX, "%s/%.*s/", b->w.done, (int)b->last.len, b->last.name);
		inside = strncmp(bpath, apath, alen) == 0 && bpath[alen] == '/' &&
			 strlen(bpath) > alen + 1;
	}
	kfree(apath);
	kfree(bpath);
	return inside;
}

/* The checks of a rename from end o to end n, both walked. */
static int rename_check(struct rename_end *o, struct rename_end *n,
			unsigned int flags)
{
	int err;

	if (o->w.dir->dev != n->w.dir->dev)
		return -EXDEV;
	if (!o->w.dir->ops->rename)
		return no_such_op(o->w.dir);
	if (!o->vn)
		return -ENOENT;
	if (n->vn && (flags & RENAME_NOREPLACE))
		return -EEXIST;
	if (!n->vn && (flags & RENAME_EXCHANGE))
		return -ENOENT;
	if ((o->last.slash || n->last.slash) && o->vn->type != VDIR)
		return -ENOTDIR;
	if ((err = vnode_permission(o->w.dir, MAY_WRITE | MAY_EXEC)) ||
	    (err = vnode_permission(n->w.dir, MAY_WRITE | MAY_EXEC)) ||
	    (err = vnode_may_delete(o->w.dir, o->vn)) ||
	    (n->vn && (err = vnode_may_delete(n->w.dir, n->vn))))
		return err;
	if (rename_into_itself(o, n) ||
	    ((flags & RENAME_EXCHANGE) && rename_into_itself(n, o)))
		return -EINVAL;
	return 0;
}

int vfs_rename(const char *oldcwd, const char *oldpath, const char *newcwd,
	       const char *newpath, unsigned int flags)
{
	struct rename_end *o = kmalloc(sizeof(*o), KM_ZERO);
	struct rename_end *n = kmalloc(sizeof(*n), KM_ZERO);
	int err = -ENOMEM;

	if (!o || !n)
		goto out;
	err = -EINVAL;
	if ((flags & ~RENAME_KNOWN) ||
	    ((flags & RENAME_NOREPLACE) && (flags & RENAME_EXCHANGE)))
		goto out;
	if (flags & RENAME_WHITEOUT) {
		err = syscall_unsupported("renameat2 flag", RENAME_WHITEOUT);
		goto out;
	}
	err = rename_walk(o, oldcwd, oldpath);
	if (!err)
		err = rename_walk(n, newcwd, newpath);
	if (!err)
		err = rename_check(o, n, flags);
	if (!err)
		err = o->w.dir->ops->rename(o->w.dir, o->last.name, o->last.len,
					    n->w.dir, n->last.name, n->last.len,
					    flags);
	walk_end(&o->w);
	walk_end(&n->w);
	if (o->vn)
		vnode_put(o->vn);
	if (n->vn)
		vnode_put(n->vn);
out:
	kfree(o);
	kfree(n);
	return err;
}
