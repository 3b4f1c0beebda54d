/*
 * truncate(2) and ftruncate(2): a regular file grows (the new bytes read
 * as zeros) or shrinks. Shrinking first lowers the size every mapping
 * checks, then takes the pages past the new end out of every address space
 * that maps the file (vm/truncate.h: touching them is then SIGBUS, as on
 * Linux), then lets the file system free them. Errors as Linux.
 */
#include "fs/vfs.h"
#include "kern/files.h"
#include "kern/fsctx.h"
#include "kern/proc.h"
#include "kern/syscall.h"
#include "kern/uaccess.h"
#include "vm/kmem.h"
#include "vm/pcache.h"
#include "vm/truncate.h"

#define SYS_truncate	45
#define SYS_ftruncate	46

/*
 * The page that will keep the new end of vn, size, brought into memory
 * (from swap) without vn->lock and held (*pg, NULL if there is none to
 * bring), so that the truncation finds it there: a frame allocated under
 * vn->lock could not come from evicting vn's own pages, which page-out
 * cannot take while the lock is held.
 */
static void truncate_hold_end(struct vnode *vn, uint64_t size, struct page **pg)
{
	*pg = NULL;
	if ((size & PAGE_MASK) && size < vn->size && pcache_maybe_swapped(&vn->pages) &&
	    vnode_page(vn, size >> PAGE_SHIFT, pg) < 0)
		*pg = NULL;	/* the truncation tries again, and says why */
}

long vnode_truncate(struct vnode *vn, uint64_t size)
{
	struct page *end;
	bool shrink;
	long err;

	if (vn->type == VDIR)
		return -EISDIR;
	if (vn->type != VREG || !vn->ops->truncate)
		return -EINVAL;
	if (!vn->writable_fs)
		return -EROFS;
	if (size > (uint64_t)PCACHE_MAX_PAGES << PAGE_SHIFT)
		return -EFBIG;
	mutex_lock(&vn->lock);
	shrink = size < vn->size;
	if (shrink)		/* from here faults past size are SIGBUS */
		__atomic_store_n(&vn->obj.size, size, __ATOMIC_RELEASE);
	mutex_unlock(&vn->lock);
	if (shrink) {
		err = vm_unmap_object_from(&vn->obj, size);
		if (err)
			return err;
	}
	truncate_hold_end(vn, size, &end);
	mutex_lock(&vn->lock);
	err = vn->ops->truncate(vn, size);
	if (err && shrink)	/* nothing was cut: the old end stands */
		__atomic_store_n(&vn->obj.size, vn->size, __ATOMIC_RELEASE);
	mutex_unlock(&vn->lock);
	if (end)
		page_put(end);
	return err;
}

static long sys_ftruncate(long fd, long length)
{
	struct file *f;
	long err;

	if (length < 0)
		return -EINVAL;
	f = fd_get(fd);
	if (!f)
		return -EBADF;
	if (!f->vn || f->vn->type != VREG || (f->flags & O_ACCMODE) == O_RDONLY)
		err = -EINVAL;		/* Linux: not a regular file open for writing */
	else
		err = vnode_truncate(f->vn, length);
	file_put(f);
	return err;
}

static long sys_truncate(long upath, long length)
{
	char *path;
	struct vnode *vn;
	long err = copy_path_from_user(upath, &path);

	if (err < 0)
		return err;
	if (path[0]) {
		const char *cwd = fsctx_cwd_hold(current()->fs);

		err = vfs_lookup(cwd, path, false, &vn, NULL);
		fsctx_cwd_release(cwd);
	} else {
		err = -ENOENT;
	}
	kfree(path);
	if (err < 0)
		return err;
	err = length < 0 ? -EINVAL : vnode_truncate(vn, length);
	vnode_put(vn);
	return err;
}

void syscalls_truncate(syscall_fn *t)
{
	SYSCALL(t, truncate);
	SYSCALL(t, ftruncate);
}
