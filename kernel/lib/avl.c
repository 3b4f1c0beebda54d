/*
 * avl — intrusive AVL trees; the interface is described in lib/avl.h.
 *
 * Each node stores the height of its subtree (an empty subtree has height 0,
 * a leaf 1). A node is balanced when its children's heights differ by at most
 * one. Insertion links the new node as a leaf; removal unlinks a node with at
 * most one child, first swapping a two-child node with its in-order successor
 * (the leftmost node of its right subtree, which has no left child). Either
 * change can unbalance only the ancestors of the spot where the shape changed,
 * so avl_rebalance() walks up from there, restoring each node with at most
 * two rotations:
 *
 *	left-left	(left child leans left or is even)	rotate right
 *	left-right	(left child leans right)		rotate the child left,
 *								then rotate right
 *	right-right, right-left					the mirror images
 *
 * The walk stops at the first subtree whose height is what its parent last
 * recorded, since nothing above it can have changed.
 */
#include "types.h"
#include "errno.h"
#include "lib/avl.h"

/*
 * Deeper than any valid tree: an AVL tree of height h has at least
 * F(h + 2) - 1 nodes (F = Fibonacci), more than 2^64 once h reaches 93.
 */
#define AVL_MAX_HEIGHT	96

static inline int avl_height(const struct avl_node *n)
{
	return n ? n->height : 0;
}

/* Left height minus right height. */
static inline int avl_balance(const struct avl_node *n)
{
	return avl_height(n->left) - avl_height(n->right);
}

static inline void avl_update_height(struct avl_node *n)
{
	n->height = 1 + MAX(avl_height(n->left), avl_height(n->right));
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
 * takes r's former left subtree as its right. Returns r.
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
	avl_update_height(x);
	avl_update_height(r);
	if (t->augment) {	/* x is now below r */
		t->augment(x);
		t->augment(r);
	}
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
	avl_update_height(x);
	avl_update_height(l);
	if (t->augment) {	/* x is now below l */
		t->augment(x);
		t->augment(l);
	}
	return l;
}

/*
 * Restores balance at n, whose children are balanced and differ in height by
 * at most two, and recomputes its height. Returns the node now at n's place.
 */
static struct avl_node *avl_balance_node(struct avl_tree *t, struct avl_node *n)
{
	int b = avl_balance(n);

	if (b > 1) {
		if (avl_balance(n->left) < 0)
			avl_rotate_left(t, n->left);
		return avl_rotate_right(t, n);
	}
	if (b < -1) {
		if (avl_balance(n->right) > 0)
			avl_rotate_right(t, n->right);
		return avl_rotate_left(t, n);
	}
	avl_update_height(n);
	return n;
}

/*
 * Rebalances from n up towards the root after a subtree of n changed height.
 * n->height still holds the value n's parent was computed from; once a
 * subtree comes out with that same height, its ancestors need nothing.
 */
static void avl_rebalance(struct avl_tree *t, struct avl_node *n)
{
	while (n) {
		int old = n->height;

		n = avl_balance_node(t, n);
		if (n->height == old)
			break;
		n = n->parent;
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

void avl_propagate(struct avl_tree *t, struct avl_node *n)
{
	if (!t->augment)
		return;
	for (; n; n = n->parent)
		t->augment(n);
}

struct avl_node *avl_insert(struct avl_tree *t, struct avl_node *n, avl_cmp_fn cmp)
{
	struct avl_node *parent = NULL, **link = &t->root;

	while (*link) {
		int c = cmp(n, *link);

		if (c == 0)
			return *link;
		parent = *link;
		link = c < 0 ? &parent->left : &parent->right;
	}
	n->left = n->right = NULL;
	n->parent = parent;
	n->height = 1;
	*link = n;
	t->count++;
	avl_rebalance(t, parent);
	avl_propagate(t, n);	/* rotations fixed the nodes they moved */
	return NULL;
}

/*
 * Puts n's in-order successor s (leftmost in n's right subtree) into n's
 * place in the tree, n having two children. Returns the lowest node whose
 * subtree lost a level: s's former parent, or s itself if that was n.
 */
static struct avl_node *avl_splice_successor(struct avl_tree *t, struct avl_node *n)
{
	struct avl_node *s = n->right, *low;

	while (s->left)
		s = s->left;
	if (s->parent == n) {
		low = s;
	} else {
		low = s->parent;
		low->left = s->right;
		if (s->right)
			s->right->parent = low;
		s->right = n->right;
		n->right->parent = s;
	}
	s->left = n->left;
	n->left->parent = s;
	s->height = n->height;
	s->parent = n->parent;
	avl_replace_child(t, n->parent, n, s);
	return low;
}

void avl_remove(struct avl_tree *t, struct avl_node *n)
{
	struct avl_node *low;

	if (n->left && n->right) {
		low = avl_splice_successor(t, n);
	} else {
		struct avl_node *child = n->left ? n->left : n->right;

		low = n->parent;
		if (child)
			child->parent = low;
		avl_replace_child(t, low, n, child);
	}
	t->count--;
	avl_rebalance(t, low);
	avl_propagate(t, low);	/* low is below every node that changed */
	n->left = n->right = n->parent = NULL;
	n->height = 0;
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
 * Checks the subtree at n, whose parent must be parent, at the given depth.
 * Returns its height, or -1 if an invariant is broken.
 */
static int avl_check_subtree(struct avl_check_state *s, const struct avl_node *n,
			     const struct avl_node *parent, int depth)
{
	int hl, hr;

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
	if (hl - hr > 1 || hr - hl > 1 || n->height != 1 + MAX(hl, hr))
		return -1;
	return n->height;
}

int avl_check(const struct avl_tree *t, avl_cmp_fn cmp)
{
	struct avl_check_state s = { .cmp = cmp, .count = t->count };

	if (avl_check_subtree(&s, t->root, NULL, 1) < 0 || s.seen != t->count)
		return -EINVAL;
	return 0;
}
