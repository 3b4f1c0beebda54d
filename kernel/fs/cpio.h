/*
 * cpio — an index over a cpio "newc" archive, the root file system.
 *
 * The archive is what `cpio -o -H newc` writes: a sequence of entries, each
 * a 110-byte ASCII header, the entry's path name and its data, ended by an
 * entry named "TRAILER!!!":
 *
 *	"070701"  magic ("070702", the checksummed variant, is accepted too;
 *	          its checksum is not verified)
 *	13 fields of 8 hex digits: ino, mode, uid, gid, nlink, mtime, filesize,
 *	          devmajor, devminor, rdevmajor, rdevminor, namesize, check
 *	name      namesize bytes, the last one NUL; header + name padded to 4
 *	data      filesize bytes, padded to 4
 *
 * cpio_mount() reads every header and name once through a read callback
 * (never the data of a regular file; a symlink's data, its target, is read
 * and kept) and builds a tree of nodes in kmalloc'd memory. The tree is
 * read-only afterwards, so any number of harts may use it at once without
 * a lock; cpio_unmount() frees it all.
 *
 * Paths. A name may start with "/" or "./"; empty and "." components are
 * dropped, so ".", "/" and "./" name the root itself. A directory that a
 * path passes through but that has no entry of its own is created with mode
 * 040755, nlink 2, uid and gid 0 and the mtime of the entry that implied it.
 * A later entry for a path replaces the earlier one in place (same ino,
 * same position in its directory); a directory replaced by a non-directory
 * loses its whole subtree.
 *
 * Entries that are well framed but cannot become nodes are skipped (and
 * counted in nskipped), the scan going on with the next header:
 *	- a ".." component, a component longer than CPIO_NAME_MAX, more than
 *	  CPIO_MAX_DEPTH components;
 *	- a file type other than the seven of CPIO_S_IF*, or a root entry that
 *	  is not a directory;
 *	- a path through an existing non-directory ("f/x" after file "f");
 *	- a symlink whose target is empty, longer than CPIO_SYMLINK_MAX or
 *	  holds a NUL byte.
 * Framing errors fail the mount with -EINVAL, since nothing after them can
 * be trusted: bad magic, a non-hex digit, namesize 0 or above CPIO_PATH_MAX,
 * a name not ending in its NUL or holding an earlier one, a name or data
 * running past the end of the archive, a partial header.
 *
 * The end. The archive ends at the trailer entry; anything after it (block
 * padding, a disk's unused sectors) is never read. An archive without a
 * trailer ends where its last entry ends, if that is exactly its size (the
 * last entry's padding may be missing); else the partial header is an error.
 *
 * Hard links. newc writes every link of a file with the same ino and
 * nlink > 1, and the data only with the last one; the others have filesize
 * 0. After the scan, regular files with nlink > 1 are grouped by (devmajor,
 * devminor, ino): every member of a group shares one ino, and a member
 * without data takes the size and data offset of the group's last member
 * (in archive order) that has data.
 *
 * Inode numbers are not the archive's: they are generated, unique within
 * the file system (the root is 1), shared only by hard links.
 *
 * Machine-independent: compiles on the host against host/env/env.h.
 */
#ifndef KILBURN_CPIO_H
#define KILBURN_CPIO_H

#include "env.h"

/* File types in cpio_node.mode (the values of Linux's stat.h). */
#define CPIO_S_IFMT		0170000
#define CPIO_S_IFSOCK		0140000
#define CPIO_S_IFLNK		0120000
#define CPIO_S_IFREG		0100000
#define CPIO_S_IFBLK		0060000
#define CPIO_S_IFDIR		0040000
#define CPIO_S_IFCHR		0020000
#define CPIO_S_IFIFO		0010000

#define CPIO_HEADER_SIZE	110

/*
 * Limits. They bound the memory and the time a mount may take whatever the
 * disk holds: at most CPIO_MAX_NODES nodes whose structures, names and
 * symlink targets take at most CPIO_MAX_INDEX bytes (children arrays and
 * hash buckets add at most 32 bytes per node more), and at most
 * CPIO_MAX_ENTRIES headers read. An empty archive (size 0) is an empty root.
 */
#define CPIO_MAX_SIZE		(1ULL << 34)	/* largest archive: 16 GiB */
#define CPIO_MAX_ENTRIES	(1U << 18)	/* headers, the trailer included */
#define CPIO_MAX_NODES		(1U << 16)	/* nodes, the root and implied dirs included */
#define CPIO_MAX_INDEX		(24UL << 20)	/* bytes of nodes, names and targets */
#define CPIO_PATH_MAX		4096		/* largest namesize, its NUL included */
#define CPIO_NAME_MAX		255		/* longest path component */
#define CPIO_MAX_DEPTH		64		/* most components in a path */
#define CPIO_SYMLINK_MAX	4095		/* longest symlink target */

/*
 * A file, directory, symlink or special file. Every field is read-only once
 * cpio_mount() has returned; the ones marked private are cpio.c's.
 */
struct cpio_node {
	uint64_t ino;			/* generated; unique but for hard links */
	uint64_t size;			/* data bytes: regular files, symlinks; else 0 */
	uint64_t data_off;		/* where the data starts in the archive */
	uint64_t mtime;			/* seconds since 1970, as stored */
	uint32_t mode;			/* CPIO_S_IF* type | permission bits, as stored */
	uint32_t uid, gid;		/* as stored */
	uint32_t nlink;			/* as stored; 2 for implied directories */
	uint32_t rdev_major;		/* character and block devices */
	uint32_t rdev_minor;
	char *target;			/* symlinks: size bytes + NUL; else NULL */

	struct cpio_node *parent;	/* the root's parent is the root */
	struct cpio_node **children;	/* directories: in archive order */
	uint32_t nchildren;
	uint32_t index;			/* this node is parent->children[index] */

	/* private */
	uint32_t capacity;		/* slots in children */
	uint32_t hash;			/* of (parent, name) */
	struct cpio_node *hash_next;	/* next node in the same bucket */
	uint32_t arc_ino;		/* the archive's ino, devmajor, devminor */
	uint32_t arc_devmajor;
	uint32_t arc_devminor;
	uint32_t seq;			/* number of the header it came from */
	uint16_t namelen;
	char name[];			/* the path component + NUL; "" for the root */
};

/*
 * A mounted archive. Read-only after cpio_mount(); the fields marked private
 * are cpio.c's.
 */
struct cpio_fs {
	uint64_t size;			/* bytes of archive */
	struct cpio_node *root;
	uint32_t nnodes;		/* nodes in the tree, the root included */
	uint32_t nentries;		/* headers read, the trailer included */
	uint32_t nskipped;		/* well-framed entries skipped (see above) */

	/* private */
	struct cpio_node **buckets;	/* hash of every node but the root */
	uint32_t nbuckets;		/* a power of two */
	uint32_t nhashed;
	uint64_t next_ino;
	uint64_t index_bytes;		/* counted against CPIO_MAX_INDEX */
};

/*
 * The read callback: copy len bytes at byte off of the archive into buf and
 * return 0, or return non-zero if that fails. cpio calls it only with
 * off + len <= the size given to cpio_mount(), and len <= CPIO_PATH_MAX.
 */
typedef int (*cpio_read_fn)(void *ctx, uint64_t off, void *buf, size_t len);

/*
 * cpio_mount - index the archive of size bytes that read(ctx, ...) reads,
 * as described at the top of this file, and set *fsp to the result, which
 * the caller owns and gives back with cpio_unmount(). Reads each header and
 * name once, and symlink targets; may sleep if read does; not reentrant for
 * the same read context unless read is.
 * Returns 0, or with *fsp untouched and nothing left allocated:
 *	-EINVAL	a framing error, size above CPIO_MAX_SIZE, or more than
 *		CPIO_MAX_ENTRIES headers;
 *	-ENOMEM	kmalloc failed, or the tree would have more than
 *		CPIO_MAX_NODES nodes or CPIO_MAX_INDEX bytes;
 *	-EIO	the read callback failed.
 */
int cpio_mount(cpio_read_fn read, void *ctx, uint64_t size,
	       struct cpio_fs **fsp);

/* cpio_unmount - free fs and every node; its node pointers die with it. */
void cpio_unmount(struct cpio_fs *fs);

/* cpio_root - the root directory of fs. */
const struct cpio_node *cpio_root(const struct cpio_fs *fs);

/*
 * cpio_lookup - the entry called name (len bytes, no NUL needed) in
 * directory dir; "." is dir, ".." its parent (the root's is the root).
 * Expected constant time: a hash over (directory, name). Sets *out and
 * returns 0, or returns -ENOTDIR (dir is not a directory), -ENAMETOOLONG
 * (len > CPIO_NAME_MAX) or -ENOENT (no such entry; also for len 0).
 */
int cpio_lookup(const struct cpio_fs *fs, const struct cpio_node *dir,
		const char *name, size_t len, const struct cpio_node **out);

/*
 * cpio_child - the child at index (0, 1, ...) of directory dir, or NULL
 * past the last one or if dir is not a directory. The order is the order
 * the entries first appear in the archive; it never changes, so a reader
 * of a directory (getdents) may stop and resume at any index.
 */
const struct cpio_node *cpio_child(const struct cpio_node *dir, size_t index);

/*
 * cpio_readlink - copy symlink node's target into buf, at most bufsize
 * bytes and without a NUL, as readlink(2) does. Returns the bytes copied,
 * or -EINVAL if node is not a symlink.
 */
long cpio_readlink(const struct cpio_node *node, char *buf, size_t bufsize);

/*
 * cpio_walk - resolve an absolute path through cpio_lookup() without
 * following symlinks (a convenience for tests and early boot; the VFS walks
 * paths itself). Empty components are skipped; "." and ".." work as in
 * cpio_lookup(). A path ending in "/" must name a directory. Sets *out and
 * returns 0, or returns -EINVAL (path does not start with "/"),
 * -ENAMETOOLONG (path of CPIO_PATH_MAX bytes or more, or a component longer
 * than CPIO_NAME_MAX), -ENOTDIR or -ENOENT.
 */
int cpio_walk(const struct cpio_fs *fs, const char *path,
	      const struct cpio_node **out);

/*
 * cpio_check - verify fs's invariants: every node is its parent's child at
 * its index, is found by lookup of its name (so names are unique in each
 * directory), has a valid name, type and target, data inside the archive,
 * and no children unless a directory; the node and hash counts agree.
 * Returns 0 or panics naming the node and the broken invariant. Time linear
 * in the nodes; for tests and debug assertions.
 */
int cpio_check(const struct cpio_fs *fs);

static inline bool cpio_is_dir(const struct cpio_node *n)
{
	return (n->mode & CPIO_S_IFMT) == CPIO_S_IFDIR;
}

static inline bool cpio_is_reg(const struct cpio_node *n)
{
	return (n->mode & CPIO_S_IFMT) == CPIO_S_IFREG;
}

static inline bool cpio_is_symlink(const struct cpio_node *n)
{
	return (n->mode & CPIO_S_IFMT) == CPIO_S_IFLNK;
}

#endif
