/*
 * vm_lazy: no frame is used before it is touched.
 *
 * A 1 GiB anonymous mmap and a 1 GiB brk both succeed at once on a
 * 128 MiB machine; touching one byte every 16 MiB works and the resident
 * set grows by about those pages only; never-written anonymous memory reads
 * as zeros and costs at most page tables (one shared zero frame backs it),
 * and writing one such page afterwards leaves the others zero; munmap and
 * shrinking the break give the frames back; nothing leaks once the process
 * that did all this is gone.
 *
 * Mappings larger than RAM + swap are refused by overcommit mode 0 (Linux's
 * heuristic), so on Kilburn the test sets /proc/sys/vm/overcommit_memory to
 * 1 (always) while it runs, as one would on a small Linux machine; on
 * Linux it leaves the machine's setting alone.
 */
#include "vmtest.h"

#define GIB		(1UL << 30)
#define STRIDE		(16UL << 20)
#define NTOUCH		(GIB / STRIDE)		/* 64 sparse touches */
#define DENSE		(16UL << 20)		/* a block written in full */
#define ZERO_AT		(520UL << 20)		/* 4 MiB no one writes */
#define ZERO_LEN	(4UL << 20)

/* Free memory in kB, or -1 off Kilburn (the numbers are only exact there). */
static long kfree_kb(void)
{
	return tl_on_kilburn() ? vt_memfree_kb() : -1;
}

static long krss_kb(void)
{
	return tl_on_kilburn() ? vt_rss_kb() : -1;
}

/* Touch one byte every STRIDE; check they read back and RSS grew by that. */
static void sparse_touches(volatile unsigned char *p, const char *what)
{
	long rss0 = krss_kb(), free0 = kfree_kb(), rss1, free1;
	int ok = 1;

	for (unsigned long i = 0; i < NTOUCH; i++)
		p[i * STRIDE] = (unsigned char)(i + 1);
	for (unsigned long i = 0; i < NTOUCH; i++)
		ok &= p[i * STRIDE] == (unsigned char)(i + 1);
	rss1 = krss_kb();
	free1 = kfree_kb();
	VT_CHECK(ok, "%s: %lu sparse touches read back", what, NTOUCH);
	if (rss0 >= 0) {
		long want = NTOUCH * VT_PAGE / VT_KB;

		VT_CHECK(rss1 - rss0 >= want && rss1 - rss0 <= want + 64,
			 "%s: VmRSS grew by %ld kB for %lu touched pages (want %ld..%ld)",
			 what, rss1 - rss0, NTOUCH, want, want + 64);
		/* each touch costs its page, a page table and an amap node at most */
		VT_CHECK(free0 - free1 >= want && free0 - free1 <= 4 * want,
			 "%s: MemFree fell by %ld kB (want %ld..%ld)", what,
			 free0 - free1, want, 4 * want);
	}
}

/* Never-written memory reads as zeros, sharing one frame. */
static void zero_reads(volatile unsigned char *p, const char *what)
{
	long free0 = kfree_kb(), free1;
	unsigned long sum = 0;

	for (unsigned long off = 0; off < ZERO_LEN; off += sizeof(long))
		sum |= *(volatile unsigned long *)(p + off);
	free1 = kfree_kb();
	VT_CHECK(sum == 0, "%s: 4 MiB never written reads as zeros", what);
	if (free0 >= 0)
		VT_CHECK(free0 - free1 <= 64,
			 "%s: reading 4 MiB of zeros took %ld kB (page tables only, <= 64)",
			 what, free0 - free1);
	p[VT_PAGE] = 0x55;
	sum = 0;
	for (unsigned long off = 0; off < ZERO_LEN; off += sizeof(long))
		if (off < VT_PAGE || off >= 2 * VT_PAGE)
			sum |= *(volatile unsigned long *)(p + off);
	VT_CHECK(p[VT_PAGE] == 0x55 && p[VT_PAGE + 1] == 0 && sum == 0,
		 "%s: writing one zero page leaves the others zero", what);
}

/* Write DENSE bytes in full and check them. */
static void dense_write(unsigned char *p, const char *what)
{
	int ok = 1;

	for (unsigned long off = 0; off < DENSE; off += VT_PAGE)
		memset(p + off, (int)(off >> 12) & 0xff, VT_PAGE);
	for (unsigned long off = 0; off < DENSE; off += VT_PAGE)
		ok &= p[off] == ((off >> 12) & 0xff) && p[off + VT_PAGE - 1] == ((off >> 12) & 0xff);
	VT_CHECK(ok, "%s: 16 MiB written in full reads back", what);
}

static int lazy_child(void *arg)
{
	long free_start = kfree_kb(), free_mapped, free_end;
	unsigned char *m, *heap;
	void *brk0;

	(void)arg;
	m = mmap(NULL, GIB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	TL_CHECK(m != MAP_FAILED, "1 GiB anonymous mmap succeeds");
	brk0 = sbrk(0);
	heap = (unsigned char *)(((uintptr_t)brk0 + VT_PAGE - 1) & ~(VT_PAGE - 1));
	TL_CHECK(brk0 != (void *)-1 && brk(heap + GIB) == 0,
		 "1 GiB brk succeeds while the 1 GiB mmap is there");
	if (m == MAP_FAILED || sbrk(0) != heap + GIB)
		return 1;
	free_mapped = kfree_kb();
	if (free_start >= 0)
		VT_CHECK(free_start - free_mapped <= 64,
			 "mapping 2 GiB took %ld kB (<= 64: nothing is allocated yet)",
			 free_start - free_mapped);

	sparse_touches(m, "mmap");
	sparse_touches(heap, "brk");
	zero_reads(m + ZERO_AT, "mmap");
	zero_reads(heap + ZERO_AT, "brk");
	dense_write(m + GIB - DENSE, "mmap");
	dense_write(heap + GIB - DENSE, "brk");

	TL_CHECK(munmap(m, GIB) == 0, "munmap of the 1 GiB mapping");
	TL_CHECK(brk(brk0) == 0 && sbrk(0) == brk0, "brk shrinks back");
	free_end = kfree_kb();
	if (free_start >= 0)	/* page tables stay until the process exits */
		VT_CHECK(free_start - free_end <= 1024,
			 "munmap and brk gave the frames back (%ld kB short, <= 1024 for page tables)",
			 free_start - free_end);
	return tl_failed_here;
}

/* Write value to /proc/sys/vm/overcommit_memory on Kilburn; 0, or -1. */
static int set_overcommit(const char *value)
{
	int fd, ok;

	if (!tl_on_kilburn())
		return 0;
	fd = open("/proc/sys/vm/overcommit_memory", O_WRONLY);
	if (fd < 0)
		return -1;
	ok = write(fd, value, strlen(value)) == (ssize_t)strlen(value);
	close(fd);
	return ok ? 0 : -1;
}

int main(void)
{
	long before;
	int st;

	printf("vm_lazy: lazy allocation of anonymous memory and the heap\n");
	before = tl_frames_free();
	TL_CHECK(set_overcommit("1") == 0, "overcommit_memory 1 (always) for the test");
	st = vt_run(lazy_child, NULL, 120);
	VT_CHECK(vt_exited_ok(st), "the lazy-allocation child passed (%s)", vt_how(st));
	TL_CHECK(set_overcommit("0") == 0, "overcommit_memory 0 again");
	tl_check_no_leak(before);
	return tl_done();
}
