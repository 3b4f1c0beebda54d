/*
 * S3-FIFO: a scan-resistant policy built of three FIFO queues.
 *
 * After Juncheng Yang, Yazhuo Zhang, Ziyue Qiu, Yao Yue and Rashmi Vinayak,
 * "FIFO queues are all you need for cache eviction", SOSP 2023. Most pages
 * brought in are used once in a short window (a scan, a file read through,
 * a program's startup): S3-FIFO sends them away quickly without letting
 * them push out the pages that are used again and again.
 *
 *  - small (S, 10% of the frames): every new page enters here. When S is at
 *    or above its share, the victim comes from S: a page used while it
 *    passed through S moves to M; one not used is evicted, and its key is
 *    remembered in the ghost.
 *  - main (M, the rest): a CLOCK whose pages carry a small count (0..3) of
 *    the scans that found them used: a page used since the last visit has
 *    its count raised and stays; an unused one with a count has it lowered
 *    and stays; an unused one with count 0 is evicted.
 *  - ghost (G): the keys of the last |M| pages evicted from S, no data. A
 *    page that comes back while its key is there was evicted too soon: it
 *    enters M directly.
 *
 * Adapted to what a kernel can see: the paper counts every hit; here use is
 * learned from the referenced bits only when a page is looked at. And the
 * access that brought a page in shows as a use at its first test, which
 * must not pass for reuse (or every page of a scan would be promoted). So
 * the newest page is "fresh" until the next one comes in: by then its
 * faulting access is done, and insert tests and forgets that one use. (A
 * fresh page reaching a queue's front is treated the same way and passes
 * once more.) If another hart's fault is slower than that, its page merely
 * looks used once: the error is on the side of keeping.
 *
 * The ghost is a direct-mapped table of (tag, time) entries, sized at
 * init: membership is "the tag matches and fewer than |M| keys went into
 * the ghost since"; a collision forgets the older key, which only costs a
 * chance to promote.
 *
 * Per-page state in the PG_POLICY bits: S3_MAIN (which queue), S3_FRESH
 * (its first test is still its faulting access) and, on M, the count.
 *
 * Active: the pages on M, which were used again after they came in (or
 * came back through the ghost); the pages on S, on probation, are
 * inactive.
 */
#include "vm/policy.h"

#define S3_MAIN		0x1
#define S3_FRESH	0x2
#define S3_COUNT_SHIFT	2
#define S3_COUNT_MAX	3

struct ghost_entry {
	uint32_t tag;		/* from the key's high bits, never 0; 0: empty */
	uint32_t when;		/* ghost_clock when it went in */
};

struct s3fifo_state {
	struct list_node small;		/* S, oldest first */
	struct list_node main;		/* M, oldest first */
	uint64_t nsmall, nmain;
	uint64_t small_share;		/* S's share of the frames (10%) */
	uint32_t ghost_span;		/* keys the ghost remembers: |M| */
	uint32_t ghost_clock;		/* keys that went into the ghost */
	uint64_t ghost_mask;		/* table slots - 1 */
	uint64_t ghost_hits;		/* pages that came back through G */
	struct page *fresh;		/* the page with S3_FRESH, or NULL */
	struct ghost_entry ghost[];
};

static uint64_t small_share_of(uint64_t max_frames)
{
	return MAX(max_frames / 10, 1UL);
}

/* Table slots: a power of two, at least twice the keys it remembers. */
static uint64_t ghost_slots_of(uint64_t max_frames)
{
	uint64_t span = MAX(max_frames - small_share_of(max_frames), 1UL);
	uint64_t slots = 2;

	while (slots < 2 * span)
		slots <<= 1;
	return slots;
}

static size_t s3fifo_state_size(uint64_t max_frames)
{
	return sizeof(struct s3fifo_state) +
	       ghost_slots_of(max_frames) * sizeof(struct ghost_entry);
}

static int s3fifo_init(struct vm_policy *pol)
{
	struct s3fifo_state *s = pol->state;

	if (pol->max_frames > UINT32_MAX)
		return -EINVAL;
	list_init(&s->small);
	list_init(&s->main);
	s->small_share = small_share_of(pol->max_frames);
	s->ghost_span = (uint32_t)MAX(pol->max_frames - s->small_share, 1UL);
	s->ghost_mask = ghost_slots_of(pol->max_frames) - 1;
	return 0;
}

static void s3fifo_destroy(struct vm_policy *pol)
{
	struct s3fifo_state *s = pol->state;

	vm_policy_forget_all(&s->small);
	vm_policy_forget_all(&s->main);
	s->nsmall = s->nmain = 0;
	s->fresh = NULL;
}

/* The slot of key, and the tag that tells it from others there. */
static struct ghost_entry *ghost_slot(struct s3fifo_state *s, uint64_t key,
				      uint32_t *tag)
{
	key *= 0x9e3779b97f4a7c15ULL;		/* spread keys that are small numbers */
	key ^= key >> 29;
	*tag = (uint32_t)(key >> 32) | 1;
	return &s->ghost[key & s->ghost_mask];
}

static void ghost_add(struct s3fifo_state *s, uint64_t key)
{
	uint32_t tag;
	struct ghost_entry *e = ghost_slot(s, key, &tag);

	e->tag = tag;
	e->when = ++s->ghost_clock;
}

/* Was key among the last ghost_span keys added? Forgets it if so. */
static bool ghost_take(struct s3fifo_state *s, uint64_t key)
{
	uint32_t tag;
	struct ghost_entry *e = ghost_slot(s, key, &tag);

	if (e->tag != tag || (uint32_t)(s->ghost_clock - e->when) >= s->ghost_span)
		return false;
	e->tag = 0;
	return true;
}

static unsigned int main_count(const struct page *pg)
{
	return vm_policy_bits(pg) >> S3_COUNT_SHIFT;
}

/* Put pg at M's back with count (it keeps S3_FRESH if it has it). */
static void to_main(struct s3fifo_state *s, struct page *pg, unsigned int count)
{
	vm_policy_set_bits(pg, (vm_policy_bits(pg) & S3_FRESH) | S3_MAIN |
			       count << S3_COUNT_SHIFT);
	vm_policy_requeue(&s->main, pg);
}

/* pg's faulting access is done: test and forget it. */
static void unfresh(struct vm_policy *pol, struct s3fifo_state *s, struct page *pg)
{
	vm_policy_referenced(pol, pg);
	vm_policy_set_bits(pg, vm_policy_bits(pg) & ~S3_FRESH);
	s->fresh = NULL;
}

/* Was pg used since its last test, not counting its faulting access? */
static bool used_again(struct vm_policy *pol, struct s3fifo_state *s,
		       struct page *pg)
{
	if (vm_policy_bits(pg) & S3_FRESH) {
		unfresh(pol, s, pg);
		return false;
	}
	return vm_policy_referenced(pol, pg);
}

/* A page back from the ghost goes to M; any other to S. */
static void s3fifo_insert(struct vm_policy *pol, struct page *pg)
{
	struct s3fifo_state *s = pol->state;

	if (s->fresh)
		unfresh(pol, s, s->fresh);
	list_init(&pg->link);
	if (ghost_take(s, vm_policy_key(pol, pg))) {
		s->ghost_hits++;
		to_main(s, pg, 0);
		s->nmain++;
	} else {
		list_append(&s->small, &pg->link);
		s->nsmall++;
	}
	vm_policy_set_bits(pg, vm_policy_bits(pg) | S3_FRESH);
	s->fresh = pg;
}

/*
 * pg, read ahead, is used for the first time: a page that has just come
 * in, whose use is its faulting access. One on S goes to S's back; one
 * that came back through the ghost when it was read stays on M (a remove
 * and an insert would have sent it to S: its ghost entry went with the
 * first insertion).
 */
static void s3fifo_renew(struct vm_policy *pol, struct page *pg)
{
	struct s3fifo_state *s = pol->state;

	if (s->fresh && s->fresh != pg)
		unfresh(pol, s, s->fresh);
	if (!(vm_policy_bits(pg) & S3_MAIN)) {
		list_remove(&pg->link);
		list_append(&s->small, &pg->link);
	}
	vm_policy_set_bits(pg, vm_policy_bits(pg) | S3_FRESH);
	s->fresh = pg;
}

static void s3fifo_remove(struct vm_policy *pol, struct page *pg)
{
	struct s3fifo_state *s = pol->state;

	if (vm_policy_bits(pg) & S3_MAIN)
		s->nmain--;
	else
		s->nsmall--;
	if (s->fresh == pg)
		s->fresh = NULL;
	list_remove(&pg->link);
}

/*
 * A victim from S, or NULL if every page of S moved to M. A page used while
 * it went through S moves to M; the first unused one is the victim, and its
 * key goes to the ghost.
 */
static struct page *small_evict(struct vm_policy *pol, struct s3fifo_state *s)
{
	struct page *pg;

	while ((pg = vm_policy_oldest(&s->small))) {
		if (vm_policy_bits(pg) & S3_FRESH) {
			unfresh(pol, s, pg);
			vm_policy_requeue(&s->small, pg);
		} else if (vm_policy_referenced(pol, pg)) {
			to_main(s, pg, 0);
			s->nsmall--;
			s->nmain++;
			vm_policy_moved(pol, pg, true);
			pol->stats.kept++;
		} else {
			ghost_add(s, vm_policy_key(pol, pg));
			vm_policy_requeue(&s->small, pg);
			return pg;
		}
	}
	return NULL;
}

/*
 * A victim from M. A used page's count rises (to S3_COUNT_MAX) and it stays;
 * an unused one with a count has it lowered and stays. Every bit is clear
 * after one turn and every count 0 after S3_COUNT_MAX more, so the budget
 * is never reached unless other harts keep using pages meanwhile.
 */
static struct page *main_evict(struct vm_policy *pol, struct s3fifo_state *s)
{
	uint64_t budget = (S3_COUNT_MAX + 1) * s->nmain + 1;
	struct page *pg;

	for (uint64_t seen = 0; (pg = vm_policy_oldest(&s->main)); seen++) {
		unsigned int count = main_count(pg);

		if (seen >= budget)
			count = 0;
		else if (used_again(pol, s, pg))
			count = MIN(count + 1, (unsigned int)S3_COUNT_MAX) + 1;
		if (count == 0) {
			to_main(s, pg, 0);
			return pg;
		}
		to_main(s, pg, count - 1);
		pol->stats.kept++;
	}
	return NULL;
}

static struct page *s3fifo_select_victim(struct vm_policy *pol)
{
	struct s3fifo_state *s = pol->state;
	struct page *pg = NULL;

	if (s->nsmall >= s->small_share || s->nmain == 0)
		pg = small_evict(pol, s);
	return pg ? pg : main_evict(pol, s);
}

static uint64_t s3fifo_check(struct vm_policy *pol)
{
	struct s3fifo_state *s = pol->state;
	uint64_t ns = vm_policy_count(&s->small, "s3fifo small");
	uint64_t nm = vm_policy_count(&s->main, "s3fifo main");

	if (ns != s->nsmall || nm != s->nmain)
		panic("vm_policy_check: s3fifo counts %lu/%lu, queues hold %lu/%lu",
		      (unsigned long)s->nsmall, (unsigned long)s->nmain,
		      (unsigned long)ns, (unsigned long)nm);
	if (s->fresh && (!(s->fresh->flags & PG_ONPOLICY) ||
			 !(vm_policy_bits(s->fresh) & S3_FRESH)))
		panic("vm_policy_check: s3fifo fresh page %p is not marked fresh",
		      s->fresh);
	return ns + nm;
}

/* On M. */
static bool s3fifo_is_active(const struct vm_policy *pol, const struct page *pg)
{
	return vm_policy_bits(pg) & S3_MAIN;
}

const struct vm_policy_ops vm_policy_s3fifo = {
	.name = "s3fifo",
	.summary = "S3-FIFO, scan resistant: Yang et al., SOSP 2023",
	.state_size = s3fifo_state_size,
	.init = s3fifo_init,
	.destroy = s3fifo_destroy,
	.insert = s3fifo_insert,
	.remove = s3fifo_remove,
	.renew = s3fifo_renew,
	.select_victim = s3fifo_select_victim,
	.check = s3fifo_check,
	.is_active = s3fifo_is_active,
};
