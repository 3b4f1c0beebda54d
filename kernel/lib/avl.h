/*
 * avl — intrusive weak AVL trees (rank-balanced binary search trees).
 *
 * The caller embeds a struct avl_node in its own structure and recovers the
 * structure with avl_entry(). The tree never allocates: insertion and removal
 * only relink nodes the caller owns. Ordering comes from the caller's
 * comparison functions, passed to each operation that needs one:
 *
 *	avl_cmp_fn	orders two nodes (insertion, avl_check)
 *	avl_key_cmp_fn	orders a search key against a node (find, floor, ceil)
 *
 * Both return <0, 0 or >0 like strcmp, and must agree with each other: a key
 * must compare against nodes the way its node would. Keys are unique; an
 * insert that finds an equal node leaves the tree unchanged.
 *
 * Balance is kept by ranks (see avl.c): a tree of n nodes is at most
 * 2 log2(n + 1) levels deep (1.44 log2(n + 2), as an AVL tree, if nothing
 * was ever removed), insert, remove, find, floor and ceil are O(log n), and
 * the rebalancing after an insert or a remove is amortized O(1).
 * avl_next/avl_prev walk in order through parent links, O(1) amortized over
 * a full walk.
 *
 * An augmented tree (avl_init_augmented) keeps a summary of each subtree in
 * the caller's structure, such as the largest free gap between the regions
 * of an address space, so a search can skip whole subtrees. Summaries are
 * brought up to date lazily: a change marks the nodes above it stale (up to
 * the first node already stale, since the ancestors of a stale node are
 * stale too), and avl_refresh() recomputes just the stale ones with the
 * caller's augment(n), children first. So inserts and removals cost no more
 * than in a plain tree, and a search that needs the summaries pays for the
 * changes since the last one. A caller that changes a node's key range in
 * place calls avl_propagate(n).
 *
 * There is no locking here; the owner of the tree serializes access.
 *
 * Machine-independent: compiles on the host.
 */
#ifndef KILBURN_AVL_H
#define KILBURN_AVL_H

#include "types.h"

/* Embedded in the user's structure. Meaningful only while in a tree. */
struct avl_node {
	struct avl_node *left, *right, *parent;
	int rank;		/* balance rank: a leaf has 1 (see avl.c) */
	bool stale;		/* augmented trees: the summary needs recomputing */
};

typedef int (*avl_cmp_fn)(const struct avl_node *a, const struct avl_node *b);
typedef int (*avl_key_cmp_fn)(const void *key, const struct avl_node *n);
/* Recompute n's subtree summary from n itself and its children's summaries. */
typedef void (*avl_augment_fn)(struct avl_node *n);

struct avl_tree {
	struct avl_node *root;	/* NULL when empty */
	size_t count;		/* nodes in the tree */
	avl_augment_fn augment;	/* NULL: no subtree summaries */
};

#define avl_entry(ptr, type, member) container_of(ptr, type, member)

/* Makes t an empty tree. */
void avl_init(struct avl_tree *t);

/* Makes t an empty tree whose nodes carry summaries kept by augment. */
void avl_init_augmented(struct avl_tree *t, avl_augment_fn augment);

/*
 * avl_propagate - n's own contribution to its summary changed (its key
 * range grew or shrank without changing the order): mark n and its
 * ancestors stale. O(1) when they already are. Nothing to do in a tree
 * without augment.
 */
void avl_propagate(struct avl_tree *t, struct avl_node *n);

/*
 * avl_refresh - recompute every stale summary of t (children first), so
 * that each node's summary describes its subtree. Costs one augment() per
 * stale node.
 */
void avl_refresh(struct avl_tree *t);

/*
 * avl_link - insert n at a place the caller found by its own descent: as
 * the `left` (or right) child of parent, which has none there (parent NULL:
 * t is empty). The caller guarantees the order. Then rebalances, as
 * avl_insert does.
 */
void avl_link(struct avl_tree *t, struct avl_node *n, struct avl_node *parent,
	      bool left);

/*
 * avl_insert - adds n to t at the place cmp orders it.
 * n must not be in any tree; its links are overwritten.
 * Returns NULL once n is in the tree, or the node already in t that compares
 * equal to n, in which case nothing changes and n stays the caller's.
 */
struct avl_node *avl_insert(struct avl_tree *t, struct avl_node *n, avl_cmp_fn cmp);

/*
 * avl_remove - takes n, which must be in t, out of t. No other node moves in
 * the order, so a walk may fetch avl_next(n) first and then remove n.
 * Afterwards n belongs to the caller again (its links are cleared) and may
 * be inserted into any tree.
 */
void avl_remove(struct avl_tree *t, struct avl_node *n);

/* avl_find - the node equal to key, or NULL. */
struct avl_node *avl_find(const struct avl_tree *t, const void *key, avl_key_cmp_fn cmp);

/*
 * avl_floor - the greatest node <= key, or NULL if every node is greater.
 * For regions keyed by start address, this is the only region that can
 * contain the address key.
 */
struct avl_node *avl_floor(const struct avl_tree *t, const void *key, avl_key_cmp_fn cmp);

/* avl_ceil - the smallest node >= key, or NULL if every node is smaller. */
struct avl_node *avl_ceil(const struct avl_tree *t, const void *key, avl_key_cmp_fn cmp);

/* avl_first/avl_last - the smallest/greatest node, or NULL if t is empty. */
struct avl_node *avl_first(const struct avl_tree *t);
struct avl_node *avl_last(const struct avl_tree *t);

/*
 * avl_next/avl_prev - the node after/before n in order, or NULL at the end.
 * n must be in a tree. O(1) amortized over a walk of the whole tree,
 * O(log n) for one step.
 */
struct avl_node *avl_next(const struct avl_node *n);
struct avl_node *avl_prev(const struct avl_node *n);

/*
 * avl_check - verifies every invariant of t: strictly increasing in-order
 * sequence under cmp, each node's parent link, every rank difference 1 or 2
 * and every leaf of rank 1, and count equal to the number of nodes.
 * O(n); for tests and debug builds. Returns 0, or -EINVAL if any invariant
 * is broken (including a cycle or a tree deeper than any valid one).
 */
int avl_check(const struct avl_tree *t, avl_cmp_fn cmp);

#endif
