/*
 * avl: the tree holds exactly the keys a sorted array holds after the same
 * random inserts and removes, finds, floors, ceilings and walks both ways
 * just as a binary search of that array does, keeps every AVL invariant
 * (avl_check) throughout, and stays within the weak AVL height bound. Small
 * hand-built trees show each rotation and each kind of removal.
 *
 * Items are "regions" keyed by a long start address, as the VM uses the tree.
 */
#include "test.h"
#include "lib/avl.h"

struct item {
	long key;
	struct avl_node node;
	bool in_tree;
};

static int item_cmp(const struct avl_node *a, const struct avl_node *b)
{
	long ka = avl_entry(a, struct item, node)->key;
	long kb = avl_entry(b, struct item, node)->key;

	return ka < kb ? -1 : ka > kb;
}

static int key_cmp(const void *key, const struct avl_node *n)
{
	long k = *(const long *)key;
	long nk = avl_entry(n, struct item, node)->key;

	return k < nk ? -1 : k > nk;
}

/* Key of a node, or -1 for NULL (no test uses negative keys in a tree). */
static long key_of(const struct avl_node *n)
{
	return n ? avl_entry(n, struct item, node)->key : -1;
}

static struct avl_node *find(const struct avl_tree *t, long k)
{
	return avl_find(t, &k, key_cmp);
}

static struct avl_node *floor_of(const struct avl_tree *t, long k)
{
	return avl_floor(t, &k, key_cmp);
}

static struct avl_node *ceil_of(const struct avl_tree *t, long k)
{
	return avl_ceil(t, &k, key_cmp);
}

/* A small seeded generator, so failures repeat. */
static uint64_t rng_state;
static uint64_t rng(void)
{
	return test_xorshift(&rng_state);
}

/* log2(x) for x >= 1, by repeated squaring (the host tests link no libm). */
static double log2_of(double x)
{
	double r = 0, bit = 0.5;

	while (x >= 2) {
		x /= 2;
		r += 1;
	}
	for (int i = 0; i < 40; i++) {
		x *= x;
		if (x >= 2) {
			x /= 2;
			r += bit;
		}
		bit /= 2;
	}
	return r;
}

static int subtree_height(const struct avl_node *n)
{
	int l, r;

	if (!n)
		return 0;
	l = subtree_height(n->left);
	r = subtree_height(n->right);
	return 1 + (l > r ? l : r);
}

/* Levels from the root to the deepest leaf, 0 when empty. */
static int tree_height(const struct avl_tree *t)
{
	return subtree_height(t->root);
}

/*
 * The weak AVL bound: a tree of n nodes is at most 2 log2(n + 1) levels
 * deep, and 1.44 log2(n + 2), as an AVL tree, while nothing was removed.
 */
static bool height_ok(const struct avl_tree *t)
{
	return tree_height(t) <= 2 * log2_of((double)t->count + 1);
}

static bool height_ok_without_removals(const struct avl_tree *t)
{
	return tree_height(t) <= 1.44 * log2_of((double)t->count + 2);
}

/* ------------------------------------------------------------ the model */

/*
 * The reference: the keys in the tree, as a sorted array. Each key k in
 * [0, KEYS) has its own item items[k], so no allocation is needed.
 */
#define KEYS	4096

static struct item items[KEYS];
static long model[KEYS];
static size_t model_n;

/* Index of the first model key >= k. */
static size_t model_lower(long k)
{
	size_t lo = 0, hi = model_n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (model[mid] < k)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void model_insert(long k)
{
	size_t i = model_lower(k);

	memmove(&model[i + 1], &model[i], (model_n - i) * sizeof(model[0]));
	model[i] = k;
	model_n++;
}

static void model_remove(long k)
{
	size_t i = model_lower(k);

	memmove(&model[i], &model[i + 1], (model_n - i - 1) * sizeof(model[0]));
	model_n--;
}

static void model_reset(struct avl_tree *t)
{
	avl_init(t);
	model_n = 0;
	for (long k = 0; k < KEYS; k++) {
		items[k].key = k;
		items[k].in_tree = false;
	}
}

/* The tree, walked forwards and backwards, is exactly the model. */
static bool walks_match_model(const struct avl_tree *t)
{
	const struct avl_node *n = avl_first(t);
	size_t i;

	for (i = 0; i < model_n; i++, n = avl_next(n))
		if (key_of(n) != model[i])
			return false;
	if (n)
		return false;
	n = avl_last(t);
	for (i = model_n; i > 0; i--, n = avl_prev(n))
		if (key_of(n) != model[i - 1])
			return false;
	return n == NULL;
}

/* find, floor and ceil of k give what a search of the model gives. */
static bool queries_match_model(const struct avl_tree *t, long k)
{
	size_t i = model_lower(k);
	bool present = i < model_n && model[i] == k;
	long want_ceil = i < model_n ? model[i] : -1;
	long want_floor = present ? k : i > 0 ? model[i - 1] : -1;

	return key_of(find(t, k)) == (present ? k : -1) &&
	       key_of(floor_of(t, k)) == want_floor &&
	       key_of(ceil_of(t, k)) == want_ceil;
}

/* One random insert or remove on tree and model; grows while grow is set. */
static void random_op(struct avl_tree *t, bool grow)
{
	long k = (long)(rng() % KEYS);
	struct item *it = &items[k];
	bool insert = rng() % 100 < (grow ? 70 : 30);

	if (insert) {
		struct avl_node *dup = avl_insert(t, &it->node, item_cmp);

		CHECK((dup != NULL) == it->in_tree);
		if (dup) {
			CHECK(dup == &it->node);
		} else {
			it->in_tree = true;
			model_insert(k);
		}
	} else if (it->in_tree) {
		avl_remove(t, &it->node);
		it->in_tree = false;
		model_remove(k);
	}
}

/*
 * Builds a tree of items[k] for the keys in order, inserted in that order,
 * and checks it.
 */
static void build(struct avl_tree *t, const long *keys, size_t n)
{
	model_reset(t);
	for (size_t i = 0; i < n; i++) {
		CHECK(avl_insert(t, &items[keys[i]].node, item_cmp) == NULL);
		items[keys[i]].in_tree = true;
	}
	CHECK_EQ(t->count, n);
	CHECK_EQ(avl_check(t, item_cmp), 0);
}

/* Key of the left/right child of the node with key k. */
static long left_of(long k)
{
	return key_of(items[k].node.left);
}

static long right_of(long k)
{
	return key_of(items[k].node.right);
}

/* ------------------------------------------------------------ small trees */

TEST(empty_tree_finds_nothing_and_checks_clean)
{
	struct avl_tree t;

	avl_init(&t);
	CHECK(t.root == NULL);
	CHECK_EQ(t.count, 0);
	CHECK(avl_first(&t) == NULL);
	CHECK(avl_last(&t) == NULL);
	CHECK(find(&t, 5) == NULL);
	CHECK(floor_of(&t, 5) == NULL);
	CHECK(ceil_of(&t, 5) == NULL);
	CHECK_EQ(avl_check(&t, item_cmp), 0);
	CHECK_EQ(tree_height(&t), 0);
}

TEST(one_node_goes_in_and_comes_out)
{
	struct avl_tree t;
	long keys[] = { 7 };

	build(&t, keys, 1);
	CHECK(t.root == &items[7].node);
	CHECK_EQ(items[7].node.rank, 1);
	CHECK(items[7].node.parent == NULL);
	CHECK(avl_first(&t) == &items[7].node);
	CHECK(avl_last(&t) == &items[7].node);
	CHECK(avl_next(&items[7].node) == NULL);
	CHECK(avl_prev(&items[7].node) == NULL);
	CHECK(find(&t, 7) == &items[7].node);
	CHECK(find(&t, 6) == NULL);

	avl_remove(&t, &items[7].node);
	CHECK(t.root == NULL);
	CHECK_EQ(t.count, 0);
	CHECK_EQ(avl_check(&t, item_cmp), 0);
	CHECK(items[7].node.parent == NULL && items[7].node.left == NULL &&
	      items[7].node.right == NULL);
}

TEST(duplicate_insert_returns_the_existing_node_and_changes_nothing)
{
	struct avl_tree t;
	long keys[] = { 2, 1, 3 };
	struct item twin = { .key = 3 };

	build(&t, keys, 3);
	twin.node.left = twin.node.right = twin.node.parent = &twin.node;
	CHECK(avl_insert(&t, &twin.node, item_cmp) == &items[3].node);
	CHECK_EQ(t.count, 3);
	CHECK(find(&t, 3) == &items[3].node);
	CHECK(right_of(2) == 3);
	CHECK_EQ(avl_check(&t, item_cmp), 0);
	/* The rejected node was not touched: it is still the caller's. */
	CHECK(twin.node.parent == &twin.node);
}

TEST(each_insert_rotation_gives_the_balanced_shape)
{
	/* right-right, left-left, right-left, left-right */
	static const long orders[4][3] = {
		{ 1, 2, 3 }, { 3, 2, 1 }, { 1, 3, 2 }, { 3, 1, 2 },
	};
	struct avl_tree t;

	for (int i = 0; i < 4; i++) {
		build(&t, orders[i], 3);
		CHECK_EQ(key_of(t.root), 2);
		CHECK_EQ(left_of(2), 1);
		CHECK_EQ(right_of(2), 3);
		CHECK_EQ(tree_height(&t), 2);
		CHECK(items[2].node.parent == NULL);
		CHECK(items[1].node.parent == &items[2].node);
		CHECK(items[3].node.parent == &items[2].node);
	}
}

/*
 * The perfect tree used by the removal tests:
 *
 *	        4
 *	    2       6
 *	  1   3   5   7
 */
static const long perfect[] = { 4, 2, 6, 1, 3, 5, 7 };

TEST(removing_a_leaf_leaves_its_parent_with_one_child)
{
	struct avl_tree t;

	build(&t, perfect, 7);
	avl_remove(&t, &items[1].node);
	CHECK_EQ(avl_check(&t, item_cmp), 0);
	CHECK_EQ(t.count, 6);
	CHECK_EQ(left_of(2), -1);
	CHECK_EQ(right_of(2), 3);
	CHECK(find(&t, 1) == NULL);
	CHECK_EQ(key_of(t.root), 4);
}

TEST(removing_a_node_with_one_child_lifts_the_child)
{
	struct avl_tree t;

	build(&t, perfect, 7);
	avl_remove(&t, &items[1].node);
	avl_remove(&t, &items[2].node);
	CHECK_EQ(avl_check(&t, item_cmp), 0);
	CHECK_EQ(left_of(4), 3);
	CHECK(items[3].node.parent == &items[4].node);
	CHECK_EQ(items[3].node.rank, 1);
}

TEST(removing_a_two_child_node_whose_successor_is_its_right_child)
{
	struct avl_tree t;

	build(&t, perfect, 7);
	avl_remove(&t, &items[2].node);
	CHECK_EQ(avl_check(&t, item_cmp), 0);
	/*
	 *	        4
	 *	    3       6
	 *	  1       5   7
	 */
	CHECK_EQ(left_of(4), 3);
	CHECK_EQ(left_of(3), 1);
	CHECK_EQ(right_of(3), -1);
	CHECK_EQ(items[3].node.rank, 2);
}

TEST(removing_the_root_puts_its_successor_at_the_top)
{
	struct avl_tree t;

	build(&t, perfect, 7);
	avl_remove(&t, &items[4].node);
	CHECK_EQ(avl_check(&t, item_cmp), 0);
	/*
	 *	        5
	 *	    2       6
	 *	  1   3       7
	 */
	CHECK_EQ(key_of(t.root), 5);
	CHECK(items[5].node.parent == NULL);
	CHECK_EQ(left_of(5), 2);
	CHECK_EQ(right_of(5), 6);
	CHECK_EQ(left_of(6), -1);
	CHECK_EQ(right_of(6), 7);
	CHECK_EQ(tree_height(&t), 3);
}

TEST(removing_until_unbalanced_rotates)
{
	struct avl_tree t;
	long keys[] = { 2, 1, 3, 4 };

	/* 2 (1, 3 (-, 4)): removing 1 leaves 2 two deeper on the right. */
	build(&t, keys, 4);
	avl_remove(&t, &items[1].node);
	CHECK_EQ(avl_check(&t, item_cmp), 0);
	CHECK_EQ(key_of(t.root), 3);
	CHECK_EQ(left_of(3), 2);
	CHECK_EQ(right_of(3), 4);

	/* 3 (2 (1, -), 4) after removing 4 needs a double rotation if 2 leans right. */
	long keys2[] = { 3, 1, 4, 2 };
	build(&t, keys2, 4);
	avl_remove(&t, &items[4].node);
	CHECK_EQ(avl_check(&t, item_cmp), 0);
	CHECK_EQ(key_of(t.root), 2);
	CHECK_EQ(left_of(2), 1);
	CHECK_EQ(right_of(2), 3);
}

TEST(removing_the_root_repeatedly_empties_the_tree)
{
	struct avl_tree t;
	long keys[100];

	for (long i = 0; i < 100; i++)
		keys[i] = (i * 37) % 100;
	build(&t, keys, 100);
	for (size_t left = 100; left > 0; left--) {
		avl_remove(&t, t.root);
		CHECK_EQ(t.count, left - 1);
		CHECK_EQ(avl_check(&t, item_cmp), 0);
	}
	CHECK(t.root == NULL);
	CHECK(avl_first(&t) == NULL);
}

TEST(a_removed_node_can_be_inserted_again)
{
	struct avl_tree t;

	build(&t, perfect, 7);
	avl_remove(&t, &items[4].node);
	CHECK(avl_insert(&t, &items[4].node, item_cmp) == NULL);
	CHECK_EQ(t.count, 7);
	CHECK_EQ(avl_check(&t, item_cmp), 0);
	CHECK(find(&t, 4) == &items[4].node);
	CHECK(avl_next(&items[4].node) == &items[5].node);
	CHECK(avl_prev(&items[4].node) == &items[3].node);
}

TEST(floor_and_ceil_cover_gaps_and_both_ends)
{
	struct avl_tree t;
	long keys[] = { 20, 10, 30 };

	build(&t, keys, 3);
	CHECK_EQ(key_of(floor_of(&t, 5)), -1);
	CHECK_EQ(key_of(floor_of(&t, 10)), 10);
	CHECK_EQ(key_of(floor_of(&t, 15)), 10);
	CHECK_EQ(key_of(floor_of(&t, 30)), 30);
	CHECK_EQ(key_of(floor_of(&t, 99)), 30);
	CHECK_EQ(key_of(ceil_of(&t, 5)), 10);
	CHECK_EQ(key_of(ceil_of(&t, 20)), 20);
	CHECK_EQ(key_of(ceil_of(&t, 25)), 30);
	CHECK_EQ(key_of(ceil_of(&t, 31)), -1);
	CHECK_EQ(key_of(find(&t, 25)), -1);
}

TEST(next_and_prev_stop_at_the_ends)
{
	struct avl_tree t;

	build(&t, perfect, 7);
	CHECK(avl_first(&t) == &items[1].node);
	CHECK(avl_last(&t) == &items[7].node);
	CHECK(avl_prev(&items[1].node) == NULL);
	CHECK(avl_next(&items[7].node) == NULL);
	/* Across the root, both ways. */
	CHECK(avl_next(&items[3].node) == &items[4].node);
	CHECK(avl_prev(&items[5].node) == &items[4].node);
}

TEST(removing_while_walking_with_next_fetched_first)
{
	struct avl_tree t;
	long keys[64];
	long expect = 1;

	for (long i = 0; i < 64; i++)
		keys[i] = i;
	build(&t, keys, 64);
	for (struct avl_node *n = avl_first(&t), *next; n; n = next) {
		next = avl_next(n);
		if (key_of(n) % 2 == 0)
			avl_remove(&t, n);
	}
	CHECK_EQ(t.count, 32);
	CHECK_EQ(avl_check(&t, item_cmp), 0);
	for (struct avl_node *n = avl_first(&t); n; n = avl_next(n), expect += 2)
		CHECK_EQ(key_of(n), expect);
	CHECK_EQ(expect, 65);
}

TEST(check_reports_each_kind_of_damage)
{
	struct avl_tree t;
	struct avl_node *saved;

	build(&t, perfect, 7);

	items[6].node.rank = 3;				/* wrong rank: 0 below 4 */
	CHECK_EQ(avl_check(&t, item_cmp), -EINVAL);
	items[6].node.rank = 2;

	items[5].node.parent = &items[4].node;			/* wrong parent */
	CHECK_EQ(avl_check(&t, item_cmp), -EINVAL);
	items[5].node.parent = &items[6].node;

	items[3].key = 5;					/* out of order */
	CHECK_EQ(avl_check(&t, item_cmp), -EINVAL);
	items[3].key = 3;

	items[3].key = 2;					/* duplicate key */
	CHECK_EQ(avl_check(&t, item_cmp), -EINVAL);
	items[3].key = 3;

	t.count = 8;						/* wrong count */
	CHECK_EQ(avl_check(&t, item_cmp), -EINVAL);
	t.count = 6;
	CHECK_EQ(avl_check(&t, item_cmp), -EINVAL);
	t.count = 7;

	items[7].node.left = &items[4].node;			/* a cycle */
	CHECK_EQ(avl_check(&t, item_cmp), -EINVAL);
	items[7].node.left = NULL;

	t.root->parent = &items[1].node;			/* root with a parent */
	CHECK_EQ(avl_check(&t, item_cmp), -EINVAL);
	t.root->parent = NULL;

	/* Out of balance with a true count: cut 4's left subtree off (a 3-child). */
	saved = items[4].node.left;
	items[4].node.left = NULL;
	items[4].node.rank = 3;
	t.count = 4;
	CHECK_EQ(avl_check(&t, item_cmp), -EINVAL);
	items[4].node.left = saved;
	t.count = 7;

	CHECK_EQ(avl_check(&t, item_cmp), 0);
}

/* ------------------------------------------------------------ large trees */

TEST(random_inserts_and_removes_match_a_sorted_array)
{
	struct avl_tree t;
	int checks = 0;

	rng_state = 0x9e3779b97f4a7c15ULL;
	model_reset(&t);
	for (int op = 0; op < 100000; op++) {
		/* Alternate growing and shrinking phases of 10,000 operations. */
		random_op(&t, (op / 10000) % 2 == 0);
		if (op % 8 != 7)
			continue;
		checks++;
		CHECK_EQ(avl_check(&t, item_cmp), 0);
		CHECK_EQ(t.count, model_n);
		CHECK(height_ok(&t));
		if (op % 64 == 63)
			CHECK(walks_match_model(&t));
		for (int q = 0; q < 4; q++)
			CHECK(queries_match_model(&t, (long)(rng() % (KEYS + 2)) - 1));
	}
	CHECK_EQ(checks, 12500);

	/* Drain in random order; the tree must end empty and valid. */
	while (model_n > 0) {
		long k = model[rng() % model_n];

		avl_remove(&t, &items[k].node);
		items[k].in_tree = false;
		model_remove(k);
		if (model_n % 16 == 0) {
			CHECK_EQ(avl_check(&t, item_cmp), 0);
			CHECK(walks_match_model(&t));
		}
	}
	CHECK(t.root == NULL);
	CHECK_EQ(t.count, 0);
}

/*
 * Adding and removing one leaf again and again (mmap and munmap next to the
 * same region) changes no rank after the first round: a removal demotes
 * only where a rank difference of 3 appears, so nothing ripples up.
 */
TEST(adding_and_removing_a_leaf_again_and_again_leaves_the_ranks_alone)
{
	enum { N = 4095 };
	struct item *v = calloc(N + 1, sizeof(*v));
	int *ranks = calloc(N, sizeof(int));
	struct avl_tree t;
	int changed = 0;

	avl_init(&t);
	for (long i = 0; i < N; i++) {		/* even keys, in order */
		v[i].key = 2 * i + 2;
		avl_insert(&t, &v[i].node, item_cmp);
	}
	v[N].key = 1;				/* below every other key */
	for (int round = 0; round < 10; round++) {
		CHECK(avl_insert(&t, &v[N].node, item_cmp) == NULL);
		CHECK_EQ(avl_check(&t, item_cmp), 0);
		avl_remove(&t, &v[N].node);
		CHECK_EQ(avl_check(&t, item_cmp), 0);
		for (int i = 0; i < N; i++) {
			changed += round > 0 && ranks[i] != v[i].node.rank;
			ranks[i] = v[i].node.rank;
		}
	}
	CHECK_EQ(changed, 0);
	CHECK(height_ok(&t));
	free(ranks);
	free(v);
}

TEST(sorted_inserts_stay_within_the_height_bound)
{
	enum { N = 20000 };
	struct item *v = calloc(N, sizeof(*v));
	struct avl_tree t;

	/* Ascending, then descending: the orders a plain BST degenerates on. */
	for (int dir = 0; dir < 2; dir++) {
		avl_init(&t);
		for (long i = 0; i < N; i++) {
			v[i].key = dir ? N - 1 - i : i;
			CHECK(avl_insert(&t, &v[i].node, item_cmp) == NULL);
			if (i % 1000 == 999)
				CHECK(height_ok_without_removals(&t));
		}
		CHECK_EQ(avl_check(&t, item_cmp), 0);
		CHECK(height_ok_without_removals(&t));
		/* Sorted input fills the tree almost perfectly. */
		CHECK(tree_height(&t) <= 16);
		/* Remove the lower half in order; the rest must stay balanced. */
		for (long k = 0; k < N / 2; k++)
			avl_remove(&t, avl_first(&t));
		CHECK_EQ(avl_check(&t, item_cmp), 0);
		CHECK(height_ok(&t));
		CHECK_EQ(key_of(avl_first(&t)), N / 2);
		CHECK_EQ(key_of(avl_last(&t)), N - 1);
	}
	free(v);
}

/* An address-space region [start, end), keyed by start, as the VM keeps them. */
struct region {
	unsigned long start, end;
	struct avl_node node;
};

static int region_cmp(const struct avl_node *a, const struct avl_node *b)
{
	unsigned long sa = avl_entry(a, struct region, node)->start;
	unsigned long sb = avl_entry(b, struct region, node)->start;

	return sa < sb ? -1 : sa > sb;
}

static int region_key_cmp(const void *key, const struct avl_node *n)
{
	unsigned long a = *(const unsigned long *)key;
	unsigned long s = avl_entry(n, struct region, node)->start;

	return a < s ? -1 : a > s;
}

/* The region containing addr, found as the VM would: floor, then bounds. */
static struct region *region_lookup(const struct avl_tree *t, unsigned long addr)
{
	struct avl_node *n = avl_floor(t, &addr, region_key_cmp);
	struct region *r = n ? avl_entry(n, struct region, node) : NULL;

	return r && addr < r->end ? r : NULL;
}

TEST(floor_finds_the_region_containing_an_address_among_ten_thousand)
{
	enum { N = 10000, STRIDE = 0x10000 };
	struct region *v = calloc(N, sizeof(*v));
	struct avl_tree t;

	/* Region i covers [i*STRIDE, i*STRIDE + (i % 15 + 1) pages); the rest is a gap. */
	avl_init(&t);
	rng_state = 12345;
	for (long i = 0; i < N; i++) {
		long j = (long)((i * 7919) % N);	/* insertion order scattered */

		v[j].start = (unsigned long)j * STRIDE;
		v[j].end = v[j].start + (unsigned long)(j % 15 + 1) * PAGE_SIZE;
		CHECK(avl_insert(&t, &v[j].node, region_cmp) == NULL);
	}
	CHECK_EQ(avl_check(&t, region_cmp), 0);
	CHECK(height_ok(&t));
	for (int q = 0; q < 100000; q++) {
		unsigned long addr = rng() % ((unsigned long)N * STRIDE + STRIDE);
		unsigned long i = addr / STRIDE;
		struct region *want = i < N && addr < v[i].end ? &v[i] : NULL;

		CHECK(region_lookup(&t, addr) == want);
	}
	free(v);
}
