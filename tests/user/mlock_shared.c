/*
 * mlock_shared: a page of a file that two processes map and lock stays
 * locked until both let go, and is reclaimable as soon as both have.
 *
 * Two lockers map the same 4 MiB of the root image's 48 MiB file
 * (bigfile.h) shared and lock it. The test itself maps the same range
 * without locking it and never touches it: mincore there says which of the
 * file's pages are in memory. Twice, once letting go with munlock and once
 * by exiting:
 *
 *   - both locked: Mlocked in /proc/meminfo rose by the 4 MiB exactly;
 *   - the first locker lets go: Mlocked is unchanged, and under memory
 *     pressure (anonymous memory taking all the free memory and all the
 *     evictable file cache but a little) every page stays in memory;
 *   - the second lets go: Mlocked is back where it was, and under the same
 *     pressure the pages are reclaimed (most are out, pgsteal_file rose).
 *
 * Along the way: the munlock round first moves the first locker's region
 * with mremap (the pages stay locked at the new place, and munlock there
 * lets go), the second locker forks a child that maps the pages too (locks
 * are not inherited: the child keeps nothing locked) and lets go with
 * munlockall; in the exit round the first locker locks with
 * mlockall(MCL_CURRENT | MCL_FUTURE) before it maps the file. Run twice;
 * the second run gives back every frame.
 *
 * On Linux the same steps run without the /proc counters and without the
 * pressure (the machine's memory is not ours to fill).
 */
#define _GNU_SOURCE
#include "tlib.h"
#include "vmtest.h"
#include "bigfile.h"

#define LEN		(4UL << 20)		/* bytes locked */
#define NPG		(LEN / VT_PAGE)
#define TOLERANCE_KB	32L		/* Mlocked noise: pages between two states */
#define NEAR_LOOKS	300		/* the pressure's length, at the floor */

enum mode { BY_MUNLOCK, BY_EXIT };

struct locker {
	pid_t pid;
	int cmd, ack;			/* pipe ends: to it, from it */
};

static long meminfo_kb(const char *field)
{
	return tl_on_kilburn() ? vt_proc_kb("/proc/meminfo", field) : 0;
}

static long mlocked_kb(void)
{
	return meminfo_kb("Mlocked:");
}

/* One byte from fd, or -1. */
static int get_byte(int fd)
{
	unsigned char c;

	return read(fd, &c, 1) == 1 ? c : -1;
}

static void put_byte(int fd, int c)
{
	unsigned char b = (unsigned char)c;

	if (write(fd, &b, 1) != 1)
		_exit(3);
}

/* Map [off, off + LEN) of the file shared, read-only; NULL on failure. */
static char *map_range(const char *path, off_t off)
{
	int fd = open(path, O_RDONLY);
	char *p = fd < 0 ? MAP_FAILED : mmap(NULL, LEN, PROT_READ, MAP_SHARED, fd, off);

	if (fd >= 0)
		close(fd);
	return p == MAP_FAILED ? NULL : p;
}

/* Read one word of every page of p (maps them all in this process). */
static void touch_all(const char *p)
{
	for (size_t pg = 0; pg < NPG; pg++)
		(void)*(const volatile char *)(p + pg * VT_PAGE);
}

/* A child of a locker: maps the pages (unlocked) until killed. */
static void sharer(const char *p)
{
	touch_all(p);
	for (;;)
		pause();
}

/*
 * The first locker. munlock round: lock, move the region with mremap,
 * munlock at the new place. Exit round: mlockall(MCL_CURRENT |
 * MCL_FUTURE), then map (locked by MCL_FUTURE), then exit.
 */
static void first_locker(const char *path, off_t off, enum mode mode, int cmd, int ack)
{
	char *p, *q;

	if (mode == BY_EXIT && mlockall(MCL_CURRENT | MCL_FUTURE) != 0) {
		put_byte(ack, 'A');
		_exit(1);
	}
	p = map_range(path, off);
	if (!p || (mode == BY_MUNLOCK && mlock(p, LEN) != 0)) {
		put_byte(ack, 'L');
		_exit(1);
	}
	touch_all(p);
	if (mode == BY_MUNLOCK) {
		/* somewhere else, past a hole: it must move */
		q = mmap(NULL, 2 * LEN, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (q == MAP_FAILED ||
		    mremap(p, LEN, LEN, MREMAP_MAYMOVE | MREMAP_FIXED, q + LEN) != q + LEN) {
			put_byte(ack, 'M');
			_exit(1);
		}
		p = q + LEN;
	}
	put_byte(ack, 'k');
	for (;;) {
		int c = get_byte(cmd);

		if (c == 'u' && mode == BY_MUNLOCK) {
			put_byte(ack, munlock(p, LEN) == 0 ? 'k' : 'U');
		} else if (c == 'x' || c < 0) {
			_exit(bf_page_ok((const volatile uint64_t *)p,
					 (size_t)off / VT_PAGE) ? 0 : 2);
		}
	}
}

/*
 * The second locker: mlock; in the munlock round a child shares the pages
 * and the locker lets go with munlockall; in the exit round it exits.
 */
static void second_locker(const char *path, off_t off, enum mode mode, int cmd, int ack)
{
	char *p = map_range(path, off);
	pid_t child = -1;

	if (!p || mlock(p, LEN) != 0) {
		put_byte(ack, 'L');
		_exit(1);
	}
	if (mode == BY_MUNLOCK) {
		child = fork();
		if (child == 0)
			sharer(p);
	}
	put_byte(ack, child < 0 && mode == BY_MUNLOCK ? 'F' : 'k');
	for (;;) {
		int c = get_byte(cmd);

		if (c == 'u' && mode == BY_MUNLOCK) {
			put_byte(ack, munlockall() == 0 ? 'k' : 'U');
		} else if (c == 'x' || c < 0) {
			if (child > 0) {
				kill(child, SIGKILL);
				waitpid(child, NULL, 0);
			}
			_exit(0);
		}
	}
}

/* Start a locker; its first answer ('k': locked) in *answer. */
static int start(struct locker *l, int first, const char *path, off_t off,
		 enum mode mode, int *answer)
{
	int to[2], from[2];

	if (pipe(to) < 0 || pipe(from) < 0)
		return -1;
	fflush(stdout);
	l->pid = fork();
	if (l->pid == 0) {
		close(to[1]);
		close(from[0]);
		if (first)
			first_locker(path, off, mode, to[0], from[1]);
		second_locker(path, off, mode, to[0], from[1]);
	}
	close(to[0]);
	close(from[1]);
	l->cmd = to[1];
	l->ack = from[0];
	*answer = l->pid > 0 ? get_byte(l->ack) : -1;
	return l->pid > 0 ? 0 : -1;
}

/* Let go: munlock (answer 'k') or exit (wait for it). */
static int let_go(struct locker *l, enum mode mode)
{
	int status;

	if (mode == BY_MUNLOCK) {
		put_byte(l->cmd, 'u');
		return get_byte(l->ack) == 'k';
	}
	put_byte(l->cmd, 'x');
	status = vt_wait(l->pid, 60);
	l->pid = -1;
	return vt_exited_ok(status);
}

static void stop(struct locker *l)
{
	if (l->pid > 0) {
		put_byte(l->cmd, 'x');
		vt_wait(l->pid, 60);
	}
	close(l->cmd);
	close(l->ack);
}

/*
 * Kilburn's free-memory watermarks (kernel/vm/reclaim.c, pageout.c): min is
 * the reserve, max(sqrt(16 * RAM in kB), 128) kB, that user memory never
 * takes; the page-out daemon is woken below low = min + min / 4. The
 * pressure keeps free memory between the two, so the daemon reclaims and
 * no allocation has to (nor the OOM killer).
 */
static long floor_kb(void)
{
	long total = meminfo_kb("MemTotal:"), min = 0;

	while ((min + 1) * (min + 1) <= total * 16)
		min++;
	if (min < 128)
		min = 128;
	return min + min / 8;
}

/*
 * Memory pressure (Kilburn only): a child takes anonymous memory (which
 * cannot go anywhere: no swap, and it locks it), down to floor_kb() of
 * free memory, then waits for the page-out daemon to free more, and goes
 * on; it stops once most of the range is out (mincore on `mine`), or after
 * NEAR_LOOKS looks near the floor (what the daemon frees then is the
 * programs' own pages, which come back at once). The other caches are dropped first,
 * so the file pages left are mostly the range (mapped: not dropped) and
 * the programs' own. Returns whether the child ran to its end.
 */
static int pressure(char *mine)
{
	long floor = floor_kb();
	pid_t pid;

	tl_drop_caches();
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		size_t size = (size_t)meminfo_kb("MemTotal:") * 1024, off = 0;
		char *a = mmap(NULL, size, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		int near = 0;

		if (a == MAP_FAILED)
			_exit(1);
		while (off < size && near < NEAR_LOOKS &&
		       bf_resident(mine, LEN) >= (long)NPG / 4) {
			long room = meminfo_kb("MemFree:") - floor;
			size_t end;

			near += room < 256;
			if (room < 64) {
				usleep(10000);	/* the daemon's turn */
				continue;
			}
			/*
			 * Half the room at once (far from the floor, few looks),
			 * locked: off the replacement policy, so page-out does
			 * not wade through it looking for file pages.
			 */
			end = off + (size_t)(room > 128 ? room / 2 : 64) * 1024;
			if (end > size)
				end = size;
			if (mlock(a + off, end - off) != 0)
				break;
			off = end;
		}
		printf("pressure: %zu kB taken, %ld kB free\n", off / 1024,
		       meminfo_kb("MemFree:"));
		_exit(0);
	}
	return pid > 0 && vt_exited_ok(vt_wait(pid, 300));
}

/* One round: both lock, the first lets go, then the second. */
static void round_of(const char *path, off_t off, enum mode mode)
{
	const char *how = mode == BY_MUNLOCK ? "munlock" : "exit";
	int kilburn = tl_on_kilburn(), a1 = -1, a2 = -1;
	struct locker l1 = { -1, -1, -1 }, l2 = { -1, -1, -1 };
	char *mine = map_range(path, off);
	long m0, m1, m2, m3, steal0, steal1, in;

	TL_CHECK(mine != NULL, "map the range unlocked, to watch it with mincore");
	if (!mine)
		return;
	touch_all(mine);	/* mapped: drop_caches leaves it */
	m0 = mlocked_kb();
	/* the second first: the first locker's mlockall locks its own pages too */
	if (start(&l2, 0, path, off, mode, &a2) < 0 || a2 != 'k') {
		VT_CHECK(0, "%s round: the second locker locked the range (answer %c)",
			 how, a2 > 0 ? a2 : '?');
		stop(&l2);
		munmap(mine, LEN);
		return;
	}
	m1 = mlocked_kb();
	VT_CHECK(!kilburn || labs(m1 - m0 - (long)(LEN / 1024)) <= TOLERANCE_KB,
		 "%s round: Mlocked rose by the 4 MiB locked (%ld kB -> %ld kB)", how, m0, m1);
	if (start(&l1, 1, path, off, mode, &a1) < 0 || a1 != 'k') {
		VT_CHECK(0, "%s round: the first locker locked the range too (answer %c)",
			 how, a1 > 0 ? a1 : '?');
		stop(&l1);
		stop(&l2);
		munmap(mine, LEN);
		return;
	}
	VT_CHECK(!kilburn || mlocked_kb() >= m1 - TOLERANCE_KB,
		 "%s round: both locked, Mlocked %ld kB", how, mlocked_kb());

	VT_CHECK(let_go(&l1, mode), "%s round: the first locker let go", how);
	m2 = mlocked_kb();
	VT_CHECK(!kilburn || labs(m2 - m1) <= TOLERANCE_KB,
		 "%s round: one still locks them: Mlocked unchanged (%ld kB, was %ld kB)",
		 how, m2, m1);
	if (kilburn)
		TL_CHECK(pressure(mine), "memory pressure, once");
	in = bf_resident(mine, LEN);
	VT_CHECK(in == (long)NPG, "%s round: still locked by one: all %lu pages in memory (%ld)",
		 how, NPG, in);

	steal0 = kilburn ? bf_vmstat("pgsteal_file") : 0;
	VT_CHECK(let_go(&l2, mode), "%s round: the second locker let go", how);
	m3 = mlocked_kb();
	VT_CHECK(!kilburn || labs(m3 - m0) <= TOLERANCE_KB,
		 "%s round: nobody locks them: Mlocked back (%ld kB, was %ld kB)", how, m3, m0);
	if (kilburn) {
		TL_CHECK(pressure(mine), "memory pressure, twice");
		in = bf_resident(mine, LEN);
		steal1 = bf_vmstat("pgsteal_file");
		VT_CHECK(in >= 0 && in < (long)NPG / 2,
			 "%s round: unlocked: the pages are reclaimed (%ld of %lu left)",
			 how, in, NPG);
		VT_CHECK(steal1 - steal0 >= (long)NPG / 2,
			 "%s round: pgsteal_file rose by %ld", how, steal1 - steal0);
	}
	VT_CHECK(bf_page_ok((const volatile uint64_t *)mine, (size_t)off / VT_PAGE),
		 "%s round: the file reads right afterwards", how);
	stop(&l1);
	stop(&l2);
	munmap(mine, LEN);
}

static int run(void *arg)
{
	const char *path = arg;

	round_of(path, 8L << 20, BY_MUNLOCK);
	round_of(path, 24L << 20, BY_EXIT);
	return tl_failed_here;
}

int main(void)
{
	const char *path;
	long before;

	printf("mlock_shared: a file page locked by two processes\n");
	path = bf_path();
	TL_CHECK(path != NULL, "the big pattern file is there");
	if (!path)
		return tl_done();
	bf_touch_own_memory();
	TL_CHECK(vt_exited_ok(vt_run(run, (void *)path, 900)), "the first run ended well");
	before = tl_frames_free();
	TL_CHECK(vt_exited_ok(vt_run(run, (void *)path, 900)), "the second run ended well");
	tl_check_no_leak(before);
	if (strcmp(path, BF_TMP) == 0)
		unlink(path);
	return tl_done();
}
