/*
 * avl — intrusive weak AVL trees (rank-balanced trees, Haeupler, Sen and
 * Tarjan, ACM TALG 2015); the interface is described in lib/avl.h.
 *
 * Each node has a rank: a leaf 1, a missing child 0. The rank difference
 * between a node and each child is 1 or 2, and every leaf has rank 1. With
 * only insertions the ranks are the heights and the tree is exactly an AVL
 * tree; removals may leave a node whose children are both 2 below it (a 2,2
 * node), which an AVL tree forbids. In exchange a removal demotes only where
 * a rank difference of 3 appears, and the rebalancing after an insertion or
 * a removal takes amortized O(1) steps and at most two rotations, however
 * insertions and removals alternate (in a strict AVL tree, removing and
 * adding back the same leaf can walk the whole path each time). The height
 * stays below 2 log2(n + 1), and 1.44 log2(n + 2) without removals.
 *
 * Insertion links the new node as a leaf, of rank 1, then promotes up the
 * path while a node has a child of its own rank (a 0-child) whose sibling
 * is a 1-child, and ends with one single or double rotation otherwise.
 * Removal unlinks a node with at most one child, first putting a two-child
 * node's in-order successor in its place, then demotes up the path while a
 * node has a 3-child, ending with one rotation where a demotion cannot fix it.
 */
#include "types.h"
#include "errno.h"
#include "lib/avl.h"

/*
 * Deeper than any valid tree: a weak AVL tree of n nodes is at most
 * 2 log2(n + 1) levels deep, so never 130 for 64-bit counts.
 */
#define AVL_MAX_HEIGHT	130

/* A node's rank; a missing child has rank 0, a leaf rank 1. */
static inline int avl_rank(const struct avl_node *n)
{
	return n ? n->rank : 0;
}

/* The rank difference between p and its child c (which may be missing). */
static inline int avl_rdiff(const struct avl_node *p, const struct avl_node *c)
{
	return p->rank - avl_rank(c);
}

/* Makes the link that pointed to old (from parent, or the root) point to new. */
static void avl_replace_child(struct avl_tree *t, struct avl_node *parent,
			      struct avl_node *old, struct avl_node *new)
{
	if (!parent)
		t->root = new;
	else if (parent->left == old)
		parent->left = new;
	else
		parent->right = new;
}

/*
 * Rotates x's right child r up into x's place; x becomes r's left child and
 * takes r's former left subtree as its right. Ranks are the caller's to
 * adjust. Returns r.
 */
static struct avl_node *avl_rotate_left(struct avl_tree *t, struct avl_node *x)
{
	struct avl_node *r = x->right;

	x->right = r->left;
	if (r->left)
		r->left->parent = x;
	r->parent = x->parent;
	avl_replace_child(t, x->parent, x, r);
	r->left = x;
	x->parent = r;
	x->stale = r->stale = true;	/* x was stale: so are r's ancestors */
	return r;
}

/* The mirror image of avl_rotate_left. Returns x's former left child. */
static struct avl_node *avl_rotate_right(struct avl_tree *t, struct avl_node *x)
{
	struct avl_node *l = x->left;

	x->left = l->right;
	if (l->right)
		l->right->parent = x;
	l->parent = x->parent;
	avl_replace_child(t, x->parent, x, l);
	l->right = x;
	x->parent = l;
	x->stale = l->stale = true;	/* x was stale: so are l's ancestors */
	return l;
}

/* Rotate x's child c up into x's place (c is x's left or right child). */
static void avl_rotate_up(struct avl_tree *t, struct avl_node *x,
			  struct avl_node *c)
{
	if (c == x->left)
		avl_rotate_right(t, x);
	else
		avl_rotate_left(t, x);
}

/*
 * After an insert: x (a new leaf, or a node just promoted) may be a
 * 0-child. Promote up the path while the sibling is a 1-child; otherwise
 * one single or double rotation ends it. The same steps as AVL insertion.
 */
static void avl_insert_fixup(struct avl_tree *t, struct avl_node *x)
{
	struct avl_node *p, *sib, *inner;

	while ((p = x->parent) && p->rank == x->rank) {
		sib = p->left == x ? p->right : p->left;
		if (avl_rdiff(p, sib) == 1) {		/* 0,1: promote p */
			p->rank++;
			x = p;
			continue;
		}
		/* 0,2: x was just promoted, so it is 1,2 */
		inner = p->left == x ? x->right : x->left;
		if (avl_rdiff(x, inner) == 2) {		/* outer child is the 1-child */
			avl_rotate_up(t, p, x);
			p->rank--;
		} else {				/* inner child is the 1-child */
			avl_rotate_up(t, x, inner);
			avl_rotate_up(t, p, inner);
			inner->rank++;
			x->rank--;
			p->rank--;
		}
		return;
	}
}

/*
 * After a removal: y (possibly missing, on the left of x if y_left) may be
 * a 3-child of x, or x a leaf of rank 2. Demote up the path while that
 * fixes it; otherwise one single or double rotation ends it (Haeupler, Sen
 * and Tarjan, "Rank-balanced trees", 2015). Unlike AVL, a node is never
 * demoted only because its subtree got lower, so removing and re-adding a
 * leaf does not ripple up the tree.
 */
static void avl_remove_fixup(struct avl_tree *t, struct avl_node *x,
			     struct avl_node *y, bool y_left)
{
	struct avl_node *z, *inner, *outer;

	if (x && !x->left && !x->right && x->rank == 2) {	/* a 2,2 leaf */
		x->rank = 1;
		y = x;
		x = x->parent;
		y_left = x && x->left == y;
	}
	while (x && avl_rdiff(x, y) == 3) {
		z = y_left ? x->right : x->left;	/* present: rank >= 1 */
		if (avl_rdiff(x, z) == 2) {
			x->rank--;
		} else {
			inner = y_left ? z->left : z->right;
			outer = y_left ? z->right : z->left;
			if (avl_rdiff(z, inner) == 2 && avl_rdiff(z, outer) == 2) {
				x->rank--;
				z->rank--;
			} else if (avl_rdiff(z, outer) == 1) {
				avl_rotate_up(t, x, z);
				z->rank++;
				x->rank -= x->left || x->right ? 1 : 2;
				return;
			} else {
				avl_rotate_up(t, z, inner);
				avl_rotate_up(t, x, inner);
				inner->rank += 2;
				z->rank--;
				x->rank -= 2;
				return;
			}
		}
		y = x;
		x = x->parent;
		y_left = x && x->left == y;
	}
}

void avl_init(struct avl_tree *t)
{
	avl_init_augmented(t, NULL);
}

void avl_init_augmented(struct avl_tree *t, avl_augment_fn augment)
{
	t->root = NULL;
	t->count = 0;
	t->augment = augment;
}

/* Mark n and its ancestors stale, stopping at one that already is. */
static void avl_mark_stale(struct avl_node *n)
{
	for (; n && !n->stale; n = n->parent)
		n->stale = true;
}

void avl_propagate(struct avl_tree *t, struct avl_node *n)
{
	if (t->augment)
		avl_mark_stale(n);
}

static void avl_refresh_node(struct avl_tree *t, struct avl_node *n)
{
	if (!n || !n->stale)
		return;
	avl_refresh_node(t, n->left);
	avl_refresh_node(t, n->right);
	t->augment(n);
	n->stale = false;
}

void avl_refresh(struct avl_tree *t)
{
	if (t->augment)
		avl_refresh_node(t, t->root);
}

void avl_link(struct avl_tree *t, struct avl_node *n, struct avl_node *parent,
	      bool left)
{
	n->left = n->right = NULL;
	n->parent = parent;
	n->rank = 1;
	n->stale = false;
	if (!parent)
		t->root = n;
	else if (left)
		parent->left = n;
	else
		parent->right = n;
	t->count++;
	avl_propagate(t, n);	/* before rotations: they rely on stale paths */
	avl_insert_fixup(t, n);
}

struct avl_node *avl_insert(struct avl_tree *t, struct avl_node *n, avl_cmp_fn cmp)
{
	struct avl_node *parent = NULL, **link = &t->root;
	int c = 0;

	while (*link) {
		c = cmp(n, *link);
		if (c == 0)
			return *link;
		parent = *link;
		link = c < 0 ? &parent->left : &parent->right;
	}
	avl_link(t, n, parent, c < 0);
	return NULL;
}

/*
 * Puts n's in-order successor s (leftmost in n's right subtree) into n's
 * place, with n's rank, n having two children. The node that leaves the
 * tree is, in effect, s at its old place: returns the parent of that place
 * in *x and the child that moved up into it in *y (NULL if none), on the
 * left of *x if *y_left.
 */
static void avl_splice_successor(struct avl_tree *t, struct avl_node *n,
				 struct avl_node **x, struct avl_node **y,
				 bool *y_left)
{
	struct avl_node *s = n->right;

	while (s->left)
		s = s->left;
	*y = s->right;
	if (s->parent == n) {
		*x = s;
		*y_left = false;
	} else {
		*x = s->parent;
		*y_left = true;
		(*x)->left = s->right;
		if (s->right)
			s->right->parent = *x;
		s->right = n->right;
		n->right->parent = s;
	}
	s->left = n->left;
	n->left->parent = s;
	s->rank = n->rank;
	s->stale = true;	/* it moved above nodes that may be stale */
	s->parent = n->parent;
	avl_replace_child(t, n->parent, n, s);
}

void avl_remove(struct avl_tree *t, struct avl_node *n)
{
	struct avl_node *x, *y;
	bool y_left;

	/* n's ancestors lose n (and its successor may take its place) */
	avl_propagate(t, n->parent);
	if (n->left && n->right) {
		avl_splice_successor(t, n, &x, &y, &y_left);
	} else {
		y = n->left ? n->left : n->right;
		x = n->parent;
		y_left = x && x->left == n;
		if (y)
			y->parent = x;
		avl_replace_child(t, x, n, y);
	}
	t->count--;
	avl_propagate(t, x);	/* the path from x up to n's old place */
	avl_remove_fixup(t, x, y, y_left);
	n->left = n->right = n->parent = NULL;
	n->rank = 0;
}

struct avl_node *avl_find(const struct avl_tree *t, const void *key, avl_key_cmp_fn cmp)
{
	struct avl_node *n = t->root;

	while (n) {
		int c = cmp(key, n);

		if (c == 0)
			return n;
		n = c < 0 ? n->left : n->right;
	}
	return NULL;
}

struct avl_node *avl_floor(const struct avl_tree *t, const void *key, avl_key_cmp_fn cmp)
{
	struct avl_node *n = t->root, *best = NULL;

	while (n) {
		int c = cmp(key, n);

		if (c == 0)
			return n;
		if (c < 0) {
			n = n->left;
		} else {
			best = n;
			n = n->right;
		}
	}
	return best;
}

struct avl_node *avl_ceil(const struct avl_tree *t, const void *key, avl_key_cmp_fn cmp)
{
	struct avl_node *n = t->root, *best = NULL;

	while (n) {
		int c = cmp(key, n);

		if (c == 0)
			return n;
		if (c > 0) {
			n = n->right;
		} else {
			best = n;
			n = n->left;
		}
	}
	return best;
}

struct avl_node *avl_first(const struct avl_tree *t)
{
	struct avl_node *n = t->root;

	if (n)
		while (n->left)
			n = n->left;
	return n;
}

struct avl_node *avl_last(const struct avl_tree *t)
{
	struct avl_node *n = t->root;

	if (n)
		while (n->right)
			n = n->right;
	return n;
}

struct avl_node *avl_next(const struct avl_node *n)
{
	struct avl_node *m = n->right;

	if (m) {
		while (m->left)
			m = m->left;
		return m;
	}
	/* Climb while n is a right child; the first left-child link leads up to it. */
	while (n->parent && n == n->parent->right)
		n = n->parent;
	return n->parent;
}

struct avl_node *avl_prev(const struct avl_node *n)
{
	struct avl_node *m = n->left;

	if (m) {
		while (m->right)
			m = m->right;
		return m;
	}
	while (n->parent && n == n->parent->left)
		n = n->parent;
	return n->parent;
}

/* What avl_check carries through its in-order walk. */
struct avl_check_state {
	avl_cmp_fn cmp;
	const struct avl_node *prev;	/* last node visited in order */
	size_t seen;			/* nodes visited so far */
	size_t count;			/* the tree's count: a walk past it is a cycle */
};

/*
 * Checks the subtree at n, whose parent must be parent, at the given depth:
 * every rank difference is 1 or 2 and every leaf has rank 1. Returns n's
 * rank, or -1 if an invariant is broken.
 */
static int avl_check_subtree(struct avl_check_state *s, const struct avl_node *n,
			     const struct avl_node *parent, int depth)
{
	int hl, hr;	/* the children's ranks */

	if (!n)
		return 0;
	if (depth > AVL_MAX_HEIGHT || n->parent != parent || ++s->seen > s->count)
		return -1;
	hl = avl_check_subtree(s, n->left, n, depth + 1);
	if (hl < 0)
		return -1;
	if (s->prev && s->cmp(s->prev, n) >= 0)
		return -1;
	s->prev = n;
	hr = avl_check_subtree(s, n->right, n, depth + 1);
	if (hr < 0)
		return -1;
	if (n->rank - hl < 1 || n->rank - hl > 2 || n->rank - hr < 1 ||
	    n->rank - hr > 2 || (!n->left && !n->right && n->rank != 1))
		return -1;
	return n->rank;
}

int avl_check(const struct avl_tree *t, avl_cmp_fn cmp)
{
	struct avl_check_state s = { .cmp = cmp, .count = t->count };

	if (avl_check_subtree(&s, t->root, NULL, 1) < 0 || s.seen != t->count)
		return -EINVAL;
	return 0;
}
