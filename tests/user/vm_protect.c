/*
 * vm_protect: a bad access kills only the process that made it.
 *
 * Each bad access is made by a child, which must die of SIGSEGV while the
 * parent (checking with waitpid) carries on with its memory intact:
 * writing the program's text, executing the heap, the stack or a
 * read-write mapping (a `ret` copied there; the same bytes in an
 * executable mapping do run), reading page 0, reading, writing or
 * jumping to kernel addresses and addresses past the user half, writing a
 * PROT_READ mapping, reading PROT_NONE memory. A fault kills the process
 * even when it ignores or blocks SIGSEGV (as on Linux, the signal is
 * forced).
 *
 * A system call that would write into a read-only page, or read from an
 * unreadable one, gets EFAULT and nothing else happens; one that writes
 * into a not-yet-touched (lazy) page or a copy-on-write page works.
 */
#include "vmtest.h"

#define RET_INSN	0x00008067u	/* jalr x0, 0(ra) */

static unsigned char keep[4096];	/* the parent's data, checked at the end */

typedef void (*fn_t)(void);

static int write_at(void *addr)
{
	*(volatile unsigned char *)addr = 1;
	return 0;
}

static int read_at(void *addr)
{
	return *(volatile unsigned char *)addr == 0x5a ? 3 : 0;
}

static int call_at(void *addr)
{
	__asm__ volatile("fence.i" ::: "memory");
	((fn_t)addr)();
	return 0;
}

/* Put a `ret` at p and call it. */
static int run_ret(void *p)
{
	unsigned int insn = RET_INSN;

	memcpy(p, &insn, sizeof(insn));
	return call_at(p);
}

static int exec_heap(void *arg)
{
	unsigned char *p = malloc(64);

	(void)arg;
	return p ? run_ret(p + 16) : 2;
}

static int exec_stack(void *arg)
{
	unsigned int buf[8];

	(void)arg;
	return run_ret(&buf[2]);
}

static int write_ignored(void *addr)
{
	signal(SIGSEGV, SIG_IGN);
	return write_at(addr);
}

static int write_blocked(void *addr)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGSEGV);
	sigprocmask(SIG_BLOCK, &set, NULL);
	return write_at(addr);
}

/* Run fn(arg) in a child that must die of SIGSEGV. */
static void must_segv(int (*fn)(void *), void *arg, const char *what)
{
	int st = vt_run(fn, arg, 20);

	VT_CHECK(vt_killed_by(st, SIGSEGV), "%s: the child dies of SIGSEGV (%s)", what, vt_how(st));
}

static int faults(void *arg)
{
	unsigned char *ro = mmap(NULL, VT_PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned char *none = mmap(NULL, VT_PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned char *rw = mmap(NULL, VT_PAGE, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned char *rwx = mmap(NULL, VT_PAGE, PROT_READ | PROT_WRITE | PROT_EXEC,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int st;

	(void)arg;
	if (ro == MAP_FAILED || none == MAP_FAILED || rw == MAP_FAILED || rwx == MAP_FAILED) {
		TL_CHECK(0, "mmap");
		return 1;
	}
	must_segv(write_at, (void *)(uintptr_t)faults, "write to the program's text");
	must_segv(exec_heap, NULL, "execute a ret in the heap");
	must_segv(exec_stack, NULL, "execute a ret on the stack");
	must_segv(run_ret, rw, "execute a ret in a read-write mapping");
	st = vt_run(run_ret, rwx, 20);
	VT_CHECK(vt_exited_ok(st), "the same ret in a PROT_EXEC mapping runs (%s)", vt_how(st));
	must_segv(read_at, NULL, "read page 0");
	must_segv(write_at, (void *)16, "write page 0");
	must_segv(read_at, (void *)0xffffffc000000000UL, "read a kernel address");
	must_segv(write_at, (void *)0xffffffff80200000UL, "write a kernel address");
	must_segv(call_at, (void *)0xffffffff80200000UL, "jump to a kernel address");
	must_segv(read_at, (void *)0x4000000000UL, "read at 256 GiB, past the user half");
	must_segv(read_at, (void *)0x8000000000000000UL, "read a non-canonical address");
	must_segv(write_at, ro, "write a PROT_READ mapping");
	must_segv(read_at, none, "read PROT_NONE memory");
	must_segv(write_at, none, "write PROT_NONE memory");
	must_segv(write_ignored, ro, "write a PROT_READ mapping with SIGSEGV ignored");
	must_segv(write_blocked, ro, "write a PROT_READ mapping with SIGSEGV blocked");
	munmap(ro, VT_PAGE);
	munmap(none, VT_PAGE);
	munmap(rw, VT_PAGE);
	munmap(rwx, VT_PAGE);
	return tl_failed_here;
}

/* ---- system calls touching bad memory */

/* read() n bytes from a pipe holding them into p; the result and errno. */
static long pipe_read_into(void *p, size_t n, int *err)
{
	int fds[2];
	char src[64];
	long r;

	if (pipe(fds))
		return -2;
	memset(src, 'k', sizeof(src));
	if (write(fds[1], src, n) != (ssize_t)n)
		return -2;
	errno = 0;
	r = read(fds[0], p, n);
	*err = errno;
	close(fds[0]);
	close(fds[1]);
	return r;
}

/* write() n bytes from p into a pipe; the result and errno. */
static long pipe_write_from(const void *p, size_t n, int *err)
{
	int fds[2];
	long r;

	if (pipe(fds))
		return -2;
	errno = 0;
	r = write(fds[1], p, n);
	*err = errno;
	close(fds[0]);
	close(fds[1]);
	return r;
}

static int syscalls(void *arg)
{
	unsigned char *ro = mmap(NULL, VT_PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned char *none = mmap(NULL, VT_PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned char *lazy = mmap(NULL, 2 * VT_PAGE, PROT_READ | PROT_WRITE,
				   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int err = 0, st;
	long r;

	(void)arg;
	if (ro == MAP_FAILED || none == MAP_FAILED || lazy == MAP_FAILED) {
		TL_CHECK(0, "mmap");
		return 1;
	}
	r = pipe_read_into(ro, 16, &err);
	TL_CHECK(r == -1 && err == EFAULT && ro[0] == 0,
		 "read() into a PROT_READ page: EFAULT, the page unchanged");
	r = pipe_read_into((void *)(uintptr_t)syscalls, 16, &err);
	TL_CHECK(r == -1 && err == EFAULT, "read() into the program's text: EFAULT");
	r = pipe_read_into(none, 16, &err);
	TL_CHECK(r == -1 && err == EFAULT, "read() into PROT_NONE memory: EFAULT");
	r = pipe_read_into((void *)0xffffffc000000000UL, 16, &err);
	TL_CHECK(r == -1 && err == EFAULT, "read() into a kernel address: EFAULT");
	r = pipe_read_into(NULL, 16, &err);
	TL_CHECK(r == -1 && err == EFAULT, "read() into NULL: EFAULT");
	r = pipe_write_from(none, 16, &err);
	TL_CHECK(r == -1 && err == EFAULT, "write() from PROT_NONE memory: EFAULT");
	r = pipe_write_from((void *)0xffffffff80200000UL, 16, &err);
	TL_CHECK(r == -1 && err == EFAULT, "write() from a kernel address: EFAULT");

	r = pipe_read_into(lazy + VT_PAGE - 8, 16, &err);
	TL_CHECK(r == 16 && lazy[VT_PAGE - 8] == 'k' && lazy[VT_PAGE + 7] == 'k',
		 "read() into two untouched (lazy) pages works");
	memset(keep, 'p', sizeof(keep));
	fflush(stdout);
	pid_t pid = fork();

	if (pid == 0) {
		r = pipe_read_into(keep + 100, 16, &err);
		_exit(!(r == 16 && keep[100] == 'k' && keep[99] == 'p'));
	}
	st = vt_wait(pid, 30);
	VT_CHECK(vt_exited_ok(st), "read() into a copy-on-write page works in the child (%s)",
		 vt_how(st));
	TL_CHECK(keep[100] == 'p', "and leaves the parent's copy alone");
	munmap(ro, VT_PAGE);
	munmap(none, VT_PAGE);
	munmap(lazy, 2 * VT_PAGE);
	return tl_failed_here;
}

int main(void)
{
	long before;
	int st;

	printf("vm_protect: bad accesses kill only the offender\n");
	memset(keep, 'K', sizeof(keep));
	st = vt_run(read_at, NULL, 20);		/* warm up: a first fault and kill */
	before = tl_frames_free();
	st = vt_run(faults, NULL, 300);
	VT_CHECK(vt_exited_ok(st), "the fault checks passed (%s)", vt_how(st));
	st = vt_run(syscalls, NULL, 60);
	VT_CHECK(vt_exited_ok(st), "the system-call checks passed (%s)", vt_how(st));
	st = 1;
	for (size_t i = 0; i < sizeof(keep); i++)
		st &= keep[i] == 'K';
	TL_CHECK(st, "the parent's memory is intact");
	tl_check_no_leak(before);
	return tl_done();
}
