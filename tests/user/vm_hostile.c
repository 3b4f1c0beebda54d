/*
 * vm_hostile: a hostile program cannot hurt the kernel or anyone else.
 *
 * Children make 10,000 system calls in all, with random numbers (0..300,
 * half of them among the calls that take pointers) and random arguments: NULL and near-NULL pointers, kernel addresses,
 * addresses past the user half, unmapped and misaligned pointers, pointers
 * into read-only and PROT_NONE pages and running off the end of a mapping,
 * huge and negative lengths, random flags. Calls that would end the child,
 * hit other processes, or block forever (exit, execve, clone, kill, tkill,
 * tgkill, reboot, pipe2, sleeps, waits on futexes or signals, ptrace,
 * rt_sigreturn) are left out. Each child runs a batch and exits; it may
 * also die of a signal if it wrecked its own address space, but must never
 * hang. Afterwards the kernel still forks, execs, maps memory and writes
 * files, and every frame is back once the children are reaped.
 *
 * This runs the random calls on Kilburn only: on a Linux host (as root) they
 * could do real damage.
 */
#include <sys/syscall.h>
#include "vmtest.h"

#define TOTAL_CALLS	10000
#define BATCH		100		/* calls per child */
#define MAX_CHILDREN	1000
#define PARALLEL	4
#define SEED		0x4b696c6275726eUL

static unsigned long rng;

static unsigned long rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* Calls a child must not make: they end it, reach out, or block forever. */
static int excluded(long nr)
{
	static const short no[] = {
		93, 94,			/* exit, exit_group */
		220, 221,		/* clone, execve */
		129, 130, 131, 240,	/* kill, tkill, tgkill, rt_tgsigqueueinfo */
		138, 142, 117,		/* rt_sigqueueinfo, reboot, ptrace */
		59,			/* pipe2: reads of its own pipe would block */
		101, 115, 98, 73, 72,	/* nanosleep, clock_nanosleep, futex, ppoll, pselect6 */
		22, 133, 137, 139,	/* epoll_pwait, rt_sigsuspend, rt_sigtimedwait, rt_sigreturn */
		4, 182, 183, 188, 192, 193,	/* io_getevents, mq_timed*, msgrcv, semtimedop, semop */
		202, 207, 212, 242, 243,	/* accept, recvfrom, recvmsg, accept4, recvmmsg */
		32, 260, 95,		/* flock, wait4, waitid */
		104, 105, 106, 224, 225, 89,	/* kexec, modules, swapon/off, acct */
		39, 40, 41, 51,		/* umount2, mount, pivot_root, chroot */
	};

	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		if (nr == no[i])
			return 1;
	return 0;
}

struct arena {
	unsigned char *rw;		/* 4 read-write pages, then a PROT_NONE one */
	unsigned char *ro;		/* a read-only page */
};

/* One random argument. */
static long arg(const struct arena *a)
{
	static const long lengths[] = {
		0, 1, 7, 4095, 4096, 4097, 65536, 1L << 30, 1L << 62, -1, -4096,
	};

	switch (rnd() % 14) {
	case 0:
		return 0;
	case 1:
		return rnd() % 17;
	case 2:
		return -1;
	case 3:
		return (long)rnd();
	case 4:
		return rnd() % 4096;				/* near NULL */
	case 5:
		return (long)(0xffffffc000000000UL + (rnd() % (1UL << 30)));	/* kernel */
	case 6:
		return (long)(0x1000000000UL + (rnd() % 4096) * 4096);	/* unmapped */
	case 7:
		return (long)(a->rw + 1 + rnd() % 7);		/* misaligned */
	case 8:
		return (long)(a->rw + (rnd() % 4) * 4096);	/* valid */
	case 9:
		return (long)(a->rw + 4 * 4096 - 1 - rnd() % 64);	/* runs off the end */
	case 10:
		return lengths[rnd() % (sizeof(lengths) / sizeof(lengths[0]))];
	case 11:
		return (long)(unsigned int)rnd();			/* flags */
	case 12:
		return (long)(a->ro + rnd() % 4096);		/* read-only */
	default:
		return (long)(0x4000000000UL - 1 - rnd() % 64);	/* top of the user half */
	}
}

/*
 * Half the calls are drawn from these, the calls that take pointers and
 * lengths (most numbers in 0..300 are not implemented yet, or take none).
 */
static const short busy[] = {
	17, 23, 24, 25, 29, 34, 35, 48, 49, 56, 57, 61, 62, 63, 64, 65, 66, 67, 68,
	78, 79, 80, 96, 99, 113, 134, 135, 160, 169, 214, 215, 216, 222, 226, 227,
	232, 233, 261, 278, 291,
};

/* Child: `BATCH` random calls, counting them in slot[0]. */
static void hostile_batch(unsigned long seed, volatile unsigned long *slot)
{
	struct arena a;
	int null = open("/dev/null", O_RDWR);

	if (null < 0)
		_exit(3);
	for (int fd = 0; fd < 3; fd++)
		dup2(null, fd);
	rng = seed;
	a.rw = mmap(NULL, 5 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	a.ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (a.rw == MAP_FAILED || a.ro == MAP_FAILED)
		_exit(4);
	mprotect(a.rw + 4 * 4096, 4096, PROT_NONE);
	for (int i = 0; i < 4 * 4096; i++)
		a.rw[i] = (unsigned char)rnd();
	for (int i = 0; i < BATCH; i++) {
		long nr, x[6];

		do
			nr = rnd() % 2 ? (long)(rnd() % 301) : busy[rnd() % (sizeof(busy) / sizeof(busy[0]))];
		while (excluded(nr));
		for (int k = 0; k < 6; k++)
			x[k] = arg(&a);
		syscall(nr, x[0], x[1], x[2], x[3], x[4], x[5]);
		slot[0]++;
	}
	_exit(0);
}

/* ---- afterwards: the kernel still works */

static int still_works(void *arg)
{
	char *argv[] = { "/bin/true", NULL };
	char buf[16];
	int fd, st;
	pid_t pid;
	char *m;

	(void)arg;
	pid = fork();
	if (pid == 0) {
		execv("/bin/true", argv);
		_exit(127);
	}
	st = vt_wait(pid, 30);
	VT_CHECK(vt_exited_ok(st), "fork and exec of /bin/true work (%s)", vt_how(st));
	m = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	TL_CHECK(m != MAP_FAILED, "mmap works");
	if (m != MAP_FAILED) {
		memset(m, 'm', 1 << 20);
		TL_CHECK(m[0] == 'm' && m[(1 << 20) - 1] == 'm', "the mapping holds data");
		munmap(m, 1 << 20);
	}
	fd = open("/tmp/vm_hostile", O_RDWR | O_CREAT | O_TRUNC, 0644);
	TL_CHECK(fd >= 0 && write(fd, "hostile", 7) == 7 && lseek(fd, 0, SEEK_SET) == 0 &&
		 read(fd, buf, sizeof(buf)) == 7 && memcmp(buf, "hostile", 7) == 0,
		 "a file in /tmp is written and read back");
	if (fd >= 0)
		close(fd);
	unlink("/tmp/vm_hostile");
	return tl_failed_here;
}

int main(void)
{
	volatile unsigned long *slots;
	unsigned long calls = 0;
	int children = 0, exited = 0, signalled = 0, hung = 0, other = 0, forkfail = 0;
	int sigs[65] = { 0 }, st;
	pid_t running[PARALLEL];
	long before;

	printf("vm_hostile: random system calls with bad arguments\n");
	if (!tl_on_kilburn()) {
		printf("note: the random calls run on Kilburn only\n");
		return tl_done();
	}
	slots = mmap(NULL, MAX_CHILDREN * sizeof(long), PROT_READ | PROT_WRITE,
		     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (slots == MAP_FAILED) {
		TL_CHECK(0, "shared counters");
		return tl_done();
	}
	memset((void *)slots, 0, MAX_CHILDREN * sizeof(long));
	st = vt_run(still_works, NULL, 60);	/* warm up, and a baseline */
	VT_CHECK(vt_exited_ok(st), "the kernel works before (%s)", vt_how(st));
	before = tl_frames_free();
	printf("seed %#lx, %d calls per child\n", SEED, BATCH);
	fflush(stdout);

	while (calls < TOTAL_CALLS && children < MAX_CHILDREN) {
		int n = 0;

		for (; n < PARALLEL && children < MAX_CHILDREN; n++) {
			pid_t pid = fork();

			if (pid == 0)
				hostile_batch(SEED + children * 7919UL, slots + children);
			if (pid < 0) {
				forkfail++;
				usleep(10000);
				break;
			}
			running[n] = pid;
			children++;
		}
		for (int i = 0; i < n; i++) {
			st = vt_wait(running[i], 30);
			if (st == -1)
				hung++;
			else if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
				exited++;
			else if (WIFSIGNALED(st))
				signalled++, sigs[WTERMSIG(st) & 63]++;
			else
				other++;
		}
		calls = 0;
		for (int i = 0; i < children; i++)
			calls += slots[i];
	}
	printf("%d children made %lu calls: %d exited, %d killed by a signal "
	       "(SIGSEGV %d, SIGBUS %d, SIGILL %d, SIGKILL %d), %d other, %d hung, "
	       "%d forks failed for a while\n", children, calls, exited, signalled,
	       sigs[SIGSEGV], sigs[SIGBUS], sigs[SIGILL], sigs[SIGKILL], other, hung, forkfail);
	VT_CHECK(calls >= TOTAL_CALLS, "%lu random calls made (>= %d)", calls, TOTAL_CALLS);
	TL_CHECK(hung == 0, "no child hung");
	TL_CHECK(other == 0, "every child exited normally or was killed by a signal");
	TL_CHECK(exited > children / 2, "most children ran their batch to the end");
	st = vt_run(still_works, NULL, 60);
	VT_CHECK(vt_exited_ok(st), "the kernel still works (%s)", vt_how(st));
	tl_check_no_leak(before);
	return tl_done();
}
