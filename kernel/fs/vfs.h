/*
 * The virtual file system: vnodes (files, directories, symbolic links,
 * devices) of several file systems under one tree of absolute paths.
 *
 *   /        the root disk: a read-only cpio archive (fs/rootfs.c)
 *   /tmp     an in-memory file system (fs/tmpfs.c)
 *   /dev     console, tty, null, zero (fs/devfs.c)
 *   /proc    process and memory information (fs/procfs.c)
 *
 * A vnode's data pages live in its page cache, which is also the vobject
 * that file mappings map: reading a file and mapping it share frames.
 *
 * Locks: vn->lock (a mutex) guards the page cache, size and the file
 * system's own data of the vnode. Vnode reference counts are atomic.
 */
#ifndef KILBURN_VFS_H
#define KILBURN_VFS_H

#include "env.h"
#include "kern/mutex.h"
#include "vm/vobject.h"

enum vtype { VNON, VREG, VDIR, VLNK, VCHR, VFIFO };

/* mode bits, as Linux */
#define S_IFMT		0170000
#define S_IFLNK		0120000
#define S_IFREG		0100000
#define S_IFDIR		0040000
#define S_IFCHR		0020000
#define S_IFIFO		0010000

#define NAME_MAX	255
#define PATH_MAX	4096

struct vnode;
struct kstat;
struct file;

struct vdirent {
	uint64_t ino;
	uint8_t type;			/* DT_* */
	char name[NAME_MAX + 1];
};

#define DT_UNKNOWN	0
#define DT_FIFO		1
#define DT_CHR		2
#define DT_DIR		4
#define DT_REG		8
#define DT_LNK		10

struct vnode_ops {
	/* Find name (len bytes, no '/') in directory dir: a new reference. */
	int (*lookup)(struct vnode *dir, const char *name, size_t len,
		      struct vnode **out);
	/* The entry at *pos of dir (advancing *pos): 1, 0 at the end, or -errno. */
	int (*readdir)(struct vnode *dir, uint64_t *pos, struct vdirent *out);
	/* Fill page idx of the file into buf (zeros past the end). */
	int (*readpage)(struct vnode *vn, uint64_t idx, void *buf);
	/* Symbolic links: the target into buf; returns its length. */
	long (*readlink)(struct vnode *vn, char *buf, size_t len);
	/* Create a regular file or directory in dir (writable file systems). */
	int (*create)(struct vnode *dir, const char *name, size_t len,
		      uint32_t mode, struct vnode **out);
	/* Remove name from dir (rmdir when dir_only). */
	int (*unlink)(struct vnode *dir, const char *name, size_t len,
		      bool dir_only);
	/* The file's contents change size (tmpfs; vn->lock held). */
	int (*truncate)(struct vnode *vn, uint64_t size);
	/* Character devices: open a file on it. */
	int (*open)(struct vnode *vn, unsigned int flags, struct file **out);
	/* The last reference is gone. */
	void (*release)(struct vnode *vn);
};

struct vnode {
	struct vobject obj;		/* the page cache; obj.refs counts references */
	enum vtype type;
	uint32_t mode;			/* S_IF* | permission bits */
	uint32_t uid, gid, nlink;
	uint64_t size;			/* bytes (vn->lock) */
	uint64_t ino;
	uint32_t dev;			/* file-system number, for stat */
	uint32_t rdev;
	uint64_t mtime;
	bool writable_fs;		/* false on read-only file systems */
	const struct vnode_ops *ops;
	void *priv;			/* the file system's own */
	struct mutex lock;
	struct amap *pages;		/* cached pages by index (vn->lock) */
	char *path;			/* for /proc/<pid>/maps; may be NULL */
};

struct file;

void vfs_init(void);

/* Set up a vnode's common fields (refs = 1). */
void vnode_init(struct vnode *vn, enum vtype type, uint32_t mode,
		const struct vnode_ops *ops);

static inline void vnode_get(struct vnode *vn)
{
	vobject_ref(&vn->obj);
}

static inline void vnode_put(struct vnode *vn)
{
	vobject_unref(&vn->obj);
}

/* Attach root's tree at the absolute path mountpoint. */
int vfs_mount(const char *mountpoint, struct vnode *root);

/*
 * vfs_lookup - resolve path (absolute, or relative to the directory whose
 * canonical path is cwd) to a vnode, following symbolic links (but not a
 * final one when nofollow). On success *out holds a reference and, if
 * canon is not NULL, canon[PATH_MAX] the canonical absolute path.
 * Errors: -ENOENT, -ENOTDIR, -ENAMETOOLONG, -ELOOP.
 */
int vfs_lookup(const char *cwd, const char *path, bool nofollow,
	       struct vnode **out, char *canon);

/*
 * vfs_lookup_parent - resolve all of path but its last component: the
 * parent directory (a reference) and the last name (pointing into path;
 * it may be "." or ".."). Errors: as vfs_lookup, and -ENAMETOOLONG for a
 * last name longer than NAME_MAX.
 */
int vfs_lookup_parent(const char *cwd, const char *path, struct vnode **dir,
		      const char **name, size_t *len);

/*
 * vnode_read - read up to len bytes at off into the kernel buffer buf
 * through the page cache. Returns the bytes read (0 at end of file).
 */
long vnode_read(struct vnode *vn, uint64_t off, void *buf, size_t len);

/*
 * vnode_page - the cached page idx of vn, read in if needed. The page stays
 * owned by the cache. Returns 0 or -errno: -ENOMEM, -ENOSPC when the files
 * of writable file systems already hold half of RAM, or the reader's error.
 */
int vnode_page(struct vnode *vn, uint64_t idx, struct page **out);

/* The Linux stat of a vnode. */
void vnode_stat(struct vnode *vn, struct kstat *st);

/* Number of frames held by every page cache (for /proc/meminfo). */
extern uint64_t vfs_cached_pages;

#endif
