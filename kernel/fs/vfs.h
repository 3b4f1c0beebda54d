/*
 * The virtual file system: vnodes (files, directories, symbolic links,
 * devices) of several file systems under one tree of absolute paths.
 *
 *   /        the root disk: a read-only cpio archive (fs/rootfs.c)
 *   /tmp     an in-memory file system (fs/tmpfs.c)
 *   /dev     console, tty, null, zero, the disks vda, vdb, ... (fs/devfs.c)
 *   /proc    process and memory information (fs/procfs.c)
 *
 * A vnode's data pages live in its page cache (vm/pcache.h), and the vnode
 * is the vobject that file mappings map: reading a file and mapping it share
 * frames. A page cache is clean (a read-only disk holds every page: reclaim
 * may drop the pages nothing uses), swap-backed (tmpfs: its pages exist only
 * in memory) or neither (kept until the vnode goes).
 *
 * Locks: vn->lock (a mutex) guards the page cache, size and the file
 * system's own data of the vnode. Vnode reference counts are atomic.
 */
#ifndef KILBURN_VFS_H
#define KILBURN_VFS_H

#include "env.h"
#include "kern/mutex.h"
#include "vm/pcache.h"
#include "vm/vobject.h"

enum vtype { VNON, VREG, VDIR, VLNK, VCHR, VBLK, VFIFO };

/* mode bits, as Linux */
#define S_IFMT		0170000
#define S_IFLNK		0120000
#define S_IFREG		0100000
#define S_IFDIR		0040000
#define S_IFBLK		0060000
#define S_IFCHR		0020000
#define S_IFIFO		0010000

/*
 * Linux's limits: a path component has at most NAME_MAX bytes; a path has
 * fewer than PATH_MAX, so that it and its NUL fit in PATH_MAX. Every name
 * the VFS looks up or creates is checked against both (vfs.c), and every
 * path a system call takes is copied in by copy_path_from_user().
 */
#define NAME_MAX	255
#define PATH_MAX	4096

struct vnode;
struct kstat;
struct file;

/* A directory entry as readdir gives it: name is NUL-terminated (vdirent_set). */
struct vdirent {
	uint64_t ino;
	uint8_t type;			/* DT_* */
	char name[NAME_MAX + 1];
};

#define DT_UNKNOWN	0
#define DT_FIFO		1
#define DT_CHR		2
#define DT_DIR		4
#define DT_BLK		6
#define DT_REG		8
#define DT_LNK		10

struct vnode_ops {
	/*
	 * Find name (len bytes, 1 <= len <= NAME_MAX, no '/', not "." or "..")
	 * in directory dir: a new reference. The VFS checks the name before any
	 * of these operations that take one.
	 */
	int (*lookup)(struct vnode *dir, const char *name, size_t len,
		      struct vnode **out);
	/*
	 * The entry at *pos of dir (advancing *pos), filled by vdirent_set:
	 * 1, 0 at the end, or -errno.
	 */
	int (*readdir)(struct vnode *dir, uint64_t *pos, struct vdirent *out);
	/*
	 * Fill page idx of the file into buf (zeros past the end). Returns 0,
	 * 1 if it read a disk (the fault that needed it was major), or -errno.
	 */
	int (*readpage)(struct vnode *vn, uint64_t idx, void *buf);
	/*
	 * Optional, for file readahead: fill pages idx .. idx + n - 1 of the
	 * file (all before its end) into the frames pages[0 .. n) with as few
	 * disk requests as it can (zeros past the end). Returns 1 (read from
	 * the disk), or -errno: -ENOMEM or -EINVAL if it cannot read them
	 * that way (the caller reads them one by one), -EIO. No lock held.
	 */
	int (*readpages)(struct vnode *vn, uint64_t idx, struct page **pages,
			 unsigned int n);
	/* Symbolic links: the target into buf; returns its length. */
	long (*readlink)(struct vnode *vn, char *buf, size_t len);
	/* Create a regular file or directory in dir (writable file systems). */
	int (*create)(struct vnode *dir, const char *name, size_t len,
		      uint32_t mode, struct vnode **out);
	/* Make a symbolic link name -> target (tlen bytes) in dir. */
	int (*symlink)(struct vnode *dir, const char *name, size_t len,
		       const char *target, size_t tlen, struct vnode **out);
	/* Add name to dir as a new hard link to vn (same file system). */
	int (*link)(struct vnode *dir, const char *name, size_t len,
		    struct vnode *vn);
	/*
	 * Move name of olddir to newname of newdir (same file system; names
	 * checked, not "." or ".."), with renameat2's RENAME_* flags.
	 */
	int (*rename)(struct vnode *olddir, const char *oldname, size_t oldlen,
		      struct vnode *newdir, const char *newname, size_t newlen,
		      unsigned int flags);
	/* Remove name from dir (rmdir when dir_only). */
	int (*unlink)(struct vnode *dir, const char *name, size_t len,
		      bool dir_only);
	/* The file's contents change size (tmpfs; vn->lock held). */
	int (*truncate)(struct vnode *vn, uint64_t size);
	/* Devices: open a file on it. */
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
	int64_t atime, mtime, ctime;	/* ns since 1970 (vn->lock) */
	bool writable_fs;		/* false on read-only file systems */
	const struct vnode_ops *ops;
	void *priv;			/* the file system's own */
	struct mutex lock;
	struct pcache pages;		/* the page cache (vn->lock) */
	struct list_node clean_link;	/* on the list of caches that can be
					   dropped (vfs.c's clean_lock) */
	struct list_node swap_link;	/* on the list of swap-backed caches
					   (vfs.c's clean_lock) */
	char *path;			/* for /proc/<pid>/maps; may be NULL */
	struct list_node locks;		/* record locks (fs/flock.c's lock) */
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

/*
 * Attach root's tree at the absolute path mountpoint (at boot, before any
 * process runs). what: "source type options" as /proc/mounts shows them,
 * a string that lives as long as the kernel.
 */
int vfs_mount(const char *mountpoint, struct vnode *root, const char *what);

/* The description (vfs_mount's what) of the file system vn is on, or NULL. */
const char *vfs_mount_what(struct vnode *vn);

/*
 * Pages of data of files on writable file systems, in memory or on swap
 * (at most vfs_written_limit()).
 */
uint64_t vfs_written_frames(void);

/* Mount i's path and description (vfs_mount); 0, or -ENOENT past the last. */
int vfs_mount_info(int i, const char **path, const char **what);

/*
 * vfs_lookup - resolve path (absolute, or relative to the directory whose
 * canonical path is cwd) to a vnode, following symbolic links (but not a
 * final one when nofollow). On success *out holds a reference and, if
 * canon is not NULL, canon[PATH_MAX] the canonical absolute path.
 * Errors: -ENOENT (also for ""), -ENOTDIR, -ENAMETOOLONG (path of PATH_MAX
 * bytes or more, a component above NAME_MAX, a canonical path too long),
 * -ELOOP, -ENOMEM.
 */
int vfs_lookup(const char *cwd, const char *path, bool nofollow,
	       struct vnode **out, char *canon);

/*
 * vfs_create - make the last component of path (absolute, or relative to
 * cwd) in its parent directory: a regular file or a directory as the
 * S_IF* bits of mode say. On success *out holds a reference to it and, if
 * canon is not NULL, canon[PATH_MAX] its canonical path.
 * Errors: those of vfs_lookup for the parent, -ENAMETOOLONG (the last
 * component is longer than NAME_MAX, or its canonical path would be
 * PATH_MAX bytes or more), -EEXIST (the name exists, or is "/",
 * "." or ".."), -EISDIR (a regular file named with a trailing slash),
 * -EROFS, -ENOSPC.
 */
int vfs_create(const char *cwd, const char *path, uint32_t mode,
	       struct vnode **out, char *canon);

/*
 * vfs_remove - remove the last component of path from its directory: a
 * directory, which must be empty, when dir_only (rmdir), else anything but
 * a directory (unlink). Errors: those of vfs_lookup for the parent,
 * -ENAMETOOLONG, -ENOENT, -EROFS, -EBUSY (a mount point, or rmdir of "/"),
 * -EINVAL (rmdir of "."), -ENOTEMPTY (rmdir of ".." or of a directory with
 * entries), -EISDIR (unlink of a directory, "/", "." or ".."), -ENOTDIR
 * (rmdir of a non-directory, or unlink of one named with a trailing slash).
 */
int vfs_remove(const char *cwd, const char *path, bool dir_only);

/*
 * vdirent_set - fill a directory entry for readdir. Returns 0, or
 * -ENAMETOOLONG if name (len bytes) cannot be a name: every readdir fills
 * its entries through here, so e->name is always NUL-terminated within it.
 */
int vdirent_set(struct vdirent *e, uint64_t ino, uint8_t type,
		const char *name, size_t len);

/*
 * vnode_read - read up to len bytes at off into the kernel buffer buf
 * through the page cache. Returns the bytes read (0 at end of file).
 */
long vnode_read(struct vnode *vn, uint64_t off, void *buf, size_t len);

/*
 * vnode_page - the cached page idx of vn, read in if needed. The page stays
 * owned by the cache; the caller gets a reference to drop with page_put().
 * Returns 0 or -errno: -ENOMEM, -EIO, or -ENOSPC when a new page of a file
 * on a writable file system would take the files' data past half of RAM.
 */
int vnode_page(struct vnode *vn, uint64_t idx, struct page **out);

/*
 * vnode_page_wait - vnode_page for a system call (read, write, sendfile),
 * which holds no address space's lock: while no frame can be had it
 * reclaims, and when that fails calls the OOM killer, and tries again, as
 * a page fault does (pageout_for_fault), instead of failing with -ENOMEM.
 * -ENOMEM only if this process is the one to go.
 */
int vnode_page_wait(struct vnode *vn, uint64_t idx, struct page **out);

/* The Linux stat of a vnode. */
void vnode_stat(struct vnode *vn, struct kstat *st);

/* renameat2 flags, as Linux */
#define RENAME_NOREPLACE	1
#define RENAME_EXCHANGE		2
#define RENAME_WHITEOUT		4

/*
 * vfs_symlink - make path (relative to cwd) a symbolic link to target.
 * Errors: those of vfs_create, -ENOENT (an empty target), -EPERM (a file
 * system without symbolic links), -EACCES.
 */
int vfs_symlink(const char *cwd, const char *path, const char *target);

/*
 * vfs_link - give vn a new name, path (relative to cwd). Errors: those of
 * vfs_create, -EPERM (vn is a directory, or its file system has no hard
 * links), -EXDEV (path is on another file system), -EACCES.
 */
int vfs_link(struct vnode *vn, const char *cwd, const char *path);

/*
 * vfs_rename - renameat2 of oldpath (relative to oldcwd) to newpath
 * (relative to newcwd) with RENAME_* flags. Errors: those of the walks,
 * -EINVAL (bad flags, a directory moved into itself), -EBUSY ("." or ".."
 * or "/" or a mount point), -EXDEV, -ENOENT, -EEXIST (RENAME_NOREPLACE),
 * -ENOTDIR, -EISDIR, -ENOTEMPTY, -EROFS, -EACCES, -EPERM (sticky).
 */
int vfs_rename(const char *oldcwd, const char *oldpath, const char *newcwd,
	       const char *newpath, unsigned int flags);

/* The time to stamp files with: ns since 1970 (CLOCK_REALTIME). */
int64_t vfs_now(void);

/* vn changed (data or attributes): stamp mtime and/or ctime (vn->lock). */
void vnode_touch(struct vnode *vn, bool mtime, bool ctime);

/*
 * Number of frames held by every vnode's page cache (pages on swap are not
 * counted).
 */
extern uint64_t vfs_cached_pages;

/*
 * vnode_cache_is_clean - declare that vn's cached pages can always be read
 * again (a file of a read-only disk), so reclaim may drop them: the page
 * cache's shrinker the ones nothing maps, page-out (its cache goes on the
 * replacement policy) mapped ones too, after unmapping them. Call once,
 * when the file system makes the vnode, before any page is cached.
 */
void vnode_cache_is_clean(struct vnode *vn);

/*
 * vnode_cache_is_swapbacked - declare that vn's pages exist only in memory
 * (tmpfs): they are marked PG_SWAPBACKED and evictable, so that page-out
 * writes them to swap rather than drop them, and the cache keeps the swap
 * entry until the page is wanted again (vnode_page reads it back). Call
 * once, when the file system makes the vnode, before any page is cached.
 */
void vnode_cache_is_swapbacked(struct vnode *vn);

/*
 * vfs_written_limit - the pages the files of writable file systems (tmpfs)
 * may hold, in memory or on swap: half of RAM plus half of the swap areas
 * enabled now (Linux's tmpfs default of half of RAM, grown by the swap that
 * can take its pages).
 */
uint64_t vfs_written_limit(void);

/*
 * vnode_truncate - set the size of the regular file vn (fs/sys_truncate.c):
 * growing, the new bytes read as zeros; shrinking, the pages past the end
 * leave every address space that maps them (touching them is SIGBUS) and
 * are freed. Takes vn->lock (not held by the caller). Returns 0, -EISDIR,
 * -EINVAL (not a regular file, or its file system cannot), -EROFS, -EFBIG,
 * -ENOMEM.
 */
long vnode_truncate(struct vnode *vn, uint64_t size);

/* The vnode whose page cache obj is, or NULL if obj is another kind of object. */
struct vnode *vnode_of_object(struct vobject *obj);

/*
 * vnode_cache_truncate - the file shrinks from vn->size to size bytes (call
 * it before changing vn->size): drop the cached pages wholly past size that
 * nothing maps or holds, free the swap slots of pages wholly past size, and
 * zero the bytes of [size, vn->size) in the pages that stay (a process may
 * map them); the page holding byte size is read back from swap first if it
 * is there. vn->lock held. Returns 0, or -ENOMEM / -EIO (that read failed:
 * nothing was changed).
 */
int vnode_cache_truncate(struct vnode *vn, uint64_t size);

/*
 * vfs_drop_caches - drop up to `want` clean cached pages that no page table
 * maps and nobody holds (UINT64_MAX: all of them), as Linux's
 * /proc/sys/vm/drop_caches. Returns the frames freed. Skips vnodes whose
 * lock is held, so it may run from an allocation made under one.
 */
uint64_t vfs_drop_caches(uint64_t want);

/*
 * Unused vnodes kept by a file system for the next lookup (the root disk
 * keeps one per file it has seen): a file system registers, once at mount,
 * a function that forgets the ones nobody holds and returns how many it
 * freed; vfs_drop_vnodes() calls them all (drop_caches 2, as Linux drops
 * unused inodes).
 */
void vfs_register_vnode_dropper(uint64_t (*drop)(void));
uint64_t vfs_drop_vnodes(void);

/*
 * Permissions (fs/perm.c), as Linux's generic_permission: the owner's,
 * group's or others' bits of the mode by who the caller is (its fsuid,
 * fsgid and supplementary groups); root may read and write anything and
 * search any directory, and execute a file that has an execute bit.
 */
#define MAY_EXEC	1
#define MAY_WRITE	2
#define MAY_READ	4

struct cred;

/* May the current process access vn as mask (MAY_*) says? 0 or -EACCES. */
int vnode_permission(struct vnode *vn, int mask);

/* The same for credentials c (faccessat checks with the real ids). */
int vnode_permission_cred(const struct cred *c, struct vnode *vn, int mask);

/* A new vnode belongs to the current process's fsuid and fsgid. */
void vnode_set_owner(struct vnode *vn);

/*
 * May the current process remove or replace the entry for vn in dir? In
 * a sticky directory (S_ISVTX) only the owner of vn or of dir, or root.
 * 0 or -EPERM.
 */
int vnode_may_delete(struct vnode *dir, struct vnode *vn);

/*
 * vnode_chmod - set vn's permission bits (07777 of mode): its owner or
 * root; S_ISGID is dropped when a caller other than root is not in the
 * file's group. Errors: -EPERM, -EROFS.
 */
int vnode_chmod(struct vnode *vn, uint32_t mode);

/*
 * vnode_chown - set vn's owner and/or group (-1 keeps one): root may give
 * any; the owner may only set the group, to one it is in. A file's setuid
 * bit, and its setgid bit if it is group-executable, are dropped.
 * Errors: -EPERM, -EROFS.
 */
int vnode_chown(struct vnode *vn, uint32_t uid, uint32_t gid);

/*
 * vnode_utimens - set vn's access and modification times (ns since 1970,
 * or UTIME_NOW / UTIME_OMIT in the nsec of a timespec); times NULL means
 * both now. Now needs write permission or ownership, other times
 * ownership (root may do both). Errors: -EPERM, -EACCES, -EROFS.
 */
struct ktimespec;
#define UTIME_NOW	((1L << 30) - 1)
#define UTIME_OMIT	((1L << 30) - 2)
int vnode_utimens(struct vnode *vn, const int64_t times[2][2]);

#endif
