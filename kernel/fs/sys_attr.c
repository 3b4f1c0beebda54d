/*
 * File-system system calls beyond open/read/write: attributes (chmod,
 * chown, utimensat), names (symlinkat, linkat, renameat2), the file
 * system's statistics (statfs), sync calls and sendfile.
 */
#include "fs/sys_fs.h"
#include "fs/vfs.h"
#include "kern/files.h"
#include "kern/fsctx.h"
#include "kern/proc.h"
#include "kern/syscall.h"
#include "kern/uaccess.h"
#include "vm/kmem.h"
#include "vm/pmm.h"

#define TMPFS_MAGIC		0x01021994
#define RAMFS_MAGIC		0x858458f6
#define PROC_SUPER_MAGIC	0x9fa0
#define ST_RDONLY		1
#define NSEC_PER_SEC		1000000000L
#define SENDFILE_CHUNK		PAGE_SIZE
#define MAX_RW_COUNT		(0x7fffffffL & ~(PAGE_SIZE - 1))

/*
 * The vnode a *at() call with flags acts on: (dirfd, path), or the file
 * open at dirfd itself for AT_EMPTY_PATH and an empty path, or for a NULL
 * path when null_is_fd (utimensat). Errors: -EINVAL (unknown flags), and
 * those of the lookup.
 */
static int attr_target(long dirfd, uint64_t upath, long flags, long known,
		       bool null_is_fd, struct vnode **vn)
{
	char first = 1;
	struct file *f;

	if (flags & ~known)
		return -EINVAL;
	if (upath == 0 && null_is_fd)
		first = 0;
	else if ((flags & AT_EMPTY_PATH) && copy_from_user(&first, upath, 1))
		return -EFAULT;
	if (first != 0)
		return fsat_lookup_user(dirfd, upath, flags & AT_SYMLINK_NOFOLLOW, vn, NULL);
	if (dirfd == AT_FDCWD)
		return fsat_lookup(AT_FDCWD, ".", false, vn, NULL);
	f = fd_get(dirfd);
	if (!f)
		return -EBADF;
	*vn = f->vn;
	if (*vn)
		vnode_get(*vn);
	file_put(f);
	return *vn ? 0 : -EINVAL;
}

/* The vnode open at fd (a reference): -EBADF, or -EINVAL for a pipe. */
static int fd_vnode(long fd, struct vnode **vn)
{
	return attr_target(fd, 0, 0, 0, true, vn);
}

static long sys_fchmodat(long dirfd, long upath, long mode)
{
	struct vnode *vn;
	int err = fsat_lookup_user(dirfd, upath, false, &vn, NULL);

	if (err)
		return err;
	err = vnode_chmod(vn, mode);
	vnode_put(vn);
	return err;
}

static long sys_fchmod(long fd, long mode)
{
	struct vnode *vn;
	int err = fd_vnode(fd, &vn);

	if (err)
		return err == -EINVAL ? 0 : err;	/* a pipe: as Linux, nothing */
	err = vnode_chmod(vn, mode);
	vnode_put(vn);
	return err;
}

static long sys_fchownat(long dirfd, long upath, long uid, long gid, long flags)
{
	struct vnode *vn;
	int err = attr_target(dirfd, upath, flags,
			      AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH, false, &vn);

	if (err)
		return err;
	err = vnode_chown(vn, uid, gid);
	vnode_put(vn);
	return err;
}

static long sys_fchown(long fd, long uid, long gid)
{
	struct vnode *vn;
	int err = fd_vnode(fd, &vn);

	if (err)
		return err == -EINVAL ? 0 : err;
	err = vnode_chown(vn, uid, gid);
	vnode_put(vn);
	return err;
}

/* Is ts[0..1] a valid utimensat times array? */
static bool times_valid(const int64_t ts[2][2])
{
	for (int i = 0; i < 2; i++)
		if ((ts[i][1] < 0 || ts[i][1] >= NSEC_PER_SEC) &&
		    ts[i][1] != UTIME_NOW && ts[i][1] != UTIME_OMIT)
			return false;
	return true;
}

static long sys_utimensat(long dirfd, long upath, long utimes, long flags)
{
	int64_t ts[2][2];
	struct vnode *vn;
	int err;

	if (utimes && copy_from_user(ts, utimes, sizeof(ts)))
		return -EFAULT;
	if (utimes && !times_valid(ts))
		return -EINVAL;
	err = attr_target(dirfd, upath, flags, AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH,
			  true, &vn);
	if (err)
		return err;
	err = vnode_utimens(vn, utimes ? (const int64_t (*)[2])ts : NULL);
	vnode_put(vn);
	return err;
}

static long sys_symlinkat(long utarget, long dirfd, long upath)
{
	char *target, *path;
	struct fsat_hold hold;
	const char *base;
	long err = copy_path_from_user(utarget, &target);

	if (err < 0)
		return err;
	err = copy_path_from_user(upath, &path);
	if (err >= 0) {
		err = fsat_base(dirfd, path, &base, &hold);
		if (!err)
			err = vfs_symlink(base, path, target);
		fsat_release(&hold);
		kfree(path);
	}
	kfree(target);
	return err;
}

static long sys_linkat(long olddirfd, long uold, long newdirfd, long unew,
		       long flags)
{
	struct vnode *vn;
	struct fsat_hold hold;
	const char *base;
	char *path;
	long err;

	/* as Linux: a final symbolic link is linked itself unless AT_SYMLINK_FOLLOW */
	err = attr_target(olddirfd, uold, flags ^ AT_SYMLINK_NOFOLLOW,
			  AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH, false, &vn);
	if (flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH)) {
		if (!err)
			vnode_put(vn);
		return -EINVAL;
	}
	if (err)
		return err;
	err = copy_path_from_user(unew, &path);
	if (err >= 0) {
		err = fsat_base(newdirfd, path, &base, &hold);
		if (!err)
			err = vfs_link(vn, base, path);
		fsat_release(&hold);
		kfree(path);
	}
	vnode_put(vn);
	return err;
}

static long sys_renameat2(long olddirfd, long uold, long newdirfd, long unew,
			  long flags)
{
	struct fsat_hold hold_old = { NULL, NULL }, hold_new = { NULL, NULL };
	const char *base_old, *base_new;
	char *oldpath, *newpath = NULL;
	long err = copy_path_from_user(uold, &oldpath);

	if (err < 0)
		return err;
	err = copy_path_from_user(unew, &newpath);
	if (err >= 0)
		err = fsat_base(olddirfd, oldpath, &base_old, &hold_old);
	if (err >= 0)
		err = fsat_base(newdirfd, newpath, &base_new, &hold_new);
	if (err >= 0)
		err = vfs_rename(base_old, oldpath, base_new, newpath, flags);
	fsat_release(&hold_old);
	fsat_release(&hold_new);
	kfree(oldpath);
	kfree(newpath);
	return err;
}

/* Linux's struct statfs on riscv64 (asm-generic, 64-bit words). */
struct kstatfs {
	int64_t f_type, f_bsize;
	uint64_t f_blocks, f_bfree, f_bavail, f_files, f_ffree;
	int32_t f_fsid[2];
	int64_t f_namelen, f_frsize, f_flags, f_spare[4];
};

/* Does the description what ("source type options") name type? */
static bool what_is(const char *what, const char *type)
{
	const char *t = strchr(what, ' ');
	size_t n = strlen(type);

	return t && strncmp(t + 1, type, n) == 0 && t[1 + n] == ' ';
}

/* Do the options (the last word of what) say "ro"? */
static bool options_read_only(const char *what)
{
	const char *opt = what;

	for (const char *p = what; *p; p++)
		if (*p == ' ')
			opt = p + 1;
	return strncmp(opt, "ro", 2) == 0 && (opt[2] == 0 || opt[2] == ',');
}

/* The statfs of the file system vn is on. */
static void statfs_fill(struct vnode *vn, struct kstatfs *st)
{
	const char *what = vfs_mount_what(vn);
	uint64_t half = vfs_written_limit();	/* half of RAM and swap */

	memset(st, 0, sizeof(*st));
	st->f_bsize = st->f_frsize = PAGE_SIZE;
	st->f_namelen = NAME_MAX;
	st->f_fsid[0] = vn->dev;
	if (!what)
		return;
	if (what_is(what, "tmpfs") || what_is(what, "devfs")) {
		st->f_type = TMPFS_MAGIC;
		st->f_blocks = what_is(what, "tmpfs") ? half : 0;
		st->f_bfree = st->f_bavail = st->f_blocks ?
			half - MIN(half, vfs_written_frames()) : 0;
		st->f_files = st->f_ffree = st->f_blocks;
	} else if (what_is(what, "proc")) {
		st->f_type = PROC_SUPER_MAGIC;
	} else {
		st->f_type = RAMFS_MAGIC;	/* the root disk, as Linux's initramfs */
	}
	if (options_read_only(what))
		st->f_flags |= ST_RDONLY;
}

static long statfs_out(struct vnode *vn, uint64_t ubuf)
{
	struct kstatfs st;

	statfs_fill(vn, &st);
	vnode_put(vn);
	return copy_to_user(ubuf, &st, sizeof(st));
}

static long sys_statfs(long upath, long ubuf)
{
	struct vnode *vn;
	int err = fsat_lookup_user(AT_FDCWD, upath, false, &vn, NULL);

	return err ? err : statfs_out(vn, ubuf);
}

static long sys_fstatfs(long fd, long ubuf)
{
	struct vnode *vn;
	int err = fd_vnode(fd, &vn);

	return err ? err : statfs_out(vn, ubuf);
}

/*
 * fsync, fdatasync, syncfs: every file system keeps its data in memory or
 * on a read-only disk, so there is nothing to write; as Linux, a pipe or
 * another file that cannot be synced is -EINVAL.
 */
static long sys_fsync(long fd)
{
	struct vnode *vn;
	int err = fd_vnode(fd, &vn);

	if (!err)
		vnode_put(vn);
	return err;
}

static long sys_fdatasync(long fd)
{
	return sys_fsync(fd);
}

static long sys_syncfs(long fd)
{
	struct file *f = fd_get(fd);

	if (!f)
		return -EBADF;
	file_put(f);
	return 0;
}

static long sys_sync(void)
{
	return 0;
}

/*
 * Copy up to count bytes of in's file from *pos to out, a chunk at a time
 * through a kernel buffer. Returns the bytes sent (advancing *pos) or,
 * if none, -errno.
 */
static long sendfile_copy(struct file *out, struct file *in, uint64_t *pos,
			  size_t count)
{
	char *buf = kmalloc(SENDFILE_CHUNK, 0);
	size_t done = 0;
	long err = 0;

	if (!buf)
		return -ENOMEM;
	while (done < count) {
		long n = vnode_read(in->vn, *pos, buf, MIN(count - done, SENDFILE_CHUNK));
		long w;

		if (n <= 0) {
			err = n;
			break;
		}
		w = out->ops->write_kernel(out, buf, n);
		if (w <= 0) {
			err = w;
			break;
		}
		done += w;
		*pos += w;
		if (w < n)
			break;
	}
	kfree(buf);
	return done ? (long)done : err;
}

/* Check sendfile's descriptors: 0, -EBADF or -EINVAL. */
static int sendfile_check(struct file *out, struct file *in)
{
	if (!out || !in)
		return -EBADF;
	if ((in->flags & O_ACCMODE) == O_WRONLY || (out->flags & O_ACCMODE) == O_RDONLY)
		return -EBADF;
	if (!in->vn || in->vn->type != VREG || !in->seekable ||
	    !out->ops->write_kernel)
		return -EINVAL;
	if (out->flags & O_APPEND)
		return -EINVAL;
	return 0;
}

static long sys_sendfile(long outfd, long infd, long uoff, long count)
{
	struct file *out = fd_get(outfd), *in = fd_get(infd);
	int64_t off;
	uint64_t pos;
	long ret = sendfile_check(out, in);

	if (ret)
		goto out;
	count = MIN((unsigned long)count, (unsigned long)MAX_RW_COUNT);
	if (uoff) {
		ret = copy_from_user(&off, uoff, sizeof(off));
		if (!ret && off < 0)
			ret = -EINVAL;
		if (ret)
			goto out;
		pos = off;
		ret = sendfile_copy(out, in, &pos, count);
		off = pos;
		if (ret >= 0 && copy_to_user(uoff, &off, sizeof(off)))
			ret = -EFAULT;
	} else {
		mutex_lock(&in->pos_lock);
		ret = sendfile_copy(out, in, &in->off, count);
		mutex_unlock(&in->pos_lock);
	}
out:
	if (out)
		file_put(out);
	if (in)
		file_put(in);
	return ret;
}

static long sys_fchdir(long fd)
{
	struct proc *p = current();
	struct file *f = fd_get(fd);
	long err = 0;

	if (!f)
		return -EBADF;
	if (!f->vn || f->vn->type != VDIR || !f->path)
		err = -ENOTDIR;
	else
		err = vnode_permission(f->vn, MAY_EXEC);
	if (!err) {
		vnode_get(f->vn);
		err = fsctx_chdir(p->fs, f->vn, f->path);
	}
	file_put(f);
	return err;
}

void syscalls_fsattr(syscall_fn *t)
{
	SYSCALL(t, fchmod);
	SYSCALL(t, fchmodat);
	SYSCALL(t, fchown);
	SYSCALL(t, fchownat);
	SYSCALL(t, utimensat);
	SYSCALL(t, symlinkat);
	SYSCALL(t, linkat);
	SYSCALL(t, renameat2);
	SYSCALL(t, statfs);
	SYSCALL(t, fstatfs);
	SYSCALL(t, fsync);
	SYSCALL(t, fdatasync);
	SYSCALL(t, syncfs);
	SYSCALL(t, sync);
	SYSCALL(t, sendfile);
	SYSCALL(t, fchdir);
}
