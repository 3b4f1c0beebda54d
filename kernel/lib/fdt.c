/*
 * fdt — reading a flattened device tree blob.
 *
 * Layout (Devicetree Specification, chapter 5): a 40-byte header of
 * big-endian words, a memory reservation block of (address, size) pairs of
 * 64-bit words ending with a (0, 0) pair, a structure block and a strings
 * block. The structure block is a stream of 32-bit aligned tokens:
 *
 *	FDT_BEGIN_NODE	name, NUL-terminated, padded to 4 bytes
 *	FDT_PROP	u32 len, u32 nameoff (into the strings block), len bytes
 *			of value padded to 4 bytes
 *	FDT_END_NODE	closes the innermost open node
 *	FDT_NOP		ignored
 *	FDT_END		ends the stream
 *
 * A node is its BEGIN_NODE, its properties, its children, its END_NODE.
 *
 * Every token is read through fdt_token_decode(), which checks that the whole
 * token lies inside the structure block and that any name it refers to is
 * terminated inside its block. fdt_init() runs it over the entire stream once
 * and also checks the nesting; the queries then rely on that for termination
 * and on fdt_token_decode() for memory safety, so even a bogus handle passed
 * by a caller cannot make them read outside the blob.
 */
#include "env.h"
#include "lib/fdt.h"

/* Header field offsets (all big-endian u32). */
#define HDR_MAGIC		0
#define HDR_TOTALSIZE		4
#define HDR_OFF_STRUCT		8
#define HDR_OFF_STRINGS		12
#define HDR_OFF_RSVMAP		16
#define HDR_VERSION		20
#define HDR_LAST_COMP		24
#define HDR_BOOT_CPUID		28
#define HDR_SIZE_STRINGS	32
#define HDR_SIZE_STRUCT		36

#define RSV_ENTRY_SIZE		16
#define FDT_MAX_CELL_COUNT	4	/* largest #address-cells we accept */

/* One decoded structure block token. */
struct fdt_token {
	uint32_t tag;		/* FDT_BEGIN_NODE, ... */
	int next;		/* offset of the token after this one */
	const char *name;	/* BEGIN_NODE: node name; PROP: property name */
	const void *data;	/* PROP: the value */
	uint32_t len;		/* PROP: the value's length */
	const char *bad;	/* why decoding failed */
};

uint32_t fdt_be32(const void *p)
{
	const uint8_t *b = p;

	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
	       (uint32_t)b[2] << 8 | b[3];
}

uint64_t fdt_be64(const void *p)
{
	const uint8_t *b = p;

	return (uint64_t)fdt_be32(b) << 32 | fdt_be32(b + 4);
}

uint64_t fdt_read_cells(const void *p, int ncells)
{
	if (ncells <= 0)
		return 0;
	return ncells == 1 ? fdt_be32(p) : fdt_be64(p);
}

/*
 * Decodes the token at structure offset off into *t. Returns 0, or -EINVAL
 * with t->bad set when the token is misaligned, unknown, or does not fit in
 * the structure block (including a node name or property value running off
 * its end, or a property name not terminated inside the strings block).
 */
static int fdt_token_decode(const struct fdt *fdt, int off, struct fdt_token *t)
{
	uint32_t size = fdt->struct_size;
	const uint8_t *p;
	uint64_t next;
	size_t room, n;
	uint32_t nameoff;

	t->bad = "device tree: structure token outside the block";
	if (off < 0 || (off & 3) || (uint64_t)off + 4 > size)
		return -EINVAL;
	p = fdt->structs + off;
	t->tag = fdt_be32(p);
	switch (t->tag) {
	case FDT_BEGIN_NODE:
		t->name = (const char *)p + 4;
		room = size - (uint32_t)off - 4;
		n = strnlen(t->name, room);
		t->bad = "device tree: unterminated node name";
		if (n == room)
			return -EINVAL;
		next = (uint64_t)off + 4 + ALIGN_UP(n + 1, 4);
		break;
	case FDT_PROP:
		if ((uint64_t)off + 12 > size)
			return -EINVAL;
		t->len = fdt_be32(p + 4);
		nameoff = fdt_be32(p + 8);
		t->data = p + 12;
		t->bad = "device tree: property value outside the structure block";
		if (t->len > size - (uint32_t)off - 12)
			return -EINVAL;
		t->bad = "device tree: property name outside the strings block";
		if (nameoff >= fdt->strings_size)
			return -EINVAL;
		t->name = fdt->strings + nameoff;
		t->bad = "device tree: unterminated property name";
		if (strnlen(t->name, fdt->strings_size - nameoff) ==
		    fdt->strings_size - nameoff)
			return -EINVAL;
		next = (uint64_t)off + 12 + ALIGN_UP((uint64_t)t->len, 4);
		break;
	case FDT_END_NODE:
	case FDT_NOP:
	case FDT_END:
		next = (uint64_t)off + 4;
		break;
	default:
		t->bad = "device tree: unknown structure token";
		return -EINVAL;
	}
	t->bad = "device tree: structure token outside the block";
	if (next > size)
		return -EINVAL;
	t->next = (int)next;
	return 0;
}

/*
 * Checks the header of the blob and fills the block fields of *fdt. Returns 0
 * or -EINVAL with *why set.
 */
static int fdt_check_header(struct fdt *fdt, const uint8_t *blob, size_t avail,
			    const char **why)
{
	uint32_t total, off_struct, off_strings, off_rsv;

	*why = "device tree: truncated blob";
	if (!blob || avail < 4)
		return -EINVAL;
	*why = "device tree: bad magic";
	if (fdt_be32(blob + HDR_MAGIC) != FDT_MAGIC)
		return -EINVAL;
	*why = "device tree: truncated blob";
	if (avail < FDT_HEADER_SIZE)
		return -EINVAL;
	*why = "device tree: unsupported version";
	if (fdt_be32(blob + HDR_VERSION) < FDT_VERSION ||
	    fdt_be32(blob + HDR_LAST_COMP) > FDT_VERSION)
		return -EINVAL;
	total = fdt_be32(blob + HDR_TOTALSIZE);
	*why = "device tree: bad header";
	if (total < FDT_HEADER_SIZE || total > (uint32_t)__INT_MAX__)
		return -EINVAL;
	*why = "device tree: truncated blob";
	if (total > avail)
		return -EINVAL;

	off_struct = fdt_be32(blob + HDR_OFF_STRUCT);
	off_strings = fdt_be32(blob + HDR_OFF_STRINGS);
	off_rsv = fdt_be32(blob + HDR_OFF_RSVMAP);
	fdt->struct_size = fdt_be32(blob + HDR_SIZE_STRUCT);
	fdt->strings_size = fdt_be32(blob + HDR_SIZE_STRINGS);
	*why = "device tree: block outside the blob";
	if (off_struct < FDT_HEADER_SIZE || (off_struct & 3) ||
	    (uint64_t)off_struct + fdt->struct_size > total)
		return -EINVAL;
	if (off_strings < FDT_HEADER_SIZE ||
	    (uint64_t)off_strings + fdt->strings_size > total)
		return -EINVAL;
	if (off_rsv < FDT_HEADER_SIZE || (off_rsv & 7) || off_rsv >= total)
		return -EINVAL;

	fdt->blob = blob;
	fdt->totalsize = total;
	fdt->boot_cpuid = fdt_be32(blob + HDR_BOOT_CPUID);
	fdt->structs = blob + off_struct;
	fdt->strings = (const char *)blob + off_strings;
	fdt->rsvmap = blob + off_rsv;
	return 0;
}

/*
 * Counts the memory reservation entries before the (0, 0) terminator into
 * fdt->nrsv. Returns 0, or -EINVAL with *why set if the terminator is not
 * inside the blob.
 */
static int fdt_check_rsvmap(struct fdt *fdt, const char **why)
{
	uint64_t room = fdt->blob + fdt->totalsize - fdt->rsvmap;
	uint64_t i;

	for (i = 0; (i + 1) * RSV_ENTRY_SIZE <= room; i++) {
		const uint8_t *e = fdt->rsvmap + i * RSV_ENTRY_SIZE;

		if (fdt_be64(e) == 0 && fdt_be64(e + 8) == 0) {
			fdt->nrsv = (int)i;
			return 0;
		}
	}
	*why = "device tree: unterminated memory reservation block";
	return -EINVAL;
}

/*
 * Walks the whole structure block: every token must decode, there must be
 * exactly one top-level node, properties must come inside a node and before
 * its subnodes, END_NODEs must balance BEGIN_NODEs, nesting must not exceed
 * FDT_MAX_DEPTH, and the stream must end with FDT_END. Sets fdt->root and
 * fdt->nnodes. Returns 0 or -EINVAL with *why set.
 */
static int fdt_check_structure(struct fdt *fdt, const char **why)
{
	bool has_child[FDT_MAX_DEPTH + 1];
	struct fdt_token t;
	int depth = 0;
	int off = 0;

	fdt->root = -1;
	fdt->nnodes = 0;
	has_child[0] = false;
	for (;; off = t.next) {
		if (fdt_token_decode(fdt, off, &t) < 0) {
			*why = (uint32_t)off == fdt->struct_size ?
			       "device tree: structure block has no FDT_END" : t.bad;
			return -EINVAL;
		}
		switch (t.tag) {
		case FDT_BEGIN_NODE:
			*why = "device tree: more than one root node";
			if (depth == 0 && fdt->root >= 0)
				return -EINVAL;
			*why = "device tree: nodes nested too deeply";
			if (depth == FDT_MAX_DEPTH)
				return -EINVAL;
			if (depth == 0)
				fdt->root = off;
			has_child[depth++] = true;
			has_child[depth] = false;
			fdt->nnodes++;
			break;
		case FDT_END_NODE:
			*why = "device tree: unbalanced end of node";
			if (depth == 0)
				return -EINVAL;
			depth--;
			break;
		case FDT_PROP:
			*why = "device tree: property outside a node";
			if (depth == 0)
				return -EINVAL;
			*why = "device tree: property after a subnode";
			if (has_child[depth])
				return -EINVAL;
			break;
		case FDT_END:
			*why = "device tree: unbalanced nodes at FDT_END";
			if (depth != 0)
				return -EINVAL;
			*why = "device tree: no root node";
			return fdt->root < 0 ? -EINVAL : 0;
		}
	}
}

int fdt_init(struct fdt *fdt, const void *blob, size_t avail, const char **why)
{
	const char *dummy;
	int err;

	if (!why)
		why = &dummy;
	memset(fdt, 0, sizeof(*fdt));
	err = fdt_check_header(fdt, blob, avail, why);
	if (!err)
		err = fdt_check_rsvmap(fdt, why);
	if (!err)
		err = fdt_check_structure(fdt, why);
	if (err) {
		memset(fdt, 0, sizeof(*fdt));
		fdt->root = -1;
	}
	return err;
}

/* ---------------------------------------------------------------- nodes */

/*
 * Returns the offset of the first token inside node (after its name), or
 * -EINVAL if node is not the offset of a BEGIN_NODE token.
 */
static int fdt_node_body(const struct fdt *fdt, int node)
{
	struct fdt_token t;

	if (fdt_token_decode(fdt, node, &t) < 0 || t.tag != FDT_BEGIN_NODE)
		return -EINVAL;
	return t.next;
}

/*
 * Skips PROP and NOP tokens from off. Returns the offset of the first other
 * token, storing its decoded form in *t, or -EINVAL.
 */
static int fdt_skip_props(const struct fdt *fdt, int off, struct fdt_token *t)
{
	for (;;) {
		if (fdt_token_decode(fdt, off, t) < 0)
			return -EINVAL;
		if (t->tag != FDT_PROP && t->tag != FDT_NOP)
			return off;
		off = t->next;
	}
}

/*
 * Returns the offset just past node's END_NODE, or -EINVAL if node is not a
 * node handle or its end cannot be found.
 */
static int fdt_node_end(const struct fdt *fdt, int node)
{
	struct fdt_token t;
	int off = fdt_node_body(fdt, node);
	int depth = 1;

	while (off >= 0) {
		if (fdt_token_decode(fdt, off, &t) < 0 || t.tag == FDT_END)
			return -EINVAL;
		if (t.tag == FDT_BEGIN_NODE)
			depth++;
		else if (t.tag == FDT_END_NODE && --depth == 0)
			return t.next;
		off = t.next;
	}
	return off;
}

int fdt_root(const struct fdt *fdt)
{
	return fdt->root;
}

int fdt_first_child(const struct fdt *fdt, int node)
{
	struct fdt_token t;
	int off = fdt_node_body(fdt, node);

	if (off < 0)
		return off;
	off = fdt_skip_props(fdt, off, &t);
	if (off < 0)
		return off;
	return t.tag == FDT_BEGIN_NODE ? off : -ENOENT;
}

int fdt_next_sibling(const struct fdt *fdt, int node)
{
	struct fdt_token t;
	int off = fdt_node_end(fdt, node);

	if (off < 0)
		return off;
	off = fdt_skip_props(fdt, off, &t);
	if (off < 0)
		return off;
	return t.tag == FDT_BEGIN_NODE ? off : -ENOENT;
}

int fdt_next_node(const struct fdt *fdt, int node, int *depth)
{
	struct fdt_token t;
	int off = fdt_node_body(fdt, node);
	int d = 0;

	while (off >= 0) {
		if (fdt_token_decode(fdt, off, &t) < 0)
			return -EINVAL;
		if (t.tag == FDT_BEGIN_NODE) {
			if (depth)
				*depth += d + 1;
			return off;
		}
		if (t.tag == FDT_END)
			return -ENOENT;
		if (t.tag == FDT_END_NODE)
			d--;
		off = t.next;
	}
	return off;
}

int fdt_parent(const struct fdt *fdt, int node)
{
	int stack[FDT_MAX_DEPTH];
	int cur = fdt->root;
	int depth = 0;

	if (fdt_node_body(fdt, node) < 0)
		return -EINVAL;
	if (node == fdt->root)
		return -ENOENT;
	stack[0] = cur;
	while ((cur = fdt_next_node(fdt, cur, &depth)) >= 0) {
		if (depth < 1 || depth >= FDT_MAX_DEPTH)
			return -EINVAL;
		stack[depth] = cur;
		if (cur == node)
			return stack[depth - 1];
	}
	return -EINVAL;		/* node is not a node of this tree */
}

const char *fdt_node_name(const struct fdt *fdt, int node)
{
	struct fdt_token t;

	if (fdt_token_decode(fdt, node, &t) < 0 || t.tag != FDT_BEGIN_NODE)
		return NULL;
	return t.name;
}

/* Whether the n characters at want contain an '@'. */
static bool fdt_has_unit_address(const char *want, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (want[i] == '@')
			return true;
	return false;
}

/*
 * Whether name matches the first n characters at want (which need not be
 * terminated there), by the rule of fdt_name_matches().
 */
static bool fdt_name_matches_n(const char *name, const char *want, size_t n)
{
	if (strncmp(name, want, n) != 0)
		return false;
	if (name[n] == 0)
		return true;
	return name[n] == '@' && !fdt_has_unit_address(want, n);
}

bool fdt_name_matches(const char *name, const char *want)
{
	return fdt_name_matches_n(name, want, strlen(want));
}

/* Returns the child of node whose name matches want[0..n), or an errno. */
static int fdt_child_named(const struct fdt *fdt, int node, const char *want,
			   size_t n)
{
	int child;

	for (child = fdt_first_child(fdt, node); child >= 0;
	     child = fdt_next_sibling(fdt, child))
		if (fdt_name_matches_n(fdt_node_name(fdt, child), want, n))
			return child;
	return child;
}

int fdt_find_path(const struct fdt *fdt, const char *path)
{
	int node = fdt->root;

	if (path[0] != '/')
		return -EINVAL;
	while (node >= 0) {
		size_t n;

		while (*path == '/')
			path++;
		if (!*path)
			break;
		for (n = 0; path[n] && path[n] != '/'; n++)
			;
		node = fdt_child_named(fdt, node, path, n);
		path += n;
	}
	return node;
}

int fdt_find_compatible(const struct fdt *fdt, int node, const char *compat)
{
	node = node < 0 ? fdt->root : fdt_next_node(fdt, node, NULL);
	for (; node >= 0; node = fdt_next_node(fdt, node, NULL))
		if (fdt_is_compatible(fdt, node, compat))
			return node;
	return node;
}

int fdt_find_phandle(const struct fdt *fdt, uint32_t phandle)
{
	int node;

	if (phandle == 0 || phandle == 0xffffffffU)
		return -ENOENT;
	for (node = fdt->root; node >= 0; node = fdt_next_node(fdt, node, NULL)) {
		uint32_t v;

		if (fdt_prop_u32(fdt, node, "phandle", &v) == 0 && v == phandle)
			return node;
		if (fdt_prop_u32(fdt, node, "linux,phandle", &v) == 0 &&
		    v == phandle)
			return node;
	}
	return node;
}

/* ----------------------------------------------------------- properties */

/*
 * Skips NOPs from off. Returns off of the next token if it is a PROP,
 * -ENOENT if it is something else, -EINVAL if it does not decode.
 */
static int fdt_prop_from(const struct fdt *fdt, int off)
{
	struct fdt_token t;

	for (;;) {
		if (fdt_token_decode(fdt, off, &t) < 0)
			return -EINVAL;
		if (t.tag == FDT_PROP)
			return off;
		if (t.tag != FDT_NOP)
			return -ENOENT;
		off = t.next;
	}
}

int fdt_first_prop(const struct fdt *fdt, int node)
{
	int off = fdt_node_body(fdt, node);

	return off < 0 ? off : fdt_prop_from(fdt, off);
}

int fdt_next_prop(const struct fdt *fdt, int prop)
{
	struct fdt_token t;

	if (fdt_token_decode(fdt, prop, &t) < 0 || t.tag != FDT_PROP)
		return -EINVAL;
	return fdt_prop_from(fdt, t.next);
}

const void *fdt_prop_at(const struct fdt *fdt, int prop, const char **name,
			int *len)
{
	struct fdt_token t;

	if (fdt_token_decode(fdt, prop, &t) < 0 || t.tag != FDT_PROP)
		return NULL;
	if (name)
		*name = t.name;
	if (len)
		*len = (int)t.len;
	return t.data;
}

const void *fdt_get_prop(const struct fdt *fdt, int node, const char *name,
			 int *len)
{
	int prop;

	for (prop = fdt_first_prop(fdt, node); prop >= 0;
	     prop = fdt_next_prop(fdt, prop)) {
		const char *pname;
		const void *data = fdt_prop_at(fdt, prop, &pname, len);

		if (data && strcmp(pname, name) == 0)
			return data;
	}
	return NULL;
}

const char *fdt_prop_string(const struct fdt *fdt, int node, const char *name)
{
	int len;
	const char *s = fdt_get_prop(fdt, node, name, &len);

	if (!s || len == 0 || strnlen(s, (size_t)len) == (size_t)len)
		return NULL;
	return s;
}

int fdt_prop_u32(const struct fdt *fdt, int node, const char *name,
		 uint32_t *val)
{
	int len;
	const void *p = fdt_get_prop(fdt, node, name, &len);

	if (!p)
		return -ENOENT;
	if (len != 4)
		return -EINVAL;
	*val = fdt_be32(p);
	return 0;
}

int fdt_prop_u64(const struct fdt *fdt, int node, const char *name,
		 uint64_t *val)
{
	int len;
	const void *p = fdt_get_prop(fdt, node, name, &len);

	if (!p)
		return -ENOENT;
	if (len != 4 && len != 8)
		return -EINVAL;
	*val = fdt_read_cells(p, len / 4);
	return 0;
}

bool fdt_stringlist_contains(const char *list, int len, const char *str)
{
	size_t pos = 0, total = len > 0 ? (size_t)len : 0;

	while (pos < total) {
		size_t n = strnlen(list + pos, total - pos);

		if (n == total - pos)
			return false;		/* unterminated last string */
		if (strcmp(list + pos, str) == 0)
			return true;
		pos += n + 1;
	}
	return false;
}

bool fdt_is_compatible(const struct fdt *fdt, int node, const char *compat)
{
	int len;
	const char *list = fdt_get_prop(fdt, node, "compatible", &len);

	return list && fdt_stringlist_contains(list, len, compat);
}

/* ------------------------------------------------------- addresses, misc */

/*
 * Reads node's cell-count property name, dflt if absent. Returns the count,
 * or -EINVAL if node is bad or the property is not one cell <= 4.
 */
static int fdt_cell_count(const struct fdt *fdt, int node, const char *name,
			  int dflt)
{
	uint32_t v;
	int err;

	if (fdt_node_body(fdt, node) < 0)
		return -EINVAL;
	err = fdt_prop_u32(fdt, node, name, &v);
	if (err == -ENOENT)
		return dflt;
	if (err || v > FDT_MAX_CELL_COUNT)
		return -EINVAL;
	return (int)v;
}

int fdt_address_cells(const struct fdt *fdt, int node)
{
	return fdt_cell_count(fdt, node, "#address-cells", 2);
}

int fdt_size_cells(const struct fdt *fdt, int node)
{
	return fdt_cell_count(fdt, node, "#size-cells", 1);
}

int fdt_reg(const struct fdt *fdt, int node, int index, uint64_t *base,
	    uint64_t *size)
{
	int parent = fdt_parent(fdt, node);
	int ac, sc, len;
	const uint8_t *reg;
	uint64_t entry;

	if (parent < 0)
		return -EINVAL;
	ac = fdt_address_cells(fdt, parent);
	sc = fdt_size_cells(fdt, parent);
	if (ac < 0 || sc < 0 || ac > FDT_MAX_CELLS || sc > FDT_MAX_CELLS ||
	    ac + sc == 0)
		return -EINVAL;
	reg = fdt_get_prop(fdt, node, "reg", &len);
	entry = (uint64_t)(ac + sc) * 4;
	if (!reg || index < 0 || ((uint64_t)index + 1) * entry > (uint64_t)len)
		return -ENOENT;
	reg += (uint64_t)index * entry;
	if (base)
		*base = fdt_read_cells(reg, ac);
	if (size)
		*size = fdt_read_cells(reg + ac * 4, sc);
	return 0;
}

int fdt_rsv_entry(const struct fdt *fdt, int index, uint64_t *addr,
		  uint64_t *size)
{
	const uint8_t *e;

	if (index < 0 || index >= fdt->nrsv)
		return -ENOENT;
	e = fdt->rsvmap + (size_t)index * RSV_ENTRY_SIZE;
	if (addr)
		*addr = fdt_be64(e);
	if (size)
		*size = fdt_be64(e + 8);
	return 0;
}
