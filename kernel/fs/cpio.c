/*
 * cpio — the index over a newc archive. The contract is in cpio.h.
 *
 * A mount is one pass over the headers (scan_*), each entry becoming a node
 * or replacing one (entry_*), then one pass over the finished tree to join
 * hard links (links_*).
 *
 * Nodes are found through one hash of (parent, name) over the whole tree,
 * doubling as it fills, so both building the tree and looking a name up
 * take expected constant time per component however large a directory is.
 * Each directory also keeps its children in an array, in the order they
 * first appeared, for cpio_child(); nodes are replaced in place and never
 * leave that array except with their whole directory, so indices are stable.
 *
 * After every step of a mount the tree is consistent: every node is reached
 * from the root through the children arrays and every node but the root is
 * in the hash. So a failure anywhere ends by cpio_unmount() of what was
 * built. Trees are walked without recursion (tree_next, subtree_free): a
 * deep archive costs no kernel stack.
 */
#include "fs/cpio.h"
#include "vm/kmem.h"

#define CPIO_MIN_BUCKETS	64

/* The header's fields, in order after the 6-byte magic. */
enum {
	H_INO, H_MODE, H_UID, H_GID, H_NLINK, H_MTIME, H_FILESIZE,
	H_DEVMAJOR, H_DEVMINOR, H_RDEVMAJOR, H_RDEVMINOR, H_NAMESIZE, H_CHECK,
	H_NFIELDS
};

/* What an entry step returns besides 0 and -errno: skip this entry. */
#define ENTRY_SKIP	1

/* A mount in progress: the archive, and the entry just read. */
struct scan {
	struct cpio_fs *fs;
	cpio_read_fn read;
	void *ctx;
	uint64_t off;			/* the next header */
	uint32_t h[H_NFIELDS];		/* the entry's header fields */
	uint64_t data_off;		/* the entry's data */
	char *name;			/* its name: CPIO_PATH_MAX bytes */
	char *target;			/* a symlink's target once read */
};

/* A path component: scan.name[off, off + len). */
struct comp {
	uint16_t off, len;
};

/* ---------------------------------------------------------------- hash */

static uint32_t name_hash(const struct cpio_node *dir, const char *name,
			  size_t len)
{
	uint64_t h = 0xcbf29ce484222325ULL ^ ((uintptr_t)dir >> 4);

	for (size_t i = 0; i < len; i++) {
		h ^= (uint8_t)name[i];
		h *= 0x100000001b3ULL;
	}
	return (uint32_t)(h ^ (h >> 32));
}

static struct cpio_node **hash_bucket(const struct cpio_fs *fs, uint32_t h)
{
	return &fs->buckets[h & (fs->nbuckets - 1)];
}

/* The child of dir called name, or NULL. */
static struct cpio_node *hash_find(const struct cpio_fs *fs,
				   const struct cpio_node *dir,
				   const char *name, size_t len)
{
	uint32_t h = name_hash(dir, name, len);
	struct cpio_node *n;

	for (n = *hash_bucket(fs, h); n; n = n->hash_next)
		if (n->hash == h && n->parent == dir && n->namelen == len &&
		    memcmp(n->name, name, len) == 0)
			return n;
	return NULL;
}

/* Double the buckets. Returns 0 or -ENOMEM (and keeps the old ones). */
static int hash_grow(struct cpio_fs *fs)
{
	uint32_t nb = fs->nbuckets * 2;
	struct cpio_node **b = kmalloc(nb * sizeof(*b), KM_ZERO);
	struct cpio_node *n, *next;

	if (!b)
		return -ENOMEM;
	for (uint32_t i = 0; i < fs->nbuckets; i++) {
		for (n = fs->buckets[i]; n; n = next) {
			next = n->hash_next;
			n->hash_next = b[n->hash & (nb - 1)];
			b[n->hash & (nb - 1)] = n;
		}
	}
	kfree(fs->buckets);
	fs->buckets = b;
	fs->nbuckets = nb;
	return 0;
}

static void hash_remove(struct cpio_fs *fs, struct cpio_node *n)
{
	struct cpio_node **pp = hash_bucket(fs, n->hash);

	while (*pp != n) {
		if (!*pp)
			panic("cpio: node %s not in the hash", n->name);
		pp = &(*pp)->hash_next;
	}
	*pp = n->hash_next;
	fs->nhashed--;
}

/* ---------------------------------------------------------------- nodes */

/*
 * A new unlinked node called name, with a fresh ino and zeroed attributes,
 * or NULL if that would break CPIO_MAX_NODES or CPIO_MAX_INDEX or kmalloc
 * fails.
 */
static struct cpio_node *node_alloc(struct cpio_fs *fs, const char *name,
				    size_t len)
{
	size_t bytes = sizeof(struct cpio_node) + len + 1;
	struct cpio_node *n;

	if (fs->nnodes >= CPIO_MAX_NODES ||
	    fs->index_bytes + bytes > CPIO_MAX_INDEX)
		return NULL;
	n = kmalloc(bytes, KM_ZERO);
	if (!n)
		return NULL;
	memcpy(n->name, name, len);
	n->name[len] = 0;
	n->namelen = (uint16_t)len;
	n->ino = fs->next_ino++;
	n->parent = n;
	fs->nnodes++;
	fs->index_bytes += bytes;
	return n;
}

/* Free a symlink target counted in index_bytes; NULL is ignored. */
static void target_free(struct cpio_fs *fs, char *target)
{
	if (target) {
		fs->index_bytes -= strlen(target) + 1;
		kfree(target);
	}
}

/* Free node n, which has no children left and is out of the hash. */
static void node_free(struct cpio_fs *fs, struct cpio_node *n)
{
	fs->nnodes--;
	fs->index_bytes -= sizeof(*n) + n->namelen + 1;
	target_free(fs, n->target);
	kfree(n->children);
	kfree(n);
}

/*
 * Make child (unlinked) the last child of directory dir and put it in the
 * hash. Returns 0, or -ENOMEM with child still unlinked.
 */
static int dir_link(struct cpio_fs *fs, struct cpio_node *dir,
		    struct cpio_node *child)
{
	if (dir->nchildren == dir->capacity) {
		uint32_t cap = dir->capacity ? dir->capacity * 2 : 4;
		struct cpio_node **c = kmalloc(cap * sizeof(*c), 0);

		if (!c)
			return -ENOMEM;
		if (dir->nchildren)
			memcpy(c, dir->children, dir->nchildren * sizeof(*c));
		kfree(dir->children);
		dir->children = c;
		dir->capacity = cap;
	}
	if (fs->nhashed >= fs->nbuckets && hash_grow(fs) != 0)
		return -ENOMEM;
	child->parent = dir;
	child->index = dir->nchildren;
	dir->children[dir->nchildren++] = child;
	child->hash = name_hash(dir, child->name, child->namelen);
	child->hash_next = *hash_bucket(fs, child->hash);
	*hash_bucket(fs, child->hash) = child;
	fs->nhashed++;
	return 0;
}

/* The node after n in depth-first order from the root, or NULL. */
static struct cpio_node *tree_next(const struct cpio_fs *fs,
				   const struct cpio_node *n)
{
	if (n->nchildren)
		return n->children[0];
	while (n != fs->root) {
		const struct cpio_node *p = n->parent;

		if (n->index + 1 < p->nchildren)
			return p->children[n->index + 1];
		n = p;
	}
	return NULL;
}

/*
 * Free every descendant of top (not top itself), taking each out of the
 * hash if unhash (unmount frees the hash whole instead). Post-order, each
 * directory's children from the last, so no array is ever shifted.
 */
static void subtree_free(struct cpio_fs *fs, struct cpio_node *top,
			 bool unhash)
{
	struct cpio_node *n = top, *p;

	for (;;) {
		while (n->nchildren)
			n = n->children[n->nchildren - 1];
		if (n == top)
			break;
		p = n->parent;
		p->nchildren--;
		if (unhash)
			hash_remove(fs, n);
		node_free(fs, n);
		n = p;
	}
	kfree(top->children);
	top->children = NULL;
	top->capacity = 0;
}

static bool type_valid(uint32_t mode)
{
	switch (mode & CPIO_S_IFMT) {
	case CPIO_S_IFREG: case CPIO_S_IFDIR: case CPIO_S_IFLNK:
	case CPIO_S_IFCHR: case CPIO_S_IFBLK: case CPIO_S_IFIFO:
	case CPIO_S_IFSOCK:
		return true;
	default:
		return false;
	}
}

/* ---------------------------------------------------------------- scan */

/* Read [off, off + len) of the archive, which the caller has bounded. */
static int scan_read(struct scan *s, uint64_t off, void *buf, size_t len)
{
	if (off > s->fs->size || len > s->fs->size - off || len > CPIO_PATH_MAX)
		panic("cpio: read of %zu bytes at %llu outside the archive",
		      len, (unsigned long long)off);
	return s->read(s->ctx, off, buf, len) == 0 ? 0 : -EIO;
}

static int hex8(const char *p, uint32_t *out)
{
	uint32_t v = 0, d;

	for (int i = 0; i < 8; i++) {
		char c = p[i];

		if (c >= '0' && c <= '9')
			d = (uint32_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			d = (uint32_t)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			d = (uint32_t)(c - 'A' + 10);
		else
			return -EINVAL;
		v = v << 4 | d;
	}
	*out = v;
	return 0;
}

/*
 * Read the header and name at s->off, check their framing, and move s->off
 * to the next header. Returns 0, -EINVAL (framing) or -EIO.
 */
static int scan_header(struct scan *s)
{
	uint64_t size = s->fs->size, name_off;
	char hdr[CPIO_HEADER_SIZE];
	uint32_t namesize, filesize;
	int err;

	if (size - s->off < CPIO_HEADER_SIZE)
		return -EINVAL;
	err = scan_read(s, s->off, hdr, CPIO_HEADER_SIZE);
	if (err)
		return err;
	if (memcmp(hdr, "070701", 6) != 0 && memcmp(hdr, "070702", 6) != 0)
		return -EINVAL;
	for (int i = 0; i < H_NFIELDS; i++)
		if (hex8(hdr + 6 + 8 * i, &s->h[i]) != 0)
			return -EINVAL;
	namesize = s->h[H_NAMESIZE];
	filesize = s->h[H_FILESIZE];
	name_off = s->off + CPIO_HEADER_SIZE;
	if (namesize == 0 || namesize > CPIO_PATH_MAX || namesize > size - name_off)
		return -EINVAL;
	err = scan_read(s, name_off, s->name, namesize);
	if (err)
		return err;
	if (strnlen(s->name, namesize) != namesize - 1)
		return -EINVAL;
	s->data_off = ALIGN_UP(name_off + namesize, 4);
	if (s->data_off > size) {	/* the name's padding is cut off */
		if (filesize)
			return -EINVAL;
		s->data_off = size;
	}
	if (filesize > size - s->data_off)
		return -EINVAL;
	s->off = MIN(ALIGN_UP(s->data_off + filesize, 4), size);
	return 0;
}

/*
 * Split s->name into components, dropping empty and "." ones. Returns 0, or
 * ENTRY_SKIP for "..", a component above CPIO_NAME_MAX or a path deeper
 * than CPIO_MAX_DEPTH.
 */
static int path_split(const char *name, struct comp *c, int *ncomp)
{
	size_t i = 0, start, len;
	int n = 0;

	while (name[i]) {
		while (name[i] == '/')
			i++;
		start = i;
		while (name[i] && name[i] != '/')
			i++;
		len = i - start;
		if (len == 0 || (len == 1 && name[start] == '.'))
			continue;
		if (len == 2 && name[start] == '.' && name[start + 1] == '.')
			return ENTRY_SKIP;
		if (len > CPIO_NAME_MAX || n == CPIO_MAX_DEPTH)
			return ENTRY_SKIP;
		c[n].off = (uint16_t)start;
		c[n].len = (uint16_t)len;
		n++;
	}
	*ncomp = n;
	return 0;
}

/*
 * Read a symlink entry's target into s->target. Returns 0, ENTRY_SKIP (an
 * empty or too long target, or one holding a NUL), -ENOMEM or -EIO.
 */
static int scan_target(struct scan *s)
{
	struct cpio_fs *fs = s->fs;
	uint32_t size = s->h[H_FILESIZE];
	char *t;
	int err;

	if (size == 0 || size > CPIO_SYMLINK_MAX)
		return ENTRY_SKIP;
	if (fs->index_bytes + size + 1 > CPIO_MAX_INDEX)
		return -ENOMEM;
	t = kmalloc(size + 1, 0);
	if (!t)
		return -ENOMEM;
	err = scan_read(s, s->data_off, t, size);
	t[size] = 0;
	if (err == 0 && strlen(t) != size)
		err = ENTRY_SKIP;
	if (err) {
		kfree(t);
		return err;
	}
	fs->index_bytes += size + 1;
	s->target = t;
	return 0;
}

/* ---------------------------------------------------------------- entries */

/* Give node n the attributes of the entry just read (and its target). */
static void entry_set(struct scan *s, struct cpio_node *n)
{
	uint32_t type = s->h[H_MODE] & CPIO_S_IFMT;

	n->mode = s->h[H_MODE];
	n->uid = s->h[H_UID];
	n->gid = s->h[H_GID];
	n->nlink = s->h[H_NLINK];
	n->mtime = s->h[H_MTIME];
	n->rdev_major = s->h[H_RDEVMAJOR];
	n->rdev_minor = s->h[H_RDEVMINOR];
	n->arc_ino = s->h[H_INO];
	n->arc_devmajor = s->h[H_DEVMAJOR];
	n->arc_devminor = s->h[H_DEVMINOR];
	n->seq = s->fs->nentries;
	n->data_off = s->data_off;
	n->size = 0;
	if (type == CPIO_S_IFREG || type == CPIO_S_IFLNK)
		n->size = s->h[H_FILESIZE];
	target_free(s->fs, n->target);
	n->target = s->target;
	s->target = NULL;
}

/*
 * Find the directory that holds the last of the ncomp components, creating
 * the missing ones before it as implied directories. Returns 0 with *dirp
 * set, ENTRY_SKIP if a component is an existing non-directory, or -ENOMEM.
 * Once one directory is created, those after it are new too, so a skip
 * never leaves implied directories behind.
 */
static int entry_parent(struct scan *s, const struct comp *c, int ncomp,
			struct cpio_node **dirp)
{
	struct cpio_fs *fs = s->fs;
	struct cpio_node *dir = fs->root, *next;

	for (int i = 0; i < ncomp - 1; i++) {
		const char *name = s->name + c[i].off;

		next = hash_find(fs, dir, name, c[i].len);
		if (next && !cpio_is_dir(next))
			return ENTRY_SKIP;
		if (!next) {
			next = node_alloc(fs, name, c[i].len);
			if (!next)
				return -ENOMEM;
			next->mode = CPIO_S_IFDIR | 0755;
			next->nlink = 2;
			next->mtime = s->h[H_MTIME];
			next->seq = fs->nentries;
			if (dir_link(fs, dir, next) != 0) {
				node_free(fs, next);
				return -ENOMEM;
			}
		}
		dir = next;
	}
	*dirp = dir;
	return 0;
}

/*
 * Add the entry just read to the tree, or replace the node at its path.
 * Returns 0, ENTRY_SKIP, or -ENOMEM / -EIO.
 */
static int entry_add(struct scan *s)
{
	struct cpio_fs *fs = s->fs;
	uint32_t type = s->h[H_MODE] & CPIO_S_IFMT;
	struct comp c[CPIO_MAX_DEPTH];
	struct cpio_node *dir, *n;
	const char *name;
	int ncomp, err;

	if (!type_valid(type) || path_split(s->name, c, &ncomp) != 0)
		return ENTRY_SKIP;
	if (ncomp == 0) {		/* ".", "/": the root */
		if (type != CPIO_S_IFDIR)
			return ENTRY_SKIP;
		entry_set(s, fs->root);
		return 0;
	}
	if (type == CPIO_S_IFLNK && (err = scan_target(s)) != 0)
		return err;
	err = entry_parent(s, c, ncomp, &dir);
	if (err)
		return err;
	name = s->name + c[ncomp - 1].off;
	n = hash_find(fs, dir, name, c[ncomp - 1].len);
	if (n) {
		if (cpio_is_dir(n) && type != CPIO_S_IFDIR)
			subtree_free(fs, n, true);
		entry_set(s, n);
		return 0;
	}
	n = node_alloc(fs, name, c[ncomp - 1].len);
	if (!n)
		return -ENOMEM;
	entry_set(s, n);
	if (dir_link(fs, dir, n) != 0) {
		node_free(fs, n);
		return -ENOMEM;
	}
	return 0;
}

/* Read every entry up to the trailer or the end. Returns 0 or -errno. */
static int scan_all(struct scan *s)
{
	struct cpio_fs *fs = s->fs;
	int err;

	for (;;) {
		if (s->off == fs->size)
			return 0;		/* no trailer */
		if (fs->nentries == CPIO_MAX_ENTRIES)
			return -EINVAL;
		fs->nentries++;
		err = scan_header(s);
		if (err)
			return err;
		if (strcmp(s->name, "TRAILER!!!") == 0)
			return 0;
		err = entry_add(s);
		target_free(fs, s->target);	/* not taken by a node */
		s->target = NULL;
		if (err < 0)
			return err;
		if (err == ENTRY_SKIP)
			fs->nskipped++;
	}
}

/* ---------------------------------------------------------------- links */

static bool link_candidate(const struct cpio_node *n)
{
	return cpio_is_reg(n) && n->nlink > 1;
}

static bool link_same(const struct cpio_node *a, const struct cpio_node *b)
{
	return a->arc_devmajor == b->arc_devmajor &&
	       a->arc_devminor == b->arc_devminor && a->arc_ino == b->arc_ino;
}

/* Order by (devmajor, devminor, ino), then archive order. */
static bool link_before(const struct cpio_node *a, const struct cpio_node *b)
{
	if (a->arc_devmajor != b->arc_devmajor)
		return a->arc_devmajor < b->arc_devmajor;
	if (a->arc_devminor != b->arc_devminor)
		return a->arc_devminor < b->arc_devminor;
	if (a->arc_ino != b->arc_ino)
		return a->arc_ino < b->arc_ino;
	return a->seq < b->seq;
}

static void links_sift(struct cpio_node **v, size_t i, size_t n)
{
	for (;;) {
		size_t big = i, l = 2 * i + 1, r = l + 1;
		struct cpio_node *t;

		if (l < n && link_before(v[big], v[l]))
			big = l;
		if (r < n && link_before(v[big], v[r]))
			big = r;
		if (big == i)
			return;
		t = v[i];
		v[i] = v[big];
		v[big] = t;
		i = big;
	}
}

/* Heap sort: no recursion, no extra memory. */
static void links_sort(struct cpio_node **v, size_t n)
{
	struct cpio_node *t;

	for (size_t i = n / 2; i-- > 0;)
		links_sift(v, i, n);
	for (size_t end = n; end-- > 1;) {
		t = v[0];
		v[0] = v[end];
		v[end] = t;
		links_sift(v, 0, end);
	}
}

/* One hard-link group, in archive order: one ino, the last data. */
static void links_join(struct cpio_node **v, size_t n)
{
	struct cpio_node *data = NULL;

	for (size_t i = 0; i < n; i++)
		if (v[i]->size)
			data = v[i];
	for (size_t i = 0; i < n; i++) {
		v[i]->ino = v[0]->ino;
		if (data && v[i]->size == 0) {
			v[i]->size = data->size;
			v[i]->data_off = data->data_off;
		}
	}
}

/* Join the hard links of the finished tree. Returns 0 or -ENOMEM. */
static int links_resolve(struct cpio_fs *fs)
{
	struct cpio_node *n, **v;
	size_t count = 0, i, j;

	for (n = fs->root; n; n = tree_next(fs, n))
		count += link_candidate(n);
	if (count < 2)
		return 0;
	v = kmalloc(count * sizeof(*v), 0);
	if (!v)
		return -ENOMEM;
	count = 0;
	for (n = fs->root; n; n = tree_next(fs, n))
		if (link_candidate(n))
			v[count++] = n;
	links_sort(v, count);
	for (i = 0; i < count; i = j) {
		for (j = i + 1; j < count && link_same(v[i], v[j]); j++)
			;
		links_join(v + i, j - i);
	}
	kfree(v);
	return 0;
}

/* ---------------------------------------------------------------- the API */

int cpio_mount(cpio_read_fn read, void *ctx, uint64_t size,
	       struct cpio_fs **fsp)
{
	struct scan s = { .read = read, .ctx = ctx };
	struct cpio_fs *fs;
	int err = -ENOMEM;

	if (size > CPIO_MAX_SIZE)
		return -EINVAL;
	fs = kmalloc(sizeof(*fs), KM_ZERO);
	if (!fs)
		return -ENOMEM;
	fs->size = size;
	fs->next_ino = 1;
	s.fs = fs;
	s.name = kmalloc(CPIO_PATH_MAX, 0);
	fs->buckets = kmalloc(CPIO_MIN_BUCKETS * sizeof(*fs->buckets), KM_ZERO);
	fs->root = node_alloc(fs, "", 0);
	if (!s.name || !fs->buckets || !fs->root)
		goto fail;
	fs->nbuckets = CPIO_MIN_BUCKETS;
	fs->root->mode = CPIO_S_IFDIR | 0755;
	fs->root->nlink = 2;
	err = scan_all(&s);
	if (err)
		goto fail;
	err = links_resolve(fs);
	if (err)
		goto fail;
	kfree(s.name);
	*fsp = fs;
	return 0;
fail:
	kfree(s.name);
	cpio_unmount(fs);
	return err;
}

void cpio_unmount(struct cpio_fs *fs)
{
	if (!fs)
		return;
	if (fs->root) {
		subtree_free(fs, fs->root, false);
		node_free(fs, fs->root);
	}
	kfree(fs->buckets);
	kfree(fs);
}

const struct cpio_node *cpio_root(const struct cpio_fs *fs)
{
	return fs->root;
}

int cpio_lookup(const struct cpio_fs *fs, const struct cpio_node *dir,
		const char *name, size_t len, const struct cpio_node **out)
{
	const struct cpio_node *n;

	if (!cpio_is_dir(dir))
		return -ENOTDIR;
	if (len > CPIO_NAME_MAX)
		return -ENAMETOOLONG;
	if (len == 0)
		return -ENOENT;
	if (len == 1 && name[0] == '.') {
		n = dir;
	} else if (len == 2 && name[0] == '.' && name[1] == '.') {
		n = dir->parent;
	} else {
		n = hash_find(fs, dir, name, len);
		if (!n)
			return -ENOENT;
	}
	*out = n;
	return 0;
}

const struct cpio_node *cpio_child(const struct cpio_node *dir, size_t index)
{
	if (!cpio_is_dir(dir) || index >= dir->nchildren)
		return NULL;
	return dir->children[index];
}

long cpio_readlink(const struct cpio_node *node, char *buf, size_t bufsize)
{
	size_t n;

	if (!cpio_is_symlink(node) || !node->target)
		return -EINVAL;
	n = MIN(node->size, bufsize);
	memcpy(buf, node->target, n);
	return (long)n;
}

int cpio_walk(const struct cpio_fs *fs, const char *path,
	      const struct cpio_node **out)
{
	const struct cpio_node *n = fs->root;
	const char *p = path, *q;
	size_t len;
	int err;

	if (path[0] != '/')
		return -EINVAL;
	len = strnlen(path, CPIO_PATH_MAX);
	if (len == CPIO_PATH_MAX)
		return -ENAMETOOLONG;
	for (;;) {
		while (*p == '/')
			p++;
		if (!*p)
			break;
		for (q = p; *q && *q != '/'; q++)
			;
		err = cpio_lookup(fs, n, p, (size_t)(q - p), &n);
		if (err)
			return err;
		p = q;
	}
	if (path[len - 1] == '/' && !cpio_is_dir(n))
		return -ENOTDIR;
	*out = n;
	return 0;
}

/* The checks of one node for cpio_check(); panics if one fails. */
static void node_check(const struct cpio_fs *fs, const struct cpio_node *n)
{
	const struct cpio_node *p = n->parent;
	const char *bad = NULL;

	if (n == fs->root) {
		if (p != n || n->namelen != 0 || !cpio_is_dir(n))
			bad = "malformed root";
	} else if (!cpio_is_dir(p) || n->index >= p->nchildren ||
		   p->children[n->index] != n) {
		bad = "not its parent's child at its index";
	} else if (n->namelen == 0 || n->namelen > CPIO_NAME_MAX ||
		   strlen(n->name) != n->namelen || strchr(n->name, '/') ||
		   strcmp(n->name, ".") == 0 || strcmp(n->name, "..") == 0) {
		bad = "bad name";
	} else if (hash_find(fs, p, n->name, n->namelen) != n) {
		bad = "not found by its name";
	}
	if (!bad && !type_valid(n->mode))
		bad = "bad type";
	if (!bad && (n->nchildren > n->capacity ||
		     (!cpio_is_dir(n) && n->nchildren)))
		bad = "bad children";
	if (!bad && (n->data_off > fs->size || n->size > fs->size - n->data_off))
		bad = "data outside the archive";
	if (!bad && !cpio_is_reg(n) && !cpio_is_symlink(n) && n->size)
		bad = "size on a file without data";
	if (!bad && (cpio_is_symlink(n) ?
		     !n->target || !n->size || strlen(n->target) != n->size :
		     n->target != NULL))
		bad = "bad symlink target";
	if (bad)
		panic("cpio_check: node '%s' (ino %llu): %s", n->name,
		      (unsigned long long)n->ino, bad);
}

int cpio_check(const struct cpio_fs *fs)
{
	const struct cpio_node *n;
	uint32_t count = 0, hashed = 0;

	for (n = fs->root; n; n = tree_next(fs, n)) {
		node_check(fs, n);
		if (++count > fs->nnodes)
			break;
	}
	for (uint32_t i = 0; i < fs->nbuckets; i++)
		for (n = fs->buckets[i]; n && hashed <= fs->nhashed; n = n->hash_next)
			hashed++;
	if (count != fs->nnodes || hashed != fs->nhashed || hashed + 1 != count)
		panic("cpio_check: %u nodes in the tree, %u in the hash, %u counted",
		      count, hashed, fs->nnodes);
	if (fs->nnodes > CPIO_MAX_NODES || fs->index_bytes > CPIO_MAX_INDEX)
		panic("cpio_check: over the limits");
	return 0;
}
