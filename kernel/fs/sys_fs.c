/*
 * File-system system calls. Every path and buffer comes from user memory
 * through kern/uaccess.h; descriptors are checked before use.
 */
#include "dev/blk.h"
#include "fs/devfs.h"
#include "fs/flock.h"
#include "fs/pipe.h"
#include "fs/sys_fs.h"
#include "fs/vfs.h"
#include "kern/files.h"
#include "kern/fsctx.h"
#include "kern/proc.h"
#include "kern/syscall.h"
#include "kern/uaccess.h"
#include "vm/kmem.h"

#define SEEK_SET		0
#define SEEK_CUR		1
#define SEEK_END		2
#define F_DUPFD			0
#define F_GETFD			1
#define F_SETFD			2
#define F_GETFL			3
#define F_SETFL			4
#define F_DUPFD_CLOEXEC		1030
#define FD_CLOEXEC		1
#define IOV_MAX			1024
#define O_DIRECT_PIPE		00040000	/* O_DIRECT: packet-mode pipes */
#define O_TMPFILE_BIT		020000000	/* __O_TMPFILE */
#define AT_NO_AUTOMOUNT		0x800
#define W_OK			2
#define X_OK			1

/*
 * The directory a relative path starts from: the cwd, or the directory open
 * at dirfd. *base points at a path held in *hold (see sys_fs.h).
 */
int fsat_base(int dirfd, const char *path, const char **base,
	      struct fsat_hold *hold)
{
	struct file *f;

	*hold = (struct fsat_hold) { NULL, NULL };
	if (path[0] == '/' || dirfd == AT_FDCWD) {
		hold->cwd = fsctx_cwd_hold(current()->fs);
		*base = hold->cwd;
		return 0;
	}
	f = fd_get(dirfd);
	if (!f)
		return -EBADF;
	if (!f->vn || f->vn->type != VDIR || !f->path) {
		file_put(f);
		return -ENOTDIR;
	}
	hold->file = f;
	*base = f->path;
	return 0;
}

void fsat_release(struct fsat_hold *hold)
{
	if (hold->file)
		file_put(hold->file);
	fsctx_cwd_release(hold->cwd);
	*hold = (struct fsat_hold) { NULL, NULL };
}

/* Resolve (dirfd, path) to a vnode; canon may be NULL. */
int fsat_lookup(int dirfd, const char *path, bool nofollow,
		       struct vnode **vn, char *canon)
{
	struct fsat_hold hold;
	const char *base;
	int err = fsat_base(dirfd, path, &base, &hold);

	if (!err)
		err = vfs_lookup(base, path, nofollow, vn, canon);
	fsat_release(&hold);
	return err;
}

/* Resolve (dirfd, user path) to a vnode; canon may be NULL. */
int fsat_lookup_user(int dirfd, uint64_t upath, bool nofollow,
		     struct vnode **vn, char *canon)
{
	char *path;
	long err = copy_path_from_user(upath, &path);

	if (err < 0)
		return err;
	err = fsat_lookup(dirfd, path, nofollow, vn, canon);
	kfree(path);
	return err;
}

/* Create path's last component (O_CREAT, mkdir); canon may be NULL. */
static int create_at(int dirfd, const char *path, uint32_t mode,
		     struct vnode **vn, char *canon)
{
	struct fsat_hold hold;
	const char *base;
	int err = fsat_base(dirfd, path, &base, &hold);

	if (!err)
		err = vfs_create(base, path, mode, vn, canon);
	fsat_release(&hold);
	return err;
}

/* Does path end in '/' (so it must name a directory)? */
static bool ends_in_slash(const char *path)
{
	size_t len = strlen(path);

	return len && path[len - 1] == '/';
}

/*
 * The vnode that open(path, flags) opens, and its canonical path: looked
 * up, or made with O_CREAT. As Linux: O_CREAT of a directory, or of a name
 * ending in '/', is EISDIR; O_CREAT | O_EXCL of an existing name EEXIST;
 * without O_EXCL, a name that a racing creator made first is opened.
 */
static int open_vnode(int dirfd, const char *path, unsigned int flags,
		      uint32_t mode, struct vnode **vn, char *canon, bool *created)
{
	int err = fsat_lookup(dirfd, path, flags & O_NOFOLLOW, vn, canon);

	if (!(flags & O_CREAT))
		return err;
	if (err == -ENOENT || (err == -ENOTDIR && ends_in_slash(path))) {
		err = create_at(dirfd, path, S_IFREG | mode, vn, canon);
		*created = err == 0;
		if (err == -EEXIST && !(flags & O_EXCL))
			err = fsat_lookup(dirfd, path, flags & O_NOFOLLOW, vn, canon);
		return err;
	}
	if (!err && ((flags & O_EXCL) || (*vn)->type == VDIR)) {
		err = (flags & O_EXCL) ? -EEXIST : -EISDIR;
		vnode_put(*vn);
		*vn = NULL;
	}
	return err;
}

/*
 * May the current process open vn (which it did not just create) with
 * flags? Reading needs read permission, writing or O_TRUNC write
 * permission. 0 or -EACCES.
 */
static int open_permission(struct vnode *vn, unsigned int flags)
{
	unsigned int acc = flags & O_ACCMODE;
	int mask = 0;

	if (flags & O_PATH)
		return 0;
	if (acc == O_RDONLY || acc == O_RDWR)
		mask |= MAY_READ;
	if (acc == O_WRONLY || acc == O_RDWR || (flags & O_TRUNC))
		mask |= MAY_WRITE;
	return vnode_permission(vn, mask);
}

static long sys_openat(long dirfd, long upath, long flags, long mode)
{
	bool created = false;
	struct vnode *vn = NULL;
	struct file *f;
	char *path, *canon;
	long err;

	if (flags & O_TMPFILE_BIT)
		return syscall_unsupported("open flag O_TMPFILE", O_TMPFILE_BIT);
	canon = kmalloc(PATH_MAX, 0);
	err = copy_path_from_user(upath, &path);
	if (err < 0 || !canon) {
		if (err >= 0)
			kfree(path);
		kfree(canon);
		return err < 0 ? err : -ENOMEM;
	}
	err = open_vnode(dirfd, path, flags, mode & 07777 & ~fsctx_umask(current()->fs),
			 &vn, canon, &created);
	if (!err && vn->type == VLNK)
		err = -ELOOP;
	if (!err && !created)
		err = open_permission(vn, flags);
	if (!err)
		err = file_open_vnode(vn, flags, &f);
	if (vn)
		vnode_put(vn);
	kfree(path);
	if (err) {
		kfree(canon);
		return err;
	}
	f->path = canon;
	err = fd_install(current()->files, f, 0, flags & O_CLOEXEC);
	if (err < 0)
		file_put(f);
	return err;
}

static long sys_close(long fd)
{
	return fd_close(fd);
}

/* Was f opened for writing (write) or for reading (!write)? */
static bool open_for(const struct file *f, bool write)
{
	unsigned int mode = f->flags & O_ACCMODE;

	return write ? mode != O_RDONLY : mode != O_WRONLY;
}

/* Run op on fd after checking the access mode allows it. */
static long rw(long fd, bool write, uint64_t ubuf, size_t len)
{
	struct file *f = fd_get(fd);
	long ret;

	if (!f)
		return -EBADF;
	if (!open_for(f, write))
		ret = -EBADF;
	else if (!(write ? f->ops->write : f->ops->read))
		ret = -EINVAL;
	else if (!user_range_ok(ubuf, len))
		ret = -EFAULT;
	else
		ret = write ? f->ops->write(f, ubuf, len) : f->ops->read(f, ubuf, len);
	file_put(f);
	return ret;
}

static long sys_read(long fd, long ubuf, long len)
{
	return rw(fd, false, ubuf, len);
}

static long sys_write(long fd, long ubuf, long len)
{
	return rw(fd, true, ubuf, len);
}

/* pread64/pwrite64: -ESPIPE for files without an offset (pipes, terminals). */
static long prw(long fd, bool write, uint64_t ubuf, size_t len, long off)
{
	struct file *f = fd_get(fd);
	long ret;

	if (!f)
		return -EBADF;
	if (!open_for(f, write))
		ret = -EBADF;
	else if (off < 0)
		ret = -EINVAL;
	else if (!(write ? f->ops->pwrite : f->ops->pread))
		ret = f->vn && f->vn->type == VDIR ? -EISDIR : -ESPIPE;
	else if (!user_range_ok(ubuf, len))
		ret = -EFAULT;
	else
		ret = write ? f->ops->pwrite(f, ubuf, len, off)
			    : f->ops->pread(f, ubuf, len, off);
	file_put(f);
	return ret;
}

static long sys_pread64(long fd, long ubuf, long len, long off)
{
	return prw(fd, false, ubuf, len, off);
}

static long sys_pwrite64(long fd, long ubuf, long len, long off)
{
	return prw(fd, true, ubuf, len, off);
}

struct kiovec {
	uint64_t base;
	uint64_t len;
};

static long rwv(long fd, bool write, uint64_t uiov, long cnt)
{
	long total = 0;

	if (cnt < 0 || cnt > IOV_MAX)
		return -EINVAL;
	for (long i = 0; i < cnt; i++) {
		struct kiovec iov;
		long n;

		if (copy_from_user(&iov, uiov + i * sizeof(iov), sizeof(iov)))
			return total ? total : -EFAULT;
		if (iov.len == 0)
			continue;
		n = rw(fd, write, iov.base, iov.len);
		if (n < 0)
			return total ? total : n;
		total += n;
		if ((uint64_t)n < iov.len)
			break;
	}
	return total;
}

static long sys_readv(long fd, long uiov, long cnt)
{
	return rwv(fd, false, uiov, cnt);
}

static long sys_writev(long fd, long uiov, long cnt)
{
	return rwv(fd, true, uiov, cnt);
}

/*
 * Where SEEK_END counts from: a disk's size for a block device (as Linux,
 * although its st_size is 0), else the vnode's size; 0 without a vnode.
 */
static long file_end(struct file *f)
{
	struct blkdev *disk = f->vn ? devfs_vnode_disk(f->vn) : NULL;

	if (disk)
		return (long)(blk_sectors(disk) * BLK_SECTOR_SIZE);
	return f->vn ? (long)f->vn->size : 0;
}

static long sys_lseek(long fd, long off, long whence)
{
	struct file *f = fd_get(fd);
	long pos;

	if (!f)
		return -EBADF;
	if (!f->seekable) {
		file_put(f);
		return -ESPIPE;
	}
	mutex_lock(&f->pos_lock);
	switch (whence) {
	case SEEK_SET: pos = off; break;
	case SEEK_CUR: pos = f->off + off; break;
	case SEEK_END: pos = file_end(f) + off; break;
	default: pos = -EINVAL;
	}
	if (whence >= SEEK_SET && whence <= SEEK_END && pos < 0)
		pos = -EINVAL;
	if (pos >= 0)
		f->off = pos;
	mutex_unlock(&f->pos_lock);
	file_put(f);
	return pos;
}

static int stat_file(struct file *f, struct kstat *st)
{
	if (f->vn) {
		vnode_stat(f->vn, st);
	} else {
		memset(st, 0, sizeof(*st));
		st->st_mode = S_IFIFO | 0600;
		st->st_nlink = 1;
		st->st_blksize = PAGE_SIZE;
	}
	return 0;
}

static long sys_fstat(long fd, long ubuf)
{
	struct file *f = fd_get(fd);
	struct kstat st;

	if (!f)
		return -EBADF;
	stat_file(f, &st);
	file_put(f);
	return copy_to_user(ubuf, &st, sizeof(st));
}

static long sys_newfstatat(long dirfd, long upath, long ubuf, long flags)
{
	struct vnode *vn;
	struct kstat st;
	char first;
	int err;

	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT))
		return -EINVAL;
	if ((flags & AT_EMPTY_PATH) && copy_from_user(&first, upath, 1) == 0 &&
	    first == 0)
		return dirfd == AT_FDCWD ? -EINVAL : sys_fstat(dirfd, ubuf);
	err = fsat_lookup_user(dirfd, upath, flags & AT_SYMLINK_NOFOLLOW, &vn, NULL);
	if (err)
		return err;
	vnode_stat(vn, &st);
	vnode_put(vn);
	return copy_to_user(ubuf, &st, sizeof(st));
}

static long sys_getdents64(long fd, long ubuf, long len)
{
	struct file *f = fd_get(fd);
	long ret;

	if (!f)
		return -EBADF;
	if (!f->ops->getdents)
		ret = -ENOTDIR;
	else if (!user_range_ok(ubuf, len))
		ret = -EFAULT;
	else
		ret = f->ops->getdents(f, ubuf, len);
	file_put(f);
	return ret;
}

static long sys_dup(long fd)
{
	struct file *f = fd_get(fd);
	long ret;

	if (!f)
		return -EBADF;
	ret = fd_install(current()->files, f, 0, false);
	if (ret < 0)
		file_put(f);
	return ret;
}

static long sys_dup3(long oldfd, long newfd, long flags)
{
	if (oldfd == newfd || (flags & ~O_CLOEXEC))
		return -EINVAL;
	return fd_dup_to(oldfd, newfd, flags & O_CLOEXEC);
}

/*
 * Is cmd an fcntl command Linux has (that Kilburn does not): the owner and
 * signal of SIGIO, leases, directory notification, F_CANCELLK, pipe sizes,
 * seals and write hints?
 */
static bool fcntl_known(long cmd)
{
	return (cmd >= 8 && cmd <= 11) || (cmd >= 15 && cmd <= 17) ||
	       (cmd >= 1024 && cmd <= 1026) || (cmd >= 1029 && cmd <= 1034 && cmd != 1030) ||
	       (cmd >= 1035 && cmd <= 1038);
}

static long sys_fcntl(long fd, long cmd, long arg)
{
	struct file *f = fd_get(fd);
	long ret;

	if (!f)
		return -EBADF;
	switch (cmd) {
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
		if (arg < 0 || arg >= FILES_MAX) {
			ret = -EINVAL;
			break;
		}
		file_get(f);
		ret = fd_install(current()->files, f, arg, cmd == F_DUPFD_CLOEXEC);
		if (ret < 0)
			file_put(f);
		break;
	case F_GETFD:
		ret = fd_get_cloexec(fd) > 0 ? FD_CLOEXEC : 0;
		break;
	case F_SETFD:
		ret = fd_set_cloexec(fd, arg & FD_CLOEXEC);
		break;
	case F_GETFL:
		ret = f->flags & (O_ACCMODE | O_APPEND | O_NONBLOCK);
		break;
	case F_SETFL:
		f->flags = (f->flags & ~(O_APPEND | O_NONBLOCK)) |
			   (arg & (O_APPEND | O_NONBLOCK));
		ret = 0;
		break;
	case F_GETLK:
	case F_SETLK:
	case F_SETLKW:
	case F_OFD_GETLK:
	case F_OFD_SETLK:
	case F_OFD_SETLKW:
		ret = flock_fcntl(f, cmd, arg);
		break;
	default:
		ret = fcntl_known(cmd) ? syscall_unsupported("fcntl command", cmd)
				       : -EINVAL;
	}
	file_put(f);
	return ret;
}

static long sys_pipe2(long ufds, long flags)
{
	struct file *rd, *wr;
	int fds[2];
	long err;

	if (flags & O_DIRECT_PIPE)
		return syscall_unsupported("pipe2 flag", O_DIRECT_PIPE);
	if (flags & ~(O_CLOEXEC | O_NONBLOCK))
		return -EINVAL;
	err = pipe_create(flags, &rd, &wr);
	if (err)
		return err;
	fds[0] = fd_install(current()->files, rd, 0, flags & O_CLOEXEC);
	if (fds[0] < 0) {
		file_put(rd);
		file_put(wr);
		return fds[0];
	}
	fds[1] = fd_install(current()->files, wr, 0, flags & O_CLOEXEC);
	if (fds[1] < 0) {
		fd_close(fds[0]);
		file_put(wr);
		return fds[1];
	}
	if (copy_to_user(ufds, fds, sizeof(fds))) {
		fd_close(fds[0]);
		fd_close(fds[1]);
		return -EFAULT;
	}
	return 0;
}

static long sys_chdir(long upath)
{
	struct proc *p = current();
	char *canon = kmalloc(PATH_MAX, 0);
	struct vnode *vn;
	long err;

	if (!canon)
		return -ENOMEM;
	err = fsat_lookup_user(AT_FDCWD, upath, false, &vn, canon);
	if (!err && (err = vn->type != VDIR ? -ENOTDIR :
			   vnode_permission(vn, MAY_EXEC)) < 0)
		vnode_put(vn);
	if (!err)			/* every thread sharing p->fs moves too */
		err = fsctx_chdir(p->fs, vn, canon);
	kfree(canon);
	return err;
}

static long sys_getcwd(long ubuf, long size)
{
	const char *cwd = fsctx_cwd_hold(current()->fs);
	size_t len = strlen(cwd) + 1;
	long err = (size_t)size < len ? -ERANGE :
		   copy_to_user(ubuf, cwd, len) ? -EFAULT : (long)len;

	fsctx_cwd_release(cwd);
	return err;
}

static long sys_readlinkat(long dirfd, long upath, long ubuf, long size)
{
	struct vnode *vn;
	char *buf;
	long n;

	if (size <= 0)
		return -EINVAL;
	n = fsat_lookup_user(dirfd, upath, true, &vn, NULL);
	if (n)
		return n;
	if (vn->type != VLNK || !vn->ops->readlink) {
		vnode_put(vn);
		return -EINVAL;
	}
	buf = kmalloc(PATH_MAX, 0);
	n = buf ? vn->ops->readlink(vn, buf, MIN((size_t)size, (size_t)PATH_MAX)) : -ENOMEM;
	vnode_put(vn);
	if (n > 0 && copy_to_user(ubuf, buf, n))
		n = -EFAULT;
	kfree(buf);
	return n;
}

static long sys_ioctl(long fd, long cmd, long arg)
{
	struct file *f = fd_get(fd);
	long ret;

	if (!f)
		return -EBADF;
	ret = f->ops->ioctl ? f->ops->ioctl(f, cmd, arg) : -ENOTTY;
	file_put(f);
	return ret;
}

/*
 * faccessat: as Linux, with the real uid and gid (the effective ones with
 * AT_EACCESS), root's rules included.
 */
static long sys_faccessat2(long dirfd, long upath, long mode, long flags)
{
	struct cred c = *cred_current();
	struct vnode *vn;
	long err;

	if (mode & ~7)
		return -EINVAL;
	if (flags & ~(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	if (!(flags & AT_EACCESS)) {
		c.fsuid = c.uid;
		c.fsgid = c.gid;
	}
	err = fsat_lookup_user(dirfd, upath, flags & AT_SYMLINK_NOFOLLOW, &vn, NULL);
	if (err)
		return err;
	if ((mode & W_OK) && !vn->writable_fs && vn->type != VCHR && vn->type != VBLK)
		err = -EROFS;
	else if (mode)
		err = vnode_permission_cred(&c, vn, mode);
	vnode_put(vn);
	return err;
}

static long sys_faccessat(long dirfd, long upath, long mode)
{
	return sys_faccessat2(dirfd, upath, mode, 0);
}

static long sys_mkdirat(long dirfd, long upath, long mode)
{
	struct vnode *vn;
	char *path;
	long err = copy_path_from_user(upath, &path);

	if (err < 0)
		return err;
	err = create_at(dirfd, path, S_IFDIR | (mode & 07777 & ~fsctx_umask(current()->fs)),
			&vn, NULL);
	if (!err)
		vnode_put(vn);
	kfree(path);
	return err;
}

static long sys_unlinkat(long dirfd, long upath, long flags)
{
	struct fsat_hold hold;
	const char *base;
	char *path;
	long err;

	if (flags & ~AT_REMOVEDIR)
		return -EINVAL;
	err = copy_path_from_user(upath, &path);
	if (err < 0)
		return err;
	err = fsat_base(dirfd, path, &base, &hold);
	if (!err)
		err = vfs_remove(base, path, flags & AT_REMOVEDIR);
	fsat_release(&hold);
	kfree(path);
	return err;
}

#define AT_SYMLINK_FOLLOW	0x400


void syscalls_fs(syscall_fn *t)
{
	SYSCALL(t, openat);
	SYSCALL(t, close);
	SYSCALL(t, read);
	SYSCALL(t, write);
	SYSCALL(t, readv);
	SYSCALL(t, pread64);
	SYSCALL(t, pwrite64);
	SYSCALL(t, writev);
	SYSCALL(t, lseek);
	SYSCALL(t, fstat);
	SYSCALL(t, newfstatat);
	SYSCALL(t, getdents64);
	SYSCALL(t, dup);
	SYSCALL(t, dup3);
	SYSCALL(t, fcntl);
	SYSCALL(t, pipe2);
	SYSCALL(t, chdir);
	SYSCALL(t, getcwd);
	SYSCALL(t, readlinkat);
	SYSCALL(t, ioctl);
	SYSCALL(t, faccessat);
	SYSCALL(t, faccessat2);
	SYSCALL(t, mkdirat);
	SYSCALL(t, unlinkat);
}
