/*
 * fdt and board: the device tree reader and the board description built from
 * it.
 *
 * The fixtures in host/fixtures/ are device trees dumped from QEMU's virt
 * machine (qemu-system-riscv64 -machine virt,dumpdtb=...):
 *
 *	virt-smp1-64m.dtb	-smp 1 -m 64M, no bootargs
 *	virt-smp4-512m.dtb	-smp 4 -m 512M -append "ktest=all init=/bin/sh -c x"
 *	virt-smp8-2g.dtb	-smp 8 -m 2G -append "console=ttyS0 quiet"
 *
 * Variants (a node or property removed, extra nodes) are built in the test:
 * a small DTB writer below either clones a parsed blob minus some nodes or
 * properties, or assembles a tree from scratch. Blobs under test always live
 * in a malloc'd buffer of exactly the size passed as "avail", so an over-read
 * is caught by AddressSanitizer.
 */
#include "test.h"
#include "lib/fdt.h"
#include "kern/board.h"

/* ------------------------------------------------------------ fixtures */

/* Reads host/fixtures/name into a buffer of exactly its size. */
static uint8_t *load_fixture(const char *name, size_t *size)
{
	char path[256];
	uint8_t *buf;
	FILE *f;
	long n;

	snprintf(path, sizeof(path), "host/fixtures/%s", name);
	f = fopen(path, "rb");
	if (!f) {
		test_fail(__FILE__, __LINE__, path);
		return NULL;
	}
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n);
	if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
		test_fail(__FILE__, __LINE__, "short read of a fixture");
		free(buf);
		buf = NULL;
	}
	fclose(f);
	*size = (size_t)n;
	return buf;
}

/* Returns a malloc'd copy of the n bytes at p (at least 1 byte allocated). */
static uint8_t *dup_bytes(const void *p, size_t n)
{
	uint8_t *q = malloc(n ? n : 1);

	memcpy(q, p, n);
	return q;
}

static void put_be32(void *p, uint32_t v)
{
	uint8_t *b = p;

	b[0] = v >> 24;
	b[1] = v >> 16;
	b[2] = v >> 8;
	b[3] = v;
}

static void put_be64(void *p, uint64_t v)
{
	put_be32(p, v >> 32);
	put_be32((uint8_t *)p + 4, (uint32_t)v);
}

/* Header fields, by byte offset. */
enum { H_MAGIC = 0, H_TOTAL = 4, H_OFF_STRUCT = 8, H_OFF_STRINGS = 12,
       H_OFF_RSV = 16, H_VERSION = 20, H_LAST_COMP = 24, H_STRINGS_SIZE = 32,
       H_STRUCT_SIZE = 36 };

static uint32_t hdr(const uint8_t *blob, int field)
{
	return fdt_be32(blob + field);
}

/* ------------------------------------------------------ a small DTB writer */

struct dtb_build {
	uint8_t st[65536];	/* structure block */
	size_t stlen;
	char str[8192];		/* strings block */
	size_t strlen;
	uint64_t rsv[16][2];	/* memory reservation entries */
	int nrsv;
};

static struct dtb_build *db_new(void)
{
	return calloc(1, sizeof(struct dtb_build));
}

/* Appends raw bytes to the structure block, zero-padded to 4 bytes. */
static void db_raw(struct dtb_build *d, const void *p, size_t n)
{
	assert(d->stlen + n + 4 <= sizeof(d->st));
	if (n)
		memcpy(d->st + d->stlen, p, n);
	d->stlen += n;
	while (d->stlen & 3)
		d->st[d->stlen++] = 0;
}

static void db_u32(struct dtb_build *d, uint32_t v)
{
	uint8_t b[4];

	put_be32(b, v);
	db_raw(d, b, 4);
}

static void db_begin(struct dtb_build *d, const char *name)
{
	db_u32(d, FDT_BEGIN_NODE);
	db_raw(d, name, strlen(name) + 1);
}

static void db_end(struct dtb_build *d)
{
	db_u32(d, FDT_END_NODE);
}

/* Returns the offset of name in the strings block, adding it if new. */
static uint32_t db_string(struct dtb_build *d, const char *name)
{
	size_t n = strlen(name) + 1;

	for (size_t off = 0; off < d->strlen; off += strlen(d->str + off) + 1)
		if (strcmp(d->str + off, name) == 0)
			return (uint32_t)off;
	assert(d->strlen + n <= sizeof(d->str));
	memcpy(d->str + d->strlen, name, n);
	d->strlen += n;
	return (uint32_t)(d->strlen - n);
}

static void db_prop(struct dtb_build *d, const char *name, const void *val,
		    size_t len)
{
	db_u32(d, FDT_PROP);
	db_u32(d, (uint32_t)len);
	db_u32(d, db_string(d, name));
	db_raw(d, val, len);
}

static void db_prop_str(struct dtb_build *d, const char *name, const char *s)
{
	db_prop(d, name, s, strlen(s) + 1);
}

static void db_prop_cells(struct dtb_build *d, const char *name,
			  const uint32_t *cells, size_t n)
{
	uint8_t buf[256];

	assert(n * 4 <= sizeof(buf));
	for (size_t i = 0; i < n; i++)
		put_be32(buf + 4 * i, cells[i]);
	db_prop(d, name, buf, n * 4);
}

/* A property of big-endian cells: DB_CELLS(d, "reg", 0, 0x80000000, 0, 1). */
#define DB_CELLS(d, name, ...)						\
	db_prop_cells(d, name, (const uint32_t[]){ __VA_ARGS__ },	\
		      sizeof((const uint32_t[]){ __VA_ARGS__ }) / 4)
/* A string-list literal property: DB_STRS(d, "compatible", "a\0b"). */
#define DB_STRS(d, name, lit)	db_prop(d, name, lit, sizeof(lit))

/*
 * Lays out header, reservation block, structure block and strings block in
 * a malloc'd buffer of exactly the blob's size; frees d. The structure block
 * is taken as is (the caller appends FDT_END).
 */
static uint8_t *db_finish(struct dtb_build *d, size_t *size)
{
	size_t off_rsv = FDT_HEADER_SIZE;
	size_t off_struct = off_rsv + 16 * ((size_t)d->nrsv + 1);
	size_t off_strings = off_struct + d->stlen;
	size_t total = off_strings + d->strlen;
	uint8_t *blob = calloc(1, total);

	put_be32(blob + H_MAGIC, FDT_MAGIC);
	put_be32(blob + H_TOTAL, (uint32_t)total);
	put_be32(blob + H_OFF_STRUCT, (uint32_t)off_struct);
	put_be32(blob + H_OFF_STRINGS, (uint32_t)off_strings);
	put_be32(blob + H_OFF_RSV, (uint32_t)off_rsv);
	put_be32(blob + H_VERSION, 17);
	put_be32(blob + H_LAST_COMP, 16);
	put_be32(blob + H_STRINGS_SIZE, (uint32_t)d->strlen);
	put_be32(blob + H_STRUCT_SIZE, (uint32_t)d->stlen);
	for (int i = 0; i < d->nrsv; i++) {
		put_be64(blob + off_rsv + 16 * i, d->rsv[i][0]);
		put_be64(blob + off_rsv + 16 * i + 8, d->rsv[i][1]);
	}
	memcpy(blob + off_struct, d->st, d->stlen);
	memcpy(blob + off_strings, d->str, d->strlen);
	*size = total;
	free(d);
	return blob;
}

/* db_finish() after closing the stream with FDT_END. */
static uint8_t *db_finish_tree(struct dtb_build *d, size_t *size)
{
	db_u32(d, FDT_END);
	return db_finish(d, size);
}

/* Whether drops (NULL-terminated) contains path, or path:prop if prop. */
static bool is_dropped(const char *const *drops, const char *path,
		       const char *prop)
{
	char key[512];

	if (prop)
		snprintf(key, sizeof(key), "%s:%s", path, prop);
	else
		snprintf(key, sizeof(key), "%s", path);
	for (; drops && *drops; drops++)
		if (strcmp(*drops, key) == 0)
			return true;
	return false;
}

/* Copies node (whose path is path) and its subtree into d, minus drops. */
static void clone_node(struct dtb_build *d, const struct fdt *f, int node,
		       const char *path, const char *const *drops)
{
	if (is_dropped(drops, path, NULL))
		return;
	db_begin(d, fdt_node_name(f, node));
	for (int p = fdt_first_prop(f, node); p >= 0; p = fdt_next_prop(f, p)) {
		const char *name;
		int len;
		const void *val = fdt_prop_at(f, p, &name, &len);

		if (!is_dropped(drops, path, name))
			db_prop(d, name, val, (size_t)len);
	}
	for (int c = fdt_first_child(f, node); c >= 0; c = fdt_next_sibling(f, c)) {
		char cpath[512];

		snprintf(cpath, sizeof(cpath), "%s/%s", strcmp(path, "/") ? path : "",
			 fdt_node_name(f, c));
		clone_node(d, f, c, cpath, drops);
	}
	db_end(d);
}

/*
 * Returns a copy of blob without the nodes and properties named in drops
 * ("/soc/serial@10000000" drops a node, "/cpus:timebase-frequency" a
 * property), in a buffer of exactly *size bytes.
 */
static uint8_t *clone_dropping(const uint8_t *blob, size_t avail,
			       const char *const *drops, size_t *size)
{
	struct dtb_build *d = db_new();
	struct fdt f;

	CHECK_EQ(fdt_init(&f, blob, avail, NULL), 0);
	for (int i = 0; i < f.nrsv; i++)
		fdt_rsv_entry(&f, i, &d->rsv[i][0], &d->rsv[i][1]);
	d->nrsv = f.nrsv;
	clone_node(d, &f, fdt_root(&f), "/", drops);
	return db_finish_tree(d, size);
}

/*
 * Copies a blob with its blocks reordered so that one of them comes last,
 * cut to keep bytes: header, rsvmap, then strings and structure (structure
 * last if struct_last) or the other way round. The result, of exactly *size
 * bytes, ends where the cut block ends, so reading past the cut is an
 * over-read AddressSanitizer reports.
 */
static uint8_t *relayout_cut(const uint8_t *blob, bool struct_last,
			     uint32_t keep, size_t *size)
{
	uint32_t rsv_bytes = hdr(blob, H_OFF_STRUCT) - hdr(blob, H_OFF_RSV);
	uint32_t first_off = hdr(blob, struct_last ? H_OFF_STRINGS : H_OFF_STRUCT);
	uint32_t first_size = hdr(blob, struct_last ? H_STRINGS_SIZE : H_STRUCT_SIZE);
	uint32_t last_off = hdr(blob, struct_last ? H_OFF_STRUCT : H_OFF_STRINGS);
	size_t off_first = FDT_HEADER_SIZE + rsv_bytes;
	size_t off_last = ALIGN_UP(off_first + first_size, 4);
	size_t total = off_last + keep;
	uint8_t *out = calloc(1, total);

	memcpy(out, blob, FDT_HEADER_SIZE);
	memcpy(out + FDT_HEADER_SIZE, blob + hdr(blob, H_OFF_RSV), rsv_bytes);
	memcpy(out + off_first, blob + first_off, first_size);
	memcpy(out + off_last, blob + last_off, keep);
	put_be32(out + H_TOTAL, (uint32_t)total);
	put_be32(out + H_OFF_RSV, FDT_HEADER_SIZE);
	put_be32(out + (struct_last ? H_OFF_STRINGS : H_OFF_STRUCT), (uint32_t)off_first);
	put_be32(out + (struct_last ? H_OFF_STRUCT : H_OFF_STRINGS), (uint32_t)off_last);
	put_be32(out + (struct_last ? H_STRUCT_SIZE : H_STRINGS_SIZE), keep);
	*size = total;
	return out;
}

/* board_parse() on a private exact-size copy of the n bytes at blob. */
static int parse_copy(const uint8_t *blob, size_t n, struct board *b,
		      const char **why)
{
	uint8_t *copy = dup_bytes(blob, n);
	int err = board_parse(copy, n, b, why);

	free(copy);
	return err;
}

static bool why_is(const char *why, const char *want)
{
	return why && strcmp(why, want) == 0;
}

/* ---------------------------------------------------------- fdt queries */

TEST(fdt_init_accepts_qemu_trees)
{
	static const struct { const char *name; int nnodes; } fx[] = {
		{ "virt-smp1-64m.dtb", 30 },
		{ "virt-smp4-512m.dtb", 39 },
		{ "virt-smp8-2g.dtb", 51 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(fx); i++) {
		size_t size;
		uint8_t *blob = load_fixture(fx[i].name, &size);
		const char *why = "unset";
		struct fdt f;
		int n = 0;

		if (!blob)
			continue;
		CHECK_EQ(fdt_init(&f, blob, size, &why), 0);
		CHECK_EQ(f.totalsize, size);
		CHECK_EQ(f.nnodes, fx[i].nnodes);
		CHECK_EQ(f.nrsv, 0);
		CHECK(strcmp(fdt_node_name(&f, fdt_root(&f)), "") == 0);
		for (int node = fdt_root(&f); node >= 0; node = fdt_next_node(&f, node, NULL))
			n++;
		CHECK_EQ(n, fx[i].nnodes);
		free(blob);
	}
}

TEST(fdt_find_path_follows_names_with_and_without_unit_address)
{
	size_t size;
	uint8_t *blob = load_fixture("virt-smp4-512m.dtb", &size);
	struct fdt f;
	int node;

	CHECK_EQ(fdt_init(&f, blob, size, NULL), 0);
	CHECK_EQ(fdt_find_path(&f, "/"), fdt_root(&f));
	CHECK(strcmp(fdt_node_name(&f, fdt_find_path(&f, "/cpus")), "cpus") == 0);
	CHECK(strcmp(fdt_node_name(&f, fdt_find_path(&f, "/chosen")), "chosen") == 0);
	node = fdt_find_path(&f, "/soc/serial@10000000");
	CHECK(node >= 0 && strcmp(fdt_node_name(&f, node), "serial@10000000") == 0);
	CHECK_EQ(fdt_find_path(&f, "/soc/serial"), node);
	CHECK_EQ(fdt_find_path(&f, "//soc//serial@10000000/"), node);
	node = fdt_find_path(&f, "/memory");
	CHECK(node >= 0 && strcmp(fdt_node_name(&f, node), "memory@80000000") == 0);
	node = fdt_find_path(&f, "/cpus/cpu@2/interrupt-controller");
	CHECK(node >= 0);
	CHECK_EQ(fdt_parent(&f, fdt_parent(&f, node)), fdt_find_path(&f, "/cpus"));
	CHECK_EQ(fdt_find_path(&f, "/cpus/cpu@9"), -ENOENT);
	CHECK_EQ(fdt_find_path(&f, "/cpu"), -ENOENT);		/* no prefix match */
	CHECK_EQ(fdt_find_path(&f, "/soc/serial@1"), -ENOENT);
	CHECK_EQ(fdt_find_path(&f, "/nowhere/at/all"), -ENOENT);
	CHECK_EQ(fdt_find_path(&f, "cpus"), -EINVAL);
	CHECK(fdt_name_matches("cpu@0", "cpu"));
	CHECK(fdt_name_matches("cpu@0", "cpu@0"));
	CHECK(!fdt_name_matches("cpu@0", "cpu@1"));
	CHECK(!fdt_name_matches("cpus", "cpu"));
	CHECK(!fdt_name_matches("cpu", "cpu@0"));
	free(blob);
}

TEST(fdt_children_siblings_and_parents)
{
	static const char *const want[] = { "cpu@0", "cpu@1", "cpu@2", "cpu@3", "cpu-map" };
	size_t size;
	uint8_t *blob = load_fixture("virt-smp4-512m.dtb", &size);
	struct fdt f;
	int cpus, node, i = 0;

	CHECK_EQ(fdt_init(&f, blob, size, NULL), 0);
	cpus = fdt_find_path(&f, "/cpus");
	for (node = fdt_first_child(&f, cpus); node >= 0; node = fdt_next_sibling(&f, node), i++) {
		CHECK(i < 5 && strcmp(fdt_node_name(&f, node), want[i]) == 0);
		CHECK_EQ(fdt_parent(&f, node), cpus);
	}
	CHECK_EQ(i, 5);
	CHECK_EQ(node, -ENOENT);
	CHECK_EQ(fdt_parent(&f, cpus), fdt_root(&f));
	CHECK_EQ(fdt_parent(&f, fdt_root(&f)), -ENOENT);
	CHECK_EQ(fdt_first_child(&f, fdt_find_path(&f, "/chosen")), -ENOENT);
	CHECK_EQ(fdt_next_sibling(&f, fdt_root(&f)), -ENOENT);
	free(blob);
}

TEST(fdt_next_node_walks_depth_first_with_depth)
{
	size_t size;
	uint8_t *blob = load_fixture("virt-smp1-64m.dtb", &size);
	struct fdt f;
	int node, depth = 0, max_depth = 0, serial_depth = -1;

	CHECK_EQ(fdt_init(&f, blob, size, NULL), 0);
	for (node = fdt_root(&f); node >= 0; node = fdt_next_node(&f, node, &depth)) {
		int d = 0;

		for (int p = node; p != fdt_root(&f); p = fdt_parent(&f, p))
			d++;
		CHECK_EQ(depth, d);		/* tracked depth == real depth */
		max_depth = MAX(max_depth, depth);
		if (strcmp(fdt_node_name(&f, node), "serial@10000000") == 0)
			serial_depth = depth;
	}
	CHECK_EQ(node, -ENOENT);
	CHECK_EQ(serial_depth, 2);
	CHECK_EQ(max_depth, 4);			/* /cpus/cpu-map/cluster0/core0 */
	free(blob);
}

TEST(fdt_properties_strings_and_cells)
{
	size_t size;
	uint8_t *blob = load_fixture("virt-smp4-512m.dtb", &size);
	struct fdt f;
	int node, len, n;
	uint32_t v32;
	uint64_t v64;
	const char *names[4];
	const uint8_t *reg;

	CHECK_EQ(fdt_init(&f, blob, size, NULL), 0);
	node = fdt_find_path(&f, "/memory@80000000");
	CHECK(strcmp(fdt_prop_string(&f, node, "device_type"), "memory") == 0);
	reg = fdt_get_prop(&f, node, "reg", &len);
	CHECK(reg && len == 16);
	CHECK_EQ(fdt_read_cells(reg, 2), 0x80000000);
	CHECK_EQ(fdt_read_cells(reg + 8, 2), 0x20000000);
	CHECK_EQ(fdt_read_cells(reg + 4, 1), 0x80000000);
	CHECK_EQ(fdt_read_cells(reg, 0), 0);
	CHECK(fdt_get_prop(&f, node, "no-such-prop", &len) == NULL);
	n = 0;
	for (int p = fdt_first_prop(&f, node); p >= 0; p = fdt_next_prop(&f, p))
		if (n < 4)
			fdt_prop_at(&f, p, &names[n++], NULL);
	CHECK_EQ(n, 2);
	CHECK(strcmp(names[0], "device_type") == 0 && strcmp(names[1], "reg") == 0);

	node = fdt_find_path(&f, "/cpus");
	CHECK_EQ(fdt_prop_u32(&f, node, "timebase-frequency", &v32), 0);
	CHECK_EQ(v32, 10000000);
	CHECK_EQ(fdt_prop_u64(&f, node, "timebase-frequency", &v64), 0);
	CHECK_EQ(v64, 10000000);
	CHECK_EQ(fdt_prop_u32(&f, node, "absent", &v32), -ENOENT);
	CHECK_EQ(fdt_prop_u32(&f, fdt_find_path(&f, "/memory"), "reg", &v32), -EINVAL);
	CHECK_EQ(fdt_prop_u64(&f, fdt_find_path(&f, "/memory"), "reg", &v64), -EINVAL);
	/* rng-seed is 8 cells, not a string */
	CHECK(fdt_prop_string(&f, fdt_find_path(&f, "/chosen"), "rng-seed") == NULL);

	node = fdt_find_path(&f, "/soc/plic@c000000");
	CHECK(fdt_is_compatible(&f, node, "riscv,plic0"));
	CHECK(fdt_is_compatible(&f, node, "sifive,plic-1.0.0"));
	CHECK(!fdt_is_compatible(&f, node, "riscv"));
	CHECK(!fdt_is_compatible(&f, node, "sifive,plic"));
	CHECK(fdt_get_prop(&f, node, "interrupt-controller", &len) && len == 0);
	CHECK_EQ(fdt_find_compatible(&f, -1, "riscv,plic0"), node);
	CHECK_EQ(fdt_find_compatible(&f, node, "riscv,plic0"), -ENOENT);
	CHECK_EQ(fdt_find_compatible(&f, -1, "riscv-virtio"), fdt_root(&f));
	CHECK_EQ(fdt_find_phandle(&f, 9), node);
	CHECK_EQ(fdt_find_phandle(&f, 0), -ENOENT);
	CHECK_EQ(fdt_find_phandle(&f, 0x1234), -ENOENT);
	CHECK_EQ(fdt_parent(&f, fdt_find_phandle(&f, 8)), fdt_find_path(&f, "/cpus/cpu@0"));
	free(blob);
}

TEST(fdt_stringlist_matches_whole_terminated_strings)
{
	CHECK(fdt_stringlist_contains("a\0bc\0", 5, "a"));
	CHECK(fdt_stringlist_contains("a\0bc\0", 5, "bc"));
	CHECK(!fdt_stringlist_contains("a\0bc\0", 5, "b"));
	CHECK(!fdt_stringlist_contains("a\0bc\0", 5, ""));
	CHECK(fdt_stringlist_contains("a\0\0", 3, ""));
	CHECK(!fdt_stringlist_contains("a\0bc", 4, "bc"));	/* unterminated */
	CHECK(!fdt_stringlist_contains(NULL, 0, "a"));
	CHECK(!fdt_stringlist_contains("abc", -1, "abc"));
}

TEST(fdt_cell_counts_and_reg_use_the_parent)
{
	size_t size;
	uint8_t *blob = load_fixture("virt-smp4-512m.dtb", &size);
	struct fdt f;
	uint64_t base, sz;
	int node;

	CHECK_EQ(fdt_init(&f, blob, size, NULL), 0);
	CHECK_EQ(fdt_address_cells(&f, fdt_root(&f)), 2);
	CHECK_EQ(fdt_size_cells(&f, fdt_root(&f)), 2);
	CHECK_EQ(fdt_address_cells(&f, fdt_find_path(&f, "/cpus")), 1);
	CHECK_EQ(fdt_size_cells(&f, fdt_find_path(&f, "/cpus")), 0);
	CHECK_EQ(fdt_address_cells(&f, fdt_find_path(&f, "/chosen")), 2);	/* defaults */
	CHECK_EQ(fdt_size_cells(&f, fdt_find_path(&f, "/chosen")), 1);
	CHECK_EQ(fdt_address_cells(&f, 3), -EINVAL);

	node = fdt_find_path(&f, "/soc/serial@10000000");
	CHECK_EQ(fdt_reg(&f, node, 0, &base, &sz), 0);
	CHECK_EQ(base, 0x10000000);
	CHECK_EQ(sz, 0x100);
	CHECK_EQ(fdt_reg(&f, node, 1, &base, &sz), -ENOENT);
	CHECK_EQ(fdt_reg(&f, node, -1, &base, &sz), -ENOENT);
	CHECK_EQ(fdt_reg(&f, fdt_find_path(&f, "/cpus/cpu@2"), 0, &base, &sz), 0);
	CHECK_EQ(base, 2);
	CHECK_EQ(sz, 0);
	node = fdt_find_path(&f, "/flash");
	CHECK_EQ(fdt_reg(&f, node, 1, &base, &sz), 0);
	CHECK_EQ(base, 0x22000000);
	CHECK_EQ(sz, 0x2000000);
	CHECK_EQ(fdt_reg(&f, fdt_root(&f), 0, &base, &sz), -EINVAL);
	CHECK_EQ(fdt_reg(&f, fdt_find_path(&f, "/chosen"), 0, &base, &sz), -ENOENT);
	free(blob);
}

TEST(fdt_reads_memory_reservation_entries)
{
	struct dtb_build *d = db_new();
	struct fdt f;
	uint64_t addr, size;
	size_t n;
	uint8_t *blob;

	d->rsv[0][0] = 0x80000000;
	d->rsv[0][1] = 0x40000;
	d->rsv[1][0] = 0x123456789000;
	d->rsv[1][1] = 0x1000;
	d->nrsv = 2;
	db_begin(d, "");
	db_end(d);
	blob = db_finish_tree(d, &n);
	CHECK_EQ(fdt_init(&f, blob, n, NULL), 0);
	CHECK_EQ(f.nrsv, 2);
	CHECK_EQ(fdt_rsv_entry(&f, 1, &addr, &size), 0);
	CHECK_EQ(addr, 0x123456789000);
	CHECK_EQ(size, 0x1000);
	CHECK_EQ(fdt_rsv_entry(&f, 2, &addr, &size), -ENOENT);
	CHECK_EQ(fdt_rsv_entry(&f, -1, &addr, &size), -ENOENT);
	CHECK_EQ(f.nnodes, 1);
	CHECK_EQ(fdt_first_child(&f, fdt_root(&f)), -ENOENT);
	CHECK_EQ(fdt_next_node(&f, fdt_root(&f), NULL), -ENOENT);
	free(blob);
}

/*
 * Every offset of the structure block, used as a node or property handle,
 * is either rejected or read inside the blob: the queries never trust a
 * handle beyond decoding it.
 */
TEST(fdt_queries_survive_bogus_handles)
{
	size_t size;
	uint8_t *blob = load_fixture("virt-smp1-64m.dtb", &size);
	struct fdt f;
	uint64_t base;
	uint32_t v;
	int len;

	CHECK_EQ(fdt_init(&f, blob, size, NULL), 0);
	for (int h = -8; h < (int)f.struct_size + 8; h++) {
		fdt_node_name(&f, h);
		fdt_first_child(&f, h);
		fdt_next_sibling(&f, h);
		fdt_next_node(&f, h, NULL);
		fdt_get_prop(&f, h, "reg", &len);
		fdt_prop_u32(&f, h, "phandle", &v);
		fdt_first_prop(&f, h);
		fdt_next_prop(&f, h);
		fdt_prop_at(&f, h, NULL, &len);
		if ((h & 3) == 0) {		/* the slower whole-tree walks */
			fdt_parent(&f, h);
			fdt_reg(&f, h, 0, &base, NULL);
		}
	}
	CHECK_EQ(fdt_first_child(&f, 2), -EINVAL);
	CHECK(fdt_node_name(&f, -4) == NULL);
	CHECK(fdt_node_name(&f, 1 << 30) == NULL);
	free(blob);
}

/* ------------------------------------------------------ board, QEMU trees */

/* Checks what every QEMU virt tree has in common. */
static void check_virt_common(const struct board *b)
{
	CHECK_EQ(b->timebase_hz, 10000000);
	CHECK(b->has_sstc);
	CHECK_EQ(b->uart.base, 0x10000000);
	CHECK_EQ(b->uart.size, 0x100);
	CHECK_EQ(b->uart.irq, 10);
	CHECK_EQ(b->uart_clock_hz, 3686400);
	CHECK_EQ(b->plic.base, 0xc000000);
	CHECK_EQ(b->plic.size, 0x600000);
	CHECK_EQ(b->plic.irq, 0);
	CHECK_EQ(b->plic_ndev, 96);
	CHECK_EQ(b->nvirtio, 8);
	for (int i = 0; i < b->nvirtio; i++) {
		CHECK_EQ(b->virtio[i].base, 0x10001000 + 0x1000 * (uint64_t)i);
		CHECK_EQ(b->virtio[i].size, 0x1000);
		CHECK_EQ(b->virtio[i].irq, i + 1);
	}
	CHECK_EQ(b->test.base, 0x100000);
	CHECK_EQ(b->test.size, 0x1000);
	CHECK_EQ(b->nreserved, 0);
	CHECK_EQ(b->nmem, 1);
	CHECK_EQ(b->mem[0].base, 0x80000000);
}

/* Hart i is cpu@i; its S-mode context is 2i + 1 (M-mode is 2i). */
static void check_virt_harts(const struct board *b, int nharts)
{
	CHECK_EQ(b->nharts, nharts);
	for (int i = 0; i < nharts; i++) {
		CHECK_EQ(b->hart_ids[i], i);
		CHECK_EQ(b->plic_s_context[i], 2 * i + 1);
	}
	for (int i = nharts; i < BOARD_MAX_HARTS; i++)
		CHECK_EQ(b->plic_s_context[i], -1);
}

TEST(board_qemu_smp1_64m)
{
	size_t size;
	uint8_t *blob = load_fixture("virt-smp1-64m.dtb", &size);
	struct board b;
	const char *why = "unset";

	CHECK_EQ(board_parse(blob, size, &b, &why), 0);
	CHECK(why == NULL);
	check_virt_common(&b);
	check_virt_harts(&b, 1);
	CHECK_EQ(b.mem[0].size, 64 << 20);
	CHECK(strcmp(b.bootargs, "") == 0);
	CHECK_EQ(b.dtb_size, size);
	free(blob);
}

TEST(board_qemu_smp4_512m_with_bootargs)
{
	size_t size;
	uint8_t *blob = load_fixture("virt-smp4-512m.dtb", &size);
	struct board b;
	const char *why;

	CHECK_EQ(board_parse(blob, size, &b, &why), 0);
	check_virt_common(&b);
	check_virt_harts(&b, 4);
	CHECK_EQ(b.mem[0].size, 512 << 20);
	CHECK(strcmp(b.bootargs, "ktest=all init=/bin/sh -c x") == 0);
	CHECK_EQ(b.dtb_size, size);
	free(blob);
}

TEST(board_qemu_smp8_2g)
{
	size_t size;
	uint8_t *blob = load_fixture("virt-smp8-2g.dtb", &size);
	struct board b;

	CHECK_EQ(board_parse(blob, size, &b, NULL), 0);
	check_virt_common(&b);
	check_virt_harts(&b, 8);
	CHECK_EQ(b.mem[0].size, 2ULL << 30);
	CHECK(strcmp(b.bootargs, "console=ttyS0 quiet") == 0);
	free(blob);
}

TEST(board_a_cloned_tree_parses_the_same)
{
	size_t size, csize;
	uint8_t *blob = load_fixture("virt-smp4-512m.dtb", &size);
	uint8_t *clone = clone_dropping(blob, size, NULL, &csize);
	struct board a, b;

	CHECK_EQ(board_parse(blob, size, &a, NULL), 0);
	CHECK_EQ(board_parse(clone, csize, &b, NULL), 0);
	b.dtb_size = a.dtb_size;
	CHECK(memcmp(&a, &b, sizeof(a)) == 0);
	free(clone);
	free(blob);
}

/* ---------------------------------------------- board, missing parts */

/* Parses the smp4 fixture minus drops; returns the error, *why the message. */
static int parse_smp4_without(const char *const *drops, struct board *b,
			      const char **why)
{
	size_t size, csize;
	uint8_t *blob = load_fixture("virt-smp4-512m.dtb", &size);
	uint8_t *clone = clone_dropping(blob, size, drops, &csize);
	int err = board_parse(clone, csize, b, why);

	free(clone);
	free(blob);
	return err;
}

#define DROPS(...)	((const char *const[]){ __VA_ARGS__, NULL })

TEST(board_reports_each_missing_required_part)
{
	const struct {
		const char *const *drops;
		const char *why;
	} cases[] = {
		{ DROPS("/memory@80000000"), "device tree: no memory node with a reg" },
		{ DROPS("/memory@80000000:reg"), "device tree: no memory node with a reg" },
		{ DROPS("/cpus"), "device tree: no /cpus node" },
		{ DROPS("/cpus:timebase-frequency"), "device tree: /cpus has no timebase-frequency" },
		{ DROPS("/cpus/cpu@0", "/cpus/cpu@1", "/cpus/cpu@2", "/cpus/cpu@3"),
		  "device tree: no usable cpu under /cpus" },
		{ DROPS("/soc/serial@10000000"), "device tree: no ns16550a UART" },
		{ DROPS("/soc/serial@10000000:reg"), "device tree: ns16550a UART has no valid reg" },
		{ DROPS("/soc/plic@c000000"), "device tree: no PLIC (riscv,plic0 or sifive,plic-1.0.0)" },
		{ DROPS("/soc/plic@c000000:riscv,ndev"), "device tree: PLIC has no riscv,ndev" },
		{ DROPS("/cpus/cpu@2:reg"), "device tree: cpu node has no valid reg" },
		{ DROPS("/cpus/cpu@1/interrupt-controller"),
		  "device tree: PLIC interrupts-extended is malformed" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct board b;
		const char *why = NULL;
		int err = parse_smp4_without(cases[i].drops, &b, &why);

		CHECK(err < 0);
		CHECK(why_is(why, cases[i].why));
		if (!why_is(why, cases[i].why))
			printf("  case %zu: got \"%s\"\n", i, why ? why : "(null)");
	}
}

TEST(board_optional_parts_may_be_missing)
{
	struct board b;
	const char *why;

	CHECK_EQ(parse_smp4_without(DROPS("/soc/test@100000"), &b, &why), 0);
	CHECK_EQ(b.test.base, 0);
	CHECK_EQ(parse_smp4_without(DROPS("/chosen"), &b, &why), 0);
	CHECK(strcmp(b.bootargs, "") == 0);
	CHECK_EQ(parse_smp4_without(DROPS("/soc/serial@10000000:clock-frequency"), &b, &why), 0);
	CHECK_EQ(b.uart_clock_hz, 0);
	CHECK_EQ(parse_smp4_without(DROPS("/soc/plic@c000000:interrupts-extended"), &b, &why), 0);
	for (int i = 0; i < 4; i++)
		CHECK_EQ(b.plic_s_context[i], -1);
	CHECK_EQ(parse_smp4_without(DROPS("/soc/virtio_mmio@10003000"), &b, &why), 0);
	CHECK_EQ(b.nvirtio, 7);
	CHECK_EQ(b.virtio[1].base, 0x10002000);
	CHECK_EQ(b.virtio[2].base, 0x10004000);
	/* Sstc must be reported by every hart */
	CHECK_EQ(parse_smp4_without(DROPS("/cpus/cpu@0:riscv,isa"), &b, &why), 0);
	CHECK(!b.has_sstc);				/* one hart lacks it */
}

/* ---------------------------------------------- board, synthetic trees */

/*
 * Adds a cpu node with hart id id, an interrupt controller with phandle
 * 0x100 + id, the given status (NULL for none) and ISA description, and a
 * two-cell timebase-frequency unless timebase is 0.
 */
static void add_cpu(struct dtb_build *d, uint32_t id, const char *status,
		    const char *isa, bool isa_extensions, uint64_t timebase)
{
	char name[32];

	snprintf(name, sizeof(name), "cpu@%x", id);
	db_begin(d, name);
	db_prop_str(d, "device_type", "cpu");
	DB_CELLS(d, "reg", id);
	if (status)
		db_prop_str(d, "status", status);
	if (isa_extensions)
		DB_STRS(d, "riscv,isa-extensions", "i\0m\0a\0zicsr\0sstc");
	else
		db_prop_str(d, "riscv,isa", isa);
	if (timebase)
		DB_CELLS(d, "timebase-frequency", (uint32_t)(timebase >> 32), (uint32_t)timebase);
	db_begin(d, "interrupt-controller");
	DB_CELLS(d, "#interrupt-cells", 1);
	db_prop(d, "interrupt-controller", NULL, 0);
	DB_CELLS(d, "phandle", 0x100 + id);
	db_end(d);
	db_end(d);
}

/*
 * The odd board's memory: reservation entries (one empty), /chosen with
 * bootargs longer than the board keeps, two memory nodes (one with two
 * ranges), a disabled one, and /reserved-memory with a child without reg.
 */
static void odd_board_memory(struct dtb_build *d)
{
	char bootargs[BOARD_BOOTARGS_MAX + 100];

	d->rsv[0][0] = 0x80000000;
	d->rsv[0][1] = 0x20000;
	d->rsv[1][0] = 0x90000000;
	d->rsv[1][1] = 0;			/* empty: ignored */
	d->nrsv = 2;
	db_begin(d, "chosen");
	memset(bootargs, 'x', sizeof(bootargs) - 1);
	bootargs[sizeof(bootargs) - 1] = 0;
	db_prop_str(d, "bootargs", bootargs);
	db_end(d);
	db_begin(d, "memory@80000000");
	db_prop_str(d, "device_type", "memory");
	DB_CELLS(d, "reg", 0, 0x80000000, 0, 0x10000000, 1, 0, 0, 0x1000);
	db_end(d);
	db_begin(d, "memory@200000000");
	db_prop_str(d, "device_type", "memory");
	DB_CELLS(d, "reg", 2, 0, 0, 0x100000);
	db_end(d);
	db_begin(d, "memory@300000000");
	db_prop_str(d, "device_type", "memory");
	db_prop_str(d, "status", "disabled");
	DB_CELLS(d, "reg", 3, 0, 0, 0x100000);
	db_end(d);
	db_begin(d, "reserved-memory");
	DB_CELLS(d, "#address-cells", 2);
	DB_CELLS(d, "#size-cells", 2);
	db_prop(d, "ranges", NULL, 0);
	db_begin(d, "mmode_resv0@80000000");
	DB_CELLS(d, "reg", 0, 0x80000000, 0, 0x40000);
	db_prop(d, "no-map", NULL, 0);
	db_end(d);
	db_begin(d, "dynamic");			/* no reg: skipped */
	DB_CELLS(d, "size", 0, 0x100000);
	db_end(d);
	db_begin(d, "mmode_resv1@8f000000");
	DB_CELLS(d, "reg", 0, 0x8f000000, 0, 0x1000);
	db_end(d);
	db_end(d);
}

/*
 * The odd board's /cpus: ten cpus with ids out of order, cpu@3 disabled,
 * cpu@9 describing its ISA with riscv,isa-extensions, a stray node without
 * device_type, and no timebase-frequency on /cpus; cpu@5 has one unless
 * timebase is 0.
 */
static void odd_board_cpus(struct dtb_build *d, uint64_t timebase)
{
	static const uint32_t ids[] = { 5, 3, 9, 0, 1, 2, 4, 6, 7, 8 };

	db_begin(d, "cpus");
	DB_CELLS(d, "#address-cells", 1);
	DB_CELLS(d, "#size-cells", 0);
	for (size_t i = 0; i < ARRAY_SIZE(ids); i++)
		add_cpu(d, ids[i], ids[i] == 3 ? "disabled" : i == 0 ? "okay" : NULL,
			"rv64imac_zicsr_sstc", ids[i] == 9,
			ids[i] == 5 ? timebase : 0);
	db_begin(d, "cpu@0");			/* same name again, no device_type */
	db_end(d);
	db_end(d);
}

/*
 * The odd board's devices, on a bus with 1-cell addresses and sizes: a
 * disabled UART before the real one, twenty virtio slots in scrambled
 * order, and a PLIC whose contexts are, in order: hart 5 M-mode, then the
 * S-mode interrupts of harts 5, 3, 9, 0, 1, 2, 4, 6, 7.
 */
static void odd_board_bus(struct dtb_build *d)
{
	db_begin(d, "bus");
	DB_CELLS(d, "#address-cells", 1);
	DB_CELLS(d, "#size-cells", 1);
	db_begin(d, "uart@20000000");
	DB_STRS(d, "compatible", "ns16550a");
	db_prop_str(d, "status", "disabled");
	DB_CELLS(d, "reg", 0x20000000, 0x100);
	db_end(d);
	db_begin(d, "uart@21000000");
	DB_STRS(d, "compatible", "snps,dw-apb-uart\0ns16550a");
	db_prop_str(d, "status", "okay");
	DB_CELLS(d, "reg", 0x21000000, 0x100);
	DB_CELLS(d, "interrupts", 33, 4);
	DB_CELLS(d, "clock-frequency", 1843200);
	db_end(d);
	for (int i = 0; i < 20; i++) {
		char name[32];
		uint32_t slot = (uint32_t)(i * 7 % 20);	/* a permutation */

		snprintf(name, sizeof(name), "virtio@%x", 0x30000000 + slot * 0x1000);
		db_begin(d, name);
		DB_STRS(d, "compatible", "virtio,mmio");
		DB_CELLS(d, "reg", 0x30000000 + slot * 0x1000, 0x200);
		DB_CELLS(d, "interrupts", 40 + slot);
		db_end(d);
	}
	db_begin(d, "interrupt-controller@40000000");
	DB_STRS(d, "compatible", "sifive,plic-1.0.0");
	DB_CELLS(d, "reg", 0x40000000, 0x4000000);
	DB_CELLS(d, "riscv,ndev", 127);
	DB_CELLS(d, "interrupts-extended", 0x105, 11, 0x105, 9, 0x103, 9, 0x109, 9,
		 0x100, 9, 0x101, 9, 0x102, 9, 0x104, 9, 0x106, 9, 0x107, 9);
	db_end(d);
	db_end(d);
}

/*
 * A board unlike QEMU's, to exercise what the fixtures do not: see
 * odd_board_memory(), odd_board_cpus() and odd_board_bus().
 */
static uint8_t *build_odd_board(uint64_t timebase, size_t *size)
{
	struct dtb_build *d = db_new();

	db_begin(d, "");
	DB_CELLS(d, "#address-cells", 2);
	DB_CELLS(d, "#size-cells", 2);
	db_u32(d, FDT_NOP);
	odd_board_memory(d);
	odd_board_cpus(d, timebase);
	odd_board_bus(d);
	db_end(d);
	return db_finish_tree(d, size);
}

TEST(board_odd_synthetic_tree)
{
	size_t size;
	uint8_t *blob = build_odd_board(25000000, &size);
	struct board b;
	const char *why = "unset";
	/* hart ids in document order, cpu@3 disabled, the first 8 kept */
	static const uint32_t harts[] = { 5, 9, 0, 1, 2, 4, 6, 7 };
	/* S contexts from interrupts-extended: ctx 1 -> hart 5, 3 -> 9, ... */
	static const int ctx[] = { 1, 3, 4, 5, 6, 7, 8, 9 };

	CHECK_EQ(board_parse(blob, size, &b, &why), 0);
	CHECK(why == NULL);
	CHECK_EQ(b.nmem, 3);
	CHECK_EQ(b.mem[0].base, 0x80000000);
	CHECK_EQ(b.mem[0].size, 0x10000000);
	CHECK_EQ(b.mem[1].base, 0x100000000);
	CHECK_EQ(b.mem[1].size, 0x1000);
	CHECK_EQ(b.mem[2].base, 0x200000000);
	CHECK_EQ(b.nreserved, 3);
	CHECK_EQ(b.reserved[0].base, 0x80000000);
	CHECK_EQ(b.reserved[0].size, 0x20000);
	CHECK_EQ(b.reserved[1].base, 0x80000000);
	CHECK_EQ(b.reserved[1].size, 0x40000);
	CHECK_EQ(b.reserved[2].base, 0x8f000000);
	CHECK_EQ(b.nharts, BOARD_MAX_HARTS);
	for (int i = 0; i < BOARD_MAX_HARTS; i++) {
		CHECK_EQ(b.hart_ids[i], harts[i]);
		CHECK_EQ(b.plic_s_context[i], ctx[i]);
	}
	CHECK_EQ(b.timebase_hz, 25000000);
	CHECK(b.has_sstc);			/* riscv,isa or isa-extensions */
	CHECK_EQ(b.uart.base, 0x21000000);
	CHECK_EQ(b.uart.size, 0x100);
	CHECK_EQ(b.uart.irq, 33);
	CHECK_EQ(b.uart_clock_hz, 1843200);
	CHECK_EQ(b.plic.base, 0x40000000);
	CHECK_EQ(b.plic.size, 0x4000000);
	CHECK_EQ(b.plic_ndev, 127);
	CHECK_EQ(b.nvirtio, BOARD_MAX_VIRTIO);	/* the lowest 16 of 20, in order */
	for (int i = 0; i < BOARD_MAX_VIRTIO; i++) {
		CHECK_EQ(b.virtio[i].base, 0x30000000 + 0x1000 * (uint64_t)i);
		CHECK_EQ(b.virtio[i].size, 0x200);
		CHECK_EQ(b.virtio[i].irq, 40 + i);
	}
	CHECK_EQ(b.test.base, 0);
	CHECK_EQ(strlen(b.bootargs), BOARD_BOOTARGS_MAX - 1);
	CHECK(b.bootargs[0] == 'x');
	CHECK_EQ(b.dtb_size, size);
	free(blob);
}

TEST(board_timebase_may_be_on_a_cpu_but_must_exist)
{
	size_t size;
	uint8_t *blob = build_odd_board(0, &size);
	struct board b;
	const char *why = NULL;

	CHECK_EQ(board_parse(blob, size, &b, &why), -ENODEV);
	CHECK(why_is(why, "device tree: /cpus has no timebase-frequency"));
	free(blob);
}

/* A one-cpu tree with the given riscv,isa, for the Sstc detection. */
static bool sstc_of_isa(const char *isa)
{
	size_t size, csize;
	uint8_t *blob = load_fixture("virt-smp1-64m.dtb", &size);
	struct dtb_build *d = db_new();
	struct fdt f;
	struct board b;
	bool sstc;
	int cpu;
	uint8_t *clone;

	/* clone without the ISA, then append a new one to cpu@0 */
	CHECK_EQ(fdt_init(&f, blob, size, NULL), 0);
	cpu = fdt_find_path(&f, "/cpus/cpu@0");
	d->nrsv = 0;
	db_begin(d, "");
	for (int p = fdt_first_prop(&f, fdt_root(&f)); p >= 0; p = fdt_next_prop(&f, p)) {
		const char *name;
		int len;
		const void *v = fdt_prop_at(&f, p, &name, &len);

		db_prop(d, name, v, (size_t)len);
	}
	for (int c = fdt_first_child(&f, fdt_root(&f)); c >= 0; c = fdt_next_sibling(&f, c)) {
		if (c != fdt_parent(&f, cpu)) {
			clone_node(d, &f, c, "/x", NULL);
			continue;
		}
		db_begin(d, "cpus");
		DB_CELLS(d, "#address-cells", 1);
		DB_CELLS(d, "#size-cells", 0);
		DB_CELLS(d, "timebase-frequency", 10000000);
		db_begin(d, "cpu@0");
		db_prop_str(d, "device_type", "cpu");
		DB_CELLS(d, "reg", 0);
		db_prop_str(d, "riscv,isa", isa);
		clone_node(d, &f, fdt_first_child(&f, cpu), "/x", NULL);
		db_end(d);
		db_end(d);
	}
	db_end(d);
	clone = db_finish_tree(d, &csize);
	CHECK_EQ(board_parse(clone, csize, &b, NULL), 0);
	sstc = b.has_sstc;
	free(clone);
	free(blob);
	return sstc;
}

TEST(board_sstc_is_a_whole_isa_extension_name)
{
	CHECK(sstc_of_isa("rv64imac_sstc"));
	CHECK(sstc_of_isa("rv64imac_sstc_zicsr"));
	CHECK(!sstc_of_isa("rv64imac_zicsr"));
	CHECK(!sstc_of_isa("rv64imac_sstcx"));
	CHECK(!sstc_of_isa("rv64imac_xsstc"));
	CHECK(!sstc_of_isa("rv64imacsstc"));
}

/* ------------------------------------------------------ robustness */

static const char *const fixtures[] = {
	"virt-smp1-64m.dtb", "virt-smp4-512m.dtb", "virt-smp8-2g.dtb",
};

TEST(board_refuses_every_truncation_of_a_real_blob)
{
	for (size_t i = 0; i < ARRAY_SIZE(fixtures); i++) {
		size_t size;
		uint8_t *blob = load_fixture(fixtures[i], &size);
		int refused = 0;

		for (size_t len = 0; blob && len < size; len++) {
			struct board b;
			const char *why = NULL;

			if (parse_copy(blob, len, &b, &why) == -EINVAL &&
			    why_is(why, "device tree: truncated blob"))
				refused++;
		}
		CHECK_EQ(refused, size);
		free(blob);
	}
}

/*
 * The header claims fewer bytes than the blocks were: every cut of the
 * structure block, and every cut of the strings block, is refused without
 * reading past the cut (the cut block is moved to the end of the buffer).
 */
TEST(fdt_refuses_every_cut_of_the_structure_and_strings_blocks)
{
	size_t size;
	uint8_t *blob = load_fixture("virt-smp4-512m.dtb", &size);
	uint32_t struct_size = hdr(blob, H_STRUCT_SIZE);
	uint32_t strings_size = hdr(blob, H_STRINGS_SIZE);
	int refused = 0;
	struct fdt f;
	size_t n;
	uint8_t *cut;

	for (uint32_t keep = 0; keep < struct_size; keep++) {
		cut = relayout_cut(blob, true, keep, &n);
		refused += fdt_init(&f, cut, n, NULL) == -EINVAL;
		free(cut);
	}
	CHECK_EQ(refused, struct_size);
	refused = 0;
	for (uint32_t keep = 0; keep < strings_size; keep++) {
		cut = relayout_cut(blob, false, keep, &n);
		refused += fdt_init(&f, cut, n, NULL) == -EINVAL;
		free(cut);
	}
	CHECK_EQ(refused, strings_size);
	/* uncut, both layouts are fine and parse to the same board */
	cut = relayout_cut(blob, true, struct_size, &n);
	{
		struct board a, b;

		CHECK_EQ(board_parse(blob, size, &a, NULL), 0);
		CHECK_EQ(board_parse(cut, n, &b, NULL), 0);
		b.dtb_size = a.dtb_size;
		CHECK(memcmp(&a, &b, sizeof(a)) == 0);
	}
	free(cut);
	free(blob);
}

static uint64_t prng_state;

/* xorshift64: a fixed sequence, so failures reproduce. */
static uint64_t prng(void)
{
	prng_state ^= prng_state << 13;
	prng_state ^= prng_state >> 7;
	prng_state ^= prng_state << 17;
	return prng_state;
}

/* Values likely to confuse a parser when written over a 32-bit word. */
static uint32_t interesting_word(uint32_t total)
{
	static const uint32_t words[] = {
		0, 1, 2, 3, 4, 9, 0x7fffffff, 0x80000000, 0xfffffffc, 0xffffffff,
		0x10, 0x40,
	};
	uint64_t r = prng();

	if (r % 4 == 0)
		return (uint32_t)(r >> 32);
	if (r % 4 == 1)
		return total + (uint32_t)(r >> 40) % 16 - 8;
	return words[(r >> 8) % ARRAY_SIZE(words)];
}

/*
 * Walks everything a kernel might ask of a tree that fdt_init() accepted,
 * so corrupted-but-accepted trees are exercised beyond board_parse().
 */
static void walk_everything(const struct fdt *f)
{
	int depth = 0;

	for (int node = fdt_root(f); node >= 0; node = fdt_next_node(f, node, &depth)) {
		int len;

		fdt_node_name(f, node);
		fdt_is_compatible(f, node, "virtio,mmio");
		fdt_get_prop(f, node, "reg", &len);
		fdt_first_child(f, node);
		fdt_next_sibling(f, node);
	}
	fdt_find_path(f, "/soc/serial@10000000");
	fdt_find_phandle(f, 1);
}

/*
 * Applies iterations random corruptions to copies of a fixture, alternately
 * one byte set to a random value and one aligned word set to a value chosen
 * to upset a parser, and parses each copy. Every parse must return cleanly
 * (AddressSanitizer watches for over-reads, the buffer being exactly the
 * blob). Returns how many were accepted; *refused counts the others.
 */
static int fuzz_fixture(const char *name, int iterations, int *refused)
{
	size_t size;
	uint8_t *blob = load_fixture(name, &size);
	uint8_t *copy = malloc(size);
	int accepted = 0;

	for (int iter = 0; blob && iter < iterations; iter++) {
		struct board b;
		struct fdt f;
		int err;

		memcpy(copy, blob, size);
		if (iter % 2 == 0) {
			copy[prng() % size] = (uint8_t)prng();
		} else {
			size_t at = (prng() % (size / 4)) * 4;

			put_be32(copy + at, interesting_word((uint32_t)size));
		}
		err = board_parse(copy, size, &b, NULL);
		CHECK(err == 0 || err == -EINVAL || err == -ENODEV);
		if (err == 0) {
			CHECK(b.nmem > 0 && b.nharts > 0 && b.timebase_hz > 0);
			accepted++;
		} else {
			(*refused)++;
		}
		if (fdt_init(&f, copy, size, NULL) == 0)
			walk_everything(&f);
	}
	free(copy);
	free(blob);
	return accepted;
}

TEST(board_survives_random_corruption)
{
	prng_state = 0x6b696c6275726eULL;
	for (size_t i = 0; i < ARRAY_SIZE(fixtures); i++) {
		int refused = 0;
		int accepted = fuzz_fixture(fixtures[i], 4000, &refused);

		/* both outcomes happen: the corruption reaches the parser */
		CHECK(accepted > 100);
		CHECK(refused > 100);
	}
}

/* Patches the 32-bit header field at off and expects fdt_init() to refuse. */
static void expect_header_refused(const uint8_t *blob, size_t size, int field,
				  uint32_t value, const char *why_want)
{
	uint8_t *copy = dup_bytes(blob, size);
	const char *why = NULL;
	struct fdt f;

	put_be32(copy + field, value);
	CHECK_EQ(fdt_init(&f, copy, size, &why), -EINVAL);
	CHECK(why_is(why, why_want));
	if (!why_is(why, why_want))
		printf("  field %d = %#x: got \"%s\"\n", field, value, why ? why : "(null)");
	free(copy);
}

TEST(fdt_refuses_bad_headers)
{
	size_t size;
	uint8_t *blob = load_fixture("virt-smp4-512m.dtb", &size);
	uint32_t total = (uint32_t)size;
	const char *outside = "device tree: block outside the blob";

	expect_header_refused(blob, size, H_MAGIC, 0xfeedd00d, "device tree: bad magic");
	expect_header_refused(blob, size, H_VERSION, 16, "device tree: unsupported version");
	expect_header_refused(blob, size, H_LAST_COMP, 18, "device tree: unsupported version");
	expect_header_refused(blob, size, H_TOTAL, 39, "device tree: bad header");
	expect_header_refused(blob, size, H_TOTAL, total + 1, "device tree: truncated blob");
	expect_header_refused(blob, size, H_TOTAL, 0xffffffff, "device tree: bad header");
	expect_header_refused(blob, size, H_OFF_STRUCT, total, outside);
	expect_header_refused(blob, size, H_OFF_STRUCT, 0xfffffff0, outside);
	expect_header_refused(blob, size, H_OFF_STRUCT, hdr(blob, H_OFF_STRUCT) + 2, outside);
	expect_header_refused(blob, size, H_OFF_STRUCT, 0, outside);
	expect_header_refused(blob, size, H_STRUCT_SIZE, 0xfffffff0, outside);
	expect_header_refused(blob, size, H_OFF_STRINGS, total, outside);
	expect_header_refused(blob, size, H_STRINGS_SIZE, hdr(blob, H_STRINGS_SIZE) + 1, outside);
	expect_header_refused(blob, size, H_OFF_RSV, total, outside);
	expect_header_refused(blob, size, H_OFF_RSV, 44, outside);
	/* the reservation block read from the strings: no terminator before the end */
	expect_header_refused(blob, size, H_OFF_RSV, ALIGN_DOWN(total - 8, 8),
			      "device tree: unterminated memory reservation block");
	free(blob);
}

TEST(fdt_refuses_property_name_offset_outside_strings)
{
	size_t size;
	uint8_t *blob = load_fixture("virt-smp1-64m.dtb", &size);
	uint8_t *st = blob + hdr(blob, H_OFF_STRUCT);
	uint32_t strings_size = hdr(blob, H_STRINGS_SIZE);
	const char *why = NULL;
	struct fdt f;
	size_t off = 8;				/* root BEGIN_NODE "" */

	CHECK_EQ(fdt_be32(st + off), FDT_PROP);	/* the root's first property */
	put_be32(st + off + 8, strings_size);
	CHECK_EQ(fdt_init(&f, blob, size, &why), -EINVAL);
	CHECK(why_is(why, "device tree: property name outside the strings block"));
	put_be32(st + off + 8, 0xffffffff);
	CHECK_EQ(fdt_init(&f, blob, size, &why), -EINVAL);
	/* the last string, cut off from its NUL by shrinking the block */
	put_be32(st + off + 8, 0);
	put_be32(blob + H_STRINGS_SIZE, strings_size - 1);
	CHECK_EQ(fdt_init(&f, blob, size, &why), -EINVAL);
	CHECK(why_is(why, "device tree: unterminated property name"));
	free(blob);
}

/* Finishes a hand-made structure block and expects fdt_init() to refuse it. */
static void expect_structure_refused(struct dtb_build *d, const char *why_want,
				     int line)
{
	size_t size;
	uint8_t *blob = db_finish(d, &size);
	const char *why = NULL;
	struct fdt f;

	if (fdt_init(&f, blob, size, &why) != -EINVAL || !why_is(why, why_want)) {
		char msg[256];

		snprintf(msg, sizeof(msg), "structure refused with \"%s\", wanted \"%s\"",
			 why ? why : "(nothing)", why_want);
		test_fail(__FILE__, line, msg);
	}
	free(blob);
}

/* A root node with a "p" property, left open. */
static struct dtb_build *open_root(void)
{
	struct dtb_build *d = db_new();

	db_begin(d, "");
	DB_CELLS(d, "p", 1);
	return d;
}

TEST(fdt_refuses_malformed_structure_blocks)
{
	struct dtb_build *d;

	d = open_root();				/* name runs off the block */
	db_u32(d, FDT_BEGIN_NODE);
	db_raw(d, "abcd", 4);
	expect_structure_refused(d, "device tree: unterminated node name", __LINE__);

	d = open_root();				/* root never closed */
	db_u32(d, FDT_END);
	expect_structure_refused(d, "device tree: unbalanced nodes at FDT_END", __LINE__);

	d = open_root();				/* one END_NODE too many */
	db_end(d);
	db_end(d);
	db_u32(d, FDT_END);
	expect_structure_refused(d, "device tree: unbalanced end of node", __LINE__);

	d = open_root();				/* a second root */
	db_end(d);
	db_begin(d, "again");
	db_end(d);
	db_u32(d, FDT_END);
	expect_structure_refused(d, "device tree: more than one root node", __LINE__);

	d = db_new();					/* property outside any node */
	DB_CELLS(d, "p", 1);
	db_u32(d, FDT_END);
	expect_structure_refused(d, "device tree: property outside a node", __LINE__);

	d = db_new();					/* nothing but FDT_END */
	db_u32(d, FDT_NOP);
	db_u32(d, FDT_END);
	expect_structure_refused(d, "device tree: no root node", __LINE__);

	d = open_root();				/* no FDT_END */
	db_end(d);
	expect_structure_refused(d, "device tree: structure block has no FDT_END", __LINE__);

	d = open_root();				/* unknown token */
	db_u32(d, 5);
	db_end(d);
	db_u32(d, FDT_END);
	expect_structure_refused(d, "device tree: unknown structure token", __LINE__);

	d = open_root();				/* property value past the block */
	db_u32(d, FDT_PROP);
	db_u32(d, 64);
	db_u32(d, db_string(d, "q"));
	db_end(d);
	db_u32(d, FDT_END);
	expect_structure_refused(d, "device tree: property value outside the structure block",
				 __LINE__);

	d = open_root();				/* property after a subnode */
	db_begin(d, "child");
	db_end(d);
	DB_CELLS(d, "late", 1);
	db_end(d);
	db_u32(d, FDT_END);
	expect_structure_refused(d, "device tree: property after a subnode", __LINE__);

	d = open_root();				/* header cut inside a PROP */
	db_u32(d, FDT_PROP);
	db_u32(d, 0);
	expect_structure_refused(d, "device tree: structure token outside the block", __LINE__);
}

/* A chain of depth nested nodes, properly closed. */
static uint8_t *nested_blob(int depth, size_t *size)
{
	struct dtb_build *d = db_new();

	db_begin(d, "");
	for (int i = 1; i < depth; i++)
		db_begin(d, "n");
	for (int i = 0; i < depth; i++)
		db_end(d);
	return db_finish_tree(d, size);
}

TEST(fdt_limits_nesting_depth)
{
	size_t size;
	uint8_t *ok = nested_blob(FDT_MAX_DEPTH, &size);
	uint8_t *deep;
	const char *why = NULL;
	struct fdt f;
	int node, depth = 0, last = -1;

	CHECK_EQ(fdt_init(&f, ok, size, NULL), 0);
	CHECK_EQ(f.nnodes, FDT_MAX_DEPTH);
	for (node = fdt_root(&f); node >= 0; node = fdt_next_node(&f, node, &depth))
		last = node;
	CHECK_EQ(depth, FDT_MAX_DEPTH - 1);
	CHECK_EQ(fdt_find_path(&f, "/n/n/n"), fdt_next_node(&f, fdt_next_node(&f,
		 fdt_next_node(&f, fdt_root(&f), NULL), NULL), NULL));
	CHECK(fdt_parent(&f, last) >= 0);
	free(ok);

	deep = nested_blob(FDT_MAX_DEPTH + 1, &size);
	CHECK_EQ(fdt_init(&f, deep, size, &why), -EINVAL);
	CHECK(why_is(why, "device tree: nodes nested too deeply"));
	free(deep);
}
