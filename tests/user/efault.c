/*
 * efault: every system call that takes a pointer returns -EFAULT for one
 * the process may not use, and the process runs on. Each pointer argument
 * of read, write, readv, writev, openat, newfstatat, fstat, getdents64,
 * pipe2, getcwd, chdir, mkdirat, unlinkat, faccessat, readlinkat, execve
 * (path, argv, envp and their entries), wait4, clock_gettime,
 * clock_nanosleep, nanosleep, gettimeofday, uname, getrandom, prlimit64,
 * rt_sigaction, rt_sigprocmask and ioctl TCGETS/TIOCGWINSZ on the console
 * is given NULL (where NULL is not "none"), two kernel addresses, a
 * non-canonical address, an unmapped user address, a PROT_NONE page, a
 * read-only page (for what the kernel writes), objects and strings that run
 * from a valid page into a PROT_NONE one, a buffer straddling the top of the
 * user half and a string running into it without a NUL. Side effects are
 * checked too: nothing is written to a pipe, no descriptor is left
 * behind, the signal mask and working directory do not change.
 *
 * System calls are made with a raw ecall, so no C library wrapper touches
 * the pointer first.
 */
#define _GNU_SOURCE
#include "tlib.h"
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

#define USER_TOP	0x4000000000UL	/* end of the Sv39 user half */
#define PAGE		4096UL
#define TCGETS		0x5401
#define TIOCGWINSZ	0x5413
#define RLIMIT_STACK	3

static long sc(long nr, long a, long b, long c, long d, long e, long f)
{
	register long a0 __asm__("a0") = a;
	register long a1 __asm__("a1") = b;
	register long a2 __asm__("a2") = c;
	register long a3 __asm__("a3") = d;
	register long a4 __asm__("a4") = e;
	register long a5 __asm__("a5") = f;
	register long a7 __asm__("a7") = nr;

	__asm__ volatile("ecall"
			 : "+r"(a0)
			 : "r"(a1), "r"(a2), "r"(a3), "r"(a4), "r"(a5), "r"(a7)
			 : "memory");
	return a0;
}

#define SC0(n)			sc(n, 0, 0, 0, 0, 0, 0)
#define SC1(n, a)		sc(n, (long)(a), 0, 0, 0, 0, 0)
#define SC2(n, a, b)		sc(n, (long)(a), (long)(b), 0, 0, 0, 0)
#define SC3(n, a, b, c)		sc(n, (long)(a), (long)(b), (long)(c), 0, 0, 0)
#define SC4(n, a, b, c, d)	sc(n, (long)(a), (long)(b), (long)(c), (long)(d), 0, 0)

/* ------------------------------------------------------- the bad pointers */

/* What a bad pointer may stand for. */
#define IN	1	/* memory the kernel reads (an object or array) */
#define OUT	2	/* memory the kernel writes (an object) */
#define STR	4	/* a NUL-terminated string */
#define BUF	8	/* a variable-length buffer (read/write counts) */
#define NONULL	16	/* not for optional pointers, where NULL means "none" */

struct bad {
	const char *name;
	unsigned long addr;
	int use;
};

static struct bad bads[16];
static int nbads;
static unsigned long rw_page, none_page, ro_page;
static unsigned long top_page;		/* the last page of the user half, RW */
static int top_is_ours;			/* we mapped it (else it is the stack's) */
static char top_saved[16];

static void add_bad(const char *name, unsigned long addr, int use)
{
	bads[nbads++] = (struct bad){ name, addr, use };
}

/* Is [addr, addr + 1) inside a mapping of ours (from /proc/self/maps)? */
static int mapped_writable(unsigned long addr, int *found)
{
	char buf[4096];
	int fd = open("/proc/self/maps", O_RDONLY), n, len = 0;
	char *line;

	*found = 0;
	if (fd < 0)
		return 0;
	while (len < (int)sizeof(buf) - 1 && (n = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0)
		len += n;
	close(fd);
	buf[len] = 0;
	for (line = buf; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
		char *end;
		unsigned long lo = strtoul(line, &end, 16), hi;

		if (*end != '-')
			continue;
		hi = strtoul(end + 1, &end, 16);
		if (addr >= lo && addr < hi) {
			*found = 1;
			return end[1] == 'r' && end[2] == 'w';
		}
	}
	return 0;
}

/*
 * Lay out the test pages: rw | none | ro, and the last page of the user
 * half (the stack's top page on Kilburn; mapped here if nothing is there).
 */
static int setup_pages(void)
{
	void *p = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int found;

	if (p == MAP_FAILED)
		return -1;
	rw_page = (unsigned long)p;
	none_page = rw_page + PAGE;
	ro_page = rw_page + 2 * PAGE;
	memset(p, 'a', 3 * PAGE);
	if (mprotect((void *)none_page, PAGE, PROT_NONE) < 0 ||
	    mprotect((void *)ro_page, PAGE, PROT_READ) < 0)
		return -1;

	top_page = USER_TOP - PAGE;
	if (mapped_writable(top_page, &found)) {
		top_is_ours = 0;
	} else if (!found && mmap((void *)top_page, PAGE, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
				  -1, 0) == (void *)top_page) {
		top_is_ours = 1;
	} else {
		top_page = 0;		/* cannot make the straddling cases */
	}

	add_bad("NULL", 0, IN | OUT | STR | BUF | NONULL);
	add_bad("kernel direct map 0xffffffc000000000", 0xffffffc000000000UL,
		IN | OUT | STR | BUF);
	add_bad("kernel image 0xffffffff80200000", 0xffffffff80200000UL, IN | OUT | STR | BUF);
	add_bad("non-canonical 0x8000000000", 0x8000000000UL, IN | OUT | STR | BUF);
	add_bad("unmapped 0x12340000", 0x12340000UL, IN | OUT | STR | BUF);
	add_bad("PROT_NONE page", none_page, IN | OUT | STR | BUF);
	add_bad("read-only page", ro_page, OUT);
	add_bad("object running into a PROT_NONE page", none_page - 2, IN | OUT);
	add_bad("string running into a PROT_NONE page", none_page - 16, STR);
	if (top_page) {
		/* every object is at least 4 bytes (getcwd's "/" is moved one on) */
		add_bad("object straddling the top of the user half", USER_TOP - 2, IN | OUT);
		/* Linux may have more address space above: short counts there */
		if (tl_on_kilburn())
			add_bad("64 bytes at 0x3ffffffff8, straddling the top", USER_TOP - 8, BUF);
		add_bad("string at 0x3ffffffff0 with no NUL before the top", USER_TOP - 16, STR);
	}
	return 0;
}

/*
 * Before the string cases: the strings that run into the PROT_NONE page and
 * off the top need non-NUL bytes up to there (partial copies of the object
 * cases may have left NULs); the top bytes are put back after.
 */
static void top_fill(void)
{
	memset((void *)rw_page, 'a', PAGE);
	if (!top_page)
		return;
	memcpy(top_saved, (void *)(USER_TOP - 16), 16);
	memset((void *)(USER_TOP - 16), 'z', 16);
}

static void top_restore(void)
{
	if (top_page)
		memcpy((void *)(USER_TOP - 16), top_saved, 16);
}

/* ------------------------------------------------------------ the checker */

/*
 * Run call(addr) for every bad pointer whose use matches `use` and check
 * that each returns -EFAULT. `optional` drops NULL (it means "none" there).
 */
typedef long (*call_fn)(unsigned long addr);

static void expect_efault(const char *what, call_fn call, int use, int optional)
{
	for (int i = 0; i < nbads; i++) {
		const struct bad *b = &bads[i];
		char msg[200];
		long r;

		if (!(b->use & use) || (optional && (b->use & NONULL)))
			continue;
		r = call(b->addr);
		snprintf(msg, sizeof(msg), "%s, %s: EFAULT", what, b->name);
		TL_CHECK(r == -EFAULT, msg);
		if (r != -EFAULT)
			printf("  got %ld\n", r);
	}
}

/* ----------------------------------------------------- one call at a time */

static int pipe_r = -1, pipe_w = -1, file_fd = -1, dir_fd = -1, tty_fd = -1;
static char good_path_buf[64];

static long c_read_pipe(unsigned long a)  { return SC3(SYS_read, pipe_r, a, 64); }
static long c_read_file(unsigned long a)  { return SC3(SYS_read, file_fd, a, 64); }
static long c_write_pipe(unsigned long a) { return SC3(SYS_write, pipe_w, a, 64); }

static long c_readv_iov(unsigned long a)  { return SC3(SYS_readv, file_fd, a, 1); }
static long c_writev_iov(unsigned long a) { return SC3(SYS_writev, pipe_w, a, 1); }
static long c_readv_base(unsigned long a)
{
	unsigned long iov[2] = { a, 64 };

	return SC3(SYS_readv, file_fd, iov, 1);
}
static long c_writev_base(unsigned long a)
{
	unsigned long iov[4] = { (unsigned long)good_path_buf, 4, a, 64 };

	/* the first vector is fine: Linux then returns 4; all bad is EFAULT */
	return SC3(SYS_writev, pipe_w, iov + 2, 1);
}

static long c_openat(unsigned long a)     { return SC4(SYS_openat, AT_FDCWD, a, O_RDONLY, 0); }
static long c_openat_creat(unsigned long a)
{
	return SC4(SYS_openat, AT_FDCWD, a, O_WRONLY | O_CREAT, 0644);
}
static long c_stat_path(unsigned long a)
{
	struct stat st;

	return SC4(SYS_newfstatat, AT_FDCWD, a, &st, 0);
}
static long c_stat_buf(unsigned long a)   { return SC4(SYS_newfstatat, AT_FDCWD, "/", a, 0); }
static long c_fstat(unsigned long a)      { return SC2(SYS_fstat, file_fd, a); }
static long c_getdents(unsigned long a)   { return SC3(SYS_getdents64, dir_fd, a, 4096); }
static long c_pipe2(unsigned long a)      { return SC2(SYS_pipe2, a, 0); }
/* getcwd's object is "/" and its NUL: two bytes, so cross one byte later */
static long c_getcwd(unsigned long a)
{
	if (a == none_page - 2 || a == USER_TOP - 2)
		a++;
	return SC2(SYS_getcwd, a, 64);
}
static long c_chdir(unsigned long a)      { return SC1(SYS_chdir, a); }
static long c_mkdirat(unsigned long a)    { return SC3(SYS_mkdirat, AT_FDCWD, a, 0755); }
static long c_unlinkat(unsigned long a)   { return SC3(SYS_unlinkat, AT_FDCWD, a, 0); }
static long c_faccessat(unsigned long a)  { return SC3(SYS_faccessat, AT_FDCWD, a, 0); }
static long c_readlink_path(unsigned long a)
{
	char buf[64];

	return SC4(SYS_readlinkat, AT_FDCWD, a, buf, sizeof(buf));
}
static long c_readlink_buf(unsigned long a)
{
	return SC4(SYS_readlinkat, AT_FDCWD, "/proc/self/exe", a, 64);
}

static char *true_argv[] = { "/bin/true", NULL };

static long c_exec_path(unsigned long a)  { return SC3(SYS_execve, a, true_argv, true_argv + 1); }
static long c_exec_argv(unsigned long a)  { return SC3(SYS_execve, "/bin/true", a, true_argv + 1); }
static long c_exec_envp(unsigned long a)  { return SC3(SYS_execve, "/bin/true", true_argv, a); }
static long c_exec_arg(unsigned long a)
{
	unsigned long argv[3] = { (unsigned long)"/bin/true", a, 0 };

	return SC3(SYS_execve, "/bin/true", argv, true_argv + 1);
}
static long c_exec_env(unsigned long a)
{
	unsigned long envp[3] = { (unsigned long)"A=1", a, 0 };

	return SC3(SYS_execve, "/bin/true", true_argv, envp);
}

/* A zombie child for each try; wait4 must fail to store its status. */
static long c_wait4(unsigned long a)
{
	pid_t pid = fork();
	long r;

	if (pid == 0)
		_exit(3);
	r = SC4(SYS_wait4, pid, a, 0, 0);
	waitpid(pid, NULL, 0);		/* in case it was not reaped */
	return r;
}

static long c_clock_gettime(unsigned long a) { return SC2(SYS_clock_gettime, 1, a); }
static long c_clock_nanosleep(unsigned long a)
{
	return SC4(SYS_clock_nanosleep, 1, 0, a, 0);
}
static long c_nanosleep(unsigned long a)  { return SC2(SYS_nanosleep, a, 0); }
static long c_gettimeofday(unsigned long a) { return SC2(SYS_gettimeofday, a, 0); }
static long c_uname(unsigned long a)      { return SC1(SYS_uname, a); }
static long c_getrandom(unsigned long a)  { return SC3(SYS_getrandom, a, 64, 0); }
static long c_prlimit_new(unsigned long a) { return SC4(SYS_prlimit64, 0, RLIMIT_STACK, a, 0); }
static long c_prlimit_old(unsigned long a) { return SC4(SYS_prlimit64, 0, RLIMIT_STACK, 0, a); }
static long c_sigaction_act(unsigned long a) { return SC4(SYS_rt_sigaction, SIGUSR1, a, 0, 8); }
static long c_sigaction_old(unsigned long a) { return SC4(SYS_rt_sigaction, SIGUSR1, 0, a, 8); }
static long c_sigprocmask_set(unsigned long a)
{
	return SC4(SYS_rt_sigprocmask, SIG_BLOCK, a, 0, 8);
}
static long c_sigprocmask_old(unsigned long a)
{
	return SC4(SYS_rt_sigprocmask, SIG_BLOCK, 0, a, 8);
}
static long c_tcgets(unsigned long a)     { return SC3(SYS_ioctl, tty_fd, TCGETS, a); }
static long c_tiocgwinsz(unsigned long a) { return SC3(SYS_ioctl, tty_fd, TIOCGWINSZ, a); }

/* -------------------------------------------------------------- the tests */

static int lowest_free_fd(void)
{
	int fd = open("/", O_RDONLY);

	close(fd);
	return fd;
}

static int pipe_empty(void)
{
	char c;
	int flags = fcntl(pipe_r, F_GETFL), empty;

	fcntl(pipe_r, F_SETFL, flags | O_NONBLOCK);
	empty = read(pipe_r, &c, 1) == -1 && errno == EAGAIN;
	fcntl(pipe_r, F_SETFL, flags);
	return empty;
}

static void test_io(void)
{
	expect_efault("read (file)", c_read_file, BUF, 0);
	expect_efault("write (pipe)", c_write_pipe, BUF, 0);
	TL_CHECK(pipe_empty(), "nothing reached the pipe from the failed writes");
	expect_efault("readv iov", c_readv_iov, IN, 0);
	expect_efault("readv iov_base", c_readv_base, BUF, 0);
	expect_efault("writev iov", c_writev_iov, IN, 0);
	expect_efault("writev iov_base", c_writev_base, BUF, 0);
	TL_CHECK(pipe_empty(), "nothing reached the pipe from the failed writev");

	/* reading a pipe into a bad buffer fails and loses nothing */
	TL_CHECK(write(pipe_w, "data", 4) == 4, "4 bytes put in the pipe");
	expect_efault("read (pipe holding data)", c_read_pipe, BUF, 0);
	char buf[8] = { 0 };
	TL_CHECK(read(pipe_r, buf, sizeof(buf)) == 4 && memcmp(buf, "data", 4) == 0,
		 "the data is still in the pipe after the failed reads");
}

static void test_files(void)
{
	int fd0 = lowest_free_fd(), fds[2] = { -1, -1 };
	char cwd0[256] = "?", cwd[256];
	struct stat st;

	getcwd(cwd0, sizeof(cwd0));

	top_fill();
	expect_efault("openat path", c_openat, STR, 0);
	expect_efault("openat O_CREAT path", c_openat_creat, STR, 0);
	expect_efault("newfstatat path", c_stat_path, STR, 0);
	expect_efault("chdir path", c_chdir, STR, 0);
	expect_efault("mkdirat path", c_mkdirat, STR, 0);
	expect_efault("unlinkat path", c_unlinkat, STR, 0);
	expect_efault("faccessat path", c_faccessat, STR, 0);
	expect_efault("readlinkat path", c_readlink_path, STR, 0);
	top_restore();
	expect_efault("newfstatat buf", c_stat_buf, OUT, 0);
	expect_efault("fstat buf", c_fstat, OUT, 0);
	expect_efault("getdents64 buf", c_getdents, BUF, 0);
	expect_efault("readlinkat buf", c_readlink_buf, BUF, 0);
	expect_efault("pipe2 fds", c_pipe2, OUT, 0);

	expect_efault("getcwd buf", c_getcwd, OUT, 0);

	TL_CHECK(lowest_free_fd() == fd0, "no descriptor left behind by the failed calls");
	TL_CHECK(getcwd(cwd, sizeof(cwd)) && strcmp(cwd, cwd0) == 0,
		 "working directory unchanged");
	TL_CHECK(pipe2(fds, 0) == 0 && fds[0] == fd0, "pipe2 with a good pointer works");
	close(fds[0]);
	close(fds[1]);
	TL_CHECK(stat("/", &st) == 0 && S_ISDIR(st.st_mode), "stat with good pointers works");
}

static void test_exec(void)
{
	top_fill();
	expect_efault("execve path", c_exec_path, STR, 0);
	/* a NULL entry ends the list, and a NULL argv or envp is an empty list */
	expect_efault("execve argv[1]", c_exec_arg, STR, 1);
	expect_efault("execve envp[1]", c_exec_env, STR, 1);
	top_restore();
	expect_efault("execve argv array", c_exec_argv, IN, 1);
	expect_efault("execve envp array", c_exec_envp, IN, 1);
}

static void test_proc(void)
{
	sigset_t before, after;
	struct timespec ts;

	sigprocmask(SIG_BLOCK, NULL, &before);
	expect_efault("wait4 status", c_wait4, OUT, 1);
	expect_efault("clock_gettime", c_clock_gettime, OUT, 0);
	expect_efault("clock_nanosleep request", c_clock_nanosleep, IN, 0);
	expect_efault("nanosleep request", c_nanosleep, IN, 0);
	expect_efault("gettimeofday", c_gettimeofday, OUT, 1);
	expect_efault("uname", c_uname, OUT, 0);
	expect_efault("getrandom", c_getrandom, BUF, 0);
	expect_efault("prlimit64 new", c_prlimit_new, IN, 1);
	expect_efault("prlimit64 old", c_prlimit_old, OUT, 1);
	expect_efault("rt_sigaction act", c_sigaction_act, IN, 1);
	expect_efault("rt_sigaction oldact", c_sigaction_old, OUT, 1);
	expect_efault("rt_sigprocmask set", c_sigprocmask_set, IN, 1);
	expect_efault("rt_sigprocmask oldset", c_sigprocmask_old, OUT, 1);
	sigprocmask(SIG_BLOCK, NULL, &after);
	TL_CHECK(memcmp(&before, &after, sizeof(before)) == 0, "the signal mask did not change");
	errno = 0;
	TL_CHECK(waitpid(-1, NULL, WNOHANG) == -1 && errno == ECHILD,
		 "the children of the wait4 tries are all gone");
	TL_CHECK(clock_gettime(CLOCK_MONOTONIC, &ts) == 0, "clock_gettime with a good pointer works");
}

static void test_tty(void)
{
	tty_fd = open(tl_on_kilburn() ? "/dev/console" : "/dev/tty", O_RDWR);
	if (tty_fd < 0) {
		printf("no terminal: ioctl cases skipped\n");
		return;
	}
	expect_efault("ioctl TCGETS", c_tcgets, OUT, 0);
	expect_efault("ioctl TIOCGWINSZ", c_tiocgwinsz, OUT, 0);
	close(tty_fd);
}

int main(void)
{
	int p[2];
	long before = -1;

	TL_CHECK(setup_pages() == 0, "test pages: rw | PROT_NONE | read-only");
	if (!top_page)
		printf("the last user page is not usable: straddling cases skipped\n");
	TL_CHECK(pipe(p) == 0, "a pipe");
	pipe_r = p[0];
	pipe_w = p[1];
	file_fd = open("/bin/true", O_RDONLY);
	dir_fd = open("/", O_RDONLY | O_DIRECTORY);
	TL_CHECK(file_fd >= 0 && dir_fd >= 0, "a file and a directory open");
	strcpy(good_path_buf, "good");

	for (int round = 1; round <= 2; round++) {
		printf("round %d\n", round);
		if (round == 2)
			before = tl_frames_free();
		test_io();
		test_files();
		test_exec();
		test_proc();
		test_tty();
	}
	tl_check_no_leak(before);
	close(file_fd);
	close(dir_fd);
	close(pipe_r);
	close(pipe_w);
	if (top_is_ours)
		munmap((void *)top_page, PAGE);
	return tl_done();
}
