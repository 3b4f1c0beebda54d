/*
 * vm_demand: programs are paged in on demand.
 *
 * This program carries 1 MiB of read-only data and 1 MiB of initialised
 * writable data in its own ELF file, and 4 MiB of bss. Run as a fresh
 * program (exec), it proves that:
 *   - only the pages it touches become resident (VmRSS), while VmSize
 *     counts all of it;
 *   - read-only and writable data hold their initial values from the file,
 *     bss reads as zeros and costs no frames until written;
 *   - writes to initialised data are private: the next process running the
 *     program sees the values from the file again;
 *   - a second process reading the whole read-only array takes no new
 *     frames: both use the page cache's frames.
 * The parent only starts the children; nothing leaks once they are gone.
 */
#include "vmtest.h"

#define BIG_PAGES	256			/* 1 MiB */
#define BSS_SIZE	(4UL << 20)
#define VAL(i)		((unsigned char)((i) * 37 + 11))

/* The first and last byte of each page hold VAL(page) and its complement. */
#define P(i)		[(i) * 4096] = VAL(i), [(i) * 4096 + 4095] = (unsigned char)~VAL(i),
#define P4(i)		P(i) P((i) + 1) P((i) + 2) P((i) + 3)
#define P16(i)		P4(i) P4((i) + 4) P4((i) + 8) P4((i) + 12)
#define P64(i)		P16(i) P16((i) + 16) P16((i) + 32) P16((i) + 48)
#define P256		P64(0) P64(64) P64(128) P64(192)

static const unsigned char big_rodata[BIG_PAGES * 4096]
	__attribute__((aligned(4096))) = { P256 };
static unsigned char big_data[BIG_PAGES * 4096]
	__attribute__((aligned(4096))) = { P256 };
static unsigned char big_bss[BSS_SIZE] __attribute__((aligned(4096)));
static int small_data[4] = { 11, 22, 33, 44 };
static long small_bss[16];

static char self_path[256];

/* Page i of a copy of the arrays above holds what the file says (or its complement). */
static int page_ok(const volatile unsigned char *a, int i, int flipped)
{
	const volatile unsigned char *p = a + (unsigned long)i * 4096;
	unsigned char first = flipped ? (unsigned char)~VAL(i) : VAL(i);
	unsigned char last = flipped ? VAL(i) : (unsigned char)~VAL(i);

	return p[0] == first && p[4095] == last && p[2048] == (flipped ? 0xff : 0);
}

static long krss_kb(void)
{
	return tl_on_kilburn() ? vt_rss_kb() : -1;
}

static long kfree_kb(void)
{
	return tl_on_kilburn() ? vt_memfree_kb() : -1;
}

/* Touch 16 interior pages of a (one byte each); VmRSS must grow by 16 pages. */
static void touch_sixteen(const volatile unsigned char *a, const char *what)
{
	long rss0 = krss_kb(), rss1;
	int ok = 1;

	for (int i = 8; i < BIG_PAGES; i += 16)
		ok &= page_ok(a, i, 0);
	rss1 = krss_kb();
	VT_CHECK(ok, "%s: 16 pages touched hold the file's values", what);
	if (rss0 >= 0)
		VT_CHECK(rss1 - rss0 >= 64 && rss1 - rss0 <= 64 + 32,
			 "%s: VmRSS grew by %ld kB for 16 touched pages (want 64..96)",
			 what, rss1 - rss0);
}

/* Child: demand paging as seen from inside a freshly exec'd program. */
static int check_mode(void)
{
	long rss = krss_kb(), size = tl_on_kilburn() ? vt_proc_kb("/proc/self/status", "VmSize:") : -1;
	long free0, free1;
	unsigned long bits = 0;
	int ok = 1;

	if (rss >= 0) {
		VT_CHECK(size >= 6 * 1024, "VmSize %ld kB covers the 6 MiB of arrays", size);
		VT_CHECK(rss < 512, "VmRSS %ld kB at start: the arrays are not resident", rss);
	}
	touch_sixteen(big_rodata, "rodata");
	touch_sixteen(big_data, "data");

	for (int i = 0; i < BIG_PAGES; i++)
		ok &= page_ok(big_rodata, i, 0) && page_ok(big_data, i, 0);
	TL_CHECK(ok, "all 256 pages of rodata and data hold the file's values");
	TL_CHECK(small_data[0] == 11 && small_data[3] == 44, "small initialised data is right");

	free0 = kfree_kb();
	for (unsigned long off = 0; off < BSS_SIZE; off += sizeof(long))
		bits |= *(volatile unsigned long *)(big_bss + off);
	for (int i = 0; i < 16; i++)
		bits |= small_bss[i];
	free1 = kfree_kb();
	TL_CHECK(bits == 0, "4 MiB of bss reads as zeros");
	if (free0 >= 0)
		VT_CHECK(free0 - free1 <= 64,
			 "reading bss took %ld kB (page tables only, <= 64)", free0 - free1);
	big_bss[BSS_SIZE - 1] = 7;
	small_bss[3] = 5;
	TL_CHECK(big_bss[BSS_SIZE - 1] == 7 && big_bss[0] == 0 && small_bss[3] == 5 &&
		 small_bss[2] == 0, "bss is writable and stays zero elsewhere");

	/* private writes: flip every byte we check */
	for (int i = 0; i < BIG_PAGES; i++) {
		unsigned char *p = big_data + (unsigned long)i * 4096;

		p[0] = ~p[0];
		p[2048] = 0xff;
		p[4095] = ~p[4095];
	}
	ok = 1;
	for (int i = 0; i < BIG_PAGES; i++)
		ok &= page_ok(big_data, i, 1);
	TL_CHECK(ok, "initialised data is writable");
	return tl_failed_here;
}

/* Child: the data must be what the file says, whatever earlier runs wrote. */
static int pristine_mode(void)
{
	int ok = 1;

	for (int i = 0; i < BIG_PAGES; i++)
		ok &= page_ok(big_data, i, 0);
	TL_CHECK(ok, "a new process sees the file's data, not an earlier process's writes");
	return tl_failed_here;
}

/* Child: reading all the rodata takes no frames once it is in the page cache. */
static int share_mode(void)
{
	long free0 = kfree_kb(), free1;
	int ok = 1;

	for (int i = 0; i < BIG_PAGES; i++)
		ok &= page_ok(big_rodata, i, 0);
	free1 = kfree_kb();
	TL_CHECK(ok, "another process reads the same rodata");
	if (free0 >= 0)
		VT_CHECK(free0 - free1 <= 64,
			 "reading 1 MiB of cached rodata took %ld kB (page tables only, <= 64)",
			 free0 - free1);
	return tl_failed_here;
}

/*
 * Run this program again (fork and exec) with mode as its argument; the
 * child's wait status. Its checks count in our totals.
 */
static int run_self(const char *mode)
{
	char *argv[] = { self_path, (char *)mode, NULL };

	return vt_exec(argv, 60);
}

int main(int argc, char **argv)
{
	long before;
	ssize_t n;
	int st, ok;

	n = readlink("/proc/self/exe", self_path, sizeof(self_path) - 1);
	if (n > 0)
		self_path[n] = 0;
	else
		strcpy(self_path, argv[0]);
	if (argc > 1 && strcmp(argv[1], "check") == 0)
		return check_mode() ? 1 : 0;
	if (argc > 1 && strcmp(argv[1], "pristine") == 0)
		return pristine_mode() ? 1 : 0;
	if (argc > 1 && strcmp(argv[1], "share") == 0)
		return share_mode() ? 1 : 0;

	printf("vm_demand: demand paging of a program's text, data and bss\n");
	/* this also brings the whole program into the page cache */
	ok = 1;
	for (int i = 0; i < BIG_PAGES; i++)
		ok &= page_ok(big_rodata, i, 0) && page_ok(big_data, i, 0);
	TL_CHECK(ok, "the parent reads the file's values");
	before = tl_frames_free();
	st = run_self("check");
	VT_CHECK(vt_exited_ok(st), "exec'd child checked demand paging (%s)", vt_how(st));
	st = run_self("pristine");
	VT_CHECK(vt_exited_ok(st), "exec'd child found the data pristine (%s)", vt_how(st));
	st = run_self("share");
	VT_CHECK(vt_exited_ok(st), "exec'd child shared the cached rodata (%s)", vt_how(st));
	TL_CHECK(page_ok(big_data, 200, 0), "the parent's copy of the data is untouched");
	tl_check_no_leak(before);
	return tl_done();
}
