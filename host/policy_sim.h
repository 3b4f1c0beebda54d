/*
 * A small reclaim simulator for the replacement policies (kernel/vm/policy*.c),
 * shared by host/test_policy.c and host/sim_policy.c.
 *
 * A trace is a reference string of page ids 0 .. npages-1. sim_run() plays it
 * against a fixed number of frames, as reclaim will: on each reference, a
 * resident page is marked used (the access hook if the policy has one, else
 * the page's PG_REFERENCED bit, which the policy's test_and_clear_referenced
 * hook reads and clears as the pmap will clear accessed bits); a page not
 * resident is a fault: if every frame is taken the policy selects a victim,
 * which is removed, and the page is inserted and then marked used (the
 * access that faulted completes).
 */
#ifndef KILBURN_HOST_POLICY_SIM_H
#define KILBURN_HOST_POLICY_SIM_H

#include "env.h"
#include "vm/policy.h"

struct sim_trace {
	uint32_t *refs;		/* page ids */
	size_t n;		/* references */
	uint32_t npages;	/* distinct pages: ids are below this */
};

struct sim_run {
	/* in */
	const struct vm_policy_ops *ops;
	uint32_t frames;
	bool check;		/* vm_policy_check after every reference */
	uint32_t *evicted;	/* if set: room for n ids, the victims in order */
	/* out */
	uint64_t faults;
	size_t nevicted;
	struct vm_policy_stats stats;
};

/* Play trace t through a fresh instance of r->ops. Returns 0 or -ENOMEM. */
int sim_run(struct sim_run *r, const struct sim_trace *t);

/* Faults of Belady's MIN (OPT) on t with frames frames: the lower bound. */
uint64_t sim_opt(uint32_t frames, const struct sim_trace *t);

/*
 * sim_trace_from_pages - t from n page numbers (any 64-bit values), renamed
 * to dense ids in order of first use. Returns 0 or -ENOMEM.
 */
int sim_trace_from_pages(struct sim_trace *t, const uint64_t *pages, size_t n);

/*
 * sim_trace_hot_scan - the hot-set-plus-scan workload: `rounds` rounds, each
 * `hot_refs` references drawn at random from a hot set of `hot` pages, then
 * one sequential pass over `scan` other pages (the same pages every round: a
 * loop over more than memory). Seeded, so the same arguments give the same
 * trace. Returns 0 or -ENOMEM.
 */
int sim_trace_hot_scan(struct sim_trace *t, uint32_t hot, uint32_t hot_refs,
		       uint32_t scan, uint32_t rounds, uint64_t seed);

/*
 * sim_trace_hot_mix - the same pages, interleaved: each reference is a random
 * hot page with probability hot_percent, else the next page of the loop.
 */
int sim_trace_hot_mix(struct sim_trace *t, uint32_t hot, uint32_t hot_percent,
		      uint32_t scan, size_t n, uint64_t seed);

void sim_trace_free(struct sim_trace *t);

/* A small seeded generator (xorshift64*), for workloads and tests. */
uint64_t sim_random(uint64_t *state);

#endif
