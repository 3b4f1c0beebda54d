/*
 * hotscan.h - the page-reference string of the replacement-quality
 * benchmark, generated from a seed: shared by the guest program that runs it
 * (tests/bench/policybench.c) and the host program that writes it out for
 * the simulator (host/hotscan_trace.c), so both see the same string; the
 * guest prints its checksum and the host checks it.
 *
 * Pages 0 .. hot-1 are the hot set, hot .. hot+loop-1 the loop. The string:
 * one pass over every page in order (the first touches, which write each
 * page), then `rounds` rounds of `hot_refs` uniformly random hot pages
 * followed by one pass over the loop in order.
 */
#ifndef KILBURN_HOTSCAN_H
#define KILBURN_HOTSCAN_H

#include <stdint.h>

struct hotscan {
	uint32_t hot, loop, hot_refs, rounds;	/* the shape */
	uint64_t seed;
	/* position */
	uint64_t rng;
	uint32_t round;				/* 0: the first pass */
	uint32_t step;				/* within the pass or round */
	uint64_t n;				/* references made */
	uint64_t sum;				/* FNV-1a 64 of the pages */
};

static inline void hotscan_init(struct hotscan *h, uint32_t hot, uint32_t loop,
				uint32_t hot_refs, uint32_t rounds, uint64_t seed)
{
	*h = (struct hotscan){ .hot = hot, .loop = loop, .hot_refs = hot_refs,
			       .rounds = rounds, .seed = seed,
			       .rng = seed ? seed : 1,
			       .sum = 0xcbf29ce484222325ULL };
}

/* xorshift64 */
static inline uint64_t hotscan_rand(struct hotscan *h)
{
	h->rng ^= h->rng << 13;
	h->rng ^= h->rng >> 7;
	h->rng ^= h->rng << 17;
	return h->rng;
}

/* Fold page into the checksum (its four bytes, low first). */
static inline void hotscan_sum(struct hotscan *h, uint32_t page)
{
	for (int i = 0; i < 4; i++) {
		h->sum ^= (page >> (8 * i)) & 0xff;
		h->sum *= 0x100000001b3ULL;
	}
}

/*
 * The next page of the string into *page; 0 at the end, else 1 (2 while
 * in the first pass, whose touches write).
 */
static inline int hotscan_next(struct hotscan *h, uint32_t *page)
{
	int first = h->round == 0;

	if (first && h->step == h->hot + h->loop) {
		h->round = 1;
		h->step = 0;
		first = 0;
	}
	if (!first && h->step == h->hot_refs + h->loop) {
		h->round++;
		h->step = 0;
	}
	if (h->round > h->rounds)
		return 0;
	if (first)
		*page = h->step;
	else if (h->step < h->hot_refs)
		*page = (uint32_t)(hotscan_rand(h) % h->hot);
	else
		*page = h->hot + (h->step - h->hot_refs);
	h->step++;
	h->n++;
	hotscan_sum(h, *page);
	return first ? 2 : 1;
}

#endif
