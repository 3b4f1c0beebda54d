/*
 * malloc, free, calloc, realloc, posix_memalign.
 *
 * Design
 * ------
 * Small and medium requests come from one contiguous heap that grows with
 * sbrk; requests of MMAP_THRESHOLD (128 KiB) and more get a mapping of
 * their own, which free gives straight back with munmap.
 *
 * The heap is a sequence of chunks with boundary tags. Every chunk starts
 * with a one-word header holding its size (a multiple of 16, header
 * included) and three flag bits:
 *
 *	INUSE		the chunk is allocated
 *	PREV_INUSE	the chunk just below is allocated (or there is none)
 *	MMAPPED		the chunk is a large block with a mapping of its own
 *
 * A free chunk also keeps its size in its last word (the footer) and two
 * list links after the header:
 *
 *	allocated:  | size|flags | payload ...................... |
 *	free:       | size|flags | next | prev | ...... | size    |
 *	            ^ chunk (addr % 16 == 8)  ^ payload (16-aligned)
 *
 * So free() finds both neighbours in O(1): the next chunk at chunk+size,
 * the previous one (when PREV_INUSE is clear) at chunk - footer. Free
 * neighbours are merged at once, so no two free chunks are ever adjacent.
 * The heap ends with an epilogue: a zero-size header marked in use, right
 * below the break. Growing the heap turns the old epilogue into the header
 * of a new free chunk (merged with a free chunk below it, if any) and
 * writes a new epilogue at the new end.
 *
 * Free chunks sit in segregated lists ("bins"): 64 exact bins for sizes
 * below 1 KiB in steps of 16, then four bins per power of two. A bitmap
 * of non-empty bins makes "the smallest non-empty bin at or above i" a few
 * instructions. Allocation is first fit within the request's own bin, then
 * the first chunk of the next non-empty bin; a chunk bigger than needed is
 * split and the rest goes back to its bin.
 *
 * realloc grows in place when the next chunk is free and large enough, or
 * when the chunk is the last in the heap (the heap is extended under it).
 * When the free chunk at the top of the heap exceeds TRIM_THRESHOLD the
 * break is lowered, handing the memory back to the kernel.
 *
 * Large blocks store, in the two words below the payload, the distance
 * from the start of their mapping and the mapping length with MMAPPED set.
 *
 * The allocator is not thread-safe (Kilburn user programs have one thread).
 * malloc_check() walks the heap and the bins and verifies every invariant
 * above; tests call it.
 */
#include <errno.h>
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define INUSE		1UL
#define PREV_INUSE	2UL
#define MMAPPED		4UL
#define FLAGS		7UL

#define ALIGN		16UL
#define HDR		8UL		/* header size */
#define MIN_CHUNK	32UL		/* header, two links, footer */
#define PAGE		4096UL
#define MMAP_THRESHOLD	(128UL * 1024)
#define GROW_MIN	(128UL * 1024)	/* least heap growth per sbrk */
#define TRIM_THRESHOLD	(256UL * 1024)	/* top free chunk size that trims */
#define TRIM_KEEP	(64UL * 1024)	/* what a trim leaves at the top */

#define NSMALL		64		/* exact bins: size / 16 < 64 */
#define NBINS		128

struct chunk {
	size_t		head;		/* size | flags */
	struct chunk	*next, *prev;	/* bin links, free chunks only */
};

static struct chunk *bins[NBINS];
static uint64_t binmap[NBINS / 64];
static char *heap_start;		/* first chunk */
static struct chunk *epilogue;		/* zero-size header below the break */
static struct malloc_stats stats;

/* --- chunk accessors ---------------------------------------------------- */

static size_t csize(const struct chunk *c)      { return c->head & ~FLAGS; }
static struct chunk *cnext(struct chunk *c)     { return (struct chunk *)((char *)c + csize(c)); }
static void *payload(struct chunk *c)           { return (char *)c + HDR; }
static struct chunk *of_payload(void *p)        { return (struct chunk *)((char *)p - HDR); }
static size_t *footer(struct chunk *c)          { return (size_t *)((char *)c + csize(c)) - 1; }
static size_t round_up(size_t n, size_t a)      { return (n + a - 1) & ~(a - 1); }

/* Chunk size needed for a request of n bytes; 0 if n is absurdly large. */
static size_t request_size(size_t n)
{
	if (n > SIZE_MAX / 2)
		return 0;
	n = round_up(n + HDR, ALIGN);
	return n < MIN_CHUNK ? MIN_CHUNK : n;
}

/* Sets c's size keeping its flags. */
static void set_size(struct chunk *c, size_t size)
{
	c->head = size | (c->head & FLAGS);
}

/* Sets or clears PREV_INUSE in c. */
static void set_prev_inuse(struct chunk *c, int inuse)
{
	if (inuse)
		c->head |= PREV_INUSE;
	else
		c->head &= ~PREV_INUSE;
}

/* --- bins --------------------------------------------------------------- */

/* The bin for chunks of this size. */
static int bin_index(size_t size)
{
	int lg;

	if (size / ALIGN < NSMALL)
		return (int)(size / ALIGN);
	lg = 63 - __builtin_clzl(size);			/* >= 10 */
	int idx = NSMALL + (lg - 10) * 4 + (int)((size >> (lg - 2)) & 3);
	return idx < NBINS ? idx : NBINS - 1;
}

/* Puts free chunk c (header and footer already written) in its bin. */
static void bin_insert(struct chunk *c)
{
	int i = bin_index(csize(c));

	c->prev = 0;
	c->next = bins[i];
	if (bins[i])
		bins[i]->prev = c;
	bins[i] = c;
	binmap[i / 64] |= 1UL << (i % 64);
	stats.heap_free += csize(c);
}

/* Takes free chunk c out of its bin. */
static void bin_remove(struct chunk *c)
{
	int i = bin_index(csize(c));

	if (c->prev)
		c->prev->next = c->next;
	else
		bins[i] = c->next;
	if (c->next)
		c->next->prev = c->prev;
	if (!bins[i])
		binmap[i / 64] &= ~(1UL << (i % 64));
	stats.heap_free -= csize(c);
}

/* The first non-empty bin with index >= i, or -1. */
static int bin_next_nonempty(int i)
{
	for (int w = i / 64; w < NBINS / 64; w++) {
		uint64_t m = binmap[w];

		if (w == i / 64)
			m &= ~0UL << (i % 64);
		if (m)
			return w * 64 + __builtin_ctzl(m);
	}
	return -1;
}

/* Removes and returns a free chunk of at least size bytes, or NULL. */
static struct chunk *bin_take(size_t size)
{
	int i = bin_index(size);
	struct chunk *c;

	if (i >= NSMALL || i == NBINS - 1) {	/* a range bin: first fit */
		for (c = bins[i]; c; c = c->next)
			if (csize(c) >= size) {
				bin_remove(c);
				return c;
			}
		i++;
	}
	i = i < NBINS ? bin_next_nonempty(i) : -1;
	if (i < 0)
		return 0;
	c = bins[i];
	bin_remove(c);
	return c;
}

/* --- releasing and splitting chunks ------------------------------------- */

/* Marks c free, writes its footer, tells the next chunk and bins it. */
static void make_free(struct chunk *c)
{
	c->head &= ~INUSE;
	*footer(c) = csize(c);
	set_prev_inuse(cnext(c), 0);
	bin_insert(c);
}

/*
 * Lowers the break if free chunk c (not binned) is at the top of the heap
 * and larger than TRIM_THRESHOLD, leaving TRIM_KEEP bytes in c.
 */
static void heap_trim(struct chunk *c)
{
	size_t cut;

	if (cnext(c) != epilogue || csize(c) < TRIM_THRESHOLD ||
	    sbrk(0) != (char *)epilogue + HDR)	/* break moved by others */
		return;
	cut = (csize(c) - TRIM_KEEP) & ~(PAGE - 1);
	if (sbrk(-(long)cut) == (void *)-1)
		return;
	set_size(c, csize(c) - cut);
	epilogue = cnext(c);
	epilogue->head = INUSE;			/* c is free: PREV_INUSE clear */
	stats.heap_trims++;
}

/*
 * Frees heap chunk c (marked in use), merging it with free neighbours,
 * and bins the result. With may_trim, a top chunk that grew large is first
 * cut back (only free() asks: growing code must not undo its own growth).
 */
static void chunk_release(struct chunk *c, int may_trim)
{
	struct chunk *n = cnext(c);

	if (!(n->head & INUSE)) {
		bin_remove(n);
		set_size(c, csize(c) + csize(n));
	}
	if (!(c->head & PREV_INUSE)) {
		size_t psize = *((size_t *)c - 1);
		struct chunk *p = (struct chunk *)((char *)c - psize);

		bin_remove(p);
		set_size(p, psize + csize(c));
		c = p;
	}
	c->head = csize(c) | PREV_INUSE;
	if (may_trim)
		heap_trim(c);
	make_free(c);
}

/*
 * Shrinks in-use chunk c to size bytes if the rest can form a chunk of
 * its own, which is released (and so merged with what follows).
 */
static void chunk_split(struct chunk *c, size_t size)
{
	size_t rest = csize(c) - size;
	struct chunk *r;

	if (rest < MIN_CHUNK)
		return;
	set_size(c, size);
	r = cnext(c);
	r->head = rest | INUSE | PREV_INUSE;
	chunk_release(r, 0);
}

/* --- growing the heap --------------------------------------------------- */

/* Creates the empty heap: an epilogue at a 16-aligned-minus-8 address. */
static int heap_init(void)
{
	char *cur = sbrk(0), *start;

	if (cur == (char *)-1)
		return -1;
	start = (char *)round_up((uintptr_t)cur + HDR, ALIGN) - HDR;
	if (sbrk((start - cur) + (long)HDR) == (void *)-1)
		return -1;
	heap_start = start;
	epilogue = (struct chunk *)start;
	epilogue->head = INUSE | PREV_INUSE;
	return 0;
}

/*
 * Extends the heap by at least need bytes and releases the new space as a
 * free chunk (merged with a free chunk at the old top). If someone else
 * moved the break, the foreign gap is fenced off inside a chunk that is
 * never freed. Returns 0, or -1 with ENOMEM.
 */
static int heap_grow(size_t need)
{
	size_t len = round_up(need < GROW_MIN ? GROW_MIN : need, PAGE);
	struct chunk *c;
	char *base, *end;

	if (!heap_start && heap_init() < 0)
		return -1;
	c = epilogue;
	base = sbrk((long)len);
	if (base == (char *)-1) {
		errno = ENOMEM;
		return -1;
	}
	stats.heap_grows++;
	end = base + len;
	if (base != (char *)epilogue + HDR) {	/* not contiguous: fence */
		char *first = (char *)round_up((uintptr_t)base + HDR, ALIGN) - HDR;

		if (first - (char *)c < (long)MIN_CHUNK)
			first += ALIGN * 2;
		c->head = (size_t)(first - (char *)c) | INUSE | (c->head & PREV_INUSE);
		c = (struct chunk *)first;
		c->head = PREV_INUSE;
	}
	/* The new chunk runs from c to a new epilogue just below the break. */
	epilogue = (struct chunk *)((((uintptr_t)end - 2 * HDR) & ~(ALIGN - 1)) + HDR);
	c->head = (size_t)((char *)epilogue - (char *)c) | INUSE | (c->head & PREV_INUSE);
	epilogue->head = INUSE | PREV_INUSE;
	chunk_release(c, 0);
	return 0;
}

/* --- large blocks ------------------------------------------------------- */

/* Maps a block for n bytes with its payload aligned to align (>= 16). */
static void *big_alloc(size_t n, size_t align)
{
	size_t len = round_up(n + align + ALIGN, PAGE);
	char *base, *p;

	if (len < n) {
		errno = ENOMEM;
		return 0;
	}
	base = mmap(0, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (base == MAP_FAILED) {
		errno = ENOMEM;
		return 0;
	}
	p = (char *)round_up((uintptr_t)base + ALIGN, align);
	((size_t *)p)[-2] = (size_t)(p - base);
	((size_t *)p)[-1] = len | MMAPPED | INUSE;
	stats.mmap_blocks++;
	stats.mmap_bytes += len;
	stats.mmap_calls++;
	return p;
}

/* Unmaps the large block whose payload is p. */
static void big_free(void *p)
{
	size_t off = ((size_t *)p)[-2], len = ((size_t *)p)[-1] & ~FLAGS;

	stats.mmap_blocks--;
	stats.mmap_bytes -= len;
	stats.munmap_calls++;
	munmap((char *)p - off, len);
}

/* Bytes usable at large-block payload p. */
static size_t big_usable(void *p)
{
	return (((size_t *)p)[-1] & ~FLAGS) - ((size_t *)p)[-2];
}

/* --- the interface ------------------------------------------------------ */

/* Reports a corrupted heap or a bad pointer and aborts. */
static _Noreturn void malloc_fail(const char *what, void *p)
{
	dprintf(2, "malloc: %s (%p)\n", what, p);
	abort();
}

/*
 * Allocates n bytes aligned to 16; NULL with ENOMEM on failure. malloc(0)
 * returns a unique pointer.
 */
void *malloc(size_t n)
{
	size_t size = request_size(n);
	struct chunk *c;

	if (!size) {
		errno = ENOMEM;
		return 0;
	}
	if (n >= MMAP_THRESHOLD)
		return big_alloc(n, ALIGN);
	while (!(c = bin_take(size))) {
		struct chunk *top = 0;
		size_t have = 0;

		if (heap_start && !(epilogue->head & PREV_INUSE)) {
			top = (struct chunk *)((char *)epilogue - ((size_t *)epilogue)[-1]);
			have = csize(top);
		}
		if (heap_grow(size - have + MIN_CHUNK) < 0)
			return 0;
	}
	c->head |= INUSE;
	set_prev_inuse(cnext(c), 1);
	chunk_split(c, size);
	return payload(c);
}

/* Frees a block from malloc/calloc/realloc/posix_memalign; NULL is a no-op. */
void free(void *p)
{
	struct chunk *c;

	if (!p)
		return;
	if ((uintptr_t)p & (ALIGN - 1))
		malloc_fail("free: misaligned pointer", p);
	c = of_payload(p);
	if (c->head & MMAPPED) {
		big_free(p);
		return;
	}
	if (!(c->head & INUSE) || (char *)c < heap_start || c >= epilogue)
		malloc_fail("free: double free or invalid pointer", p);
	chunk_release(c, 1);
}

/* Allocates n * size zeroed bytes; NULL (ENOMEM) on overflow or failure. */
void *calloc(size_t n, size_t size)
{
	void *p;

	if (size && n > SIZE_MAX / size) {
		errno = ENOMEM;
		return 0;
	}
	p = malloc(n * size);
	if (p && !(of_payload(p)->head & MMAPPED))	/* mappings are zeroed */
		memset(p, 0, n * size);
	return p;
}

/* Bytes usable at p (at least what was asked for). */
size_t malloc_usable_size(void *p)
{
	if (!p)
		return 0;
	if (of_payload(p)->head & MMAPPED)
		return big_usable(p);
	return csize(of_payload(p)) - HDR;
}

/*
 * Tries to make heap chunk c at least size bytes without moving it, by
 * absorbing a free next chunk, growing the heap under it if it is at the
 * top. Returns 1 on success.
 */
static int grow_in_place(struct chunk *c, size_t size)
{
	struct chunk *n = cnext(c);

	if (n == epilogue || (!(n->head & INUSE) && cnext(n) == epilogue &&
			      csize(c) + csize(n) < size)) {
		size_t have = csize(c) + (n == epilogue ? 0 : csize(n));
		if (heap_grow(size - have) < 0)
			return 0;
		n = cnext(c);		/* now a free chunk, unless fenced */
	}
	if ((n->head & INUSE) || csize(c) + csize(n) < size)
		return 0;
	bin_remove(n);
	set_size(c, csize(c) + csize(n));
	set_prev_inuse(cnext(c), 1);
	chunk_split(c, size);
	return 1;
}

/*
 * Resizes p to n bytes, keeping the contents up to the smaller size.
 * Grows in place when it can; otherwise moves. realloc(NULL, n) is
 * malloc(n); realloc(p, 0) frees p and returns NULL. On failure returns
 * NULL and leaves p untouched.
 */
void *realloc(void *p, size_t n)
{
	size_t size = request_size(n), old;
	struct chunk *c;
	void *q;

	if (!p)
		return malloc(n);
	if (n == 0) {
		free(p);
		return 0;
	}
	if (!size) {
		errno = ENOMEM;
		return 0;
	}
	c = of_payload(p);
	old = malloc_usable_size(p);
	if (c->head & MMAPPED) {
		if (n <= old && n >= MMAP_THRESHOLD / 2)
			return p;
	} else if (size <= csize(c)) {
		chunk_split(c, size);
		return p;
	} else if (n < MMAP_THRESHOLD && grow_in_place(c, size)) {
		return p;
	}
	q = malloc(n);
	if (!q)
		return 0;
	memcpy(q, p, old < n ? old : n);
	free(p);
	return q;
}

/*
 * Allocates n bytes aligned to align (a power of two, multiple of
 * sizeof(void *)) into *out. Returns 0, EINVAL or ENOMEM (not via errno).
 */
int posix_memalign(void **out, size_t align, size_t n)
{
	size_t size = request_size(n);
	struct chunk *c, *a;
	char *p, *ap;

	if (align < sizeof(void *) || (align & (align - 1)))
		return EINVAL;
	if (align <= ALIGN || !size) {
		*out = malloc(n);
		return *out ? 0 : ENOMEM;
	}
	if (n >= MMAP_THRESHOLD || size + align + MIN_CHUNK >= MMAP_THRESHOLD) {
		*out = big_alloc(n, align);
		return *out ? 0 : ENOMEM;
	}
	p = malloc(size + align + MIN_CHUNK);
	if (!p)
		return ENOMEM;
	c = of_payload(p);
	ap = (char *)round_up((uintptr_t)p, align);
	if (ap != p && (size_t)(ap - p) < MIN_CHUNK)
		ap += align;
	if (ap != p) {			/* give back the part before ap */
		a = of_payload(ap);
		a->head = (csize(c) - (size_t)(ap - p)) | INUSE;
		set_size(c, (size_t)(ap - p));
		chunk_release(c, 0);	/* clears a's PREV_INUSE */
		c = a;
	}
	chunk_split(c, size);
	*out = ap;
	return 0;
}

/* C11 aligned allocation through posix_memalign. */
void *aligned_alloc(size_t align, size_t n)
{
	void *p;
	int e = posix_memalign(&p, align < sizeof(void *) ? sizeof(void *) : align, n);

	if (e) {
		errno = e;
		return 0;
	}
	return p;
}

/* Copies the allocator's counters to *st. */
void malloc_get_stats(struct malloc_stats *st)
{
	*st = stats;
	st->heap_bytes = heap_start ? (size_t)((char *)epilogue + HDR - heap_start) : 0;
}

/* Reports an invariant violation for malloc_check; returns -1. */
static int check_fail(const char *what, struct chunk *c)
{
	dprintf(2, "malloc_check: %s at %p\n", what, (void *)c);
	return -1;
}

/*
 * Walks the heap and the bins and verifies the invariants in the essay at
 * the top: sizes, alignment, PREV_INUSE agreement, footers, no adjacent
 * free chunks, every free chunk binned in the right bin, the free-byte
 * counter. Returns 0 if all hold, -1 (after printing the first problem).
 */
int malloc_check(void)
{
	size_t nfree = 0, freebytes = 0, binned = 0;
	struct chunk *c;
	int prev_free = 0;

	if (!heap_start)
		return 0;
	for (c = (struct chunk *)heap_start; c != epilogue; c = cnext(c)) {
		size_t s = csize(c);

		if ((char *)c >= (char *)epilogue || s < MIN_CHUNK || s % ALIGN ||
		    ((uintptr_t)c + HDR) % ALIGN)
			return check_fail("bad chunk size or alignment", c);
		if (((c->head & PREV_INUSE) == 0) != prev_free)
			return check_fail("PREV_INUSE disagrees with the chunk below", c);
		if (!(c->head & INUSE)) {
			if (prev_free)
				return check_fail("two adjacent free chunks", c);
			if (*footer(c) != s)
				return check_fail("free chunk footer differs from header", c);
			nfree++;
			freebytes += s;
		}
		prev_free = !(c->head & INUSE);
	}
	if (((epilogue->head & PREV_INUSE) == 0) != prev_free)
		return check_fail("epilogue PREV_INUSE wrong", c);
	for (int i = 0; i < NBINS; i++) {
		if (!bins[i] != !(binmap[i / 64] & (1UL << (i % 64))))
			return check_fail("bin bitmap out of date", bins[i]);
		for (c = bins[i]; c; c = c->next) {
			if (c->head & INUSE || bin_index(csize(c)) != i)
				return check_fail("chunk in the wrong bin", c);
			if (c->next && c->next->prev != c)
				return check_fail("broken bin links", c);
			binned++;
		}
	}
	if (binned != nfree || freebytes != stats.heap_free)
		return check_fail("free chunks and bins disagree", 0);
	return 0;
}
