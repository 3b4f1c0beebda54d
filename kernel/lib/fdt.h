/*
 * fdt — a read-only reader of flattened device tree blobs (DTB version 17,
 * as defined by the Devicetree Specification, chapter 5).
 *
 * fdt_init() checks the header and walks the whole structure block once, so
 * a truncated or corrupted blob is refused up front with -EINVAL. The query
 * functions below still bounds-check every token they decode, so no input,
 * not even a made-up node handle, makes them read outside the blob.
 *
 * Nodes and properties are named by handles: non-negative offsets into the
 * structure block, as returned by these functions. A negative return is an
 * errno: -ENOENT when the thing asked for does not exist, -EINVAL when the
 * handle or the data is malformed. All multi-byte values in a blob are
 * big-endian; fdt_be32()/fdt_read_cells() convert them.
 *
 * Machine-independent: compiles on the host.
 */
#ifndef KILBURN_FDT_H
#define KILBURN_FDT_H

#include "types.h"

#define FDT_MAGIC		0xd00dfeedU
#define FDT_VERSION		17	/* the version this reader understands */
#define FDT_HEADER_SIZE		40	/* the version 17 header */
#define FDT_MAX_DEPTH		32	/* deepest node nesting accepted (root = 1) */
#define FDT_MAX_CELLS		2	/* widest address or size fdt_reg() reads */

/* Structure block tokens. */
#define FDT_BEGIN_NODE		1
#define FDT_END_NODE		2
#define FDT_PROP		3
#define FDT_NOP			4
#define FDT_END			9

/*
 * A validated blob. Filled by fdt_init(); read-only afterwards, so any number
 * of harts may query it at once. The blob must stay mapped and unchanged.
 */
struct fdt {
	const uint8_t *blob;		/* start of the blob (the header) */
	uint32_t totalsize;		/* header totalsize, <= the bytes available */
	uint32_t boot_cpuid;		/* header boot_cpuid_phys */
	const uint8_t *structs;		/* structure block */
	uint32_t struct_size;
	const char *strings;		/* strings block */
	uint32_t strings_size;
	const uint8_t *rsvmap;		/* memory reservation block */
	int nrsv;			/* its entries, not counting the terminator */
	int root;			/* handle of the root node */
	int nnodes;			/* number of nodes, root included */
};

/*
 * fdt_init - check the blob at blob, of which at most avail bytes may be read,
 * and fill *fdt. Checks the magic, the version (>= 17, last compatible <= 17),
 * that every block lies inside totalsize and totalsize inside avail, that the
 * memory reservation block is terminated, and that the structure block is a
 * well-formed token stream: aligned tokens, names terminated inside the block,
 * property values inside the block, property name offsets inside the strings
 * block with terminated names, one root node, balanced nesting no deeper than
 * FDT_MAX_DEPTH, and FDT_END last. Returns 0, or -EINVAL with *why (if why is
 * not NULL) set to a static message such as "device tree: truncated blob".
 */
int fdt_init(struct fdt *fdt, const void *blob, size_t avail, const char **why);

/* fdt_be32/fdt_be64 - read a big-endian value at p (any alignment). */
uint32_t fdt_be32(const void *p);
uint64_t fdt_be64(const void *p);

/*
 * fdt_read_cells - read an ncells-cell big-endian number at p (ncells 0, 1 or
 * 2; 0 gives 0). The caller has checked that ncells * 4 bytes are readable.
 */
uint64_t fdt_read_cells(const void *p, int ncells);

/* ---------------------------------------------------------------- nodes */

/* fdt_root - the handle of the root node. */
int fdt_root(const struct fdt *fdt);

/*
 * fdt_first_child - the first child of node; -ENOENT if it has none, -EINVAL
 * if node is not a node handle.
 */
int fdt_first_child(const struct fdt *fdt, int node);

/*
 * fdt_next_sibling - the next child of node's parent after node; -ENOENT
 * after the last one, -EINVAL if node is not a node handle.
 */
int fdt_next_sibling(const struct fdt *fdt, int node);

/*
 * fdt_next_node - the node after node in document (depth-first) order, which
 * visits every node once starting from fdt_root(). If depth is not NULL,
 * *depth is adjusted by the change in nesting (+1 into a child, 0 to a
 * sibling, negative back up). Returns -ENOENT after the last node, -EINVAL if
 * node is not a node handle.
 */
int fdt_next_node(const struct fdt *fdt, int node, int *depth);

/*
 * fdt_parent - the parent of node; -ENOENT for the root, -EINVAL if node is
 * not a node handle. Takes time proportional to the blob size.
 */
int fdt_parent(const struct fdt *fdt, int node);

/*
 * fdt_node_name - node's name with its unit address ("cpu@0"; "" for the
 * root), NUL-terminated inside the blob; NULL if node is not a node handle.
 */
const char *fdt_node_name(const struct fdt *fdt, int node);

/*
 * fdt_name_matches - whether a node name matches want: equal, or equal up to
 * the '@' when want has no unit address ("memory" matches "memory@80000000").
 */
bool fdt_name_matches(const char *name, const char *want);

/*
 * fdt_find_path - the node at an absolute path such as "/cpus" or
 * "/soc/serial@10000000" ("/" is the root). A component without a unit
 * address matches the first child whose name matches it by
 * fdt_name_matches(). Returns -ENOENT if there is no such node, -EINVAL if
 * path does not start with '/'.
 */
int fdt_find_path(const struct fdt *fdt, const char *path);

/*
 * fdt_find_compatible - the first node after node in document order (from the
 * root itself if node < 0) whose "compatible" list contains compat; -ENOENT if
 * there is none.
 */
int fdt_find_compatible(const struct fdt *fdt, int node, const char *compat);

/*
 * fdt_find_phandle - the node whose "phandle" (or legacy "linux,phandle")
 * property is phandle; -ENOENT if there is none (0 and 0xffffffff are never
 * valid phandles).
 */
int fdt_find_phandle(const struct fdt *fdt, uint32_t phandle);

/* ----------------------------------------------------------- properties */

/*
 * fdt_get_prop - the value of node's property name, with its length in *len
 * (if len is not NULL). The value lies entirely inside the blob. Returns NULL
 * if node has no such property or is not a node handle.
 */
const void *fdt_get_prop(const struct fdt *fdt, int node, const char *name,
			 int *len);

/*
 * fdt_prop_string - node's property name as a C string: non-NULL only if the
 * property exists and its value is NUL-terminated (the first string of a
 * string list).
 */
const char *fdt_prop_string(const struct fdt *fdt, int node, const char *name);

/*
 * fdt_prop_u32 - read node's property name as one cell into *val. Returns 0,
 * -ENOENT if absent, -EINVAL if its length is not 4.
 */
int fdt_prop_u32(const struct fdt *fdt, int node, const char *name,
		 uint32_t *val);

/*
 * fdt_prop_u64 - read node's property name as one or two cells into *val.
 * Returns 0, -ENOENT if absent, -EINVAL if its length is neither 4 nor 8.
 */
int fdt_prop_u64(const struct fdt *fdt, int node, const char *name,
		 uint64_t *val);

/*
 * fdt_stringlist_contains - whether the string list (NUL-separated strings)
 * of len bytes at list contains str exactly. An unterminated last string is
 * never matched. list may be NULL when len is 0.
 */
bool fdt_stringlist_contains(const char *list, int len, const char *str);

/* fdt_is_compatible - whether node's "compatible" list contains compat. */
bool fdt_is_compatible(const struct fdt *fdt, int node, const char *compat);

/*
 * fdt_first_prop/fdt_next_prop - iterate node's properties: handles of its
 * first property and of the one after prop; -ENOENT after the last, -EINVAL
 * for a bad handle.
 */
int fdt_first_prop(const struct fdt *fdt, int node);
int fdt_next_prop(const struct fdt *fdt, int prop);

/*
 * fdt_prop_at - the value of the property with handle prop; its name in
 * *name and its length in *len (each if not NULL). NULL for a bad handle.
 */
const void *fdt_prop_at(const struct fdt *fdt, int prop, const char **name,
			int *len);

/* ------------------------------------------------------- addresses, misc */

/*
 * fdt_address_cells/fdt_size_cells - node's #address-cells/#size-cells, which
 * describe the "reg" of its children: the property's value, 2/1 if absent.
 * -EINVAL if the property is not one cell or exceeds 4.
 */
int fdt_address_cells(const struct fdt *fdt, int node);
int fdt_size_cells(const struct fdt *fdt, int node);

/*
 * fdt_reg - entry index of node's "reg", decoded with the parent's
 * #address-cells and #size-cells, into *base and *size (each if not NULL;
 * size 0 when the parent's #size-cells is 0). Returns 0, -ENOENT if there is
 * no reg or no such entry, -EINVAL if node is the root, the cell counts are
 * malformed or wider than FDT_MAX_CELLS, or the parent's cells are both 0.
 */
int fdt_reg(const struct fdt *fdt, int node, int index, uint64_t *base,
	    uint64_t *size);

/*
 * fdt_rsv_entry - entry index of the memory reservation block into *addr and
 * *size. Returns 0, or -ENOENT if index is not in [0, fdt->nrsv).
 */
int fdt_rsv_entry(const struct fdt *fdt, int index, uint64_t *addr,
		  uint64_t *size);

#endif
