/*
 * The file-system context of a thread: its working directory (the vnode
 * and its absolute, normalized path) and its umask. Linux's fs_struct:
 * threads made by clone with CLONE_FS share one, so a chdir or umask in
 * one is seen by all; fork, vfork and clone without CLONE_FS give the child
 * a copy. Kilburn has no chroot, so there is no root to share.
 *
 * Locks: fs->lock (a spinlock, never held across a call that may sleep)
 * guards cwd, cwd_name and umask. The path of the working directory is an
 * immutable, reference-counted string: a lookup holds it (fsctx_cwd_hold)
 * while another thread may chdir and drop the context's reference.
 */
#ifndef KILBURN_FSCTX_H
#define KILBURN_FSCTX_H

#include "env.h"

struct vnode;
struct fs_context;

/*
 * fsctx_create - a context with working directory cwd (whose reference it
 * takes over) named path, and umask. Returns NULL if out of memory (the
 * reference on cwd is then dropped).
 */
struct fs_context *fsctx_create(struct vnode *cwd, const char *path, uint32_t umask);

/* fsctx_copy - a new context equal to fs now (fork); NULL if out of memory. */
struct fs_context *fsctx_copy(struct fs_context *fs);

/* One more thread shares fs (CLONE_FS). */
void fsctx_get(struct fs_context *fs);

/* A thread lets go of fs; the last one frees it (may sleep: vnode_put). */
void fsctx_put(struct fs_context *fs);

/*
 * fsctx_cwd_hold - the working directory's path, held until
 * fsctx_cwd_release: valid even if a thread sharing fs changes directory.
 */
const char *fsctx_cwd_hold(struct fs_context *fs);
void fsctx_cwd_release(const char *path);

/*
 * fsctx_chdir - make vn (whose reference it takes over) the working
 * directory, named path. Returns 0 or -ENOMEM (vn's reference dropped).
 */
int fsctx_chdir(struct fs_context *fs, struct vnode *vn, const char *path);

/* The umask of fs. */
uint32_t fsctx_umask(struct fs_context *fs);

/* Set the umask of fs to mask & 0777; returns the old one. */
uint32_t fsctx_set_umask(struct fs_context *fs, uint32_t mask);

#endif
