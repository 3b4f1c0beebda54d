/*
 * File-descriptor system calls. Calls Linux riscv64 lacks (open, stat,
 * dup2, pipe, unlink, ...) are built on the *at / 3-variants.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <termios.h>
#include <unistd.h>
#include "internal.h"

/* Reads up to n bytes; count read (0 at end of file) or -1. */
ssize_t read(int fd, void *buf, size_t n)
{
	return sys_ret(sys_call3(SYS_read, fd, buf, n));
}

/* Writes up to n bytes; count written or -1. */
ssize_t write(int fd, const void *buf, size_t n)
{
	return sys_ret(sys_call3(SYS_write, fd, buf, n));
}

/* Reads at offset off without moving the file offset. */
ssize_t pread(int fd, void *buf, size_t n, off_t off)
{
	return sys_ret(sys_call4(SYS_pread64, fd, buf, n, off));
}

/* Writes at offset off without moving the file offset. */
ssize_t pwrite(int fd, const void *buf, size_t n, off_t off)
{
	return sys_ret(sys_call4(SYS_pwrite64, fd, buf, n, off));
}

/* Scatter read into cnt buffers; total read or -1. */
ssize_t readv(int fd, const struct iovec *iov, int cnt)
{
	return sys_ret(sys_call3(SYS_readv, fd, iov, cnt));
}

/* Gather write from cnt buffers; total written or -1. */
ssize_t writev(int fd, const struct iovec *iov, int cnt)
{
	return sys_ret(sys_call3(SYS_writev, fd, iov, cnt));
}

/* Opens path relative to dirfd; mode is read only with O_CREAT. New fd or -1. */
int openat(int dirfd, const char *path, int flags, ...)
{
	mode_t mode = 0;

	if (flags & O_CREAT) {
		va_list ap;
		va_start(ap, flags);
		mode = va_arg(ap, mode_t);
		va_end(ap);
	}
	return sys_ret(sys_call4(SYS_openat, dirfd, path, flags, mode));
}

/* Opens path relative to the working directory. New fd or -1. */
int open(const char *path, int flags, ...)
{
	mode_t mode = 0;

	if (flags & O_CREAT) {
		va_list ap;
		va_start(ap, flags);
		mode = va_arg(ap, mode_t);
		va_end(ap);
	}
	return openat(AT_FDCWD, path, flags, mode);
}

/* Creates (or truncates) path for writing. New fd or -1. */
int creat(const char *path, mode_t mode)
{
	return open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
}

/* Closes fd; 0 or -1. */
int close(int fd)
{
	return sys_ret(sys_call1(SYS_close, fd));
}

/* Moves the file offset; the new offset or -1. */
off_t lseek(int fd, off_t off, int whence)
{
	return sys_ret(sys_call3(SYS_lseek, fd, off, whence));
}

/* Fills *st for fd; 0 or -1. */
int fstat(int fd, struct stat *st)
{
	return sys_ret(sys_call2(SYS_fstat, fd, st));
}

/* Fills *st for path relative to dirfd (newfstatat); 0 or -1. */
int fstatat(int dirfd, const char *path, struct stat *st, int flags)
{
	return sys_ret(sys_call4(SYS_newfstatat, dirfd, path, st, flags));
}

/* stat: follows symbolic links. */
int stat(const char *path, struct stat *st)
{
	return fstatat(AT_FDCWD, path, st, 0);
}

/* lstat: describes a symbolic link itself. */
int lstat(const char *path, struct stat *st)
{
	return fstatat(AT_FDCWD, path, st, AT_SYMLINK_NOFOLLOW);
}

/* Duplicates fd onto the lowest free descriptor. */
int dup(int fd)
{
	return sys_ret(sys_call1(SYS_dup, fd));
}

/* Duplicates oldfd onto newfd (closing newfd first); flags may be O_CLOEXEC. */
int dup3(int oldfd, int newfd, int flags)
{
	return sys_ret(sys_call3(SYS_dup3, oldfd, newfd, flags));
}

/* dup2 through dup3; when oldfd == newfd just checks that oldfd is open. */
int dup2(int oldfd, int newfd)
{
	if (oldfd == newfd)
		return fcntl(oldfd, F_GETFD) < 0 ? -1 : newfd;
	return dup3(oldfd, newfd, 0);
}

/* File-descriptor control; the optional argument is a long. */
int fcntl(int fd, int cmd, ...)
{
	va_list ap;
	long arg;

	va_start(ap, cmd);
	arg = va_arg(ap, long);
	va_end(ap);
	return sys_ret(sys_call3(SYS_fcntl, fd, cmd, arg));
}

/* Creates a pipe: fds[0] reads, fds[1] writes. 0 or -1. */
int pipe2(int fds[2], int flags)
{
	return sys_ret(sys_call2(SYS_pipe2, fds, flags));
}

/* pipe through pipe2. */
int pipe(int fds[2])
{
	return pipe2(fds, 0);
}

/* Changes the working directory. */
int chdir(const char *path)
{
	return sys_ret(sys_call1(SYS_chdir, path));
}

/* Changes the working directory to the directory open on fd. */
int fchdir(int fd)
{
	return sys_ret(sys_call1(SYS_fchdir, fd));
}

/*
 * Stores the working directory in buf (size bytes) and returns buf, or NULL.
 * A NULL buf asks for a malloc'd buffer of PATH_MAX bytes (freed by caller).
 */
char *getcwd(char *buf, size_t size)
{
	char *mine = 0;

	if (!buf) {
		size = size ? size : PATH_MAX;
		buf = mine = malloc(size);
		if (!buf)
			return 0;
	}
	if (sys_ret(sys_call2(SYS_getcwd, buf, size)) < 0) {
		free(mine);
		return 0;
	}
	return buf;
}

/* Reads a symbolic link's target (not NUL-terminated); length or -1. */
ssize_t readlinkat(int dirfd, const char *path, char *buf, size_t size)
{
	return sys_ret(sys_call4(SYS_readlinkat, dirfd, path, buf, size));
}

/* readlink relative to the working directory. */
ssize_t readlink(const char *path, char *buf, size_t size)
{
	return readlinkat(AT_FDCWD, path, buf, size);
}

/* Removes a directory entry for a non-directory. */
int unlink(const char *path)
{
	return sys_ret(sys_call3(SYS_unlinkat, AT_FDCWD, path, 0));
}

/* Removes an empty directory. */
int rmdir(const char *path)
{
	return sys_ret(sys_call3(SYS_unlinkat, AT_FDCWD, path, AT_REMOVEDIR));
}

/* remove: unlink, or rmdir when path is a directory. */
int remove(const char *path)
{
	if (unlink(path) == 0)
		return 0;
	if (errno == EISDIR)
		return rmdir(path);
	return -1;
}

/* Renames from to to (renameat2 with no flags). */
int rename(const char *from, const char *to)
{
	return sys_ret(sys_call5(SYS_renameat2, AT_FDCWD, from, AT_FDCWD, to, 0));
}

/* Checks accessibility of path for mode (F_OK or R_OK|W_OK|X_OK). */
int access(const char *path, int mode)
{
	return sys_ret(sys_call3(SYS_faccessat, AT_FDCWD, path, mode));
}

/* Creates a directory relative to dirfd. */
int mkdirat(int dirfd, const char *path, mode_t mode)
{
	return sys_ret(sys_call3(SYS_mkdirat, dirfd, path, mode));
}

/* Creates a directory. */
int mkdir(const char *path, mode_t mode)
{
	return mkdirat(AT_FDCWD, path, mode);
}

/* Changes permission bits of path. */
int chmod(const char *path, mode_t mode)
{
	return sys_ret(sys_call3(SYS_fchmodat, AT_FDCWD, path, mode));
}

/* Sets the file-creation mask; returns the old one (cannot fail). */
mode_t umask(mode_t mask)
{
	return (mode_t)sys_call1(SYS_umask, mask);
}

/* Sets the length of the file open on fd. */
int ftruncate(int fd, off_t len)
{
	return sys_ret(sys_call2(SYS_ftruncate, fd, len));
}

int truncate(const char *path, off_t len)
{
	return sys_ret(sys_call2(SYS_truncate, path, len));
}

/* Flushes fd's data to its device. */
int fsync(int fd)
{
	return sys_ret(sys_call1(SYS_fsync, fd));
}

/* Device control; the optional argument is passed as a long. */
int ioctl(int fd, unsigned long req, ...)
{
	va_list ap;
	long arg;

	va_start(ap, req);
	arg = va_arg(ap, long);
	va_end(ap);
	return sys_ret(sys_call3(SYS_ioctl, fd, req, arg));
}

/* Reads terminal attributes (TCGETS). */
int tcgetattr(int fd, struct termios *t)
{
	return ioctl(fd, TCGETS, t);
}

/* Sets terminal attributes: TCSANOW/TCSADRAIN/TCSAFLUSH map to TCSETS/W/F. */
int tcsetattr(int fd, int when, const struct termios *t)
{
	if (when < TCSANOW || when > TCSAFLUSH) {
		errno = EINVAL;
		return -1;
	}
	return ioctl(fd, TCSETS + when, t);
}

/* 1 if fd is a terminal (TCGETS succeeds), else 0 with errno set. */
int isatty(int fd)
{
	struct termios t;

	return tcgetattr(fd, &t) == 0;
}

/* Reads directory records (struct linux_dirent64); bytes read, 0 at end. */
int getdents64(int fd, void *buf, size_t n)
{
	return (int)sys_ret(sys_call3(SYS_getdents64, fd, buf, n));
}

/* The terminal's foreground process group; -1 on failure. */
pid_t tcgetpgrp(int fd)
{
	int pgrp;

	return ioctl(fd, TIOCGPGRP, &pgrp) < 0 ? -1 : pgrp;
}

/* Makes pgrp the terminal's foreground process group; 0 or -1. */
int tcsetpgrp(int fd, pid_t pgrp)
{
	int id = pgrp;

	return ioctl(fd, TIOCSPGRP, &id);
}
