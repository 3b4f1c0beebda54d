/*
 * vm_tlb: no hart keeps using a translation after it was taken away.
 *
 * Kilburn has no threads, so an address space is changed only by its own
 * process; the translations at risk are the ones it left in the TLBs of
 * the other harts it ran on (tagged with its ASID, kept across switches).
 * So each test runs more processes than harts, all spinning on their
 * memory and yielding, so that each one migrates and leaves TLB entries
 * behind everywhere; then, released together by the parent through a
 * shared flag, they change their mappings at the same time (concurrent
 * shootdowns) and keep migrating while they check the change holds:
 *
 *   - after mprotect(PROT_READ), a read() from a pipe into the page (the
 *     kernel writing through the same TLB) fails with EFAULT on whatever
 *     hart the process is on, hundreds of times, the page keeps its data,
 *     and a final store kills the process with SIGSEGV - never succeeds;
 *     private and MAP_SHARED regions alike;
 *   - after munmap, write() from the page (the kernel reading it) fails
 *     with EFAULT every time and a final load kills with SIGSEGV;
 *   - fork write-protects the parent's pages on every hart: a parent that
 *     keeps writing after fork never changes what its child sees;
 *   - one process's mprotect does not touch another's mapping of the same
 *     MAP_SHARED memory: children keep writing it and the parent sees it.
 * Nothing leaks once the children are gone.
 *
 * On QEMU a hart's TLB is flushed whenever satp changes ASID (on every
 * switch), so there only the flush on the hart making the change can be
 * seen to fail; on hardware that keeps entries across switches, the
 * remote flushes are tested too.
 */
#include <sched.h>
#include "vmtest.h"

#define NCHILD		8	/* twice the harts of the 4-hart run */
#define SPIN		3000	/* writes before the change */
#define PROBES		300	/* checks after it */

struct shared {
	volatile int ready;		/* children spinning */
	volatile int go;		/* the parent's release */
	volatile long wrong[NCHILD];	/* probes that saw the old mapping */
	volatile long done[NCHILD];	/* probes made */
};

static struct shared *sh;
static unsigned char *shm;		/* MAP_SHARED data, a page per child */

static int pipe_with_data(int fds[2])
{
	if (pipe(fds))
		return -1;
	return write(fds[1], "xxxxxxxxxxxxxxxx", 16) == 16 ? 0 : -1;
}

/* Spin writing p, yielding now and then, until the parent says go. */
static void spin_until_go(volatile unsigned char *p, size_t len)
{
	__atomic_add_fetch(&sh->ready, 1, __ATOMIC_SEQ_CST);
	for (long i = 0; i < SPIN || !sh->go; i++) {
		p[(i * 64) % len] = (unsigned char)i;
		if (i % 16 == 0)
			sched_yield();
	}
}

/* Child i: write-protect its region, then probe that writes fail everywhere. */
static int protect_child(void *arg)
{
	long i = (long)arg;
	size_t len = 4 * VT_PAGE;
	unsigned char *p = i % 2 ? shm + i * VT_PAGE : mmap(NULL, len, PROT_READ | PROT_WRITE,
						   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int fds[2];

	if (i % 2)
		len = VT_PAGE;
	if (p == MAP_FAILED || pipe_with_data(fds))
		return 2;
	spin_until_go(p, len);
	p[0] = 0x42;
	if (mprotect(p, len, PROT_READ))
		return 3;
	for (int k = 0; k < PROBES; k++) {
		if (read(fds[0], p + (k % 4) * 64 % len, 1) != -1 || errno != EFAULT || p[0] != 0x42)
			sh->wrong[i]++;
		sh->done[i]++;
		if (write(fds[1], "x", 1) != 1)
			return 4;
		sched_yield();
	}
	*(volatile unsigned char *)p = 1;	/* must kill */
	return 0;
}

/* Child i: unmap its region, then probe that reads fail everywhere. */
static int unmap_child(void *arg)
{
	long i = (long)arg;
	size_t len = 4 * VT_PAGE;
	unsigned char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
				-1, 0);
	int fds[2];

	if (p == MAP_FAILED || pipe(fds))
		return 2;
	spin_until_go(p, len);
	if (munmap(p, len))
		return 3;
	for (int k = 0; k < PROBES; k++) {
		if (write(fds[1], p + (k % 4) * VT_PAGE, 1) != -1 || errno != EFAULT)
			sh->wrong[i]++;
		sh->done[i]++;
		sched_yield();
	}
	return *(volatile unsigned char *)p == 0x99 ? 5 : 0;	/* must kill */
}

/* Start NCHILD children running fn, release them together, collect them. */
static void round_of(int (*fn)(void *), int want_sig, const char *what)
{
	pid_t pids[NCHILD];
	int died = 0, started = 0;
	long wrong = 0, done = 0;

	memset(sh, 0, sizeof(*sh));
	fflush(stdout);
	for (long i = 0; i < NCHILD; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			tl_failed_here = 0;
			_exit(fn((void *)i));
		}
		started += pids[i] > 0;
	}
	for (int t = 0; sh->ready < started && t < 20000; t++)
		usleep(1000);
	sh->go = 1;
	for (int i = 0; i < NCHILD; i++) {
		int st = pids[i] > 0 ? vt_wait(pids[i], 120) : -1;

		if (vt_killed_by(st, want_sig))
			died++;
		else
			printf("note: %s child %d: %s\n", what, i, vt_how(st));
		wrong += sh->wrong[i];
		done += sh->done[i];
	}
	VT_CHECK(died == NCHILD, "%s: all %d children died of signal %d at the final access",
		 what, NCHILD, want_sig);
	VT_CHECK(wrong == 0 && done == NCHILD * PROBES,
		 "%s: %ld of %ld probes saw the old mapping (want 0 of %d)", what, wrong, done,
		 NCHILD * PROBES);
}

/* ---- fork write-protects the parent everywhere */

static int cow_spinner(void *arg)
{
	volatile unsigned long *p = mmap(NULL, VT_PAGE, PROT_READ | PROT_WRITE,
					 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int go[2], st, bad = 0;
	pid_t pid;

	(void)arg;
	if (p == MAP_FAILED || pipe(go))
		return 2;
	for (long i = 0; i < SPIN; i++) {	/* leave writable entries on many harts */
		p[0] = i;
		if (i % 16 == 0)
			sched_yield();
	}
	p[0] = 777;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		char c;

		if (read(go[0], &c, 1) != 1)
			_exit(3);
		for (int k = 0; k < PROBES * 4; k++) {
			if (p[0] != 777)
				_exit(1);
			sched_yield();
		}
		_exit(0);
	}
	if (write(go[1], "g", 1) != 1)
		bad = 1;
	for (long i = 0; i < SPIN; i++) {	/* must copy, on whatever hart */
		p[0] = 1000 + i;
		if (i % 8 == 0)
			sched_yield();
	}
	st = vt_wait(pid, 120);
	return bad || !vt_exited_ok(st) || p[0] != 1000 + SPIN - 1;
}

/* ---- another process's mprotect leaves our mapping alone */

static int shared_writer(void *arg)
{
	long i = (long)arg;
	volatile unsigned long *p = (volatile unsigned long *)(shm + i * VT_PAGE);

	__atomic_add_fetch(&sh->ready, 1, __ATOMIC_SEQ_CST);
	while (!sh->go)
		sched_yield();
	for (long k = 1; k <= SPIN; k++) {
		p[0] = k;
		if (k % 16 == 0)
			sched_yield();
	}
	return 0;
}

static void others_keep_writing(void)
{
	pid_t pids[NCHILD];
	int ok = 1, started = 0;

	memset(sh, 0, sizeof(*sh));
	memset(shm, 0, NCHILD * VT_PAGE);
	fflush(stdout);
	for (long i = 0; i < NCHILD; i++) {
		pids[i] = fork();
		if (pids[i] == 0)
			_exit(shared_writer((void *)i));
		started += pids[i] > 0;
	}
	for (int t = 0; sh->ready < started && t < 20000; t++)
		usleep(1000);
	ok &= mprotect(shm, NCHILD * VT_PAGE, PROT_READ) == 0;
	sh->go = 1;
	for (int i = 0; i < NCHILD; i++)
		ok &= vt_exited_ok(pids[i] > 0 ? vt_wait(pids[i], 120) : -1);
	for (int i = 0; i < NCHILD; i++)
		ok &= *(volatile unsigned long *)(shm + i * VT_PAGE) == SPIN;
	TL_CHECK(ok, "children keep writing MAP_SHARED memory the parent made read-only "
		 "for itself, and it sees their writes");
	mprotect(shm, NCHILD * VT_PAGE, PROT_READ | PROT_WRITE);
}

static int all_rounds(void *arg)
{
	int st;

	(void)arg;
	sh = mmap(NULL, VT_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	shm = mmap(NULL, NCHILD * VT_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		   -1, 0);
	if (sh == MAP_FAILED || shm == MAP_FAILED) {
		TL_CHECK(0, "shared mappings");
		return 1;
	}
	round_of(protect_child, SIGSEGV, "mprotect(PROT_READ)");
	round_of(unmap_child, SIGSEGV, "munmap");
	st = vt_run(cow_spinner, NULL, 180);
	VT_CHECK(vt_exited_ok(st), "fork write-protects the parent on every hart: the child's "
		 "view never changes (%s)", vt_how(st));
	others_keep_writing();
	return tl_failed_here;
}

int main(void)
{
	long before;
	int st;

	printf("vm_tlb: translations taken away are gone on every hart\n");
	before = tl_frames_free();
	st = vt_run(all_rounds, NULL, 600);
	VT_CHECK(vt_exited_ok(st), "the TLB checks passed (%s)", vt_how(st));
	tl_check_no_leak(before);
	return tl_done();
}
