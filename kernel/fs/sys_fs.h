/*
 * What the file-system system calls (sys_fs.c, sys_attr.c) share: the
 * *at() conventions for where a path starts.
 */
#ifndef KILBURN_SYS_FS_H
#define KILBURN_SYS_FS_H

#include "env.h"

#define AT_FDCWD		(-100)
#define AT_SYMLINK_NOFOLLOW	0x100
#define AT_REMOVEDIR		0x200
#define AT_EACCESS		0x200
#define AT_SYMLINK_FOLLOW	0x400
#define AT_EMPTY_PATH		0x1000

struct file;
struct vnode;

/* What keeps fsat_base's path alive: an open directory, or the cwd's name. */
struct fsat_hold {
	struct file *file;
	const char *cwd;		/* held with fsctx_cwd_hold */
};

/*
 * fsat_base - the directory a relative path starts from: the cwd, or the
 * directory open at dirfd. *base points at a path held in *hold, which the
 * caller lets go of with fsat_release (also after an error). Errors:
 * -EBADF, -ENOTDIR.
 */
int fsat_base(int dirfd, const char *path, const char **base,
	      struct fsat_hold *hold);

/* Let go of what fsat_base held (nothing, if it held nothing). */
void fsat_release(struct fsat_hold *hold);

/* Resolve (dirfd, path) to a vnode (a reference); canon may be NULL. */
int fsat_lookup(int dirfd, const char *path, bool nofollow,
		struct vnode **vn, char *canon);

/* The same for a path in user memory. */
int fsat_lookup_user(int dirfd, uint64_t upath, bool nofollow,
		     struct vnode **vn, char *canon);

#endif
