/*
 * Record locks (fcntl F_GETLK, F_SETLK, F_SETLKW and the open-file-
 * description variants F_OFD_*), with Linux's semantics.
 *
 * A lock covers a byte range [start, end] of a vnode (end UINT64_MAX: to
 * the end of the file, however long it grows) and is shared (F_RDLCK) or
 * exclusive (F_WRLCK). It belongs to an owner:
 *   - a POSIX lock to the descriptor table of the process that set it
 *     (struct files): closing any descriptor of the vnode in that table
 *     drops all of them, and a forked child does not inherit them;
 *   - an OFD lock to the open file description (struct file): it goes when
 *     the last descriptor of that description is closed.
 * One owner's locks never overlap: setting a range replaces what the owner
 * held there (splitting or trimming its other locks) and merges with its
 * locks of the same type that touch it. Locks of different owners conflict
 * when their ranges overlap and one of them is exclusive.
 *
 * Locks: one spinlock (flock.c) guards every vnode's list of locks and the
 * list of waiters used to detect deadlocks.
 */
#ifndef KILBURN_FLOCK_H
#define KILBURN_FLOCK_H

#include "env.h"

struct file;
struct files;
struct vnode;

/* fcntl commands, as Linux's asm-generic fcntl.h (64-bit) */
#define F_GETLK		5
#define F_SETLK		6
#define F_SETLKW	7
#define F_OFD_GETLK	36
#define F_OFD_SETLK	37
#define F_OFD_SETLKW	38

#define F_RDLCK		0
#define F_WRLCK		1
#define F_UNLCK		2

/* Linux's struct flock on riscv64: 32 bytes. */
struct kflock {
	int16_t l_type;
	int16_t l_whence;
	int32_t pad1;
	int64_t l_start;
	int64_t l_len;
	int32_t l_pid;
	int32_t pad2;
};

/*
 * flock_fcntl - run a record-lock command cmd (F_GETLK ... F_OFD_SETLKW) on
 * the open file f for the current process, with the struct flock at user
 * address uarg. Returns 0 or -errno: -EFAULT, -EINVAL (bad l_type, l_whence
 * or range, an OFD command with l_pid not 0, a file that cannot be locked),
 * -EBADF (a lock type the file's access mode does not allow), -EOVERFLOW
 * (a range past the largest offset, or F_GETLK's answer does not fit),
 * -EAGAIN (F_SETLK: a conflicting lock), -EDEADLK (F_SETLKW: waiting would
 * deadlock POSIX owners), -ENOLCK (out of memory), -ERESTARTSYS (a signal
 * came while F_SETLKW waited).
 */
long flock_fcntl(struct file *f, int cmd, uint64_t uarg);

/* Drop the POSIX locks that descriptor table owner holds on f's vnode
 * (a descriptor of f is being closed in it). */
void flock_close_posix(struct file *f, struct files *owner);

/* Drop f's OFD locks (the last reference to f is going). */
void flock_close_file(struct file *f);

#endif
