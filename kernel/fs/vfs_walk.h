/*
 * Path walking, shared by the VFS's own files (vfs.c walks; vfs_names.c
 * links and renames). Not for file systems or system calls: they use
 * vfs.h.
 */
#ifndef KILBURN_VFS_WALK_H
#define KILBURN_VFS_WALK_H

#include "fs/vfs.h"

/*
 * A path being resolved: `rest` is what is left to walk; `done` the
 * canonical path of the directory reached so far, `dir` its vnode.
 */
struct walk {
	char *buf;			/* WALK_MAX: holds the path being walked */
	char *rest;			/* points into buf */
	char *done;			/* PATH_MAX */
	size_t done_len;
	struct vnode *dir;
	int links;
};

/* What the last component of a path is (vfs_create, vfs_remove). */
enum last_kind { LAST_NAME, LAST_ROOT, LAST_DOT, LAST_DOTDOT };

struct last {
	enum last_kind kind;
	const char *name;		/* LAST_NAME: len bytes in the walk's buffer */
	size_t len;			/* at most NAME_MAX */
	bool slash;			/* the path ends in '/': a directory is meant */
};

/*
 * walk_parent - walk all of path (relative to cwd) but its last component,
 * which *last describes; w->dir is then its directory. Errors: those of
 * the walk, -ENOTDIR (the parent is not a directory), -ENAMETOOLONG (the
 * last name is above NAME_MAX, or its canonical path would not be shorter
 * than PATH_MAX). Whatever it returns, walk_end() cleans up.
 */
int walk_parent(struct walk *w, const char *cwd, const char *path,
		struct last *last);

/* The root of the file system mounted at w->done + "/" + name, or NULL. */
struct vnode *walk_mounted(struct walk *w, const char *name, size_t len);

/* Free what a walk holds. */
void walk_end(struct walk *w);

#endif
