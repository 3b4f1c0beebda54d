/*
 * exec_lowmem: execve needs no large contiguous memory. A hog process
 * takes nearly all free memory - the user pages it may have, then the
 * kernel's reserve through page tables - and gives back every other page
 * until 2 MiB is free over the reserve: all but 768 kB of the free memory
 * (less than the 1.25 MiB of 256 and 512 kB blocks execve used to need)
 * is single frames between pages it still holds. While it holds them, a
 * process execs a program with 100 KiB of arguments, which must arrive
 * exactly. Under the same squeeze a bad
 * argv pointer (EFAULT) and an 8 MiB list (E2BIG) fail with the old
 * program still running. Afterwards no frame has leaked.
 *
 * The program re-executes itself with "--child" and checks what it got.
 * On Linux (no squeeze: its /proc/meminfo is the host's) only the exec
 * itself is checked.
 */
#define _GNU_SOURCE
#include "vmtest.h"
#include <errno.h>
#include <sys/mman.h>
#include <sys/wait.h>

#define PAGE		4096
#define NBIG		4		/* arguments of ... */
#define BIGLEN		(25 * 1024)	/* ... 25 KiB each: 100 KiB */
#define HUGE_N		330		/* 330 x 25 KiB: over 8 MiB, too much anywhere */
#define LOW_KB		256		/* user pages until this is free over the reserve */
#define FLOOR_KB	768		/* page tables until this is free in all */
#define TARGET_KB	2048		/* then every other page until this is free over the reserve */

static const char *self;

/* ------------------------------------------------------------ child */

static char big_byte(int i, size_t j)
{
	return 'a' + (char)((i * 5 + j + j / 26) % 26);
}

/* argv: self --child lowmem big0..big3 end */
static int child_main(int argc, char **argv)
{
	if (argc != 4 + NBIG || strcmp(argv[2], "lowmem") != 0)
		return 10;
	for (int i = 0; i < NBIG; i++) {
		const char *s = argv[3 + i];

		if (strlen(s) != BIGLEN)
			return 11 + i;
		for (size_t j = 0; j < BIGLEN; j++)
			if (s[j] != big_byte(i, j))
				return 21 + i;
	}
	if (strcmp(argv[3 + NBIG], "end") != 0)
		return 30;
	return 0;
}

/* ------------------------------------------------------------ memory */

/* The figure `key` of /proc/meminfo in kB, or -1. */
static long meminfo_kb(const char *key)
{
	return vt_proc_kb("/proc/meminfo", key);
}

static long mem_free_kb(void)
{
	return meminfo_kb("MemFree:");
}

/*
 * The free memory user pages may not take: Kilburn keeps a reserve for the
 * kernel sized as Linux's min_free_kbytes, sqrt(16 x MemTotal in kB).
 */
static long reserve_kb(void)
{
	long total = meminfo_kb("MemTotal:"), r = 0;

	while ((r + 1) * (r + 1) <= total * 16)
		r++;
	return r;
}

/* What the hog reports, in kB. */
struct squeeze {
	long low;		/* free over the reserve once user pages ran out */
	long floor;		/* free in all once page tables ate the reserve */
	long free_kb;		/* free over the reserve, given back in single pages */
};

/* Touch pages of mem[len] until at most LOW_KB is free over the reserve. */
static size_t take_user_pages(char *mem, size_t len, long reserve, long *low)
{
	size_t touched = 0;
	long free_kb;

	/*
	 * One page in every 64 first, while memory is plentiful: the VM's
	 * bookkeeping for the region (page tables, amap nodes, which come in
	 * slabs of more than one frame) is then made before memory is short.
	 */
	for (size_t i = 0; i < len / PAGE; i += 64)
		mem[i * PAGE] = 1;
	/* halve the distance to LOW_KB each round */
	while ((free_kb = mem_free_kb() - reserve) > LOW_KB) {
		size_t n = (size_t)(free_kb - LOW_KB) / 2 / 4 + 1;

		for (size_t i = 0; i < n && touched < len / PAGE; i++)
			mem[touched++ * PAGE] = 1;
		if (touched == len / PAGE)
			_exit(2);
	}
	*low = free_kb;
	return touched;
}

/*
 * The reserve is the kernel's: user pages cannot take it, but page tables
 * can. A read of an untouched anonymous page maps the shared zero frame
 * and costs only the page table; one read per 2 MiB costs one table each.
 * Read until at most FLOOR_KB is free in all.
 */
static long take_reserve(long *floor)
{
	size_t len = 2UL << 30;		/* 1024 tables' worth */
	volatile char *sparse = mmap(NULL, len, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	long free_kb = mem_free_kb();

	if (sparse == MAP_FAILED)
		_exit(5);
	for (size_t off = 0; off < len && free_kb > FLOOR_KB; off += 2UL << 20) {
		(void)sparse[off];
		if ((off >> 21) % 8 == 7)
			free_kb = mem_free_kb();
	}
	*floor = free_kb;
	return 0;
}

/* Give back every other touched page, from the end, until TARGET_KB is free over the reserve. */
static long give_back(char *mem, size_t touched, long reserve)
{
	long free_kb = mem_free_kb() - reserve;

	for (size_t freed = 0; free_kb < TARGET_KB && freed * 2 + 1 < touched;) {
		size_t page = touched - 1 - 2 * freed++;

		if (madvise(mem + page * PAGE, PAGE, MADV_DONTNEED) != 0)
			_exit(3);
		if (freed % 32 == 0 && (free_kb = mem_free_kb()) < 0)
			return -1;		/* meminfo failed: report it */
		if (freed % 32 == 0)
			free_kb -= reserve;
	}
	return free_kb;
}

/*
 * The hog: take the user pages, then the reserve (with page tables), then
 * give back every other user page; report on `ready` and hold the memory
 * until `release` closes.
 */
static void hog(int ready, int release)
{
	long start = mem_free_kb(), reserve = reserve_kb();
	size_t len = (size_t)start * 1024, touched;
	struct squeeze sq;
	char *mem;
	char c;

	/*
	 * Program text is reclaimable like any clean file page: left
	 * unlocked, the hog's own would be dropped as it squeezes, and read
	 * back into frames it no longer leaves. Lock what it has (its text,
	 * data and stack), before mapping mem.
	 */
	if (mlockall(MCL_CURRENT) != 0)
		_exit(6);
	mem = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (start < 0 || mem == MAP_FAILED)
		_exit(1);
	/*
	 * Below the reserve no user page can be had: make the page of errno
	 * (set when a call fails for want of kernel memory) our own now.
	 */
	errno = 0;
	touched = take_user_pages(mem, len, reserve, &sq.low);
	take_reserve(&sq.floor);
	sq.free_kb = give_back(mem, touched, reserve);
	if (write(ready, &sq, sizeof(sq)) != sizeof(sq))
		_exit(4);
	read(release, &c, 1);		/* EOF when the parent is done */
	_exit(0);
}

/* ------------------------------------------------------------ parent */

static char *bigs[NBIG];

/* The arguments the child checks. */
static void child_argv(char **argv)
{
	argv[0] = (char *)self;
	argv[1] = "--child";
	argv[2] = "lowmem";
	for (int i = 0; i < NBIG; i++)
		argv[3 + i] = bigs[i];
	argv[3 + NBIG] = "end";
	argv[4 + NBIG] = NULL;
}

/*
 * The process that execs: waits for `go`, then tries a bad argv pointer
 * and an oversized list, writes the two errnos to `result`, and execs the
 * child. Exit code 100 + errno if that exec failed.
 */
static void execer(int go, int result)
{
	char *argv[5 + NBIG], *bad[] = { (char *)self, (char *)8, NULL };
	char **huge = malloc((HUGE_N + 2) * sizeof(char *));
	int errs[2] = { 0, 0 };
	char c;

	if (read(go, &c, 1) != 1 || !huge)
		_exit(99);
	errno = 0;
	if (execv(self, bad) == -1)
		errs[0] = errno;
	huge[0] = (char *)self;
	for (int i = 1; i <= HUGE_N; i++)
		huge[i] = bigs[0];
	huge[HUGE_N + 1] = NULL;
	errno = 0;
	if (execv(self, huge) == -1)
		errs[1] = errno;
	if (write(result, errs, sizeof(errs)) != sizeof(errs))
		_exit(98);
	close(result);
	child_argv(argv);
	execv(self, argv);
	_exit(100 + (errno & 0x7f));
}

static int exited_with(int status, int code)
{
	return WIFEXITED(status) && WEXITSTATUS(status) == code;
}

/* Start the hog; its pid, with *ready and *release the parent's ends. */
static pid_t start_hog(int go_end, int *ready, int *release)
{
	int r[2], l[2];
	pid_t h;

	if (pipe(r) || pipe(l))
		return -1;
	h = fork();
	if (h == 0) {
		close(go_end);
		close(r[0]);
		close(l[1]);
		hog(r[1], l[0]);
	}
	close(r[1]);
	close(l[0]);
	*ready = r[0];
	*release = l[1];
	return h;
}

/*
 * One round: the execer waits while (on Kilburn) the hog squeezes memory,
 * then execs. Returns the execer's wait status, or -1.
 */
static int squeezed_exec(struct squeeze *sq, int errs[2])
{
	int go[2], result[2], ready = -1, release = -1, status = -1;
	pid_t e, h = -1;

	if (pipe(go) || pipe(result))
		return -1;
	e = fork();
	if (e == 0) {
		close(go[1]);
		close(result[0]);
		execer(go[0], result[1]);
	}
	close(go[0]);
	close(result[1]);
	if (tl_on_kilburn()) {
		h = start_hog(go[1], &ready, &release);
		if (h < 0 || read(ready, sq, sizeof(*sq)) != sizeof(*sq))
			sq->low = sq->floor = sq->free_kb = -1;
	}
	write(go[1], "g", 1);
	close(go[1]);
	if (read(result[0], errs, 2 * sizeof(int)) != 2 * sizeof(int))
		errs[0] = errs[1] = -1;
	close(result[0]);
	if (e > 0 && waitpid(e, &status, 0) != e)
		status = -1;
	if (h > 0) {
		close(release);		/* the hog lets go */
		close(ready);
		waitpid(h, NULL, 0);
	}
	return status;
}

int main(int argc, char **argv)
{
	long before = -1;
	struct squeeze sq;
	int errs[2];
	int status;

	if (argc >= 3 && strcmp(argv[1], "--child") == 0)
		return child_main(argc, argv);
	self = argv[0];
	if (!strchr(self, '/'))
		self = "/proc/self/exe";
	for (int i = 0; i < NBIG; i++) {
		bigs[i] = malloc(BIGLEN + 1);
		TL_CHECK(bigs[i] != NULL, "allocated a 25 KiB argument");
		if (!bigs[i])
			return tl_done();
		for (size_t j = 0; j < BIGLEN; j++)
			bigs[i][j] = big_byte(i, j);
		bigs[i][BIGLEN] = 0;
	}

	/* round 1 warms up the page cache and the heap; round 2 is measured */
	for (int round = 1; round <= 2; round++) {
		printf("round %d\n", round);
		if (round == 2)
			before = tl_frames_free();
		status = squeezed_exec(&sq, errs);
		if (tl_on_kilburn()) {
			printf("  hog: %ld kB free over the %ld kB reserve after user pages, "
			       "%ld kB in all after page tables, then %ld kB over the reserve\n",
			       sq.low, reserve_kb(), sq.floor, sq.free_kb);
			TL_CHECK(sq.low >= 0 && sq.low <= LOW_KB,
				 "the hog took all user memory but 256 kB");
			TL_CHECK(sq.floor >= 0 && sq.floor <= FLOOR_KB,
				 "its page tables took the kernel's reserve but 768 kB");
			TL_CHECK(sq.free_kb >= TARGET_KB && sq.free_kb < TARGET_KB + 512,
				 "then it gave back 2 MiB over the reserve, every other page");
		}
		TL_CHECK(errs[0] == EFAULT,
			 "a bad argv pointer gives EFAULT, the program still running");
		TL_CHECK(errs[1] == E2BIG,
			 "an 8 MiB argument list gives E2BIG, the program still running");
		if (errs[0] != EFAULT || errs[1] != E2BIG)
			printf("  errno %d and %d\n", errs[0], errs[1]);
		TL_CHECK(exited_with(status, 0),
			 "exec with 100 KiB of arguments works with 2 MiB free in single pages");
		if (!exited_with(status, 0))
			printf("  status 0x%x\n", status);
	}
	tl_check_no_leak(before);
	return tl_done();
}
