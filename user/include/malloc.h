/*
 * Kilburn allocator extras beyond <stdlib.h>: introspection for tests.
 */
#ifndef _MALLOC_H
#define _MALLOC_H

#include <stdlib.h>

/* Counters kept by the allocator (see user/lib/malloc.c). */
struct malloc_stats {
	size_t	heap_bytes;	/* bytes between heap start and current break */
	size_t	heap_free;	/* bytes in free heap blocks */
	size_t	heap_grows;	/* times the break was raised */
	size_t	heap_trims;	/* times the break was lowered */
	size_t	mmap_blocks;	/* large blocks currently mapped */
	size_t	mmap_bytes;	/* bytes currently mapped for large blocks */
	size_t	mmap_calls;	/* large-block mmaps ever made */
	size_t	munmap_calls;	/* large-block munmaps ever made */
};

size_t malloc_usable_size(void *p);
void malloc_get_stats(struct malloc_stats *st);
int malloc_check(void);

#endif
