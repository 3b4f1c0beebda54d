/*
 * mm_lock: mlock, mlock2, munlock, mlockall, munlockall, mincore and
 * msync, with Linux's errnos.
 *	mincore tells exactly which pages are in memory: anonymous pages once
 *	written, not before and not after MADV_DONTNEED; a file's pages when
 *	they are in its page cache, even before this process touches them;
 *	MADV_WILLNEED reads a file's pages into the page cache (mincore all
 *	ones) without mapping them; on a hole it is ENOMEM.
 *	mlock brings a range in at once (mincore all ones) and shows in
 *	VmLck; MLOCK_ONFAULT locks without bringing in; munlock undoes it;
 *	a forked child does not inherit the lock; mlockall(MCL_FUTURE) locks
 *	and fills later mappings.
 *	msync accepts MS_SYNC, MS_ASYNC, MS_INVALIDATE; a MAP_SHARED store is
 *	seen by read(2), a MAP_PRIVATE one never reaches the file.
 *	RLIMIT_MEMLOCK binds a user who is not root as on Linux: mlock past it
 *	is ENOMEM (pages locked already are not counted twice), MAP_LOCKED
 *	and mappings after mlockall(MCL_FUTURE) are EAGAIN, mlockall
 *	(MCL_CURRENT) of more than it is ENOMEM, a limit of 0 is EPERM; root
 *	may lock past it. /proc/meminfo's Mlocked and Unevictable count
 *	locked pages.
 */
#define _GNU_SOURCE			/* mlock2 in glibc */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/resource.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include "vmtest.h"

#define PAGE	4096
#define NPAGES	16

/* VmLck of this process in kB, or -1. */
static long vm_lck_kb(void)
{
	return vt_proc_kb("/proc/self/status", "VmLck:");
}

/* How many of the n pages at p mincore says are in memory, or -1. */
static int resident(void *p, int n)
{
	unsigned char vec[NPAGES];
	int count = 0;

	if (mincore(p, (size_t)n * PAGE, vec) != 0)
		return -1;
	for (int i = 0; i < n; i++)
		count += vec[i] & 1;
	return count;
}

static void *anon(int pages)
{
	void *p = mmap(NULL, (size_t)pages * PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

static void check_mincore(void)
{
	char *p = anon(NPAGES), *gap;
	unsigned char vec[NPAGES];
	int fd;

	TL_CHECK(p && resident(p, NPAGES) == 0, "mincore: fresh anonymous pages are not in memory");
	if (!p)
		return;
	p[0] = p[2 * PAGE] = p[5 * PAGE + 7] = 1;
	TL_CHECK(mincore(p, NPAGES * PAGE, vec) == 0 && vec[0] == 1 && vec[1] == 0 &&
		 vec[2] == 1 && vec[5] == 1 && resident(p, NPAGES) == 3,
		 "mincore: exactly the written pages are");
	TL_CHECK(madvise(p, NPAGES * PAGE, MADV_DONTNEED) == 0 && resident(p, NPAGES) == 0,
		 "mincore: none after MADV_DONTNEED");
	TL_CHECK(mincore(p + 1, PAGE, vec) == -1 && errno == EINVAL, "mincore: unaligned is EINVAL");
	TL_CHECK(mincore(p, NPAGES * PAGE, (unsigned char *)8) == -1 && errno == EFAULT,
		 "mincore: a bad vector is EFAULT");
	gap = p + 4 * PAGE;
	munmap(gap, PAGE);
	TL_CHECK(mincore(p, NPAGES * PAGE, vec) == -1 && errno == ENOMEM,
		 "mincore: a hole in the range is ENOMEM");
	munmap(p, NPAGES * PAGE);

	/* A file written with write(2): its pages are in the page cache. */
	fd = open("/tmp/mm_lock", O_RDWR | O_CREAT | O_TRUNC, 0600);
	p = malloc(4 * PAGE);
	if (fd >= 0 && p) {
		memset(p, 'f', 4 * PAGE);
		TL_CHECK(write(fd, p, 4 * PAGE) == 4 * PAGE, "write a 4-page file");
		free(p);
		p = mmap(NULL, 4 * PAGE, PROT_READ, MAP_SHARED, fd, 0);
		TL_CHECK(p != MAP_FAILED && resident(p, 4) == 4,
			 "mincore: an untouched mapping of a cached file is in memory");
		if (p != MAP_FAILED)
			munmap(p, 4 * PAGE);
	} else {
		TL_CHECK(0, "create /tmp/mm_lock");
		free(p);
	}
	if (fd >= 0)
		close(fd);
	unlink("/tmp/mm_lock");
}

/* MADV_WILLNEED on a file of the root disk: its pages come into the cache. */
static void check_willneed(void)
{
	int fd = open("/bin/cat", O_RDONLY), n = 0, all;
	long rss0, rss1;
	struct stat st;
	char *p, *q;

	if (fd < 0 || fstat(fd, &st) != 0 || st.st_size < 2 * PAGE) {
		TL_CHECK(0, "open /bin/cat");
		if (fd >= 0)
			close(fd);
		return;
	}
	all = (int)((st.st_size + PAGE - 1) / PAGE);
	all = all < NPAGES ? all : NPAGES;
	p = mmap(NULL, (size_t)all * PAGE, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (p == MAP_FAILED) {
		TL_CHECK(0, "map /bin/cat");
		return;
	}
	if (tl_on_kilburn())	/* Linux's cache may hold it for anyone's use */
		TL_CHECK(tl_drop_caches() == 0 && resident(p, all) == 0,
			 "after drop_caches no page of /bin/cat is in memory");
	rss0 = vt_rss_kb();
	TL_CHECK(madvise(p, (size_t)all * PAGE, MADV_WILLNEED) == 0, "MADV_WILLNEED on a file");
	while (resident(p, all) < all && n++ < 100)	/* Linux reads ahead in the background */
		usleep(10000);
	rss1 = vt_rss_kb();
	TL_CHECK(resident(p, all) == all, "MADV_WILLNEED: every page is in the page cache");
	TL_CHECK(rss1 == rss0, "... and none is mapped (VmRSS unchanged)");
	q = anon(4);
	TL_CHECK(q && madvise(q, 4 * PAGE, MADV_WILLNEED) == 0, "MADV_WILLNEED on anonymous memory");
	if (q) {
		munmap(q + PAGE, PAGE);
		if (tl_on_kilburn())	/* qemu-riscv64 answers madvise itself; Linux says ENOMEM */
			TL_CHECK(madvise(q, 4 * PAGE, MADV_WILLNEED) == -1 && errno == ENOMEM,
				 "MADV_WILLNEED over a hole is ENOMEM");
		munmap(q, 4 * PAGE);
	}
	munmap(p, (size_t)all * PAGE);
}

static void check_mlock(void)
{
	long lck0 = vm_lck_kb();
	char *p = anon(NPAGES);
	int status = -1;
	pid_t pid;

	if (!p) {
		TL_CHECK(0, "map 16 pages");
		return;
	}
	TL_CHECK(mlock(p + 100, NPAGES * PAGE - 200) == 0 && resident(p, NPAGES) == NPAGES,
		 "mlock (unaligned start) brings every page in at once");
	TL_CHECK(vm_lck_kb() == lck0 + NPAGES * 4, "VmLck counts them");
	pid = fork();
	if (pid == 0)
		_exit(vm_lck_kb() == lck0 ? 0 : 1);
	TL_CHECK(pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
		 WEXITSTATUS(status) == 0, "a forked child does not inherit the lock");
	TL_CHECK(munlock(p, NPAGES * PAGE) == 0 && vm_lck_kb() == lck0, "munlock");
	TL_CHECK(mlock(p, 0) == 0, "mlock of 0 bytes");
	munmap(p, NPAGES * PAGE);

	p = anon(NPAGES);
	if (!p)
		return;
	if (mlock2(p, 0, 0) != 0 && errno == ENOSYS && !tl_on_kilburn()) {
		printf("note: no mlock2 here (qemu-riscv64 lacks it)\n");
	} else {
		TL_CHECK(mlock2(p, NPAGES * PAGE, MLOCK_ONFAULT) == 0 &&
			 resident(p, NPAGES) == 0 && vm_lck_kb() == lck0 + NPAGES * 4,
			 "mlock2(MLOCK_ONFAULT) locks without bringing pages in");
		TL_CHECK(mlock2(p, PAGE, 2) == -1 && errno == EINVAL,
			 "mlock2: an unknown flag is EINVAL");
		TL_CHECK(munlock(p, NPAGES * PAGE) == 0, "munlock it");
	}
	munmap(p + 4 * PAGE, PAGE);
	TL_CHECK(mlock(p, NPAGES * PAGE) == -1 && errno == ENOMEM, "mlock over a hole is ENOMEM");
	TL_CHECK(munlock(p, NPAGES * PAGE) == -1 && errno == ENOMEM, "munlock over a hole is ENOMEM");
	munmap(p, NPAGES * PAGE);

	TL_CHECK(mlockall(0) == -1 && errno == EINVAL, "mlockall(0) is EINVAL");
	TL_CHECK(mlockall(MCL_ONFAULT) == -1 && errno == EINVAL, "mlockall(MCL_ONFAULT) alone is EINVAL");
	TL_CHECK(mlockall(8) == -1 && errno == EINVAL, "mlockall: an unknown flag is EINVAL");
	TL_CHECK(mlockall(MCL_FUTURE) == 0, "mlockall(MCL_FUTURE)");
	p = anon(NPAGES);
	TL_CHECK(p && resident(p, NPAGES) == NPAGES, "a later mapping comes in whole, locked");
	TL_CHECK(munlockall() == 0 && vm_lck_kb() == 0, "munlockall unlocks everything");
	if (p)
		munmap(p, NPAGES * PAGE);
	p = anon(NPAGES);
	TL_CHECK(p && resident(p, NPAGES) == 0, "after munlockall new mappings are lazy again");
	if (p)
		munmap(p, NPAGES * PAGE);
	if (tl_on_kilburn()) {	/* locking all of qemu-riscv64's space passes a user's limit */
		TL_CHECK(mlockall(MCL_CURRENT) == 0 && vm_lck_kb() > 0, "mlockall(MCL_CURRENT)");
		TL_CHECK(munlockall() == 0 && vm_lck_kb() == 0, "munlockall");
	}
}

static void check_msync(void)
{
	int fd = open("/tmp/mm_msync", O_RDWR | O_CREAT | O_TRUNC, 0600);
	char *shared, *private, buf[8] = { 0 };

	if (fd < 0 || ftruncate(fd, 2 * PAGE) != 0) {
		TL_CHECK(0, "make a 2-page file");
		return;
	}
	shared = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	private = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	if (shared == MAP_FAILED || private == MAP_FAILED) {
		TL_CHECK(0, "map it shared and private");
		close(fd);
		return;
	}
	memcpy(shared + PAGE, "shared", 7);
	TL_CHECK(msync(shared, 2 * PAGE, MS_SYNC) == 0, "msync MS_SYNC");
	TL_CHECK(pread(fd, buf, 7, PAGE) == 7 && strcmp(buf, "shared") == 0,
		 "a MAP_SHARED store is in the file");
	TL_CHECK(pwrite(fd, "write", 6, 0) == 6 && strcmp(shared, "write") == 0 &&
		 strcmp(private, "write") == 0, "write(2) shows in both mappings");
	memcpy(private, "privy", 6);
	TL_CHECK(msync(private, 2 * PAGE, MS_ASYNC) == 0, "msync MS_ASYNC");
	TL_CHECK(pread(fd, buf, 6, 0) == 6 && strcmp(buf, "write") == 0 &&
		 strcmp(shared, "write") == 0, "a MAP_PRIVATE store never reaches the file");
	TL_CHECK(msync(shared, PAGE, MS_INVALIDATE) == 0, "msync MS_INVALIDATE");
	TL_CHECK(msync(shared, 0, MS_SYNC) == 0, "msync of 0 bytes");
	TL_CHECK(msync(shared + 1, PAGE, MS_SYNC) == -1 && errno == EINVAL, "msync: unaligned is EINVAL");
	TL_CHECK(msync(shared, PAGE, MS_SYNC | MS_ASYNC) == -1 && errno == EINVAL,
		 "msync: MS_SYNC with MS_ASYNC is EINVAL");
	TL_CHECK(msync(shared, PAGE, 8) == -1 && errno == EINVAL, "msync: an unknown flag is EINVAL");
	TL_CHECK(mlock(shared, PAGE) == 0 && msync(shared, PAGE, MS_INVALIDATE) == -1 &&
		 errno == EBUSY, "msync: MS_INVALIDATE of locked pages is EBUSY");
	munlock(shared, PAGE);
	munmap(shared, 2 * PAGE);
	TL_CHECK(msync(shared, 2 * PAGE, MS_SYNC) == -1 && errno == ENOMEM,
		 "msync: an unmapped range is ENOMEM");
	munmap(private, 2 * PAGE);
	close(fd);
	unlink("/tmp/mm_msync");
}

/* Set RLIMIT_MEMLOCK to soft, hard pages; 0 or -1. */
static int set_memlock(long soft, long hard)
{
	struct rlimit rl = { (rlim_t)soft * PAGE, (rlim_t)hard * PAGE };

	return setrlimit(RLIMIT_MEMLOCK, &rl);
}

/* The limit as uid 1000 meets it; run in a child, which ends here. */
static void memlock_unprivileged(void)
{
	char *p = anon(NPAGES), *q;

	TL_CHECK(p && set_memlock(4, 8) == 0 && setuid(1000) == 0, "uid 1000, limit 4 pages");
	if (!p)
		_exit(1);
	TL_CHECK(mlock(p, 4 * PAGE) == 0, "uid 1000: mlock of 4 pages, the limit");
	TL_CHECK(mlock(p + 4 * PAGE, PAGE) == -1 && errno == ENOMEM,
		 "uid 1000: one page more is ENOMEM");
	TL_CHECK(mlock(p, 4 * PAGE) == 0, "uid 1000: the locked pages again (not counted twice)");
	TL_CHECK(munlock(p, 4 * PAGE) == 0 && mlock(p + 8 * PAGE, 4 * PAGE) == 0,
		 "uid 1000: munlock gives the room back");
	munlock(p + 8 * PAGE, 4 * PAGE);
	q = mmap(NULL, 5 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_LOCKED,
		 -1, 0);
	TL_CHECK(q == MAP_FAILED && errno == EAGAIN, "uid 1000: MAP_LOCKED past the limit is EAGAIN");
	q = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_LOCKED,
		 -1, 0);
	TL_CHECK(q != MAP_FAILED && vm_lck_kb() == 2 * 4, "uid 1000: MAP_LOCKED within it");
	if (q != MAP_FAILED)
		munmap(q, 2 * PAGE);
	TL_CHECK(mlockall(MCL_CURRENT) == -1 && errno == ENOMEM,
		 "uid 1000: mlockall(MCL_CURRENT) of more than the limit is ENOMEM");
	TL_CHECK(mlockall(MCL_FUTURE) == 0, "uid 1000: mlockall(MCL_FUTURE) alone");
	q = mmap(NULL, NPAGES * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	/* qemu-riscv64 maps guest memory its own way and turns EAGAIN into ENOMEM */
	TL_CHECK(q == MAP_FAILED && (errno == EAGAIN || (errno == ENOMEM && !tl_on_kilburn())),
		 "uid 1000: after it, a mapping past the limit is EAGAIN");
	TL_CHECK(sbrk(NPAGES * PAGE) == (void *)-1, "uid 1000: ... and brk past it fails");
	TL_CHECK(munlockall() == 0, "uid 1000: munlockall");
	TL_CHECK(set_memlock(4, 16) == -1 && errno == EPERM,
		 "uid 1000: raising the hard limit is EPERM");
	TL_CHECK(set_memlock(0, 8) == 0 && mlock(p, PAGE) == -1 && errno == EPERM,
		 "uid 1000: with a limit of 0, mlock is EPERM");
	q = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_LOCKED, -1, 0);
	TL_CHECK(q == MAP_FAILED && errno == EPERM, "uid 1000: ... and MAP_LOCKED is EPERM");
	TL_CHECK(mlockall(MCL_FUTURE) == -1 && errno == EPERM, "uid 1000: ... and mlockall");
	TL_CHECK(munlock(p, PAGE) == 0, "uid 1000: ... but munlock is not");
	_exit(0);
}

/*
 * RLIMIT_MEMLOCK for root (no limit) and for uid 1000, in children: a
 * lowered hard limit cannot be raised again without CAP_SYS_RESOURCE.
 */
static void check_memlock_limit(void)
{
	int status = -1;
	pid_t pid;

	if (geteuid() != 0) {
		TL_CHECK(0, "run as root");
		return;
	}
	pid = fork();
	if (pid == 0) {
		char *p = anon(NPAGES);

		TL_CHECK(p && set_memlock(0, 0) == 0 && mlock(p, NPAGES * PAGE) == 0,
			 "root may lock with a limit of 0");
		_exit(0);
	}
	TL_CHECK(pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
		 WEXITSTATUS(status) == 0, "the root child ended");
	pid = fork();
	if (pid == 0)
		memlock_unprivileged();
	TL_CHECK(pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
		 WEXITSTATUS(status) == 0, "the uid 1000 child ended");
}

/* Mlocked and Unevictable of /proc/meminfo follow mlock and munlock. */
static void check_meminfo_mlocked(void)
{
	enum { N = 256 };		/* 1 MiB: plain above what else may change */
	long m0 = vt_proc_kb("/proc/meminfo", "Mlocked:"), u0, m1, u1;
	char *p = anon(N);

	u0 = vt_proc_kb("/proc/meminfo", "Unevictable:");
	if (!p || mlock(p, N * PAGE) != 0) {
		TL_CHECK(0, "mlock 256 pages");
		return;
	}
	m1 = vt_proc_kb("/proc/meminfo", "Mlocked:");
	u1 = vt_proc_kb("/proc/meminfo", "Unevictable:");
	/* Linux's counters lag by per-CPU batches: a quarter either way */
	TL_CHECK(m0 >= 0 && m1 - m0 >= N * 3 && m1 - m0 <= N * 5,
		 "meminfo: Mlocked grows by the pages locked");
	TL_CHECK(u0 >= 0 && u1 - u0 >= N * 3 && u1 - u0 <= N * 5,
		 "meminfo: so does Unevictable");
	if (tl_on_kilburn())
		TL_CHECK(m1 - m0 == N * 4 && u1 - u0 == N * 4,
			 "meminfo: on Kilburn exactly by the pages locked");
	munlock(p, N * PAGE);
	m1 = vt_proc_kb("/proc/meminfo", "Mlocked:");
	TL_CHECK(m1 - m0 < N && m0 - m1 < N, "meminfo: munlock takes them off Mlocked");
	munmap(p, N * PAGE);
}

int main(void)
{
	long before;

	printf("mm_lock: mlock, mincore, msync\n");
	check_mincore();		/* warm-up */
	check_willneed();
	check_mlock();
	check_msync();
	before = tl_frames_free();
	check_mincore();
	check_mlock();
	check_msync();
	check_willneed();
	check_memlock_limit();
	check_meminfo_mlocked();
	tl_check_no_leak(before);
	return tl_done();
}
