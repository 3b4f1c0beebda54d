/*
 * exec_lowmem: execve needs no large contiguous memory. A hog process
 * takes nearly all free memory, then gives back every other page of it
 * until about 2 MiB is free, all of it in single frames between pages it
 * still holds; while it holds them, a process execs a program with 100 KiB
 * of arguments, which must arrive exactly. Under the same squeeze a bad
 * argv pointer (EFAULT) and an 8 MiB list (E2BIG) fail with the old
 * program still running. Afterwards no frame has leaked.
 *
 * The program re-executes itself with "--child" and checks what it got.
 * On Linux (no squeeze: its /proc/meminfo is the host's) only the exec
 * itself is checked.
 */
#define _GNU_SOURCE
#include "tlib.h"
#include <errno.h>
#include <sys/mman.h>
#include <sys/wait.h>

#define PAGE		4096
#define NBIG		4		/* arguments of ... */
#define BIGLEN		(25 * 1024)	/* ... 25 KiB each: 100 KiB */
#define HUGE_N		330		/* 330 x 25 KiB: over 8 MiB, too much anywhere */
#define LOW_KB		640		/* the hog takes memory until this is free */
#define TARGET_KB	2048		/* then frees every other page up to this */

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

/* MemFree in kB, or -1. */
static long mem_free_kb(void)
{
	char buf[1024], *p;
	int fd = open("/proc/meminfo", O_RDONLY), n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	p = strstr(buf, "MemFree:");
	return p ? strtol(p + 8, NULL, 10) : -1;
}

/*
 * The hog: touch pages until under LOW_KB is free, then free every other
 * page until TARGET_KB is, report the two figures on `ready` and hold the
 * memory until `release` closes. LOW_KB leaves room for the frames other
 * harts keep cached (up to 128 kB each), which this one cannot get; it is
 * still less than the largest block the old execve needed (512 kB).
 */
static void hog(int ready, int release)
{
	long start = mem_free_kb(), low, free_kb;
	size_t len = (size_t)start * 1024, touched = 0, freed = 0;
	char *mem = mmap(NULL, len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	long report[2];
	char c;

	if (start < 0 || mem == MAP_FAILED)
		_exit(1);
	/*
	 * One page in every 64 first, while memory is plentiful: the VM's
	 * bookkeeping for the region (page tables, amap nodes, which come in
	 * slabs of more than one frame) is then made before memory is short.
	 */
	for (size_t i = 0; i < len / PAGE; i += 64)
		mem[i * PAGE] = 1;
	/* halve the distance to LOW_KB each round */
	while ((free_kb = mem_free_kb()) > LOW_KB) {
		size_t n = (size_t)(free_kb - LOW_KB) / 2 / 4 + 1;

		for (size_t i = 0; i < n && touched < len / PAGE; i++)
			mem[touched++ * PAGE] = 1;
		if (touched == len / PAGE)
			_exit(2);
	}
	low = free_kb;
	/* every other page, from the end (the most recently taken frames) */
	while (free_kb < TARGET_KB && freed * 2 + 1 < touched) {
		size_t page = touched - 1 - 2 * freed++;

		if (madvise(mem + page * PAGE, PAGE, MADV_DONTNEED) != 0)
			_exit(3);
		if (freed % 32 == 0)
			free_kb = mem_free_kb();
	}
	report[0] = low;
	report[1] = free_kb;
	if (write(ready, report, sizeof(report)) != sizeof(report))
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
 * (must be EFAULT) and an oversized list (E2BIG) and execs the child.
 * Exit codes: 50 + step if a failing exec did not fail right, 100 + errno
 * if the last exec failed.
 */
static void execer(int go)
{
	char *argv[5 + NBIG], *bad[] = { (char *)self, (char *)8, NULL };
	char **huge = malloc((HUGE_N + 2) * sizeof(char *));
	char c;

	if (read(go, &c, 1) != 1 || !huge)
		_exit(49);
	errno = 0;
	if (execv(self, bad) != -1 || errno != EFAULT)
		_exit(51);
	huge[0] = (char *)self;
	for (int i = 1; i <= HUGE_N; i++)
		huge[i] = bigs[0];
	huge[HUGE_N + 1] = NULL;
	errno = 0;
	if (execv(self, huge) != -1 || errno != E2BIG)
		_exit(52);
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
static int squeezed_exec(long *low, long *free_kb)
{
	int go[2], ready = -1, release = -1, status = -1;
	long report[2] = { -1, -1 };
	pid_t e, h = -1;

	if (pipe(go))
		return -1;
	e = fork();
	if (e == 0) {
		close(go[1]);
		execer(go[0]);
	}
	close(go[0]);
	if (tl_on_kilburn()) {
		h = start_hog(go[1], &ready, &release);
		if (h < 0 || read(ready, report, sizeof(report)) != sizeof(report))
			report[0] = report[1] = -1;
	}
	*low = report[0];
	*free_kb = report[1];
	write(go[1], "g", 1);
	close(go[1]);
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
	long before = -1, low = -1, free_kb = -1;
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
		status = squeezed_exec(&low, &free_kb);
		if (tl_on_kilburn()) {
			printf("  hog: %ld kB free at its peak, %ld kB free in single pages\n",
			       low, free_kb);
			TL_CHECK(low >= 0 && low <= LOW_KB,
				 "the hog took all but at most 640 kB of memory");
			TL_CHECK(free_kb >= TARGET_KB && free_kb < TARGET_KB + 512,
				 "then gave back about 2 MiB, every other page");
		}
		TL_CHECK(status != -1 && !exited_with(status, 51),
			 "a bad argv pointer gives EFAULT, the program still running");
		TL_CHECK(status != -1 && !exited_with(status, 52),
			 "an 8 MiB argument list gives E2BIG, the program still running");
		TL_CHECK(exited_with(status, 0),
			 "exec with 100 KiB of arguments works with 2 MiB free in single pages");
		if (!exited_with(status, 0))
			printf("  status 0x%x\n", status);
	}
	tl_check_no_leak(before);
	return tl_done();
}
