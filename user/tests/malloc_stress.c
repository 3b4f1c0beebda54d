/*
 * malloc_stress: the allocator keeps every byte it hands out intact, reuses
 * freed space (neighbours coalesce, so the heap does not grow for a block
 * that fits in space freed earlier), grows blocks in place, gives large
 * blocks their own mappings and returns them to the kernel on free, and
 * gives back the heap top. malloc_check() verifies the heap's invariants
 * after every phase. Prints one line per check; exits 1 if any failed.
 */
#include <fcntl.h>
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int passed, failed;

/* Counts and prints a check. */
static void check(int ok, const char *what)
{
	printf("%s - %s\n", ok ? "ok" : "FAIL", what);
	if (ok)
		passed++;
	else
		failed++;
}

/* Fills n bytes at p with a pattern derived from seed. */
static void fill(unsigned char *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)(seed * 31 + i * 7);
}

/* True if the n bytes at p still hold fill(p, n, seed)'s pattern. */
static int intact(const unsigned char *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != (unsigned char)(seed * 31 + i * 7))
			return 0;
	return 1;
}

static unsigned long rng = 88172645463325252UL;

/* A pseudo-random number (xorshift64). */
static unsigned long rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/*
 * True if [p, p+n) lies inside one mapping listed in /proc/self/maps
 * ("start-end perms ..." in hex per line).
 */
static int mapped(void *p, size_t n)
{
	char buf[65536];
	int fd = open("/proc/self/maps", O_RDONLY), len = 0, r;
	uintptr_t a = (uintptr_t)p;

	if (fd < 0)
		return -1;
	while (len < (int)sizeof(buf) - 1 &&
	       (r = (int)read(fd, buf + len, sizeof(buf) - 1 - (size_t)len)) > 0)
		len += r;
	close(fd);
	buf[len] = 0;
	for (char *line = buf; *line; ) {
		char *end;
		uintptr_t lo = strtoul(line, &end, 16), hi = strtoul(end + 1, 0, 16);

		if (lo <= a && a + n <= hi)
			return 1;
		line = strchr(line, '\n');
		if (!line)
			break;
		line++;
	}
	return 0;
}

/* Random allocations and frees of many sizes, contents checked throughout. */
static void test_random(void)
{
	enum { SLOTS = 512, ROUNDS = 20000 };
	static unsigned char *ptr[SLOTS];
	static size_t size[SLOTS];
	int bad = 0;

	for (int r = 0; r < ROUNDS; r++) {
		int i = (int)(rnd() % SLOTS);
		unsigned long k = rnd() % 100;

		if (ptr[i]) {
			bad |= !intact(ptr[i], size[i], (unsigned)i);
			if (k < 30) {		/* resize */
				size_t n = rnd() % 3000 + 1, keep = n < size[i] ? n : size[i];
				ptr[i] = realloc(ptr[i], n);
				bad |= !ptr[i] || !intact(ptr[i], keep, (unsigned)i);
				size[i] = n;
				fill(ptr[i], n, (unsigned)i);
			} else {
				free(ptr[i]);
				ptr[i] = 0;
			}
			continue;
		}
		size[i] = k < 2 ? 100000 + rnd() % 200000 :	/* some large */
			  k < 60 ? rnd() % 64 + 1 : rnd() % 4096 + 1;
		ptr[i] = malloc(size[i]);
		bad |= !ptr[i] || ((uintptr_t)ptr[i] & 15);
		if (ptr[i])
			fill(ptr[i], size[i], (unsigned)i);
		if (r % 2000 == 0)
			bad |= malloc_check() != 0;
	}
	for (int i = 0; i < SLOTS; i++) {
		if (ptr[i])
			bad |= !intact(ptr[i], size[i], (unsigned)i);
		free(ptr[i]);
		ptr[i] = 0;
	}
	check(!bad, "20000 random malloc/realloc/free of 1 B - 300 KiB keep contents");
	check(malloc_check() == 0, "heap invariants hold after the random phase");
}

/*
 * Freed neighbours coalesce: a block as big as all of them needs no growth.
 * Runs first, on a fresh heap, so no other free space could hold the block.
 */
static void test_coalesce(void)
{
	enum { N = 1000 };
	static void *v[N];
	char *brk_before, *big;
	int inside = 0;

	for (int i = 0; i < N; i++)
		v[i] = malloc(100);
	brk_before = sbrk(0);
	for (int i = 0; i < N; i += 2)		/* every other one first: */
		free(v[i]);			/* no neighbours free yet */
	for (int i = 1; i < N; i += 2)
		free(v[i]);
	check(malloc_check() == 0, "heap invariants hold after freeing 1000 blocks");
	big = malloc(100 * N);			/* fits only if they merged */
	check(sbrk(0) == brk_before, "100 KB block reuses 1000 freed 100 B blocks: break unchanged");
	for (int i = 0; i < N; i++)
		inside += (char *)v[i] >= big && (char *)v[i] < big + 100 * N;
	check(big == v[0] && inside >= 100 * N / 112 - 1,
	      "the big block lies over the freed blocks (they merged)");
	free(big);
}

/* Large blocks live in their own mappings, unmapped by free. */
static void test_large(void)
{
	struct malloc_stats s0, s1, s2;
	size_t n = 1 << 20;
	unsigned char *p;
	char *heap_end = sbrk(0);

	malloc_get_stats(&s0);
	p = malloc(n);
	malloc_get_stats(&s1);
	check(p && s1.mmap_calls == s0.mmap_calls + 1 && s1.mmap_blocks == s0.mmap_blocks + 1,
	      "1 MiB block is served by mmap");
	check(sbrk(0) == heap_end, "1 MiB block does not move the break");
	check(mapped(p, n) == 1, "1 MiB block is in /proc/self/maps");
	fill(p, n, 7);
	check(intact(p, n, 7), "1 MiB block holds its contents");
	free(p);
	malloc_get_stats(&s2);
	check(s2.munmap_calls == s1.munmap_calls + 1 && s2.mmap_blocks == s0.mmap_blocks,
	      "free of a large block calls munmap");
	check(mapped(p, n) == 0, "freed 1 MiB block is gone from /proc/self/maps");
	p = calloc(1, 300000);
	check(p && p[0] == 0 && p[299999] == 0, "calloc of a large block is zeroed");
	free(p);
}

/* realloc keeps contents and grows in place when the next chunk is free. */
static void test_realloc(void)
{
	char *a, *b, *c, *a2;

	a = malloc(1000);
	b = malloc(1000);
	c = malloc(16);				/* keeps b's space from the top */
	fill((unsigned char *)a, 1000, 3);
	free(b);
	a2 = realloc(a, 1900);
	check(a2 == a, "realloc grows in place into a free neighbour");
	check(intact((unsigned char *)a2, 1000, 3), "realloc in place keeps contents");
	a = realloc(a2, 50);
	check(a == a2 && intact((unsigned char *)a, 50, 3), "realloc shrinks in place");
	b = malloc(100000);
	fill((unsigned char *)b, 100000, 9);
	b = realloc(b, 400000);			/* moves to a mapping */
	check(b && intact((unsigned char *)b, 100000, 9), "realloc from heap to mmap keeps contents");
	b = realloc(b, 1000);
	check(b && intact((unsigned char *)b, 1000, 9), "realloc from mmap to heap keeps contents");
	free(a);
	free(b);
	free(c);
	/* the last block in the heap grows by extending the heap */
	a = malloc(60000);
	fill((unsigned char *)a, 60000, 5);
	a2 = realloc(a, 120000);
	check(a2 && intact((unsigned char *)a2, 60000, 5), "realloc of 60 KB to 120 KB keeps contents");
	free(a2);
	check(malloc_check() == 0, "heap invariants hold after realloc tests");
}

/* Alignment, zeroing, zero-size and trimming behaviour. */
static void test_misc(void)
{
	size_t aligns[] = { 32, 64, 256, 4096, 65536 };
	int ok = 1;
	char *p, *q;
	struct malloc_stats s0, s1;
	void *v[64];

	for (unsigned i = 0; i < sizeof(aligns) / sizeof(aligns[0]); i++) {
		void *m = 0;
		if (posix_memalign(&m, aligns[i], 1000) || ((uintptr_t)m & (aligns[i] - 1)))
			ok = 0;
		else
			memset(m, 0xab, 1000);
		free(m);
	}
	check(ok, "posix_memalign honours alignments 32 B - 64 KiB");
	p = malloc(0);
	q = malloc(0);
	check(p && q && p != q, "malloc(0) returns distinct pointers");
	free(p);
	free(q);
	free(0);
	p = malloc(4000);
	memset(p, 0x5a, 4000);
	free(p);
	p = calloc(1000, 4);
	ok = p != 0;
	for (int i = 0; ok && i < 4000; i++)
		ok = p[i] == 0;
	check(ok, "calloc zeroes reused memory");
	free(p);
	check(calloc((size_t)1 << 40, (size_t)1 << 40) == 0, "calloc overflow fails");
	malloc_get_stats(&s0);
	for (int i = 0; i < 64; i++)
		v[i] = malloc(60000);
	p = sbrk(0);
	for (int i = 63; i >= 0; i--)
		free(v[i]);
	malloc_get_stats(&s1);
	check((char *)sbrk(0) < p && s1.heap_trims > s0.heap_trims,
	      "freeing 3.8 MB at the heap top lowers the break");
	check(malloc_check() == 0, "heap invariants hold at the end");
}

int main(void)
{
	test_coalesce();
	test_random();
	test_large();
	test_realloc();
	test_misc();
	printf("malloc_stress: %d passed, %d failed\n", passed, failed);
	return failed != 0;
}
