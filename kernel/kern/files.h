/*
 * Open files and descriptor tables.
 *
 * A struct file is an open file description: what it reads and writes
 * (file_ops), the flags it was opened with and, for seekable files, the
 * offset. Descriptors of one process, and of processes that inherited
 * them, point at shared descriptions (reference-counted).
 */
#ifndef KILBURN_FILES_H
#define KILBURN_FILES_H

#include "env.h"
#include "kern/mutex.h"

/* open flags, as Linux's asm-generic fcntl.h */
#define O_ACCMODE	00000003
#define O_RDONLY	00000000
#define O_WRONLY	00000001
#define O_RDWR		00000002
#define O_CREAT		00000100
#define O_EXCL		00000200
#define O_NOCTTY	00000400
#define O_TRUNC		00001000
#define O_APPEND	00002000
#define O_NONBLOCK	00004000
#define O_DIRECTORY	00200000
#define O_NOFOLLOW	00400000
#define O_CLOEXEC	02000000
#define O_PATH		010000000

#define FILES_MAX	1024		/* RLIMIT_NOFILE */

struct file;
struct vnode;

/* Linux's struct stat for riscv64 (asm-generic), 128 bytes. */
struct kstat {
	uint64_t st_dev;
	uint64_t st_ino;
	uint32_t st_mode;
	uint32_t st_nlink;
	uint32_t st_uid;
	uint32_t st_gid;
	uint64_t st_rdev;
	uint64_t pad1;
	int64_t st_size;
	int32_t st_blksize;
	int32_t pad2;
	int64_t st_blocks;
	int64_t st_atime;
	uint64_t st_atime_nsec;
	int64_t st_mtime;
	uint64_t st_mtime_nsec;
	int64_t st_ctime;
	uint64_t st_ctime_nsec;
	uint32_t unused4, unused5;
};

struct file_ops {
	/* Read into / write from user memory at ubuf. Bytes, or -errno. */
	long (*read)(struct file *f, uint64_t ubuf, size_t len);
	long (*write)(struct file *f, uint64_t ubuf, size_t len);
	/* The same at an offset, leaving the file offset alone (seekable files). */
	long (*pread)(struct file *f, uint64_t ubuf, size_t len, uint64_t off);
	long (*pwrite)(struct file *f, uint64_t ubuf, size_t len, uint64_t off);
	/* Write len bytes of kernel memory at buf (sendfile); optional. */
	long (*write_kernel)(struct file *f, const void *buf, size_t len);
	long (*ioctl)(struct file *f, unsigned long cmd, uint64_t arg);
	/* Readiness for poll/select (fs/poll.h's POLL* bits); NULL: always ready. */
	unsigned int (*poll)(struct file *f);
	/* Directory entries as linux_dirent64 records into ubuf. */
	long (*getdents)(struct file *f, uint64_t ubuf, size_t len);
	void (*release)(struct file *f);
};

struct file {
	int refs;			/* atomic */
	unsigned int flags;		/* O_* given to open (access mode, O_APPEND, ...) */
	const struct file_ops *ops;
	struct vnode *vn;		/* NULL for pipes */
	bool seekable;
	uint64_t off;			/* pos_lock */
	struct mutex pos_lock;
	char *path;			/* canonical path when opened by name, or NULL */
	void *priv;
};

struct files {
	int refs;			/* atomic: the threads that share it (CLONE_FILES) */
	struct spinlock lock;
	int nfds;			/* slots in fd[] */
	struct file **fd;
	uint8_t *cloexec;
};

/* A new file description with one reference. */
struct file *file_alloc(const struct file_ops *ops, unsigned int flags);
void file_get(struct file *f);
void file_put(struct file *f);

/* Open the vnode: its own open op for devices, else a regular/dir file. */
int file_open_vnode(struct vnode *vn, unsigned int flags, struct file **out);

struct files *files_create(void);
struct files *files_dup(struct files *fs);
/* Share fs (CLONE_FILES): one more reference. */
void files_get(struct files *fs);
/* Drop a reference; the last one closes every descriptor. */
void files_release(struct files *fs);
/* Close every descriptor marked close-on-exec. */
void files_close_on_exec(struct files *fs);

/* Install f (its reference moves in) at the lowest free fd >= min. */
int fd_install(struct files *fs, struct file *f, int min, bool cloexec);
/* The file at fd with a new reference, or NULL. */
struct file *fd_get(int fd);
/* Close fd of the current process: 0 or -EBADF. */
int fd_close(int fd);
/* dup3 semantics on the current process. */
int fd_dup_to(int oldfd, int newfd, bool cloexec);
int fd_get_cloexec(int fd);
int fd_set_cloexec(int fd, bool on);

#endif
