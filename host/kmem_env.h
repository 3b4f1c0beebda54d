/*
 * Fresh kernel memory for host tests that link kernel/vm/pmm.c and
 * kernel/vm/kmem.c: a new pmm over fake RAM, a new kmem on top, and a
 * leak check against the free-frame count right after.
 */
#ifndef KILBURN_HOST_KMEM_ENV_H
#define KILBURN_HOST_KMEM_ENV_H

#include "env.h"
#include "vm/kmem.h"
#include "vm/pmm.h"

static uint64_t host_frames_at_start;	/* free frames after kmem_init() */

/* Start over: fresh pmm on [base, base + size) of fake RAM, fresh kmem. */
static inline void host_kmem_setup(paddr_t base, uint64_t size)
{
	struct pmm_range r = { base, size };

	host_fake_ram(base, size);
	host_cpu_id = 0;
	if (pmm_init(&r, 1, NULL, 0) != 0)
		exit(2);
	kmem_init();
	host_frames_at_start = pmm_free_frames();
}

/* Everything freed: after kmem_reclaim() the pmm has all its frames back. */
static inline bool host_no_frame_leaked(void)
{
	kmem_reclaim();
	return pmm_free_frames() == host_frames_at_start && pmm_check() == 0;
}

#endif
