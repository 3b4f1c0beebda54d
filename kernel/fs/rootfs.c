/*
 * The root file system: a cpio (newc) archive on the first virtio disk,
 * read-only. fs/cpio.c indexes the archive at mount; this file gives its
 * nodes vnodes and fills their page caches from the disk.
 */
#include "fs/rootfs.h"
#include "dev/blk.h"
#include "fs/cpio.h"
#include "fs/vfs.h"
#include "vm/kmem.h"
#include "vm/reclaim.h"

#define BOUNCE_SECTORS	16
#define ROOTFS_DEV	1

static struct cpio_fs *fs;
static struct blkdev *disk;
static struct {
	const struct cpio_node *node;
	struct vnode *vn;
} *vtable;
static size_t vtable_size;		/* a power of two, > 2 * nodes */
static struct spinlock vtable_lock = SPINLOCK_INIT("rootfs vnodes");
static struct vnode *root_vnode;	/* the mount's root: never forgotten */

/* Read len bytes at byte offset off of the disk. */
static int disk_read(void *ctx, uint64_t off, void *buf, size_t len)
{
	char *bounce = kmalloc(BOUNCE_SECTORS * BLK_SECTOR_SIZE, 0);
	size_t done = 0;
	int err = 0;

	if (!bounce)
		return -ENOMEM;
	while (done < len && !err) {
		uint64_t pos = off + done;
		uint64_t sector = pos / BLK_SECTOR_SIZE;
		size_t skip = pos % BLK_SECTOR_SIZE;
		size_t n = MIN(len - done, BOUNCE_SECTORS * BLK_SECTOR_SIZE - skip);
		size_t nsect = ALIGN_UP(skip + n, BLK_SECTOR_SIZE) / BLK_SECTOR_SIZE;

		err = blk_read(disk, sector, bounce, nsect);
		if (!err)
			memcpy((char *)buf + done, bounce + skip, n);
		done += n;
	}
	kfree(bounce);
	return err;
}

static struct vnode *node_vnode(const struct cpio_node *node);

static int rootfs_lookup(struct vnode *dir, const char *name, size_t len,
			 struct vnode **out)
{
	const struct cpio_node *child;
	int err = cpio_lookup(fs, dir->priv, name, len, &child);

	if (err)
		return err;
	*out = node_vnode(child);
	if (!*out)
		return -ENOMEM;
	return 0;
}

static uint8_t dirent_type(uint32_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFDIR: return DT_DIR;
	case S_IFREG: return DT_REG;
	case S_IFLNK: return DT_LNK;
	case S_IFCHR: return DT_CHR;
	case S_IFIFO: return DT_FIFO;
	}
	return DT_UNKNOWN;
}

static int rootfs_readdir(struct vnode *dir, uint64_t *pos, struct vdirent *e)
{
	const struct cpio_node *c = cpio_child(dir->priv, *pos);

	if (!c)
		return 0;
	if (vdirent_set(e, c->ino, dirent_type(c->mode), c->name, c->namelen))
		return -EIO;		/* cpio_mount keeps names to CPIO_NAME_MAX */
	(*pos)++;
	return 1;
}

static int rootfs_readpage(struct vnode *vn, uint64_t idx, void *buf)
{
	const struct cpio_node *node = vn->priv;
	uint64_t off = idx << PAGE_SHIFT;
	int err;

	if (off >= node->size)
		return 0;		/* the page was zeroed */
	err = disk_read(NULL, node->data_off + off, buf,
			MIN(PAGE_SIZE, node->size - off));
	return err < 0 ? err : 1;	/* read from the disk */
}

/*
 * Pages idx .. idx + n - 1 of the file (all before its end) into pages[],
 * in one request: the data starts anywhere in a sector, so the frames are
 * read from the sector holding the first byte, one more frame (a scratch
 * one) when the data spills into it, then each page's bytes are moved down
 * to its start, the head of the next frame after them. Bytes past the end
 * of the file become zeros. -ENOMEM (no scratch frame) or -EINVAL (the
 * request is too large or passes the end of the disk): the caller reads
 * the pages one by one.
 */
static int rootfs_readpages(struct vnode *vn, uint64_t idx, struct page **pages,
			    unsigned int n)
{
	const struct cpio_node *node = vn->priv;
	uint64_t off = node->data_off + (idx << PAGE_SHIFT);
	uint64_t bytes = MIN((uint64_t)n << PAGE_SHIFT, node->size - (idx << PAGE_SHIFT));
	size_t skip = off % BLK_SECTOR_SIZE;
	unsigned int m = ALIGN_UP(skip + bytes, PAGE_SIZE) >> PAGE_SHIFT;
	struct page *frames[BLK_MAX_SECTORS * BLK_SECTOR_SIZE / PAGE_SIZE + 1];
	int err;

	if (m > blk_max_pages(disk))
		return -EINVAL;
	memcpy(frames, pages, n * sizeof(pages[0]));
	if (m > n && !(frames[n] = vm_page_try_alloc(0)))
		return -ENOMEM;
	err = blk_read_pages(disk, off / BLK_SECTOR_SIZE, frames, m);
	for (unsigned int k = 0; !err && skip && k < n; k++) {
		char *p = page_to_virt(frames[k]);

		memmove(p, p + skip, PAGE_SIZE - skip);
		if (k + 1 < m)
			memcpy(p + PAGE_SIZE - skip, page_to_virt(frames[k + 1]), skip);
	}
	if (!err && bytes % PAGE_SIZE)		/* the end of the file */
		memset((char *)page_to_virt(frames[n - 1]) + bytes % PAGE_SIZE, 0,
		       PAGE_SIZE - bytes % PAGE_SIZE);
	if (m > n)
		pmm_free(frames[n]);
	return err < 0 ? err : 1;
}

static long rootfs_readlink(struct vnode *vn, char *buf, size_t len)
{
	return cpio_readlink(vn->priv, buf, len);
}

static void rootfs_release(struct vnode *vn)
{
	kfree(vn->path);
	kfree(vn);
}

static const struct vnode_ops rootfs_ops = {
	.lookup = rootfs_lookup,
	.readdir = rootfs_readdir,
	.readpage = rootfs_readpage,
	.readpages = rootfs_readpages,
	.readlink = rootfs_readlink,
	.release = rootfs_release,
};

static enum vtype mode_vtype(uint32_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFDIR: return VDIR;
	case S_IFLNK: return VLNK;
	case S_IFREG: return VREG;
	case S_IFCHR: return VCHR;
	case S_IFIFO: return VFIFO;
	}
	return VNON;
}

/* The path of node, in a new string (for /proc/<pid>/maps), or NULL. */
static char *node_path(const struct cpio_node *node)
{
	char *buf = kmalloc(PATH_MAX, 0), *p;

	if (!buf)
		return NULL;
	p = buf + PATH_MAX - 1;
	*p = 0;
	for (; node->parent != node; node = node->parent) {
		size_t n = node->namelen;

		if ((size_t)(p - buf) < n + 1)
			break;
		p -= n;
		memcpy(p, node->name, n);
		*--p = '/';
	}
	p = kstrdup(p);		/* a path is short; the buffer is a page */
	kfree(buf);
	return p;
}

/*
 * The vnode of node: made on first use and kept in the table (a slot, once
 * given to a node, stays that node's), until rootfs_drop_vnodes forgets it
 * while nothing else holds it.
 */
static struct vnode *node_vnode(const struct cpio_node *node)
{
	size_t i = ((uintptr_t)node >> 4) & (vtable_size - 1);
	unsigned long flags = spin_lock_irqsave(&vtable_lock);
	struct vnode *vn;

	for (; vtable[i].node; i = (i + 1) & (vtable_size - 1)) {
		if (vtable[i].node != node)
			continue;
		vn = vtable[i].vn;
		if (!vn)
			break;		/* forgotten: make it again in this slot */
		vnode_get(vn);
		spin_unlock_irqrestore(&vtable_lock, flags);
		return vn;
	}
	vn = kmalloc(sizeof(*vn), KM_ZERO);
	if (vn) {
		vnode_init(vn, mode_vtype(node->mode), node->mode, &rootfs_ops);
		vn->priv = (void *)node;
		vn->ino = node->ino;
		vn->uid = node->uid;
		vn->gid = node->gid;
		vn->nlink = node->nlink;
		vn->size = node->size;
		vn->obj.size = node->size;
		vn->mtime = (int64_t)node->mtime * 1000000000LL;
		vn->atime = vn->ctime = vn->mtime;
		vn->dev = ROOTFS_DEV;
		if (vn->type == VREG)
			vnode_cache_is_clean(vn);	/* the disk holds every page */
		vtable[i].node = node;
		vtable[i].vn = vn;
		vnode_get(vn);		/* one for the table, one for the caller */
	}
	spin_unlock_irqrestore(&vtable_lock, flags);
	if (vn && vn->type == VREG)
		vn->path = node_path(node);
	return vn;
}

/*
 * Forget the vnodes only the table holds, as Linux's drop_caches 2 drops
 * unused inodes; a later lookup makes a new one. Returns how many went.
 * Nothing but node_vnode (under vtable_lock) hands out a reference to a
 * vnode the table alone holds.
 */
static uint64_t rootfs_drop_vnodes(void)
{
	uint64_t dropped = 0;

	for (size_t i = 0; i < vtable_size; i++) {
		unsigned long flags = spin_lock_irqsave(&vtable_lock);
		struct vnode *vn = vtable[i].vn;

		if (vn && vn != root_vnode &&
		    __atomic_load_n(&vn->obj.refs, __ATOMIC_ACQUIRE) == 1)
			vtable[i].vn = NULL;
		else
			vn = NULL;
		spin_unlock_irqrestore(&vtable_lock, flags);
		if (vn) {
			vnode_put(vn);
			dropped++;
		}
	}
	return dropped;
}

static char mount_what[32];	/* "/dev/vda cpio ro" for /proc/mounts */

int rootfs_mount(void)
{
	int err;

	disk = blk_root();
	if (!disk)
		return -ENODEV;
	err = blk_claim(disk, &fs);	/* mounted: no swapon on it */
	if (err)
		return err;
	err = cpio_mount(disk_read, NULL, blk_sectors(disk) * BLK_SECTOR_SIZE, &fs);
	if (err)
		return err;
	for (vtable_size = 64; vtable_size < 2 * (size_t)fs->nnodes + 2; )
		vtable_size *= 2;
	vtable = kmalloc(vtable_size * sizeof(*vtable), KM_ZERO);
	if (!vtable)
		return -ENOMEM;
	root_vnode = node_vnode(cpio_root(fs));
	if (!root_vnode)
		return -ENOMEM;
	vfs_register_vnode_dropper(rootfs_drop_vnodes);
	ksnprintf(mount_what, sizeof(mount_what), "/dev/%s cpio ro", blk_name(disk));
	return vfs_mount("/", root_vnode, mount_what);
}
