/*
 * cpio: the root file-system index (kernel/fs/cpio.c) on the real pmm and
 * kmem over 128 MiB of fake RAM.
 *
 * Archives come from two places: the cpio tool, run on directory trees the
 * tests build under /tmp (every node is then checked against lstat() and
 * the file's bytes on disk), and a small newc writer below for entries the
 * tool would never write. The archive is always in a malloc'd buffer of its
 * exact size, read through a callback that refuses anything outside it, so
 * AddressSanitizer and the callback both catch a stray read. Every test ends
 * by checking that unmount, or a failed mount, gave every frame back.
 */
#define _GNU_SOURCE		/* memmem */
#include "test.h"
#include "fs/cpio.h"
#include "vm/kmem.h"
#include "vm/pmm.h"
#include "kmem_env.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#define RAM_BASE	0x80000000UL
#define RAM_SIZE	(128UL << 20)

static uint64_t rng_state;
static uint64_t rng(void)
{
	return test_xorshift(&rng_state);
}

/* ------------------------------------------------------------ the disk */

/* An archive in memory, and what its reader saw. */
struct mem {
	uint8_t *buf;			/* malloc'd, exactly size bytes */
	size_t size;
	long reads;			/* calls of mem_read */
	long fail_at;			/* fail the read with this number (1..) */
	long outside;			/* reads asked beyond the end */
	uint64_t (*seen)[2];		/* if not NULL: ranges read */
	size_t nseen, seen_cap;
};

static int mem_read(void *ctx, uint64_t off, void *buf, size_t len)
{
	struct mem *m = ctx;

	m->reads++;
	if (m->fail_at && m->reads >= m->fail_at)
		return -EIO;
	if (off > m->size || len > m->size - off) {
		m->outside++;
		return -EIO;
	}
	if (m->seen) {
		if (m->nseen == m->seen_cap) {
			m->seen_cap *= 2;
			m->seen = realloc(m->seen, m->seen_cap * sizeof(*m->seen));
		}
		m->seen[m->nseen][0] = off;
		m->seen[m->nseen++][1] = off + len;
	}
	memcpy(buf, m->buf + off, len);
	return 0;
}

static void mem_load(struct mem *m, const void *data, size_t size)
{
	memset(m, 0, sizeof(*m));
	m->buf = malloc(size ? size : 1);
	m->size = size;
	if (size)
		memcpy(m->buf, data, size);
}

static void mem_drop(struct mem *m)
{
	free(m->buf);
	free(m->seen);
	memset(m, 0, sizeof(*m));
}

static int mem_mount(struct mem *m, struct cpio_fs **fs)
{
	return cpio_mount(mem_read, m, m->size, fs);
}

/* ------------------------------------------------------------ a newc writer */

struct ar {
	uint8_t *buf;
	size_t len, cap;
	uint32_t next_ino;
};

static void ar_bytes(struct ar *a, const void *p, size_t n)
{
	if (a->len + n > a->cap) {
		a->cap = (a->len + n) * 2 + 4096;
		a->buf = realloc(a->buf, a->cap);
	}
	memcpy(a->buf + a->len, p, n);
	a->len += n;
}

static void ar_align(struct ar *a)
{
	static const uint8_t zero[4];

	ar_bytes(a, zero, ALIGN_UP(a->len, 4) - a->len);
}

/* Fields in header order: ino mode uid gid nlink mtime filesize devmajor
 * devminor rdevmajor rdevminor namesize check. */
enum { F_INO, F_MODE, F_UID, F_GID, F_NLINK, F_MTIME, F_FILESIZE, F_DEVMAJOR,
       F_DEVMINOR, F_RDEVMAJOR, F_RDEVMINOR, F_NAMESIZE, F_CHECK };

static void hdr_format(char out[CPIO_HEADER_SIZE + 1], const uint32_t f[13])
{
	memcpy(out, "070701", 6);
	for (int i = 0; i < 13; i++)
		snprintf(out + 6 + 8 * i, 9, "%08X", f[i]);
}

/* An entry with these fields, namesize bytes of name, and data. */
static void ar_raw(struct ar *a, const uint32_t f[13], const char *name,
		   const void *data)
{
	char hdr[CPIO_HEADER_SIZE + 1];

	hdr_format(hdr, f);
	ar_bytes(a, hdr, CPIO_HEADER_SIZE);
	ar_bytes(a, name, f[F_NAMESIZE]);
	ar_align(a);
	ar_bytes(a, data, f[F_FILESIZE]);
	ar_align(a);
}

static void ar_fields(struct ar *a, uint32_t f[13], const char *name,
		      uint32_t mode, size_t size)
{
	memset(f, 0, 13 * sizeof(f[0]));
	f[F_INO] = ++a->next_ino;
	f[F_MODE] = mode;
	f[F_UID] = 1000;
	f[F_GID] = 100;
	f[F_NLINK] = (mode & CPIO_S_IFMT) == CPIO_S_IFDIR ? 2 : 1;
	f[F_MTIME] = 1700000000;
	f[F_FILESIZE] = (uint32_t)size;
	f[F_NAMESIZE] = (uint32_t)strlen(name) + 1;
}

static void ar_add(struct ar *a, const char *name, uint32_t mode,
		   const void *data, size_t size)
{
	uint32_t f[13];

	ar_fields(a, f, name, mode, size);
	ar_raw(a, f, name, data);
}

static void ar_file(struct ar *a, const char *name, const char *text)
{
	ar_add(a, name, CPIO_S_IFREG | 0644, text, strlen(text));
}

static void ar_dir(struct ar *a, const char *name)
{
	ar_add(a, name, CPIO_S_IFDIR | 0755, "", 0);
}

/* One link of a hard-linked file: the archive's ino and nlink given. */
static void ar_link(struct ar *a, const char *name, uint32_t ino,
		    uint32_t nlink, const char *text)
{
	uint32_t f[13];

	ar_fields(a, f, name, CPIO_S_IFREG | 0644, strlen(text));
	f[F_INO] = ino;
	f[F_NLINK] = nlink;
	ar_raw(a, f, name, text);
}

static void ar_trailer(struct ar *a)
{
	uint32_t f[13] = { 0 };

	f[F_NLINK] = 1;
	f[F_NAMESIZE] = 11;
	ar_raw(a, f, "TRAILER!!!", "");
}

static void ar_free(struct ar *a)
{
	free(a->buf);
	memset(a, 0, sizeof(*a));
}

/* Mount a copy of the written archive (the copy is freed again at once:
 * the index must not keep pointers into the disk). */
static int ar_mount(const struct ar *a, struct cpio_fs **fs)
{
	struct mem m;
	int err;

	mem_load(&m, a->buf, a->len);
	err = mem_mount(&m, fs);
	CHECK_EQ(m.outside, 0);
	mem_drop(&m);
	return err;
}

static const struct cpio_node *walk(const struct cpio_fs *fs, const char *path)
{
	const struct cpio_node *n;

	return cpio_walk(fs, path, &n) == 0 ? n : NULL;
}

/* ------------------------------------------------------------ real trees */

static char tmp_dirs[4][64];
static int ntmp_dirs;

static void remove_tmp_dirs(void)
{
	char cmd[160];

	for (int i = 0; i < ntmp_dirs; i++) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s' '%s.cpio'", tmp_dirs[i],
			 tmp_dirs[i]);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", tmp_dirs[i]);
	}
}

static const char *tmp_dir_new(void)
{
	char *d = tmp_dirs[ntmp_dirs];

	if (ntmp_dirs == 0)
		atexit(remove_tmp_dirs);
	strcpy(d, "/tmp/kilburn-cpio-XXXXXX");
	if (!mkdtemp(d))
		exit(2);
	ntmp_dirs++;
	return d;
}

static void must(bool ok, const char *what, const char *path)
{
	if (!ok) {
		fprintf(stderr, "test_cpio: %s %s failed\n", what, path);
		exit(2);
	}
}

/* File root/rel of size bytes of a pattern from seed, with mode. */
static void put_file(const char *root, const char *rel, size_t size,
		     unsigned seed, mode_t mode)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	f = fopen(path, "w");
	must(f != NULL, "create", path);
	for (size_t i = 0; i < size; i++)
		fputc((int)((i * 131 + seed * 7 + (i >> 8)) & 0xff), f);
	fclose(f);
	must(chmod(path, mode) == 0, "chmod", path);
}

static void put_dir(const char *root, const char *rel, mode_t mode)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	must(mkdir(path, mode) == 0 && chmod(path, mode) == 0, "mkdir", path);
}

static void put_symlink(const char *root, const char *rel, const char *target)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	must(symlink(target, path) == 0, "symlink", path);
}

static void put_hardlink(const char *root, const char *from, const char *to)
{
	char a[512], b[512];

	snprintf(a, sizeof(a), "%s/%s", root, from);
	snprintf(b, sizeof(b), "%s/%s", root, to);
	must(link(a, b) == 0, "link", b);
}

static uint8_t *read_host_file(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long n;

	must(f != NULL, "open", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc(n ? (size_t)n : 1);
	must(fread(buf, 1, (size_t)n, f) == (size_t)n, "read", path);
	fclose(f);
	*size = (size_t)n;
	return buf;
}

/* Archive root with `find . | cpio -o -H newc` into m. */
static void archive_tree(const char *root, struct mem *m)
{
	char cmd[256], path[96];
	uint8_t *data;
	size_t size;

	snprintf(cmd, sizeof(cmd),
		 "cd '%s' && find . | cpio -o -H newc --quiet > '%s.cpio'",
		 root, root);
	must(system(cmd) == 0, "cpio -o for", root);
	snprintf(path, sizeof(path), "%s.cpio", root);
	data = read_host_file(path, &size);
	mem_load(m, data, size);
	free(data);
}

#define MANY 2000

/* Every kind of node, odd sizes, deep paths, links and one big directory. */
static const char *full_tree(struct mem *m)
{
	static const size_t sizes[] = { 0, 1, 2, 3, 4, 5, 7, 8, 511, 512, 513,
					4095, 4096, 4097, 100003 };
	static const char *root;
	static struct mem archive;
	char rel[64];

	if (!root) {
		root = tmp_dir_new();
		for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
			snprintf(rel, sizeof(rel), "size%zu", sizes[i]);
			put_file(root, rel, sizes[i], (unsigned)i, 0644);
		}
		put_dir(root, "a", 0755);
		put_dir(root, "a/b", 0750);
		put_dir(root, "a/b/c", 0700);
		put_dir(root, "a/b/c/d", 0755);
		put_file(root, "a/b/c/d/deep", 77, 1, 0444);
		put_file(root, "a/b/mid", 513, 2, 0640);
		put_file(root, "a/top", 4095, 3, 0755);
		put_file(root, "with space", 10, 4, 0600);
		put_dir(root, "emptydir", 0711);
		put_symlink(root, "link", "a/b/mid");
		put_symlink(root, "a/dangling", "../nowhere/at/all/but/a/rather/"
			    "long/target/that/goes/on/and/on/x");
		put_file(root, "hard1", 1234, 5, 0644);
		put_hardlink(root, "hard1", "a/hard2");
		put_hardlink(root, "hard1", "a/b/hard3");
		put_file(root, "hempty", 0, 6, 0644);
		put_hardlink(root, "hempty", "a/hempty2");
		snprintf(rel, sizeof(rel), "%s/fifo", root);
		must(mkfifo(rel, 0620) == 0 && chmod(rel, 0620) == 0, "mkfifo", rel);
		put_dir(root, "many", 0755);
		for (int i = 0; i < MANY; i++) {
			snprintf(rel, sizeof(rel), "many/f%04d", i);
			put_file(root, rel, (size_t)(i % 37), (unsigned)i, 0644);
		}
		archive_tree(root, &archive);
	}
	mem_load(m, archive.buf, archive.size);
	return root;
}

/* A small tree for the exhaustive truncation and corruption runs. */
static void small_tree(struct mem *m)
{
	static struct mem archive;
	const char *root;

	if (!archive.buf) {
		root = tmp_dir_new();
		put_file(root, "x", 0, 1, 0644);
		put_file(root, "y", 5, 2, 0600);
		put_dir(root, "d", 0755);
		put_dir(root, "d/e", 0755);
		put_file(root, "d/z", 13, 3, 0644);
		put_file(root, "d/e/w", 3, 4, 0755);
		put_symlink(root, "l", "d/z");
		put_file(root, "h1", 9, 5, 0644);
		put_hardlink(root, "h1", "d/h2");
		put_dir(root, "m", 0755);
		put_file(root, "m/1", 1, 6, 0644);
		put_file(root, "m/2", 2, 7, 0644);
		put_file(root, "m/3", 4, 8, 0644);
		archive_tree(root, &archive);
	}
	mem_load(m, archive.buf, archive.size);
}

/* ------------------------------------------------------------ checking */

struct inos {
	uint64_t pair[2 * MANY + 200][2];	/* (cpio ino, host st_ino) */
	size_t n;
	size_t host_entries;			/* entries found on the host */
};

static int cmp_pair(const void *a, const void *b)
{
	const uint64_t *x = a, *y = b;

	if (x[0] != y[0])
		return x[0] < y[0] ? -1 : 1;
	return x[1] < y[1] ? -1 : x[1] > y[1];
}

/* Node n against lstat() of host path and the bytes of the file there. */
static void check_node(const struct cpio_node *n, const char *path,
		       const struct mem *m, struct inos *inos)
{
	struct stat st;
	char target[4096];

	CHECK(lstat(path, &st) == 0);
	CHECK_EQ(n->mode, st.st_mode);
	CHECK_EQ(n->uid, st.st_uid);
	CHECK_EQ(n->gid, st.st_gid);
	CHECK_EQ(n->mtime, st.st_mtime);
	CHECK_EQ(n->nlink, st.st_nlink);
	if (cpio_is_reg(n)) {
		size_t size;
		uint8_t *data = read_host_file(path, &size);

		CHECK_EQ(n->size, size);
		CHECK(n->data_off + n->size <= m->size);
		CHECK(n->size == size &&
		      memcmp(m->buf + n->data_off, data, size) == 0);
		free(data);
	} else if (cpio_is_symlink(n)) {
		ssize_t len = readlink(path, target, sizeof(target));
		char mine[4096];

		CHECK_EQ(n->size, st.st_size);
		CHECK_EQ(cpio_readlink(n, mine, sizeof(mine)), len);
		CHECK(len > 0 && memcmp(mine, target, (size_t)len) == 0);
	} else {
		CHECK_EQ(n->size, 0);
	}
	if (inos->n < ARRAY_SIZE(inos->pair)) {
		inos->pair[inos->n][0] = n->ino;
		inos->pair[inos->n++][1] = st.st_ino;
	}
}

/*
 * Directory dir against host directory path: the same number of entries,
 * every host name found by lookup, every child (by index) found by its own
 * name, so each appears exactly once; then each child, recursively.
 */
static void check_dir(const struct cpio_fs *fs, const struct cpio_node *dir,
		      const char *path, const struct mem *m, struct inos *inos)
{
	const struct cpio_node *c, *found;
	size_t count = 0, i;
	struct dirent *de;
	char sub[1024];
	DIR *d = opendir(path);

	CHECK(d != NULL);
	while (d && (de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		count++;
		CHECK_EQ(cpio_lookup(fs, dir, de->d_name, strlen(de->d_name),
				     &found), 0);
	}
	if (d)
		closedir(d);
	inos->host_entries += count;
	CHECK_EQ(dir->nchildren, count);
	for (i = 0; (c = cpio_child(dir, i)) != NULL; i++) {
		CHECK(cpio_lookup(fs, dir, c->name, c->namelen, &found) == 0 &&
		      found == c);
		CHECK(c->parent == dir);
		snprintf(sub, sizeof(sub), "%s/%s", path, c->name);
		check_node(c, sub, m, inos);
		if (cpio_is_dir(c))
			check_dir(fs, c, sub, m, inos);
	}
	CHECK_EQ(i, count);
}

/* Two nodes share a cpio ino exactly when their host files share one. */
static void check_inos(struct inos *inos)
{
	size_t i;
	bool ok = true;

	qsort(inos->pair, inos->n, sizeof(inos->pair[0]), cmp_pair);
	for (i = 1; i < inos->n; i++)
		if (inos->pair[i][0] == inos->pair[i - 1][0])
			ok &= inos->pair[i][1] == inos->pair[i - 1][1];
	for (i = 0; i < inos->n; i++) {
		uint64_t t = inos->pair[i][0];

		inos->pair[i][0] = inos->pair[i][1];
		inos->pair[i][1] = t;
	}
	qsort(inos->pair, inos->n, sizeof(inos->pair[0]), cmp_pair);
	for (i = 1; i < inos->n; i++)
		if (inos->pair[i][0] == inos->pair[i - 1][0])
			ok &= inos->pair[i][1] == inos->pair[i - 1][1];
	CHECK(ok);
}

/* Everything a mounted fs offers, exercised on every node; for fuzzing. */
static void touch_all(const struct cpio_fs *fs, const struct cpio_node *dir,
		      const struct mem *m, int depth)
{
	const struct cpio_node *c, *found;
	char buf[64];

	for (size_t i = 0; (c = cpio_child(dir, i)) != NULL; i++) {
		CHECK(cpio_lookup(fs, dir, c->name, c->namelen, &found) == 0 &&
		      found == c);
		CHECK(c->data_off + c->size <= m->size);
		if (cpio_is_symlink(c))
			CHECK(cpio_readlink(c, buf, sizeof(buf)) ==
			      (long)MIN(c->size, sizeof(buf)));
		if (cpio_is_dir(c))
			touch_all(fs, c, m, depth + 1);
	}
	CHECK(depth <= CPIO_MAX_DEPTH);
}

/* ------------------------------------------------------------ real archives */

TEST(real_archive_matches_the_tree_it_was_made_from_node_by_node)
{
	struct inos *inos = calloc(1, sizeof(*inos));
	struct cpio_fs *fs;
	struct stat st;
	struct mem m;
	const char *root;

	host_kmem_setup(RAM_BASE, RAM_SIZE);
	root = full_tree(&m);
	CHECK_EQ(mem_mount(&m, &fs), 0);
	CHECK_EQ(cpio_check(fs), 0);
	CHECK(lstat(root, &st) == 0);
	CHECK_EQ(cpio_root(fs)->mode, st.st_mode);	/* from the "." entry */
	CHECK_EQ(cpio_root(fs)->ino, 1);
	check_dir(fs, cpio_root(fs), root, &m, inos);
	CHECK_EQ(fs->nnodes, inos->host_entries + 1);
	CHECK_EQ(fs->nskipped, 0);
	check_inos(inos);
	CHECK_EQ(m.outside, 0);
	cpio_unmount(fs);
	mem_drop(&m);
	free(inos);
	CHECK(host_no_frame_leaked());
}

TEST(mount_reads_headers_names_and_link_targets_never_file_data)
{
	struct cpio_fs *fs;
	const struct cpio_node *n;
	size_t overlaps = 0, files = 0;
	struct mem m;

	host_kmem_setup(RAM_BASE, RAM_SIZE);
	full_tree(&m);
	m.seen_cap = 64;
	m.seen = malloc(m.seen_cap * sizeof(*m.seen));
	CHECK_EQ(mem_mount(&m, &fs), 0);
	for (n = cpio_root(fs); n; ) {
		if (cpio_is_reg(n) && n->size) {
			files++;
			for (size_t i = 0; i < m.nseen; i++)
				overlaps += m.seen[i][0] < n->data_off + n->size &&
					    m.seen[i][1] > n->data_off;
		}
		/* depth-first through the public fields */
		if (n->nchildren) {
			n = n->children[0];
			continue;
		}
		while (n != cpio_root(fs) &&
		       n->index + 1 >= n->parent->nchildren)
			n = n->parent;
		n = n == cpio_root(fs) ? NULL : n->parent->children[n->index + 1];
	}
	CHECK(files > MANY * 9 / 10);
	CHECK_EQ(overlaps, 0);
	/* two reads (header, name) per entry, one per symlink, nothing more */
	CHECK(m.reads <= 2 * (long)fs->nentries + 2);
	cpio_unmount(fs);
	mem_drop(&m);
	CHECK(host_no_frame_leaked());
}

TEST(directory_of_2000_entries_lists_each_once_and_resumes_at_any_index)
{
	static bool seen[MANY];
	const struct cpio_node *many, *c, *found;
	struct cpio_fs *fs;
	struct mem m;
	char name[16];
	size_t i;
	int dups = 0, misses = 0;

	host_kmem_setup(RAM_BASE, RAM_SIZE);
	full_tree(&m);
	CHECK_EQ(mem_mount(&m, &fs), 0);
	many = walk(fs, "/many");
	CHECK(many && many->nchildren == MANY);
	for (i = 0; (c = cpio_child(many, i)) != NULL; i++) {
		int k = atoi(c->name + 1);

		dups += seen[k];
		seen[k] = true;
		/* resuming at i gives the same child as reading up to it */
		dups += cpio_child(many, i) != c;
	}
	CHECK_EQ(i, MANY);
	CHECK_EQ(dups, 0);
	for (int k = 0; k < MANY; k++) {
		snprintf(name, sizeof(name), "f%04d", k);
		misses += !seen[k];
		misses += cpio_lookup(fs, many, name, strlen(name), &found) != 0 ||
			  strcmp(found->name, name) != 0 ||
			  found->size != (uint64_t)(k % 37);
	}
	CHECK_EQ(misses, 0);
	CHECK(cpio_child(many, MANY) == NULL);
	CHECK(cpio_child(many, (size_t)-1) == NULL);
	CHECK_EQ(cpio_lookup(fs, many, "f2000", 5, &found), -ENOENT);
	CHECK_EQ(cpio_lookup(fs, many, "f000", 4, &found), -ENOENT);
	CHECK_EQ(cpio_lookup(fs, many, "f00000", 6, &found), -ENOENT);
	cpio_unmount(fs);
	mem_drop(&m);
	CHECK(host_no_frame_leaked());
}

TEST(hard_links_share_one_ino_and_the_data_of_the_last_link)
{
	const struct cpio_node *h1, *h2, *h3, *e1, *e2;
	struct cpio_fs *fs;
	struct mem m;

	host_kmem_setup(RAM_BASE, RAM_SIZE);
	full_tree(&m);
	CHECK_EQ(mem_mount(&m, &fs), 0);
	h1 = walk(fs, "/hard1");
	h2 = walk(fs, "/a/hard2");
	h3 = walk(fs, "/a/b/hard3");
	e1 = walk(fs, "/hempty");
	e2 = walk(fs, "/a/hempty2");
	CHECK(h1 && h2 && h3 && e1 && e2);
	if (h1 && h2 && h3 && e1 && e2) {
		CHECK(h1->ino == h2->ino && h2->ino == h3->ino);
		CHECK(h1->size == 1234 && h2->size == 1234 && h3->size == 1234);
		CHECK(h1->data_off == h2->data_off && h2->data_off == h3->data_off);
		CHECK_EQ(h1->nlink, 3);
		CHECK(e1->ino == e2->ino && e1->ino != h1->ino);
		CHECK(e1->size == 0 && e2->size == 0);
	}
	cpio_unmount(fs);
	mem_drop(&m);
	CHECK(host_no_frame_leaked());
}

TEST(lookups_of_missing_names_and_bad_paths_fail_with_the_right_errno)
{
	const struct cpio_node *n, *a;
	struct cpio_fs *fs;
	struct mem m;
	char buf[8], longname[300], *longpath;

	host_kmem_setup(RAM_BASE, RAM_SIZE);
	full_tree(&m);
	CHECK_EQ(mem_mount(&m, &fs), 0);
	a = walk(fs, "/a");
	CHECK(a != NULL && cpio_is_dir(a));
	CHECK_EQ(cpio_lookup(fs, a, "nope", 4, &n), -ENOENT);
	CHECK_EQ(cpio_lookup(fs, a, "", 0, &n), -ENOENT);
	CHECK_EQ(cpio_lookup(fs, a, "top/x", 5, &n), -ENOENT);
	CHECK(cpio_lookup(fs, a, "topless", 3, &n) == 0 && n == walk(fs, "/a/top"));
	memset(longname, 'x', sizeof(longname));
	CHECK_EQ(cpio_lookup(fs, a, longname, 256, &n), -ENAMETOOLONG);
	CHECK_EQ(cpio_lookup(fs, walk(fs, "/a/top"), "x", 1, &n), -ENOTDIR);
	CHECK(cpio_lookup(fs, a, ".", 1, &n) == 0 && n == a);
	CHECK(cpio_lookup(fs, a, "..", 2, &n) == 0 && n == cpio_root(fs));
	CHECK(cpio_lookup(fs, cpio_root(fs), "..", 2, &n) == 0 &&
	      n == cpio_root(fs));
	CHECK(walk(fs, "/") == cpio_root(fs));
	CHECK(walk(fs, "//a//b/./c/../c/d/deep") == walk(fs, "/a/b/c/d/deep"));
	CHECK(walk(fs, "/a/b/c/d/deep") != NULL);
	CHECK(walk(fs, "/a/b/") == walk(fs, "/a/b"));
	CHECK_EQ(cpio_walk(fs, "a/b", &n), -EINVAL);
	longpath = malloc(CPIO_PATH_MAX + 1);
	for (int i = 0; i < CPIO_PATH_MAX; i += 2)
		memcpy(longpath + i, "/.", 2);
	longpath[CPIO_PATH_MAX - 1] = 0;		/* the longest path */
	CHECK(cpio_walk(fs, longpath, &n) == 0 && n == cpio_root(fs));
	longpath[CPIO_PATH_MAX - 1] = '/';
	longpath[CPIO_PATH_MAX] = 0;		/* one byte more */
	CHECK_EQ(cpio_walk(fs, longpath, &n), -ENAMETOOLONG);
	free(longpath);
	CHECK_EQ(cpio_walk(fs, "", &n), -EINVAL);
	CHECK_EQ(cpio_walk(fs, "/a/top/", &n), -ENOTDIR);
	CHECK_EQ(cpio_walk(fs, "/a/top/x", &n), -ENOTDIR);
	CHECK_EQ(cpio_walk(fs, "/a/nope/x", &n), -ENOENT);
	CHECK_EQ(cpio_walk(fs, "/link/x", &n), -ENOTDIR);	/* not followed */
	CHECK(walk(fs, "/link") && cpio_is_symlink(walk(fs, "/link")));
	CHECK_EQ(cpio_readlink(walk(fs, "/link"), buf, 4), 4);
	CHECK(memcmp(buf, "a/b/", 4) == 0);
	CHECK_EQ(cpio_readlink(walk(fs, "/a/top"), buf, 4), -EINVAL);
	CHECK(cpio_child(walk(fs, "/a/top"), 0) == NULL);
	CHECK(cpio_child(walk(fs, "/emptydir"), 0) == NULL);
	CHECK_EQ((walk(fs, "/fifo")->mode & CPIO_S_IFMT), CPIO_S_IFIFO);
	cpio_unmount(fs);
	mem_drop(&m);
	CHECK(host_no_frame_leaked());
}

/* ------------------------------------------------------------ written archives */

TEST(names_are_normalized_and_unlisted_parents_are_implied)
{
	struct cpio_fs *fs;
	const struct cpio_node *n;
	struct ar a = { 0 };

	host_kmem_setup(RAM_BASE, RAM_SIZE);
	ar_add(&a, ".", CPIO_S_IFDIR | 0700, "", 0);
	ar_file(&a, "./dot", "1");
	ar_file(&a, "/slash", "22");
	ar_dir(&a, "trailing/");
	ar_file(&a, "./x//y/./z", "333");
	ar_file(&a, "p/q/r/s", "4444");
	ar_trailer(&a);
	CHECK_EQ(ar_mount(&a, &fs), 0);
	CHECK_EQ(cpio_check(fs), 0);
	CHECK_EQ(cpio_root(fs)->mode, CPIO_S_IFDIR | 0700);
	CHECK(walk(fs, "/dot") && walk(fs, "/dot")->size == 1);
	CHECK(walk(fs, "/slash") && walk(fs, "/slash")->size == 2);
	CHECK(walk(fs, "/trailing") && cpio_is_dir(walk(fs, "/trailing")));
	CHECK(walk(fs, "/x/y/z") && walk(fs, "/x/y/z")->size == 3);
	n = walk(fs, "/p/q");
	CHECK(n && n->mode == (CPIO_S_IFDIR | 0755) && n->nlink == 2);
	CHECK(n && n->uid == 0 && n->mtime == 1700000000);
	CHECK(walk(fs, "/p/q/r/s") && walk(fs, "/p/q/r/s")->size == 4);
	/* root, dot, slash, trailing, x, y, z, p, q, r, s */
	CHECK_EQ(fs->nnodes, 11);
	CHECK_EQ(cpio_root(fs)->nchildren, 5);
	cpio_unmount(fs);
	ar_free(&a);
	CHECK(host_no_frame_leaked());
}

TEST(a_later_entry_replaces_the_earlier_in_place)
{
	const struct cpio_node *d, *f, *l, *n;
	struct cpio_fs *fs;
	struct ar a = { 0 };
	uint64_t first_data;

	host_kmem_setup(RAM_BASE, RAM_SIZE);
	ar_file(&a, "f", "old");
	first_data = a.len - 4;
	ar_dir(&a, "d");
	ar_file(&a, "d/c1", "1");
	ar_file(&a, "d/sub/c2", "2");
	ar_add(&a, "l", CPIO_S_IFLNK | 0777, "target", 6);
	ar_add(&a, "x", CPIO_S_IFREG | 0644, "", 0);
	ar_file(&a, "f", "newer");		/* file replaces file */
	ar_file(&a, "d", "was a dir");		/* file replaces a tree */
	ar_file(&a, "l", "was a link");		/* file replaces symlink */
	ar_dir(&a, "x");			/* dir replaces file */
	ar_file(&a, "x/in", "in");
	ar_add(&a, ".", CPIO_S_IFDIR | 0750, "", 0);
	ar_trailer(&a);
	CHECK_EQ(ar_mount(&a, &fs), 0);
	CHECK_EQ(cpio_check(fs), 0);
	f = walk(fs, "/f");
	d = walk(fs, "/d");
	l = walk(fs, "/l");
	CHECK(f && f->size == 5 && f->data_off != first_data);
	CHECK(d && cpio_is_reg(d) && d->size == 9 && d->nchildren == 0);
	CHECK_EQ(cpio_walk(fs, "/d/c1", &n), -ENOTDIR);
	CHECK(l && cpio_is_reg(l) && l->target == NULL && l->size == 10);
	CHECK(walk(fs, "/x") && cpio_is_dir(walk(fs, "/x")));
	CHECK(walk(fs, "/x/in") != NULL);
	/* each kept its first place and ino; the root kept its children */
	CHECK(cpio_child(cpio_root(fs), 0) == f && f->ino == 2);
	CHECK(cpio_child(cpio_root(fs), 1) == d);
	CHECK(cpio_child(cpio_root(fs), 2) == l);
	CHECK_EQ(cpio_root(fs)->mode, CPIO_S_IFDIR | 0750);
	CHECK_EQ(cpio_root(fs)->nchildren, 4);
	CHECK_EQ(fs->nnodes, 6);	/* root f d l x x/in */
	cpio_unmount(fs);
	ar_free(&a);
	CHECK(host_no_frame_leaked());
}

TEST(entries_that_cannot_be_nodes_are_skipped_and_counted)
{
	char deep[CPIO_MAX_DEPTH * 2 + 8], longname[CPIO_NAME_MAX + 2];
	char target[CPIO_SYMLINK_MAX + 2];
	struct cpio_fs *fs;
	struct ar a = { 0 };
	uint32_t f[13];
	int skips = 0;

	host_kmem_setup(RAM_BASE, RAM_SIZE);
	ar_file(&a, "file", "f");
	ar_file(&a, "a/../escape", "x"), skips++;
	ar_file(&a, "..", "x"), skips++;
	ar_file(&a, "file/under", "x"), skips++;
	memset(longname, 'n', sizeof(longname));
	longname[CPIO_NAME_MAX + 1] = 0;
	ar_file(&a, longname, "x"), skips++;
	longname[CPIO_NAME_MAX] = 0;
	ar_file(&a, longname, "ok");
	for (int i = 0; i < CPIO_MAX_DEPTH; i++)
		memcpy(deep + 2 * i, "d/", 2);
	deep[2 * CPIO_MAX_DEPTH - 1] = 0;	/* exactly the limit */
	ar_file(&a, deep, "deep");
	deep[2 * CPIO_MAX_DEPTH - 1] = '/';
	deep[2 * CPIO_MAX_DEPTH] = 'd';
	deep[2 * CPIO_MAX_DEPTH + 1] = 0;	/* one more */
	ar_file(&a, deep, "x"), skips++;
	ar_add(&a, "notype", 0644, "x", 1), skips++;
	ar_add(&a, "badtype", 0150644, "x", 1), skips++;
	ar_add(&a, ".", CPIO_S_IFREG | 0644, "x", 1), skips++;
	ar_add(&a, "emptylink", CPIO_S_IFLNK | 0777, "", 0), skips++;
	ar_add(&a, "nullink", CPIO_S_IFLNK | 0777, "a\0b", 3), skips++;
	memset(target, 't', sizeof(target));
	ar_add(&a, "longlink", CPIO_S_IFLNK | 0777, target,
	       CPIO_SYMLINK_MAX + 1), skips++;
	ar_add(&a, "maxlink", CPIO_S_IFLNK | 0777, target, CPIO_SYMLINK_MAX);
	ar_add(&a, "skipped/dir/link", CPIO_S_IFLNK | 0777, "", 0), skips++;
	ar_fields(&a, f, "chr", CPIO_S_IFCHR | 0600, 4);
	f[F_RDEVMAJOR] = 5;
	f[F_RDEVMINOR] = 1;
	ar_raw(&a, f, "chr", "junk");	/* data of a device is ignored */
	ar_trailer(&a);
	CHECK_EQ(ar_mount(&a, &fs), 0);
	CHECK_EQ(cpio_check(fs), 0);
	CHECK_EQ(fs->nskipped, skips);
	CHECK(walk(fs, "/escape") == NULL && walk(fs, "/a") == NULL);
	CHECK(walk(fs, "/skipped") == NULL);	/* no implied dirs left over */
	CHECK(walk(fs, "/file") && cpio_is_reg(walk(fs, "/file")));
	CHECK_EQ(cpio_root(fs)->mode, CPIO_S_IFDIR | 0755);
	CHECK(walk(fs, "/d") != NULL);
	CHECK(walk(fs, "/maxlink") &&
	      walk(fs, "/maxlink")->size == CPIO_SYMLINK_MAX);
	CHECK(walk(fs, "/chr") && walk(fs, "/chr")->size == 0 &&
	      walk(fs, "/chr")->rdev_major == 5 &&
	      walk(fs, "/chr")->rdev_minor == 1);
	/* file, nnn..., d * 64, maxlink, chr, and the root */
	CHECK_EQ(fs->nnodes, 1 + 1 + CPIO_MAX_DEPTH + 1 + 1 + 1);
	cpio_unmount(fs);
	ar_free(&a);
	CHECK(host_no_frame_leaked());
}

/* The header of a one-file archive with field i replaced by text. */
static int mount_with_field(int field, const char *text)
{
	struct cpio_fs *fs = NULL;
	struct ar a = { 0 };
	int err;

	ar_file(&a, "file", "data");
	memcpy(a.buf + 6 + 8 * field, text, 8);
	ar_trailer(&a);
	err = ar_mount(&a, &fs);
	if (err == 0)
		cpio_unmount(fs);
	ar_free(&a);
	return err;
}

TEST(framing_errors_fail_the_mount_with_einval)
{
	struct cpio_fs *fs;
	struct ar a = { 0 };
	uint32_t f[13];

	host_kmem_setup(RAM_BASE, RAM_SIZE);
	for (int i = 0; i < 13; i++) {
		CHECK_EQ(mount_with_field(i, "0000000g"), -EINVAL);
		CHECK_EQ(mount_with_field(i, " 0000000"), -EINVAL);
		CHECK_EQ(mount_with_field(i, "0000-001"), -EINVAL);
	}
	CHECK_EQ(mount_with_field(F_NAMESIZE, "00000000"), -EINVAL);
	CHECK_EQ(mount_with_field(F_NAMESIZE, "00001001"), -EINVAL);
	CHECK_EQ(mount_with_field(F_NAMESIZE, "FFFFFFFF"), -EINVAL);
	CHECK_EQ(mount_with_field(F_NAMESIZE, "00000004"), -EINVAL); /* no NUL */
	CHECK_EQ(mount_with_field(F_NAMESIZE, "00000006"), -EINVAL); /* NUL early */
	CHECK_EQ(mount_with_field(F_FILESIZE, "00001000"), -EINVAL);
	CHECK_EQ(mount_with_field(F_FILESIZE, "FFFFFFFF"), -EINVAL);
	CHECK_EQ(mount_with_field(F_FILESIZE, "00000005"), -EINVAL); /* misframed */
	CHECK_EQ(mount_with_field(F_FILESIZE, "00000003"), 0);	/* still framed */
	CHECK_EQ(mount_with_field(F_CHECK, "DEADBEEF"), 0);	/* not verified */

	ar_file(&a, "file", "data");
	memcpy(a.buf, "070707", 6);		/* the old portable format */
	CHECK_EQ(ar_mount(&a, &fs), -EINVAL);
	memcpy(a.buf, "070702", 6);		/* crc: accepted */
	ar_trailer(&a);
	CHECK_EQ(ar_mount(&a, &fs), 0);
	cpio_unmount(fs);
	ar_free(&a);

	ar_file(&a, "file", "data");		/* a name running off the end */
	ar_fields(&a, f, "cut-off-name", CPIO_S_IFREG | 0644, 0);
	ar_raw(&a, f, "cut-off-name", "");
	a.len -= 8;
	CHECK_EQ(ar_mount(&a, &fs), -EINVAL);
	ar_free(&a);
	CHECK(host_no_frame_leaked());
}

TEST(the_trailer_ends_the_archive_and_a_missing_one_ends_at_the_end)
{
	static const uint8_t zeroes[60];
	struct cpio_fs *fs;
	struct ar a = { 0 };

	host_kmem_setup(RAM_BASE, RAM_SIZE);
	ar_file(&a, "first", "1");
	ar_trailer(&a);
	ar_bytes(&a, "garbage after the trailer, never read", 37);
	CHECK_EQ(ar_mount(&a, &fs), 0);
	CHECK_EQ(fs->nnodes, 2);
	CHECK_EQ(fs->nentries, 2);
	cpio_unmount(fs);
	ar_free(&a);

	ar_file(&a, "first", "1");
	ar_file(&a, "second", "22222");		/* no trailer */
	CHECK_EQ(ar_mount(&a, &fs), 0);
	CHECK(walk(fs, "/second") && walk(fs, "/second")->size == 5);
	cpio_unmount(fs);
	a.len -= 3;				/* nor the last padding */
	CHECK_EQ(ar_mount(&a, &fs), 0);
	CHECK(walk(fs, "/second") && walk(fs, "/second")->size == 5);
	cpio_unmount(fs);
	a.len -= 1;				/* nor a byte of the data */
	CHECK_EQ(ar_mount(&a, &fs), -EINVAL);
	a.len += 1;
	CHECK_EQ(ar_mount(&a, &fs), 0);
	cpio_unmount(fs);
	ar_align(&a);
	ar_bytes(&a, zeroes, 60);		/* a partial header */
	CHECK_EQ(ar_mount(&a, &fs), -EINVAL);
	ar_bytes(&a, zeroes, 60);		/* zeroes: not a header */
	CHECK_EQ(ar_mount(&a, &fs), -EINVAL);
	ar_free(&a);

	CHECK_EQ(ar_mount(&a, &fs), 0);		/* empty: an empty root */
	CHECK_EQ(fs->nnodes, 1);
	cpio_unmount(fs);
	CHECK(host_no_frame_leaked());
}

TEST(written_hard_links_join_by_device_and_ino_taking_the_last_data)
{
	const struct cpio_node *a1, *a2, *a3, *b1, *b2, *c1, *c2, *solo;
	struct cpio_fs *fs;
	struct ar a = { 0 };
	uint32_t f[13];

	host_kmem_setup(RAM_BASE, RAM_SIZE);
	ar_link(&a, "a1", 7, 3, "");
	ar_file(&a, "between", "b");
	ar_link(&a, "a2", 7, 3, "");
	ar_link(&a, "dir/a3", 7, 3, "the data");
	ar_link(&a, "b1", 9, 2, "own data");	/* every link with data */
	ar_link(&a, "b2", 9, 2, "other");
	ar_link(&a, "c1", 11, 2, "");		/* an empty linked file */
	ar_link(&a, "c2", 11, 2, "");
	ar_fields(&a, f, "solo", CPIO_S_IFREG | 0644, 0);
	f[F_INO] = 7;				/* same ino, other device */
	f[F_NLINK] = 2;
	f[F_DEVMINOR] = 1;
	ar_raw(&a, f, "solo", "");
	ar_trailer(&a);
	CHECK_EQ(ar_mount(&a, &fs), 0);
	CHECK_EQ(cpio_check(fs), 0);
	a1 = walk(fs, "/a1"), a2 = walk(fs, "/a2"), a3 = walk(fs, "/dir/a3");
	b1 = walk(fs, "/b1"), b2 = walk(fs, "/b2");
	c1 = walk(fs, "/c1"), c2 = walk(fs, "/c2");
	solo = walk(fs, "/solo");
	CHECK(a1 && a2 && a3 && b1 && b2 && c1 && c2 && solo);
	if (a1 && a2 && a3 && b1 && b2 && c1 && c2 && solo) {
		CHECK(a1->ino == a2->ino && a2->ino == a3->ino);
		CHECK(a1->size == 8 && a2->size == 8 && a3->size == 8);
		CHECK(a1->data_off == a3->data_off && a2->data_off == a3->data_off);
		CHECK(b1->ino == b2->ino && b1->size == 8 && b2->size == 5);
		CHECK(b1->data_off != b2->data_off);
		CHECK(c1->ino == c2->ino && c1->size == 0);
		CHECK(solo->ino != a1->ino && solo->size == 0);
		CHECK(a1->ino != b1->ino && b1->ino != c1->ino);
	}
	cpio_unmount(fs);
	ar_free(&a);
	CHECK(host_no_frame_leaked());
}

/* ------------------------------------------------------------ failures */

TEST(a_failing_read_at_any_point_gives_eio_and_leaks_nothing)
{
	struct cpio_fs *fs;
	struct mem m;
	long total;
	int bad = 0;

	host_kmem_setup(RAM_BASE, RAM_SIZE);
	small_tree(&m);
	CHECK_EQ(mem_mount(&m, &fs), 0);
	cpio_unmount(fs);
	total = m.reads;
	for (long k = 1; k <= total; k++) {
		m.reads = 0;
		m.fail_at = k;
		bad += mem_mount(&m, &fs) != -EIO;
		bad += !host_no_frame_leaked();
	}
	CHECK_EQ(bad, 0);
	mem_drop(&m);
	CHECK(host_no_frame_leaked());
}

static void busy_archive(struct mem *m);

struct oom_outcome {
	int ok, nomem, other, leaks;
};

/* Mount m with only left, left + step, ... free frames, until it works. */
static void oom_sweep(struct mem *m, uint64_t max_left, uint64_t step,
		      struct oom_outcome *out)
{
	size_t nhog = 0, max = RAM_SIZE / PAGE_SIZE;
	struct page **hog = malloc(max * sizeof(*hog));
	struct cpio_fs *fs;

	for (uint64_t left = 0; left < max_left && out->ok < 3; left += step) {
		host_kmem_setup(RAM_BASE, RAM_SIZE);
		while (pmm_free_frames() > left && nhog < max &&
		       (hog[nhog] = pmm_alloc(0)) != NULL)
			nhog++;
		switch (mem_mount(m, &fs)) {
		case 0:
			out->ok++;
			cpio_check(fs);
			cpio_unmount(fs);
			break;
		case -ENOMEM:
			out->nomem++;
			break;
		default:
			out->other++;
		}
		while (nhog)
			pmm_free(hog[--nhog]);
		out->leaks += !host_no_frame_leaked();
	}
	free(hog);
}

TEST(running_out_of_memory_anywhere_gives_enomem_and_leaks_nothing)
{
	struct oom_outcome big = { 0 }, busy = { 0 };
	struct mem m;

	full_tree(&m);
	oom_sweep(&m, 400, 2, &big);
	mem_drop(&m);
	busy_archive(&m);
	oom_sweep(&m, 64, 1, &busy);
	mem_drop(&m);
	CHECK(big.ok > 0 && busy.ok > 0);
	CHECK(big.nomem > 10 && busy.nomem > 3);
	CHECK_EQ(big.other + busy.other, 0);
	CHECK_EQ(big.leaks + busy.leaks, 0);
}

TEST(the_checker_catches_a_broken_tree)
{
	struct cpio_fs *fs;
	struct cpio_node *d;
	struct mem m;

	host_kmem_setup(RAM_BASE, RAM_SIZE);
	busy_archive(&m);
	CHECK_EQ(mem_mount(&m, &fs), 0);
	d = (struct cpio_node *)walk(fs, "/x");
	CHECK(d != NULL);
	d->index++;
	EXPECT_PANIC(cpio_check(fs));
	CHECK(strstr(host_panic_msg, "'x'") &&
	      strstr(host_panic_msg, "not its parent's child"));
	d->index--;
	d->name[0] = 'X';
	EXPECT_PANIC(cpio_check(fs));
	CHECK(strstr(host_panic_msg, "not found by its name"));
	d->name[0] = 'x';
	d->size = 1;
	EXPECT_PANIC(cpio_check(fs));
	CHECK(strstr(host_panic_msg, "size on a file without data"));
	d->size = 0;
	fs->nnodes++;
	EXPECT_PANIC(cpio_check(fs));
	CHECK(strstr(host_panic_msg, "nodes in the tree"));
	fs->nnodes--;
	CHECK_EQ(cpio_check(fs), 0);
	cpio_unmount(fs);
	cpio_unmount(NULL);
	mem_drop(&m);
	CHECK(host_no_frame_leaked());
}

/* ------------------------------------------------------------ limits */

/*
 * A made-up archive, generated as it is read: count entries of rec bytes
 * each, named "<prefix><7-digit index><suffix>" (all "same" if prefix is
 * NULL) with
 * filesize bytes of 'x' (symlinks if filesize, else empty files), then the
 * trailer. Nothing is stored but the record last generated.
 */
struct synth {
	uint32_t count;
	uint32_t filesize;
	const char *prefix;
	const char *suffix;		/* NULL: none */
	size_t rec;
	long reads;
	long cached;			/* index of the record in buf, or -1 */
	uint8_t buf[8192];
};

#define SYNTH_TRAILER_REC	124	/* 110 + "TRAILER!!!" + NUL, padded */

static void synth_record(struct synth *s, uint32_t i)
{
	uint32_t f[13] = { 0 };
	char hdr[CPIO_HEADER_SIZE + 1], name[32];
	long key = (i == s->count || s->prefix) ? (long)i : 0;

	if (s->cached == key)
		return;
	s->cached = key;
	if (i == s->count)
		strcpy(name, "TRAILER!!!");
	else if (s->prefix)
		snprintf(name, sizeof(name), "%s%07u%s", s->prefix, i,
			 s->suffix ? s->suffix : "");
	else
		strcpy(name, "same");
	f[F_INO] = s->prefix ? i + 1 : 1;
	f[F_MODE] = s->filesize ? CPIO_S_IFLNK | 0777 : CPIO_S_IFREG | 0644;
	f[F_NLINK] = 1;
	f[F_FILESIZE] = i == s->count ? 0 : s->filesize;
	f[F_NAMESIZE] = (uint32_t)strlen(name) + 1;
	memset(s->buf, 0, MAX(s->rec, SYNTH_TRAILER_REC));
	hdr_format(hdr, f);
	memcpy(s->buf, hdr, CPIO_HEADER_SIZE);
	memcpy(s->buf + CPIO_HEADER_SIZE, name, f[F_NAMESIZE]);
	memset(s->buf + ALIGN_UP(CPIO_HEADER_SIZE + f[F_NAMESIZE], 4), 'x',
	       f[F_FILESIZE]);
}

static int synth_read(void *ctx, uint64_t off, void *buf, size_t len)
{
	struct synth *s = ctx;
	uint64_t end = (uint64_t)s->rec * s->count;

	s->reads++;
	while (len) {
		uint64_t i = off < end ? off / s->rec : s->count;
		uint64_t at = off - i * s->rec;
		size_t n = MIN(len, (i < s->count ? s->rec : SYNTH_TRAILER_REC) - at);

		if (at >= (i < s->count ? s->rec : SYNTH_TRAILER_REC))
			return -EIO;
		synth_record(s, (uint32_t)i);
		memcpy(buf, s->buf + at, n);
		buf = (uint8_t *)buf + n;
		off += n;
		len -= n;
	}
	return 0;
}

static int synth_mount(struct synth *s, uint32_t count, struct cpio_fs **fs)
{
	size_t namesize = s->prefix ? strlen(s->prefix) + 8 : 5;

	if (s->prefix && s->suffix)
		namesize += strlen(s->suffix);

	s->count = count;
	s->cached = -1;
	s->rec = ALIGN_UP(CPIO_HEADER_SIZE + namesize, 4) +
		 ALIGN_UP(s->filesize, 4);
	return cpio_mount(synth_read, s,
			  (uint64_t)s->rec * count + SYNTH_TRAILER_REC, fs);
}

TEST(the_node_limit_bounds_memory_with_enomem)
{
	static struct synth s = { .prefix = "n" };
	struct cpio_fs *fs;

	host_kmem_setup(RAM_BASE, RAM_SIZE);
	CHECK_EQ(synth_mount(&s, CPIO_MAX_NODES - 1, &fs), 0);
	CHECK_EQ(fs->nnodes, CPIO_MAX_NODES);
	CHECK_EQ(cpio_check(fs), 0);
	CHECK(walk(fs, "/n0065534") != NULL);
	cpio_unmount(fs);
	CHECK(host_no_frame_leaked());
	CHECK_EQ(synth_mount(&s, CPIO_MAX_NODES, &fs), -ENOMEM);
	CHECK(host_no_frame_leaked());

	/* entries "dN/e/f" add 3 nodes each, so the limit falls on a "dN" */
	s.suffix = "/e/f";
	CHECK_EQ(synth_mount(&s, (CPIO_MAX_NODES - 1) / 3, &fs), 0);
	CHECK_EQ(fs->nnodes, CPIO_MAX_NODES);
	cpio_unmount(fs);
	CHECK_EQ(synth_mount(&s, (CPIO_MAX_NODES - 1) / 3 + 1, &fs), -ENOMEM);
	CHECK(host_no_frame_leaked());
}

TEST(the_index_byte_limit_bounds_symlink_targets_with_enomem)
{
	static struct synth s = { .prefix = "s", .filesize = CPIO_SYMLINK_MAX };
	uint32_t fits = CPIO_MAX_INDEX / (CPIO_SYMLINK_MAX + 1 +
					  sizeof(struct cpio_node) + 10);
	struct cpio_fs *fs;

	host_kmem_setup(RAM_BASE, RAM_SIZE);
	CHECK_EQ(synth_mount(&s, fits - 1, &fs), 0);
	CHECK(fs && cpio_check(fs) == 0);
	cpio_unmount(fs);
	CHECK(host_no_frame_leaked());
	CHECK_EQ(synth_mount(&s, fits + 64, &fs), -ENOMEM);
	CHECK(host_no_frame_leaked());
}

TEST(the_header_and_size_limits_give_einval)
{
	static struct synth s = { .prefix = NULL };
	struct cpio_fs *fs;

	host_kmem_setup(RAM_BASE, RAM_SIZE);
	/* CPIO_MAX_ENTRIES headers, the trailer included: fine */
	CHECK_EQ(synth_mount(&s, CPIO_MAX_ENTRIES - 1, &fs), 0);
	CHECK_EQ(fs->nnodes, 2);
	CHECK_EQ(fs->nentries, CPIO_MAX_ENTRIES);
	cpio_unmount(fs);
	CHECK_EQ(synth_mount(&s, CPIO_MAX_ENTRIES, &fs), -EINVAL);
	s.reads = 0;
	CHECK_EQ(cpio_mount(synth_read, &s, CPIO_MAX_SIZE + 1, &fs), -EINVAL);
	CHECK_EQ(s.reads, 0);
	CHECK(host_no_frame_leaked());
}

/* ------------------------------------------------------------ hostile input */

/* Mount m; whatever the result, check what a success gives and free it. */
static int mount_hostile(struct mem *m, int *outcome)
{
	struct cpio_fs *fs;
	int err = mem_mount(m, &fs);

	CHECK(err == 0 || err == -EINVAL);
	CHECK_EQ(m->outside, 0);
	if (err == 0) {
		CHECK_EQ(cpio_check(fs), 0);
		touch_all(fs, cpio_root(fs), m, 0);
		outcome[0]++;
		err = (int)fs->nnodes;
		cpio_unmount(fs);
	} else {
		outcome[1]++;
		err = -1;
	}
	return err;
}

TEST(every_truncation_of_a_real_archive_fails_cleanly_or_mounts_a_prefix)
{
	struct mem full, m;
	struct cpio_fs *fs;
	int outcome[2] = { 0 }, full_nodes, nodes, leaks = 0;
	size_t trailer_end;
	uint8_t *t;

	host_kmem_setup(RAM_BASE, RAM_SIZE);
	small_tree(&full);
	CHECK_EQ(mem_mount(&full, &fs), 0);
	full_nodes = (int)fs->nnodes;
	cpio_unmount(fs);
	t = memmem(full.buf, full.size, "TRAILER!!!", 11);
	CHECK(t != NULL);
	trailer_end = (size_t)(t - full.buf) + 11;
	for (size_t len = 0; len <= full.size; len++) {
		mem_load(&m, full.buf, len);
		nodes = mount_hostile(&m, outcome);
		if (len >= trailer_end)
			CHECK_EQ(nodes, full_nodes);
		else
			CHECK(nodes <= full_nodes);
		if (len == 0)
			CHECK_EQ(nodes, 1);
		mem_drop(&m);
		leaks += !host_no_frame_leaked();
	}
	CHECK(outcome[0] > 0 && outcome[1] > 0);
	CHECK_EQ(leaks, 0);
	mem_drop(&full);
}

/* Replacements, implied directories, links and depth, to corrupt. */
static void busy_archive(struct mem *m)
{
	struct ar a = { 0 };

	ar_dir(&a, "d");
	ar_file(&a, "d/e/f", "deep file");
	ar_file(&a, "d/g", "g");
	ar_add(&a, "d/s", CPIO_S_IFLNK | 0777, "../d/g", 6);
	ar_link(&a, "h1", 40, 2, "");
	ar_file(&a, "d", "now a file");
	ar_file(&a, "d/e", "under a file");
	ar_dir(&a, "./x/y/z/");
	ar_link(&a, "x/h2", 40, 2, "linked");
	ar_file(&a, "x/y", "replaces y");
	ar_file(&a, "a/../b", "skipped");
	ar_add(&a, ".", CPIO_S_IFDIR | 0700, "", 0);
	ar_trailer(&a);
	mem_load(m, a.buf, a.len);
	ar_free(&a);
}

/*
 * Seeded random corruptions of a real and of a written archive: bytes
 * replaced by anything, by hex digits (so more headers parse and the
 * damage goes deeper), and truncations on top.
 */
TEST(thousands_of_random_corruptions_never_crash_or_leak)
{
	static const char digits[] = "0123456789abcdefABCDEF";
	struct mem archives[2], m;
	int outcome[2] = { 0 }, leaks = 0;
	uint8_t *copy;
	size_t span[2];

	host_kmem_setup(RAM_BASE, RAM_SIZE);
	small_tree(&archives[0]);
	busy_archive(&archives[1]);
	for (int i = 0; i < 2; i++)
		span[i] = (size_t)((uint8_t *)memmem(archives[i].buf,
				   archives[i].size, "TRAILER!!!", 11) -
				   archives[i].buf) + 12;
	copy = malloc(archives[0].size + archives[1].size);
	rng_state = 0x9e3779b97f4a7c15ULL;
	for (int seed = 0; seed < 6000; seed++) {
		struct mem base = archives[seed % 2];
		size_t len = base.size;
		int flips = 1 + (int)(rng() % 4);

		memcpy(copy, base.buf, base.size);
		while (flips--) {
			size_t pos = rng() % span[seed % 2];
			uint64_t how = rng() % 10;

			if (how < 4)
				copy[pos] = (uint8_t)rng();
			else if (how < 8)	/* keep it hex: deeper parses */
				copy[pos] = (uint8_t)digits[rng() % 22];
			else
				copy[pos] = how == 8 ? '0' : 'f';
		}
		if (rng() % 4 == 0)
			len = rng() % (base.size + 1);
		mem_load(&m, copy, len);
		mount_hostile(&m, outcome);
		mem_drop(&m);
		leaks += !host_no_frame_leaked();
	}
	CHECK(outcome[0] > 100 && outcome[1] > 100);
	CHECK_EQ(leaks, 0);
	free(copy);
	mem_drop(&archives[0]);
	mem_drop(&archives[1]);
}
