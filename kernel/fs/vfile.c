/*
 * Open regular files and directories: reads go through the page cache,
 * writes (writable file systems) into it; directories list their entries
 * as linux_dirent64 records, "." and ".." first.
 */
#include "fs/vfs.h"
#include "kern/files.h"
#include "kern/uaccess.h"
#include "vm/kmem.h"

/* Read up to len bytes at *pos into user memory, advancing *pos. */
static long vfile_read_at(struct vnode *vn, uint64_t ubuf, size_t len,
			  uint64_t *pos)
{
	size_t done = 0;

	if (vn->type == VDIR)
		return -EISDIR;
	while (done < len && *pos < vn->size) {
		size_t in_page = *pos & PAGE_MASK;
		size_t n = MIN(MIN(len - done, PAGE_SIZE - in_page), vn->size - *pos);
		struct page *pg;
		int err = vnode_page_wait(vn, *pos >> PAGE_SHIFT, &pg);

		if (!err) {
			err = copy_to_user(ubuf + done, (char *)page_to_virt(pg) + in_page, n);
			page_put(pg);
		}
		if (err)
			return done ? (long)done : err;
		done += n;
		*pos += n;
	}
	return done;
}

/*
 * Write len bytes of user memory at ubuf or, if kbuf is not NULL, of
 * kernel memory at kbuf at *pos, advancing *pos, growing the file.
 */
static long vfile_write_from(struct vnode *vn, uint64_t ubuf, const char *kbuf,
			     size_t len, uint64_t *pos)
{
	size_t done = 0;
	int err = 0;

	while (done < len) {
		size_t in_page = *pos & PAGE_MASK;
		size_t n = MIN(len - done, PAGE_SIZE - in_page);
		struct page *pg;

		err = vnode_page_wait(vn, *pos >> PAGE_SHIFT, &pg);
		if (err)
			break;
		if (kbuf)
			memcpy((char *)page_to_virt(pg) + in_page, kbuf + done, n);
		else
			err = copy_from_user((char *)page_to_virt(pg) + in_page,
					     ubuf + done, n);
		page_put(pg);
		if (err)
			break;
		done += n;
		*pos += n;
		mutex_lock(&vn->lock);
		if (*pos > vn->size) {
			vn->size = *pos;
			vn->obj.size = *pos;	/* what file mappings may reach */
		}
		vnode_touch(vn, true, true);
		mutex_unlock(&vn->lock);
	}
	return done ? (long)done : err;
}

static long vfile_write_at(struct vnode *vn, uint64_t ubuf, size_t len,
			   uint64_t *pos)
{
	return vfile_write_from(vn, ubuf, NULL, len, pos);
}

static long vfile_read(struct file *f, uint64_t ubuf, size_t len)
{
	long n;

	mutex_lock(&f->pos_lock);
	n = vfile_read_at(f->vn, ubuf, len, &f->off);
	mutex_unlock(&f->pos_lock);
	return n;
}

static long vfile_write(struct file *f, uint64_t ubuf, size_t len)
{
	long n;

	mutex_lock(&f->pos_lock);
	if (f->flags & O_APPEND)
		f->off = f->vn->size;
	n = vfile_write_at(f->vn, ubuf, len, &f->off);
	mutex_unlock(&f->pos_lock);
	return n;
}

static long vfile_write_kernel(struct file *f, const void *buf, size_t len)
{
	long n;

	mutex_lock(&f->pos_lock);
	if (f->flags & O_APPEND)
		f->off = f->vn->size;
	n = vfile_write_from(f->vn, 0, buf, len, &f->off);
	mutex_unlock(&f->pos_lock);
	return n;
}

static long vfile_pread(struct file *f, uint64_t ubuf, size_t len, uint64_t off)
{
	return vfile_read_at(f->vn, ubuf, len, &off);
}

/* As on Linux, pwrite on a file opened O_APPEND appends. */
static long vfile_pwrite(struct file *f, uint64_t ubuf, size_t len, uint64_t off)
{
	if (f->flags & O_APPEND)
		off = f->vn->size;
	return vfile_write_at(f->vn, ubuf, len, &off);
}

struct linux_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	uint16_t d_reclen;
	uint8_t d_type;
	char d_name[];
};

/* The entry at position pos: "." and ".." first, then the directory's. */
static int dir_entry(struct vnode *dir, uint64_t *pos, struct vdirent *e)
{
	if (*pos < 2) {
		vdirent_set(e, dir->ino, DT_DIR, "..", *pos + 1);	/* "." or ".." */
		(*pos)++;
		return 1;
	}
	uint64_t fs_pos = *pos - 2;
	int ret = dir->ops->readdir(dir, &fs_pos, e);

	*pos = fs_pos + 2;
	return ret;
}

static long vfile_getdents(struct file *f, uint64_t ubuf, size_t len)
{
	struct vdirent *e = kmalloc(sizeof(*e), 0);
	char *rec = kmalloc(sizeof(struct linux_dirent64) + NAME_MAX + 8, 0);
	size_t done = 0;
	long ret = 0;

	if (!e || !rec) {
		ret = -ENOMEM;
		goto out;
	}
	if (f->vn->type != VDIR) {
		ret = -ENOTDIR;
		goto out;
	}
	mutex_lock(&f->pos_lock);
	for (;;) {
		uint64_t pos = f->off;
		int got = dir_entry(f->vn, &pos, e);
		size_t namelen, reclen;
		struct linux_dirent64 *d = (void *)rec;

		if (got <= 0) {
			ret = got;
			break;
		}
		namelen = strnlen(e->name, sizeof(e->name));
		if (namelen > NAME_MAX)		/* vdirent_set keeps it in */
			panic("vfile_getdents: an unterminated name from readdir");
		reclen = ALIGN_UP(sizeof(*d) + namelen + 1, 8);
		if (done + reclen > len) {
			ret = done ? 0 : -EINVAL;
			break;
		}
		memset(rec, 0, reclen);
		d->d_ino = e->ino;
		d->d_off = pos;
		d->d_reclen = reclen;
		d->d_type = e->type;
		memcpy(d->d_name, e->name, namelen);
		ret = copy_to_user(ubuf + done, rec, reclen);
		if (ret)
			break;
		done += reclen;
		f->off = pos;
	}
	mutex_unlock(&f->pos_lock);
	if (done)
		ret = done;
out:
	kfree(e);
	kfree(rec);
	return ret;
}

static const struct file_ops vfile_ops = {
	.read = vfile_read,
	.write = vfile_write,
	.write_kernel = vfile_write_kernel,
	.pread = vfile_pread,
	.pwrite = vfile_pwrite,
	.getdents = vfile_getdents,
};

int file_open_vnode(struct vnode *vn, unsigned int flags, struct file **out)
{
	struct file *f;

	if (vn->ops->open)
		return vn->ops->open(vn, flags, out);
	if ((flags & O_ACCMODE) != O_RDONLY) {
		if (vn->type == VDIR)
			return -EISDIR;
		if (!vn->writable_fs)
			return -EROFS;
	}
	if ((flags & O_DIRECTORY) && vn->type != VDIR)
		return -ENOTDIR;
	f = file_alloc(&vfile_ops, flags);
	if (!f)
		return -ENOMEM;
	vnode_get(vn);
	f->vn = vn;
	f->seekable = true;
	if ((flags & O_TRUNC) && (flags & O_ACCMODE) != O_RDONLY &&
	    vn->type == VREG && vn->ops->truncate)
		vnode_truncate(vn, 0);
	*out = f;
	return 0;
}
