/*
 * File attributes and names: chmod/chown/utimens, links and symbolic
 * links, file-system statistics, sync calls and sendfile.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "internal.h"

/* Sets fd's permission bits. */
int fchmod(int fd, mode_t mode)
{
	return sys_ret(sys_call2(SYS_fchmod, fd, mode));
}

/* chmod relative to dirfd; flags 0 only (Linux has no lchmod). */
int fchmodat(int dirfd, const char *path, mode_t mode, int flags)
{
	if (flags) {
		errno = flags & ~AT_SYMLINK_NOFOLLOW ? EINVAL : EOPNOTSUPP;
		return -1;
	}
	return sys_ret(sys_call3(SYS_fchmodat, dirfd, path, mode));
}

/* Sets a file's owner and group (-1 keeps one). */
int fchownat(int dirfd, const char *path, uid_t uid, gid_t gid, int flags)
{
	return sys_ret(sys_call5(SYS_fchownat, dirfd, path, uid, gid, flags));
}

int chown(const char *path, uid_t uid, gid_t gid)
{
	return fchownat(AT_FDCWD, path, uid, gid, 0);
}

/* chown of a symbolic link itself. */
int lchown(const char *path, uid_t uid, gid_t gid)
{
	return fchownat(AT_FDCWD, path, uid, gid, AT_SYMLINK_NOFOLLOW);
}

int fchown(int fd, uid_t uid, gid_t gid)
{
	return sys_ret(sys_call3(SYS_fchown, fd, uid, gid));
}

/* Sets access and modification times (NULL: both now). */
int utimensat(int dirfd, const char *path, const struct timespec times[2], int flags)
{
	return sys_ret(sys_call4(SYS_utimensat, dirfd, path, times, flags));
}

int futimens(int fd, const struct timespec times[2])
{
	return utimensat(fd, NULL, times, 0);
}

/* A new name to for the file from (no following of a final link in from). */
int linkat(int olddirfd, const char *from, int newdirfd, const char *to, int flags)
{
	return sys_ret(sys_call5(SYS_linkat, olddirfd, from, newdirfd, to, flags));
}

int link(const char *from, const char *to)
{
	return linkat(AT_FDCWD, from, AT_FDCWD, to, 0);
}

/* Makes path a symbolic link holding target. */
int symlinkat(const char *target, int dirfd, const char *path)
{
	return sys_ret(sys_call3(SYS_symlinkat, target, dirfd, path));
}

int symlink(const char *target, const char *path)
{
	return symlinkat(target, AT_FDCWD, path);
}

int renameat2(int olddirfd, const char *from, int newdirfd, const char *to,
	      unsigned int flags)
{
	return sys_ret(sys_call5(SYS_renameat2, olddirfd, from, newdirfd, to, flags));
}

int renameat(int olddirfd, const char *from, int newdirfd, const char *to)
{
	return renameat2(olddirfd, from, newdirfd, to, 0);
}

/* Checks access as faccessat2 would: flags AT_EACCESS (effective ids). */
int faccessat(int dirfd, const char *path, int mode, int flags)
{
	return sys_ret(sys_call4(SYS_faccessat2, dirfd, path, mode, flags));
}

int statfs(const char *path, struct statfs *st)
{
	return sys_ret(sys_call2(SYS_statfs, path, st));
}

int fstatfs(int fd, struct statfs *st)
{
	return sys_ret(sys_call2(SYS_fstatfs, fd, st));
}

int fdatasync(int fd)
{
	return sys_ret(sys_call1(SYS_fdatasync, fd));
}

void sync(void)
{
	sys_call0(SYS_sync);
}

/* Copies count bytes of in_fd (from *offset if given) to out_fd. */
ssize_t sendfile(int out_fd, int in_fd, off_t *offset, size_t count)
{
	return sys_ret(sys_call4(SYS_sendfile, out_fd, in_fd, offset, count));
}
