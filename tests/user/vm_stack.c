/*
 * vm_stack: the stack grows on demand up to RLIMIT_STACK, and no further.
 *
 *   - a child recursing through 7 MiB of stack frames, and one whose
 *     alloca(7 MiB) touches the far end first, both run to completion,
 *     and VmRSS shows the grown stack;
 *   - a child that goes past the 8 MiB default limit (either way) dies of
 *     SIGSEGV; the parent is unharmed;
 *   - RLIMIT_STACK reads 8 MiB by default; a lower limit set with prlimit
 *     is inherited and honoured for a re-exec'd child (1 MiB fits under
 *     2 MiB, 3 MiB does not) and for a forked one, and a higher one lets
 *     an exec'd child grow past 8 MiB;
 *   - with an unlimited RLIMIT_STACK an exec'd child still gets a working
 *     stack and page-aligned, usable mmaps.
 * Nothing leaks once the children are gone.
 */
#include <sys/syscall.h>
#include "vmtest.h"

#define FRAME		(64 * 1024)	/* stack bytes per recursion step */
#define RLIMIT_STACK_	3
#define RLIM_INF	(~0UL)

struct rlim {
	unsigned long cur, max;
};

static char self_path[256];

static int get_stack_limit(struct rlim *r)
{
	return (int)syscall(SYS_prlimit64, 0, RLIMIT_STACK_, NULL, r);
}

static int set_stack_limit(const struct rlim *r)
{
	return (int)syscall(SYS_prlimit64, 0, RLIMIT_STACK_, r, NULL);
}

/* Recurse `steps` times, each frame holding FRAME bytes, every page written. */
static __attribute__((noinline)) long grow(long steps)
{
	volatile char frame[FRAME];
	long r;

	for (int off = 0; off < FRAME; off += (int)VT_PAGE)
		frame[off] = (char)steps;
	frame[FRAME - 1] = (char)steps;
	if (steps <= 1)
		return frame[0];
	r = grow(steps - 1);
	return r + frame[0] + frame[FRAME - 1];
}

/* Use `mib` MiB of stack by recursion, then check VmRSS saw it. */
static int grow_mib(long mib)
{
	long steps = mib * (1024 * 1024 / FRAME), rss;
	volatile long r = grow(steps);

	(void)r;
	rss = tl_on_kilburn() ? vt_rss_kb() : -1;
	if (rss < 0)
		return 0;
	VT_CHECK(rss >= mib * 1024, "VmRSS %ld kB after growing the stack by %ld MiB",
		 rss, mib);
	return rss < mib * 1024;
}

/* One alloca of `mib` MiB, touched from its far (lowest) end up. */
static __attribute__((noinline)) int alloca_mib(long mib)
{
	unsigned long len = (unsigned long)mib << 20;
	volatile char *p = __builtin_alloca(len);

	for (unsigned long off = 0; off < len; off += VT_PAGE)
		p[off] = 1;
	for (unsigned long off = 0; off < len; off += VT_PAGE)
		if (p[off] != 1)
			return 1;
	return 0;
}

static int grow7(void *arg)
{
	(void)arg;
	return grow_mib(7);
}

static int grow9(void *arg)
{
	(void)arg;
	return grow_mib(9);
}

static int alloca7(void *arg)
{
	(void)arg;
	return alloca_mib(7);
}

static int alloca9(void *arg)
{
	(void)arg;
	return alloca_mib(9);
}

static int grow3(void *arg)
{
	(void)arg;
	return grow_mib(3);
}

/* Exec'd with an unlimited stack: mmaps are page aligned and usable. */
static int mmap_mode(void)
{
	for (int i = 0; i < 4; i++) {
		unsigned long len = (i + 1) * 3 * VT_PAGE;
		char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		int ok = p != MAP_FAILED && !((uintptr_t)p & (VT_PAGE - 1));

		if (ok) {
			memset(p, 0x5a, len);
			ok = p[len - 1] == 0x5a && munmap(p, len) == 0;
		}
		VT_CHECK(ok, "with an unlimited stack, mmap of %lu kB gives usable memory "
			 "at a page boundary (%p)", len / VT_KB, (void *)p);
		if (!ok)
			return 1;
	}
	return grow_mib(7);
}

/*
 * Run this program again (fork and exec) with arguments; the child's wait
 * status. Its checks, if it makes any, count in our totals.
 */
static int run_self(const char *mode, const char *arg)
{
	char *argv[] = { self_path, (char *)mode, (char *)arg, NULL };

	return vt_exec(argv, 60);
}

/* The limits part: run with RLIMIT_STACK changed, then put it back. */
static void limits(void)
{
	struct rlim old, r, got;
	int st;

	TL_CHECK(get_stack_limit(&old) == 0, "prlimit reads RLIMIT_STACK");
	if (tl_on_kilburn())
		VT_CHECK(old.cur == 8UL << 20, "RLIMIT_STACK is 8 MiB by default (%lu)", old.cur);

	r.cur = 2UL << 20;
	r.max = old.max;
	TL_CHECK(set_stack_limit(&r) == 0, "RLIMIT_STACK lowered to 2 MiB");
	/*
	 * Linux honours these too, but qemu-user (where this test also runs)
	 * keeps the guest's stack limit to itself: only check on Kilburn.
	 */
	if (tl_on_kilburn()) {
		TL_CHECK(get_stack_limit(&got) == 0 && got.cur == 2UL << 20,
			 "RLIMIT_STACK reads back 2 MiB");
		st = run_self("grow", "1");
		VT_CHECK(vt_exited_ok(st), "exec'd child grows 1 MiB under a 2 MiB limit (%s)",
			 vt_how(st));
		st = run_self("grow", "3");
		VT_CHECK(vt_killed_by(st, SIGSEGV),
			 "exec'd child growing 3 MiB under a 2 MiB limit dies of SIGSEGV (%s)",
			 vt_how(st));
		st = vt_run(grow3, NULL, 60);
		VT_CHECK(vt_killed_by(st, SIGSEGV),
			 "forked child growing 3 MiB under a 2 MiB limit dies of SIGSEGV (%s)",
			 vt_how(st));

		r.cur = 16UL << 20;
		r.max = old.max;
		TL_CHECK(set_stack_limit(&r) == 0, "RLIMIT_STACK raised to 16 MiB");
		st = run_self("grow", "12");
		VT_CHECK(vt_exited_ok(st), "exec'd child grows 12 MiB under a 16 MiB limit (%s)",
			 vt_how(st));

		if (old.max == RLIM_INF) {
			r.cur = RLIM_INF;
			TL_CHECK(set_stack_limit(&r) == 0, "RLIMIT_STACK set to unlimited");
			st = run_self("mmap", "0");
			VT_CHECK(vt_exited_ok(st),
				 "with an unlimited stack, an exec'd child's mmaps and stack work (%s)",
				 vt_how(st));
		}
	}
	TL_CHECK(set_stack_limit(&old) == 0 && get_stack_limit(&got) == 0 &&
		 got.cur == old.cur, "RLIMIT_STACK restored");
}

int main(int argc, char **argv)
{
	long before;
	ssize_t n;
	int st;

	n = readlink("/proc/self/exe", self_path, sizeof(self_path) - 1);
	if (n > 0)
		self_path[n] = 0;
	else
		strcpy(self_path, argv[0]);
	if (argc > 2 && strcmp(argv[1], "grow") == 0)
		return grow_mib(atol(argv[2]));
	if (argc > 2 && strcmp(argv[1], "mmap") == 0)
		return mmap_mode();

	printf("vm_stack: stack growth and RLIMIT_STACK\n");
	before = tl_frames_free();
	st = vt_run(grow7, NULL, 60);
	VT_CHECK(vt_exited_ok(st), "child recursing through 7 MiB of stack runs (%s)",
		 vt_how(st));
	st = vt_run(alloca7, NULL, 60);
	VT_CHECK(vt_exited_ok(st), "child with alloca(7 MiB), far end first, runs (%s)",
		 vt_how(st));
	st = vt_run(grow9, NULL, 60);
	VT_CHECK(vt_killed_by(st, SIGSEGV),
		 "child recursing past the 8 MiB limit dies of SIGSEGV (%s)", vt_how(st));
	st = vt_run(alloca9, NULL, 60);
	VT_CHECK(vt_killed_by(st, SIGSEGV),
		 "child touching alloca(9 MiB) past the limit dies of SIGSEGV (%s)", vt_how(st));
	limits();
	tl_check_no_leak(before);
	return tl_done();
}
