/*
 * sys_random: 200,000 system calls with garbage arguments cannot hurt the
 * kernel, nor the data of the process that makes them.
 *
 * A child process makes the calls, drawn from about 75 system calls (memory,
 * files, processes, and numbers no kernel has), each made straight with
 * ecall so the arguments really are garbage: random 64-bit values, small
 * and negative integers, NULL, kernel addresses, unmapped pages, pointers
 * running off the end of a mapping into a read-only, a PROT_NONE or an
 * unmapped page, pointers into the program's own text, huge lengths, random
 * flags and descriptors. Every result is checked: an errno the call may give,
 * or a success that makes sense (a descriptor, a count no larger than asked,
 * an aligned address...). A call the kernel does not have answers -ENOSYS,
 * every time.
 *
 * The storm must not wreck the child itself, so: a checksummed area (64
 * pages of a pattern, between PROT_NONE guard pages, and a heap object) and
 * the program's image, heap and stack are never the target of a memory call
 * (one whose range overlaps them is moved elsewhere) nor of a pointer the
 * kernel writes through; descriptors 0-2 are /dev/null and never closed;
 * pipes stay non-blocking, sleeps are tiny, waits do not hang, signals sent
 * are 0 or invalid. A fatal signal kills only the child: the parent then
 * names the call that killed it. A SIGSEGV there is a kernel bug: a bad
 * pointer given to a system call must give EFAULT.
 *
 * Afterwards: the child finds its data intact and closes every descriptor
 * the storm left open (counted); the parent finds its own copy intact, the
 * kernel still forks, execs, maps and writes files, and, once the child is
 * reaped and its files removed, every frame is back.
 *
 *	/tests/sys_random [SEED [CALLS]]
 *
 * The seed is printed; the same seed gives the same calls. On Linux (for
 * instance qemu-riscv64) the same calls run, except a few that could touch
 * the host outside the test's directory: paths that create or remove
 * things stay in the test's directory there.
 */
#include <dirent.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include "vmtest.h"

#define CALLS		200000
#define SEED		0x5359535241ULL
#define WARMUP_CALLS	3000
#define DATA_PAGES	64
#define HEAP_OBJ	(3 * 4096 + 123)
#define MM_PAGES	64		/* where memory calls may land instead */
#define NFD		1024		/* RLIMIT_NOFILE of the child */
#define KERNEL_HALF	0xffffffc000000000UL
#define KERNEL_TEXT	0xffffffff80200000UL
#define USER_TOP	0x4000000000UL
#define MAX(a, b)	((a) > (b) ? (a) : (b))

/* ---- errno bits: a call may fail only with the errors of its class */

#define B(e)		((unsigned __int128)1 << (e))
#define E_BASIC		(B(EINVAL) | B(EFAULT) | B(ENOMEM) | B(EPERM) | B(EACCES))
#define E_FD		(B(EBADF) | B(EINVAL) | B(EFAULT) | B(ENOMEM))
#define E_IO		(E_FD | B(EISDIR) | B(EAGAIN) | B(EINTR) | B(EIO) | B(ESPIPE) | \
			 B(EPIPE) | B(ENOSPC) | B(EFBIG) | B(EOVERFLOW) | B(ENXIO) | \
			 B(EPERM) | B(EACCES) | B(ENOTDIR) | B(EOPNOTSUPP))
#define E_PATH		(B(ENOENT) | B(ENOTDIR) | B(ENAMETOOLONG) | B(ELOOP) | B(EFAULT) | \
			 B(EACCES) | B(EBADF) | B(ENOMEM) | B(EINVAL))
#define E_MUT		(E_PATH | B(EEXIST) | B(EROFS) | B(EPERM) | B(EISDIR) | \
			 B(ENOTEMPTY) | B(ENOSPC) | B(EBUSY) | B(EXDEV) | B(EMLINK) | \
			 B(ETXTBSY) | B(122) /* EDQUOT */)
#define E_MM		(B(EINVAL) | B(ENOMEM) | B(EBADF) | B(EACCES) | B(ENODEV) | \
			 B(EPERM) | B(EEXIST) | B(EOVERFLOW) | B(EOPNOTSUPP) | B(EAGAIN) | \
			 B(ETXTBSY) | B(EFAULT))

/* What a success of the call looks like. */
enum ok_kind {
	OK_ZERO, OK_FD, OK_COUNT, OK_ADDR, OK_BRK, OK_NONNEG, OK_PID, OK_PPID,
	OK_UMASK, OK_GETCWD, OK_NEVER,
};

/* Argument kinds: what a call's argument usually is. */
enum {
	K_ANY, K_INT, K_FD, K_WPTR, K_RPTR, K_LEN, K_OFF, K_PATH, K_MPATH,
	K_DIRFD, K_MDIRFD, K_ADDR, K_PROT, K_MAPF, K_CLOCK, K_TS, K_SIG, K_RES,
	K_CPATH,
};

struct call {
	const char *name;
	long nr;
	unsigned char kind[6];
	unsigned char ok, count_arg;	/* count_arg: the length an OK_COUNT is within */
	unsigned char maybe_nosys;	/* a call Kilburn may not have yet */
	unsigned __int128 errs;
};

#define NA	0xff
static const struct call calls[] = {
	/* memory */
	{ "mmap", 222, { K_ADDR, K_LEN, K_PROT, K_MAPF, K_FD, K_OFF }, OK_ADDR, NA, 0, E_MM },
	{ "munmap", 215, { K_ADDR, K_LEN }, OK_ZERO, NA, 0, E_MM },
	{ "mprotect", 226, { K_ADDR, K_LEN, K_PROT }, OK_ZERO, NA, 0, E_MM },
	{ "mremap", 216, { K_ADDR, K_LEN, K_LEN, K_INT, K_ADDR }, OK_ADDR, NA, 0, E_MM },
	{ "madvise", 233, { K_ADDR, K_LEN, K_INT }, OK_ZERO, NA, 0, E_MM | B(EIO) },
	{ "brk", 214, { K_ADDR }, OK_BRK, NA, 0, 0 },
	{ "msync", 227, { K_ADDR, K_LEN, K_INT }, OK_ZERO, NA, 1, E_MM | B(EBUSY) },
	{ "mincore", 232, { K_ADDR, K_LEN, K_WPTR }, OK_ZERO, NA, 1, E_MM },
	/* files */
	{ "openat", 56, { K_DIRFD, K_PATH, K_INT, K_INT }, OK_FD, NA, 0,
	  E_MUT | B(EMFILE) | B(ENFILE) | B(ENXIO) | B(ENODEV) | B(EOPNOTSUPP) | B(EOVERFLOW) },
	{ "read", 63, { K_FD, K_WPTR, K_LEN }, OK_COUNT, 2, 0, E_IO },
	{ "write", 64, { K_FD, K_RPTR, K_LEN }, OK_COUNT, 2, 0, E_IO },
	{ "pread64", 67, { K_FD, K_WPTR, K_LEN, K_OFF }, OK_COUNT, 2, 0, E_IO },
	{ "pwrite64", 68, { K_FD, K_RPTR, K_LEN, K_OFF }, OK_COUNT, 2, 0, E_IO },
	{ "readv", 65, { K_FD, K_ANY, K_INT }, OK_NONNEG, NA, 0, E_IO },
	{ "writev", 66, { K_FD, K_ANY, K_INT }, OK_NONNEG, NA, 0, E_IO },
	{ "lseek", 62, { K_FD, K_OFF, K_INT }, OK_NONNEG, NA, 0, E_FD | B(ESPIPE) | B(EOVERFLOW) | B(ENXIO) },
	{ "close", 57, { K_FD }, OK_ZERO, NA, 0, B(EBADF) | B(EINTR) | B(EIO) },
	{ "dup", 23, { K_FD }, OK_FD, NA, 0, B(EBADF) | B(EMFILE) | B(ENOMEM) },
	{ "dup3", 24, { K_FD, K_FD, K_INT }, OK_FD, NA, 0, B(EBADF) | B(EINVAL) | B(EMFILE) | B(ENOMEM) | B(EBUSY) },
	{ "fcntl", 25, { K_FD, K_INT, K_ANY }, OK_NONNEG, NA, 0,
	  E_FD | B(EMFILE) | B(EPERM) | B(EACCES) | B(EAGAIN) | B(EBUSY) | B(ENOLCK) | B(EDEADLK) |
	  B(ESRCH) | B(EINTR) | B(ENOTDIR) | B(EOVERFLOW) },
	{ "getdents64", 61, { K_FD, K_WPTR, K_LEN }, OK_COUNT, 2, 0, E_FD | B(ENOTDIR) | B(ENOENT) },
	{ "newfstatat", 79, { K_DIRFD, K_PATH, K_WPTR, K_INT }, OK_ZERO, NA, 0, E_PATH | B(EOVERFLOW) },
	{ "fstat", 80, { K_FD, K_WPTR }, OK_ZERO, NA, 0, E_FD | B(EOVERFLOW) },
	{ "mkdirat", 34, { K_MDIRFD, K_MPATH, K_INT }, OK_ZERO, NA, 0, E_MUT },
	{ "unlinkat", 35, { K_MDIRFD, K_MPATH, K_INT }, OK_ZERO, NA, 0, E_MUT },
	{ "readlinkat", 78, { K_DIRFD, K_PATH, K_WPTR, K_LEN }, OK_COUNT, 3, 0, E_PATH },
	{ "faccessat", 48, { K_DIRFD, K_PATH, K_INT }, OK_ZERO, NA, 0,
	  E_PATH | B(EROFS) | B(ETXTBSY) | B(EPERM) },
	{ "chdir", 49, { K_CPATH }, OK_ZERO, NA, 0, E_PATH },
	{ "fchdir", 50, { K_FD }, OK_ZERO, NA, 1, B(EBADF) | B(ENOTDIR) | B(EACCES) },
	{ "getcwd", 17, { K_WPTR, K_LEN }, OK_GETCWD, 1, 0, B(EFAULT) | B(ERANGE) | B(EINVAL) | B(ENOENT) | B(ENOMEM) },
	{ "pipe2", 59, { K_WPTR, K_INT }, OK_ZERO, NA, 0, B(EFAULT) | B(EINVAL) | B(EMFILE) | B(ENFILE) | B(ENOMEM) },
	{ "ioctl", 29, { K_FD, K_INT, K_ANY }, OK_NONNEG, NA, 0, E_IO | B(ENOTTY) | B(ENOSYS) | B(ENODEV) },
	{ "ftruncate", 46, { K_FD, K_OFF }, OK_ZERO, NA, 1, E_IO | B(EROFS) | B(ETXTBSY) },
	{ "fsync", 82, { K_FD }, OK_ZERO, NA, 1, E_IO | B(EROFS) },
	{ "statx", 291, { K_DIRFD, K_PATH, K_INT, K_INT, K_WPTR }, OK_ZERO, NA, 1, E_PATH | B(EOVERFLOW) },
	{ "symlinkat", 36, { K_MPATH, K_MDIRFD, K_MPATH }, OK_ZERO, NA, 1, E_MUT },
	{ "linkat", 37, { K_MDIRFD, K_MPATH, K_MDIRFD, K_MPATH, K_INT }, OK_ZERO, NA, 1, E_MUT },
	{ "renameat2", 276, { K_MDIRFD, K_MPATH, K_MDIRFD, K_MPATH, K_INT }, OK_ZERO, NA, 1, E_MUT },
	{ "fchmodat", 53, { K_MDIRFD, K_MPATH, K_INT }, OK_ZERO, NA, 1, E_MUT },
	/* processes, time, identity */
	{ "getpid", 172, { 0 }, OK_PID, NA, 0, 0 },
	{ "getppid", 173, { 0 }, OK_PPID, NA, 0, 0 },
	{ "gettid", 178, { 0 }, OK_PID, NA, 0, 0 },
	{ "getuid", 174, { 0 }, OK_NONNEG, NA, 0, 0 },
	{ "geteuid", 175, { 0 }, OK_NONNEG, NA, 0, 0 },
	{ "getgid", 176, { 0 }, OK_NONNEG, NA, 0, 0 },
	{ "getegid", 177, { 0 }, OK_NONNEG, NA, 0, 0 },
	{ "getpgid", 155, { K_INT }, OK_NONNEG, NA, 0, B(ESRCH) | B(EPERM) },
	{ "uname", 160, { K_WPTR }, OK_ZERO, NA, 0, B(EFAULT) },
	{ "clock_gettime", 113, { K_CLOCK, K_WPTR }, OK_ZERO, NA, 0, B(EFAULT) | B(EINVAL) },
	{ "clock_getres", 114, { K_CLOCK, K_WPTR }, OK_ZERO, NA, 1, B(EFAULT) | B(EINVAL) },
	{ "gettimeofday", 169, { K_WPTR, K_WPTR }, OK_ZERO, NA, 0, B(EFAULT) },
	{ "nanosleep", 101, { K_TS, K_WPTR }, OK_ZERO, NA, 0, B(EFAULT) | B(EINVAL) | B(EINTR) },
	{ "clock_nanosleep", 115, { K_CLOCK, K_INT, K_TS, K_WPTR }, OK_ZERO, NA, 0,
	  B(EFAULT) | B(EINVAL) | B(EINTR) | B(ENOTSUP) },
	{ "rt_sigprocmask", 135, { K_INT, K_RPTR, K_WPTR, K_INT }, OK_ZERO, NA, 0, B(EFAULT) | B(EINVAL) },
	{ "rt_sigaction", 134, { K_SIG, K_RPTR, K_WPTR, K_INT }, OK_ZERO, NA, 0,
	  B(EFAULT) | B(EINVAL) | B(ENOSYS) /* Kilburn: no handlers yet */ },
	{ "rt_sigpending", 136, { K_WPTR, K_INT }, OK_ZERO, NA, 1, B(EFAULT) | B(EINVAL) },
	{ "kill", 129, { K_INT, K_SIG }, OK_ZERO, NA, 0, B(EINVAL) | B(ESRCH) | B(EPERM) },
	{ "tkill", 130, { K_INT, K_SIG }, OK_ZERO, NA, 0, B(EINVAL) | B(ESRCH) | B(EPERM) },
	{ "tgkill", 131, { K_INT, K_INT, K_SIG }, OK_ZERO, NA, 0, B(EINVAL) | B(ESRCH) | B(EPERM) },
	{ "sched_yield", 124, { 0 }, OK_ZERO, NA, 0, 0 },
	{ "wait4", 260, { K_INT, K_WPTR, K_INT, K_WPTR }, OK_ZERO, NA, 0,
	  B(ECHILD) | B(EINVAL) | B(EFAULT) | B(ESRCH) },
	{ "umask", 166, { K_INT }, OK_UMASK, NA, 0, 0 },
	{ "prlimit64", 261, { K_INT, K_RES, K_ANY, K_WPTR }, OK_ZERO, NA, 0,
	  B(EFAULT) | B(EINVAL) | B(ESRCH) | B(EPERM) },
	{ "getrlimit", 163, { K_RES, K_WPTR }, OK_ZERO, NA, 1, B(EFAULT) | B(EINVAL) },
	{ "getrandom", 278, { K_WPTR, K_LEN, K_INT }, OK_COUNT, 1, 0, B(EFAULT) | B(EINVAL) | B(EAGAIN) | B(EINTR) },
	{ "times", 153, { K_WPTR }, OK_NONNEG, NA, 1, B(EFAULT) },
	{ "getrusage", 165, { K_INT, K_WPTR }, OK_ZERO, NA, 1, B(EFAULT) | B(EINVAL) },
	{ "sysinfo", 179, { K_WPTR }, OK_ZERO, NA, 1, B(EFAULT) },
	{ "set_tid_address", 96, { K_WPTR }, OK_PID, NA, 0, 0 },
	{ "set_robust_list", 99, { K_WPTR, K_LEN }, OK_ZERO, NA, 1, B(EINVAL) },
	{ "sigaltstack", 132, { K_RPTR, K_WPTR }, OK_ZERO, NA, 1, B(EFAULT) | B(EINVAL) | B(ENOMEM) | B(EPERM) },
	{ "getpriority", 141, { K_INT, K_INT }, OK_NONNEG, NA, 1, B(EINVAL) | B(ESRCH) },
	{ "sched_getaffinity", 123, { K_INT, K_LEN, K_WPTR }, OK_COUNT, 1, 1,
	  B(EFAULT) | B(EINVAL) | B(ESRCH) | B(EPERM) },
	/* numbers no kernel has */
	{ "(no such call)", -1, { K_ANY, K_ANY, K_ANY, K_ANY, K_ANY, K_ANY }, OK_NEVER, NA, 0, B(ENOSYS) },
};
#define NCALLS	(int)(sizeof(calls) / sizeof(calls[0]))

/* What the child tells the parent (a shared page, between guard pages). */
struct stats {
	unsigned long n, errs, nosys, bad;
	long first_bad_r, first_bad_i, first_bad_args[6];
};

struct report {
	unsigned long seed, calls, done;
	long cur_i, cur_nr, cur_args[6];	/* the call in progress */
	struct stats st[NCALLS];
	int data_ok, heap_ok;			/* the checksummed data, after the storm */
	int fds_before, fds_after, fds_closed, fds_left;
	int std_ok;				/* 0-2 still open */
};

/* ---- the random numbers: xorshift64*, from a printed seed */

static unsigned long rng;

static unsigned long rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dUL;
}

static unsigned long pick(unsigned long n)
{
	return rnd() % n;
}

/* ---- the raw call */

static long raw(long nr, const long *a)
{
	register long a0 __asm__("a0") = a[0];
	register long a1 __asm__("a1") = a[1];
	register long a2 __asm__("a2") = a[2];
	register long a3 __asm__("a3") = a[3];
	register long a4 __asm__("a4") = a[4];
	register long a5 __asm__("a5") = a[5];
	register long a7 __asm__("a7") = nr;

	__asm__ volatile("ecall"
			 : "+r"(a0)
			 : "r"(a1), "r"(a2), "r"(a3), "r"(a4), "r"(a5), "r"(a7)
			 : "memory");
	return a0;
}

static long raw3(long nr, long x, long y, long z)
{
	long a[6] = { x, y, z, 0, 0, 0 };

	return raw(nr, a);
}

/* ---- the places the storm must leave alone */

struct range {
	unsigned long start, end;
};

#define MAX_ZONES	8
static struct range zones[MAX_ZONES];	/* never a memory call's target */
static int nzones;
static struct range wzones[MAX_ZONES];	/* never written through a pointer */
static int nwzones;

static void zone_add(struct range *z, int *n, unsigned long start, unsigned long end)
{
	z[*n].start = start & ~(VT_PAGE - 1);
	z[*n].end = (end + VT_PAGE - 1) & ~(VT_PAGE - 1);
	(*n)++;
}

/* Does [start, start + len) (page-rounded, saturating) touch a zone? */
static int overlaps(const struct range *z, int n, unsigned long start, unsigned long len)
{
	unsigned long s = start & ~(VT_PAGE - 1), e = start + len + VT_PAGE - 1;

	if (e < start || len > ~0UL - VT_PAGE)
		e = ~0UL;
	e &= ~(VT_PAGE - 1);
	if (e <= s)
		e = s + VT_PAGE;
	for (int i = 0; i < n; i++)
		if (s < z[i].end && e > z[i].start)
			return 1;
	return 0;
}

/* ---- the arena the pointers point into */

/*
 * page 0 guard | 1-8 read-write | 9 read-only | 10 PROT_NONE |
 * 11 scratch (built arguments, never a target) | 12 read-write |
 * 13 unmapped | 14 guard
 */
#define ARENA_PAGES	15
static unsigned char *arena, *scratch, *mm_area, *data, *reserve;
#define RESERVE		(1UL << 30)	/* PROT_NONE: a random address in it faults */
static unsigned char *heap_obj;
static struct report *rep;
static int on_linux;
static pid_t my_pid, my_ppid;
static unsigned long brk0;
extern char **environ;
static char sandbox[64], sandbox_d0[80], sandbox_d1[80];
static const char *const sandbox_dirs[] = { sandbox, sandbox_d0, sandbox_d1 };
static unsigned long stack_hi;		/* above the argument and environment strings */
static unsigned long limits[16][2];

#define TRACK	32
static long recent_fds[TRACK];
static unsigned long recent_maps[TRACK][2];

static const char *const safe_paths[] = {	/* relative, inside the sandbox */
	"f0", "f1", "d0", "d0/f2", "d0/d1", "d0/d1/f3", "l0", "x/y", "", ".",
	"f0/x", "d0/./f2", "d0//d1", "d0/d1/../f2",
};
static const char *const wide_paths[] = {	/* anywhere; read-only on Linux */
	"/", "/tmp", "/dev/null", "/dev/zero", "/proc/self/status", "/proc/meminfo",
	"/tests", "..", "../..", "/nonexistent/file", "/bin/true", "/proc", "/dev",
	"/tmp/.", "/proc/self",
};
static char long_name[300], too_long_path[5000];

static long fd_kind(void);

/* A pointer the kernel may write through: it must miss the zones. */
static long safe_ptr(long p)
{
	for (int tries = 0; overlaps(wzones, nwzones, p, 1); tries++)
		p = (long)(arena + VT_PAGE + (tries < 8 ? pick(8 * VT_PAGE) : 0));
	return p;
}

/* A pointer: good, bad or partly good. */
static long ptr_kind(void)
{
	long p;

	switch (pick(14)) {
	case 0: p = 0; break;
	case 1: p = 1 + pick(4095); break;
	case 2: p = (long)(KERNEL_HALF + pick(1UL << 32)); break;
	case 3: p = (long)(KERNEL_TEXT + pick(1UL << 24)); break;
	case 4: p = (long)rnd(); break;
	case 5: p = (long)(reserve + pick(RESERVE)); break;	/* mapped, no access */
	case 6:
	case 7: p = (long)(arena + VT_PAGE + pick(8 * VT_PAGE)); break;
	case 8: p = (long)(arena + 9 * VT_PAGE - 1 - pick(64)); break;	/* into read-only */
	case 9: p = (long)(arena + 10 * VT_PAGE - 1 - pick(64)); break;	/* into PROT_NONE */
	case 10: p = (long)(arena + 13 * VT_PAGE - 1 - pick(64)); break;	/* into unmapped */
	case 11: p = (long)((unsigned char *)ptr_kind + pick(4096)); break;	/* our text */
	case 12: p = (long)(arena + 9 * VT_PAGE + pick(2 * VT_PAGE)); break;	/* RO, NONE */
	default: p = (long)(USER_TOP - 1 - pick(64)); break;
	}
	return safe_ptr(p);
}

static long len_kind(void)
{
	static const long lens[] = {
		0, 1, 7, 8, 16, 64, 4095, 4096, 4097, 65536, 1L << 20, 1L << 30, 1L << 31,
		1L << 32, 1L << 62, -1, -4096, 0x7fffffffffffffffL, (long)0x8000000000000000UL,
	};

	switch (pick(4)) {
	case 0: return (long)pick(8192);
	case 1: return (long)rnd();
	default: return lens[pick(sizeof(lens) / sizeof(lens[0]))];
	}
}

static long int_kind(void)
{
	switch (pick(8)) {
	case 0: return 0;
	case 1: return -1;
	case 2: return (long)pick(17);
	case 3: return (long)(unsigned int)rnd();
	case 4: return (long)rnd();
	case 5: return 1L << pick(64);
	case 6: return (long)(int)rnd();
	default: return (long)pick(4096);
	}
}

static long fd_kind(void)
{
	switch (pick(10)) {
	case 0: return (long)pick(3);
	case 1: case 2: case 3: case 4: return recent_fds[pick(TRACK)];
	case 5: return 3 + (long)pick(40);
	case 6: {
		static const long odd[] = { -1, -100, 1023, 1024, 0x7fffffff, -0x80000000L };

		return odd[pick(6)];
	}
	case 7: return (long)rnd();
	case 8: return (1L << 32) | (long)pick(8);	/* an int in a long */
	default: return int_kind();
	}
}

static long path_kind(int mutating)
{
	int safe_only = mutating && on_linux;

	switch (pick(safe_only ? 9 : 12)) {
	case 0: case 1: case 2: case 3:
		return (long)safe_paths[pick(sizeof(safe_paths) / sizeof(safe_paths[0]))];
	case 4: return (long)long_name;
	case 5: return (long)too_long_path;
	case 6: return (long)sandbox;
	case 7: case 8: {
		static const long bad[] = { 0, 1, (long)KERNEL_HALF, (long)USER_TOP - 1, -1 };

		return safe_ptr(bad[pick(5)]);
	}
	case 9: case 10:
		return (long)wide_paths[pick(sizeof(wide_paths) / sizeof(wide_paths[0]))];
	default: return ptr_kind();
	}
}

/*
 * Where chdir goes: a few fixed places, so the storm cannot dig a tree
 * deeper than the clean-up can follow (d0 inside d0 inside d0 ...).
 */
static long cpath_kind(void)
{
	static const char *const far[] = { "/", "/tmp", "/proc", "/dev", "..", "/tests" };
	static const char *const near[] = { ".", "f0", "x/y", "" };

	switch (pick(on_linux ? 8 : 10)) {
	case 0: case 1: case 2: return (long)sandbox_dirs[pick(3)];
	case 3: case 4: return (long)near[pick(4)];
	case 5: return (long)too_long_path;
	case 6: case 7: {
		static const long bad[] = { 0, 1, (long)KERNEL_HALF, (long)USER_TOP - 1, -1 };

		return bad[pick(5)];
	}
	case 8: return (long)far[pick(6)];
	default: return ptr_kind();
	}
}

static long dirfd_kind(int mutating)
{
	if (mutating && on_linux) {	/* nothing outside the sandbox */
		static const long far[] = { -100, -100, -100, -1, -2, 1L << 30, 100000 };

		return far[pick(7)];
	}
	return pick(3) ? -100 : fd_kind();
}

static long addr_kind(void)
{
	switch (pick(8)) {
	case 0: case 1: return (long)(mm_area + pick(MM_PAGES) * VT_PAGE);
	case 2: case 3: {
		unsigned long *m = recent_maps[pick(TRACK)];

		return m[0] ? (long)(m[0] + pick(m[1] / VT_PAGE + 1) * VT_PAGE) : 0;
	}
	case 4: return (long)(pick(USER_TOP >> 12) << 12);
	case 5: return (long)(arena + pick(ARENA_PAGES) * VT_PAGE);	/* moved away below */
	case 6: return (long)(mm_area + pick(MM_PAGES * VT_PAGE));	/* misaligned */
	default: return ptr_kind();
	}
}

/* A timespec: tiny and good, or invalid, or not readable. */
static long ts_kind(void)
{
	static const long ts[][2] = {
		{ 0, 0 }, { 0, 0 }, { 0, 1 }, { 0, 999 }, { -1, 0 }, { 0, 1000000000 }, { 0, -1 },
		{ (long)0x8000000000000000UL, 0 },
	};
	long *slot = (long *)scratch;
	int i = pick(sizeof(ts) / sizeof(ts[0]) + 5);

	if (i >= (int)(sizeof(ts) / sizeof(ts[0]))) {
		/*
		 * Nothing readable, so no sleep of garbage length. qemu-user
		 * sleeps on whatever it finds for a timespec it cannot read
		 * (even NULL): there the timespec is always a real one.
		 */
		long bad[] = {
			0, (long)(reserve + 64), (long)KERNEL_HALF, -1, (long)(arena + 10 * VT_PAGE - 8),
		};

		if (!on_linux)
			return bad[i - sizeof(ts) / sizeof(ts[0])];
		i = 0;
	}
	slot[0] = ts[i][0];
	slot[1] = ts[i][1];
	return (long)slot;
}

static long arg_of(int kind)
{
	switch (kind) {
	case K_INT: return int_kind();
	case K_FD: return fd_kind();
	case K_WPTR: return ptr_kind();
	case K_RPTR: return ptr_kind();
	case K_LEN: return len_kind();
	case K_OFF: return pick(2) ? (long)(pick(64) * VT_PAGE) : len_kind();
	case K_PATH: return path_kind(0);
	case K_MPATH: return path_kind(1);
	case K_DIRFD: return dirfd_kind(0);
	case K_MDIRFD: return dirfd_kind(1);
	case K_ADDR: return addr_kind();
	case K_PROT: return pick(3) ? (long)pick(8) : int_kind();
	case K_MAPF: {
		static const long f[] = { 0x22, 0x21, 0x02, 0x01, 0x03, 0x32, 0x100022, 0x8022, 0x122 };

		return pick(4) ? f[pick(9)] | (pick(4) ? 0 : 1L << pick(32)) : int_kind();
	}
	case K_CLOCK: return pick(3) ? (long)pick(12) : int_kind();
	case K_TS: return ts_kind();
	case K_CPATH: return cpath_kind();
	case K_SIG: return pick(2) ? (long)pick(66) : int_kind();
	case K_RES: return pick(3) ? (long)pick(17) : int_kind();
	default: {	/* anything at all, still missing the zones */
		long v;

		switch (pick(4)) {
		case 0: v = int_kind(); break;
		case 1: v = len_kind(); break;
		default: v = ptr_kind(); break;
		}
		return safe_ptr(v);
	}
	}
}

/* ---- keeping the storm away from the test itself */

static int keep_off(long addr, long len);

/* A memory range that misses the zones, for a call that hit them. */
static void retarget(long *addr, long *len)
{
	for (int tries = 0; tries < 8; tries++) {
		*addr = (long)(mm_area + pick(MM_PAGES) * VT_PAGE);
		*len = (long)(pick(MM_PAGES) * VT_PAGE + pick(2) * pick(VT_PAGE));
		if (!keep_off(*addr, *len))
			return;
	}
	*addr = (long)KERNEL_HALF;
	*len = VT_PAGE;
}

static unsigned char kept_fds[NFD];	/* open before the storm */

static int fd_kept(int fd)
{
	return fd >= 0 && fd < NFD && kept_fds[fd];
}

/*
 * On Linux under qemu-user the guest shares its address space with QEMU
 * itself, and QEMU has given the storm mappings next to its own: a memory
 * call there may only touch what the storm mapped (or be misaligned).
 */
static int linux_range_ok(long addr, long len)
{
	unsigned long a = addr, n = len, end = a + n;

	if (a & (VT_PAGE - 1))
		return 1;
	if (end < a)
		return 0;
	if (a >= (unsigned long)mm_area && end <= (unsigned long)mm_area + MM_PAGES * VT_PAGE)
		return 1;
	for (int i = 0; i < TRACK; i++)
		if (recent_maps[i][0] && a >= recent_maps[i][0] &&
		    end <= recent_maps[i][0] + recent_maps[i][1])
			return 1;
	return 0;
}

/* Must the memory call on [addr, addr + len) go elsewhere? */
static int keep_off(long addr, long len)
{
	return overlaps(zones, nzones, addr, len) || (on_linux && !linux_range_ok(addr, len));
}

static int sig_kept(long sig)
{
	int s = (int)sig;

	return s == SIGPIPE || s == SIGIO || s == SIGXFSZ || s == SIGXCPU || s == SIGALRM ||
	       s == SIGVTALRM || s == SIGPROF || s == SIGHUP || s == SIGTTIN || s == SIGTTOU;
}

/* A signal number that sends nothing: 0 or invalid, whatever the upper half. */
static long harmless_sig(void)
{
	static const int low[] = { 0, 0, 0, 65, 1000, -1, (int)0x80000000 };

	return (long)(pick(2) ? rnd() & ~0xffffffffUL : 0) | (unsigned int)low[pick(7)];
}

/* Make the call safe for the test (never for the kernel): see the top. */
static void fix_args(long nr, long *a)
{
	switch (nr) {
	case 222:	/* mmap */
		if (overlaps(zones, nzones, a[0], a[1]) ||
		    ((a[3] & 0x100010) && keep_off(a[0], a[1])))
			retarget(&a[0], &a[1]);
		if ((unsigned long)a[1] > 256 * VT_PAGE)
			a[3] &= ~0x8000L;			/* MAP_POPULATE */
		if (on_linux || (unsigned long)a[1] > 256 * VT_PAGE)
			a[3] &= ~0x2000L;			/* MAP_LOCKED */
		break;
	case 215: case 226: case 233:	/* munmap, mprotect, madvise */
		if (keep_off(a[0], a[1]))
			retarget(&a[0], &a[1]);
		if (nr == 233 && on_linux && (int)a[2] >= 100)
			a[2] = 99;				/* no MADV_HWPOISON */
		break;
	case 216:	/* mremap */
		if (keep_off(a[0], a[1]) || overlaps(zones, nzones, a[0], a[2]))
			retarget(&a[0], &a[1]);
		if (overlaps(zones, nzones, a[0], a[2]))
			a[2] = a[1];
		if ((a[3] & 2) && keep_off(a[4], a[2]))
			a[4] = (long)(mm_area + pick(MM_PAGES) * VT_PAGE);
		if ((a[3] & 2) && keep_off(a[4], a[2]))
			a[3] &= ~2L;
		break;
	/*
	 * brk: never below the heap the test uses, and not above it by more
	 * than 64 MiB: calls given a pointer into a heap of gigabytes would
	 * fill all of memory (and the storm would take minutes).
	 */
	case 214:
		if ((unsigned long)a[0] < brk0 && (unsigned long)a[0] >= zones[0].start)
			a[0] = (long)brk0;
		if ((unsigned long)a[0] > brk0 + 64 * VT_MB && (unsigned long)a[0] < USER_TOP)
			a[0] = (long)(brk0 + pick(64 * VT_MB));
		break;
	case 57:	/* close: not 0-2, nor what was open before */
		if (fd_kept((int)a[0]))
			a[0] = recent_fds[pick(TRACK)];
		if (fd_kept((int)a[0]))
			a[0] = -1;
		break;
	case 24:	/* dup3 */
		while (fd_kept((int)a[1]))
			a[1] = 3 + pick(60);
		break;
	case 123:	/* sched_getaffinity: qemu-user puts the whole length on its stack */
		if (on_linux)
			a[1] = 8L << pick(10);
		break;
	case 25:	/* fcntl: pipes stay non-blocking */
		if ((int)a[1] == 4)
			a[2] |= O_NONBLOCK;
		if ((int)a[1] == 1026)				/* F_NOTIFY */
			a[1] = 1;
		if ((int)a[1] == 7 || (int)a[1] == 38)		/* F_SETLKW, F_OFD_SETLKW */
			a[1] -= 1;	/* never waits: an OFD lock of its own would block it */
		break;
	case 29:	/* ioctl: no FIONBIO, FIOASYNC */
		if ((unsigned int)a[1] == 0x5421 || (unsigned int)a[1] == 0x5452)
			a[1] = 0x541b;
		break;
	case 59:	/* pipe2 */
		a[1] |= O_NONBLOCK;
		break;
	case 65: case 66: {	/* readv, writev: an iovec array in the scratch page */
		long *iov = (long *)(scratch + 256);
		int n = pick(9);

		for (int i = 0; i < 2 * 16; i += 2) {
			iov[i] = ptr_kind();
			iov[i + 1] = pick(2) ? (long)pick(2 * VT_PAGE) : len_kind();
		}
		if (pick(5))
			a[1] = (long)iov;
		if (pick(4))
			a[2] = n;
		if ((unsigned long)a[2] > 16 && (unsigned long)a[2] <= 1024 && a[1] == (long)iov)
			a[2] = 16 + pick(2);	/* past the 16 built: into more of the scratch page */
		break;
	}
	case 50:	/* fchdir */
		if (on_linux)
			a[0] = pick(2) ? -1 : 1L << 30;
		break;
	case 115: {	/* clock_nanosleep: no CPU-time clocks (they never tick while asleep) */
		static const int clocks[] = { 0, 1, 7, 5, 12, 100, 0x7fffffff };

		a[0] = (long)(pick(2) ? rnd() & ~0xffffffffUL : 0) | clocks[pick(7)];
		break;
	}
	case 134:	/* rt_sigaction: the signals the child ignores stay ignored */
		if (sig_kept(a[0]))
			a[0] = SIGUSR1;
		break;
	case 129: case 130:	/* kill, tkill: signal 0 or an invalid one */
		a[1] = harmless_sig();
		break;
	case 131:	/* tgkill */
		a[2] = harmless_sig();
		break;
	case 260:	/* wait4: never waits */
		a[2] |= 1;					/* WNOHANG */
		break;
	case 261: {	/* prlimit64: new limits only our own, and only as they are */
		int res = (int)a[1];

		if ((a[0] == 0 || a[0] == my_pid) && res >= 0 && res < 16 && pick(2))
			a[2] = (long)limits[res];
		else if (pick(2))
			a[2] = 0;
		else
			a[2] = pick(2) ? (long)KERNEL_HALF : (long)(arena + 10 * VT_PAGE - 8);
		break;
	}
	case 291:	/* statx: qemu-user dies of some bad pointers */
		if (on_linux) {
			a[1] = (long)safe_paths[pick(8)];
			a[4] = (long)(arena + VT_PAGE + pick(4) * VT_PAGE);
		}
		break;
	case 36:	/* symlinkat: on Linux the target stays inside too */
		if (on_linux && a[0] != 0)
			a[0] = (long)safe_paths[pick(8)];
		break;
	case 56:	/* openat on Linux: wide paths only to read */
		if (on_linux) {
			int writes = (a[2] & (O_ACCMODE | O_CREAT | O_TRUNC | 020000000)) != 0;

			if (writes) {
				a[0] = dirfd_kind(1);
				a[1] = path_kind(1);
			}
		}
		break;
	}
}

/* ---- one call */

static unsigned long page_of(unsigned long x)
{
	return x & ~(VT_PAGE - 1);
}

/*
 * Known differences of qemu-user (the Linux reference this test also runs
 * on) that are not the kernel's: MAP_FIXED_NOREPLACE taken as a hint,
 * EIO from some file mappings, and ENOPKG from pipe2 with flags it does not
 * know.
 */
static int qemu_quirk(const struct call *c, const long *a, long r)
{
	if (!on_linux)
		return 0;
	if (c->nr == 222 && (a[3] & 0x100000) && !(a[3] & 0x10) && r >= 0)
		return 1;
	if (c->nr == 222 && r == -EIO)
		return 1;
	return c->nr == 59 && r == -65;
}

/* Is r, a success of call c, plausible? */
static int plausible(const struct call *c, const long *a, long r)
{
	switch (c->ok) {
	case OK_ZERO: return r == 0;
	case OK_FD: return r >= 0 && r < NFD;
	case OK_COUNT: return r >= 0 && (unsigned long)r <= (unsigned long)a[c->count_arg];
	case OK_ADDR:
		if (r & (VT_PAGE - 1) || (unsigned long)r >= (1UL << 56))
			return 0;
		if (c->nr == 222 && (a[3] & 0x100010) && r != a[0])
			return 0;			/* MAP_FIXED(_NOREPLACE) */
		if (c->nr == 216 && (a[3] & 2) && r != a[4])
			return 0;			/* MREMAP_FIXED */
		return 1;
	case OK_BRK: return (unsigned long)r >= page_of(brk0) && (unsigned long)r < (1UL << 56);
	case OK_NONNEG: return r >= 0;
	case OK_PID: return r == my_pid;
	case OK_PPID: return r == my_ppid;
	case OK_UMASK: return r >= 0 && r <= 0777;
	case OK_GETCWD: return r >= 1 && r <= 4096 && (unsigned long)r <= (unsigned long)a[1];
	default: return 0;
	}
}

static void track_fd(long fd)
{
	if (fd >= 0 && fd < NFD)
		recent_fds[pick(TRACK)] = fd;
}

/* After a call: remember what it made (descriptors, mappings). */
static void note_result(const struct call *c, const long *a, long r)
{
	if (r < 0)
		return;
	if (c->ok == OK_FD || (c->nr == 25 && ((int)a[1] == 0 || (int)a[1] == 1030)))
		track_fd(r);
	if (c->nr == 59 && !overlaps(wzones, nwzones, a[0], 8) &&
	    (unsigned long)a[0] - (unsigned long)(arena + VT_PAGE) < 8 * VT_PAGE) {
		int fds[2];

		memcpy(fds, (void *)a[0], sizeof(fds));
		track_fd(fds[0]);
		track_fd(fds[1]);
	}
	if (c->nr == 215 || c->nr == 216) {	/* forget what is gone */
		for (int k = 0; k < TRACK; k++)
			if (recent_maps[k][0] < (unsigned long)a[0] + (unsigned long)a[1] &&
			    recent_maps[k][0] + recent_maps[k][1] > (unsigned long)a[0])
				recent_maps[k][0] = recent_maps[k][1] = 0;
	}
	if (c->nr == 222 || c->nr == 216) {
		unsigned long *m = recent_maps[pick(TRACK)];

		m[0] = r;
		m[1] = c->nr == 222 ? a[1] : a[2];
	}
}

static const char *only;	/* debugging: only the calls named here (argv[3]) */

static void one_call(unsigned long i)
{
	int ci = pick(NCALLS);

	while (only && !strstr(only, calls[ci].name))
		ci = pick(NCALLS);
	const struct call *c = &calls[ci];
	struct stats *st = &rep->st[ci];
	long a[6], nr = c->nr, r;

	for (int k = 0; k < 6; k++)
		a[k] = arg_of(pick(8) ? c->kind[k] : K_ANY);
	if (nr < 0) {
		static const long none[] = { 500, 1000, 4095, 1L << 20, -1, 0x7fffffff };

		nr = none[pick(6)];
	}
	/* the kinds that must hold are made again after any garbage */
	for (int k = 0; k < 6; k++) {
		int kind = c->kind[k];

		if (kind == K_MPATH || kind == K_MDIRFD || kind == K_TS || kind == K_CPATH)
			a[k] = arg_of(kind);
	}
	fix_args(nr, a);
	rep->cur_i = i;
	rep->cur_nr = nr;
	memcpy(rep->cur_args, a, sizeof(a));
	r = raw(nr, a);
	st->n++;
	if (r < 0 && r >= -4095) {
		int e = -r;

		st->errs++;
		if (e == ENOSYS)
			st->nosys++;
		if (e == ENOSYS && c->maybe_nosys)
			return;		/* counted; checked to be all or none below */
		if (e == ENOSYS && !on_linux && c->nr >= 0 && c->nr != 134)
			;		/* Kilburn has this call: ENOSYS is wrong */
		else if (e < 128 && (c->errs & B(e)))
			return;
	} else if (plausible(c, a, r)) {
		note_result(c, a, r);
		return;
	}
	if (qemu_quirk(c, a, r))
		return;
	if (!st->bad++) {
		st->first_bad_r = r;
		st->first_bad_i = i;
		memcpy(st->first_bad_args, a, sizeof(a));
	}
}

/* ---- the child */

static unsigned long checksum(const unsigned char *p, size_t n)
{
	unsigned long h = 0xcbf29ce484222325UL;

	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3UL;
	return h;
}

static unsigned long data_sum, heap_sum;

static int fd_is_open(int fd)
{
	return raw3(25, fd, 1, 0) >= 0;			/* F_GETFD */
}

static int count_open_fds(void)
{
	int n = 0;

	for (int fd = 0; fd < NFD; fd++)
		n += fd_is_open(fd);
	return n;
}

/* Set up the child's world (see the top), run the storm, report. */
static void storm(unsigned long seed, unsigned long ncalls)
{
	int null = open("/dev/null", O_RDWR);
	unsigned long sp = (unsigned long)__builtin_frame_address(0);
	extern char __executable_start[], etext[];
	struct sigaction ign;

	for (int fd = 0; fd < 3; fd++)
		dup2(null, fd);
	if (null > 2)
		close(null);
	/*
	 * The storm makes no check of its own, and a call writing through a
	 * random pointer must not reach tlib's totals, which this child shares
	 * with the parent: take the page out of its address space.
	 */
	munmap(tl_counts(), sizeof(struct tl_counts));
	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	for (int s = 1; s < 32; s++)
		if (sig_kept(s))
			sigaction(s, &ign, NULL);
	rng = seed;
	my_pid = getpid();
	my_ppid = getppid();
	if (chdir(sandbox) != 0)
		_exit(5);
	limits[7][0] = limits[7][1] = NFD;
	raw(261, (long[6]){ 0, 7, (long)limits[7], 0, 0, 0 });	/* RLIMIT_NOFILE */
	for (int res = 0; res < 16; res++)
		raw(261, (long[6]){ 0, res, 0, (long)limits[res], 0, 0 });
	for (int k = 0; k < TRACK; k++)
		recent_fds[k] = (long)pick(8);
	for (size_t k = 0; k < sizeof(long_name) - 1; k++)
		long_name[k] = 'a' + k % 26;
	for (size_t k = 0; k < sizeof(too_long_path) - 1; k++)
		too_long_path[k] = k % 8 == 7 ? '/' : 'b';
	brk0 = (unsigned long)sbrk(0);
	nzones = nwzones = 0;
	zone_add(zones, &nzones, (unsigned long)__executable_start, brk0);
	zone_add(zones, &nzones, sp - 32 * VT_MB, stack_hi);
	zone_add(zones, &nzones, (unsigned long)(data - VT_PAGE),
		 (unsigned long)(data + (DATA_PAGES + 1) * VT_PAGE));
	zone_add(zones, &nzones, (unsigned long)rep - VT_PAGE,
		 (unsigned long)rep + sizeof(*rep) + 2 * VT_PAGE);
	zone_add(zones, &nzones, (unsigned long)arena, (unsigned long)(arena + ARENA_PAGES * VT_PAGE));
	zone_add(zones, &nzones, (unsigned long)heap_obj, (unsigned long)heap_obj + HEAP_OBJ);
	zone_add(zones, &nzones, (unsigned long)reserve, (unsigned long)reserve + RESERVE);
	/*
	 * Pointers the kernel may write through miss the same places, but may
	 * point into the text (read-only) and the arena (not its scratch page).
	 */
	for (int z = 0; z < nzones; z++)
		wzones[nwzones++] = zones[z];
	wzones[0].start = page_of((unsigned long)etext);
	wzones[4].start = (unsigned long)(arena + 11 * VT_PAGE);
	wzones[4].end = (unsigned long)(arena + 12 * VT_PAGE);
	zone_add(wzones, &nwzones, (unsigned long)arena, (unsigned long)(arena + VT_PAGE));
	rep->fds_before = count_open_fds();
	for (int fd = 0; fd < NFD; fd++)
		kept_fds[fd] = fd_is_open(fd);
	for (unsigned long i = 0; i < ncalls; i++) {
		one_call(i);
		rep->done = i + 1;
	}
	rep->cur_i = -1;
	raw3(214, (long)brk0, 0, 0);
	rep->data_ok = checksum(data, DATA_PAGES * VT_PAGE) == data_sum;
	rep->heap_ok = checksum(heap_obj, HEAP_OBJ) == heap_sum;
	rep->fds_after = count_open_fds();
	for (int fd = 3; fd < NFD; fd++)
		if (!kept_fds[fd] && fd_is_open(fd) && raw3(57, fd, 0, 0) == 0)
			rep->fds_closed++;
	rep->fds_left = count_open_fds();
	rep->std_ok = 1;
	for (int fd = 0; fd < NFD; fd++)
		if (kept_fds[fd] && !fd_is_open(fd))
			rep->std_ok = 0;
	_exit(0);
}

/* ---- the parent */

/* Remove path and everything under it (the storm's files). */
static void remove_tree(const char *path, int depth)
{
	DIR *d;
	struct dirent *e;
	char sub[512];

	if (unlink(path) == 0 || depth > 400)
		return;
	raw3(53, AT_FDCWD, (long)path, 0700);		/* fchmodat (Linux) */
	/* passes until empty: removing entries while listing may skip some */
	for (int pass = 0; pass < 8 && rmdir(path) != 0 && (d = opendir(path)); pass++) {
		while ((e = readdir(d))) {
			if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
				continue;
			snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
			remove_tree(sub, depth + 1);
		}
		closedir(d);
	}
}

#define TMP_KEEP	64
static char tmp_keep[TMP_KEEP][64];	/* what /tmp held before: not the storm's */
static int ntmp_keep = -1;

/*
 * Remove the sandbox, and on Kilburn whatever else appeared in /tmp (the
 * storm may have gone there with chdir, or made names of random bytes).
 */
static void clean_up(void)
{
	char path[512];
	struct dirent *e;
	DIR *d;

	remove_tree(sandbox, 0);
	for (int pass = 0; pass < 4 && !on_linux && (d = opendir("/tmp")); pass++) {
		while ((e = readdir(d))) {
			int keep = !strcmp(e->d_name, ".") || !strcmp(e->d_name, "..");

			for (int i = 0; i < ntmp_keep && !keep; i++)
				keep = !strcmp(e->d_name, tmp_keep[i]);
			if (!keep) {
				snprintf(path, sizeof(path), "/tmp/%s", e->d_name);
				remove_tree(path, 0);
			}
		}
		closedir(d);
	}
}

static int clean_up_fn(void *arg)
{
	(void)arg;
	clean_up();
	return 0;
}

/*
 * Clean up in a child: walking a deep tree grows the stack and the heap of
 * whoever walks it, and the parent's memory must not change between the
 * two counts of free frames.
 */
static void clean_up_apart(void)
{
	vt_run(clean_up_fn, NULL, 120);
}

/* Note what /tmp holds before any storm. */
static void tmp_remember(void)
{
	struct dirent *e;
	DIR *d = opendir("/tmp");

	ntmp_keep = 0;
	while (d && (e = readdir(d)))
		if (ntmp_keep < TMP_KEEP && strlen(e->d_name) < 64)
			strcpy(tmp_keep[ntmp_keep++], e->d_name);
	if (d)
		closedir(d);
}

static void *map_guarded(size_t pages)
{
	unsigned char *p = mmap(NULL, (pages + 2) * VT_PAGE, PROT_NONE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	if (mprotect(p + VT_PAGE, pages * VT_PAGE, PROT_READ | PROT_WRITE) != 0)
		return NULL;
	return p + VT_PAGE;
}

static int set_up(void)
{
	rep = mmap(NULL, sizeof(*rep) + 2 * VT_PAGE, PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (rep == MAP_FAILED)
		return -1;
	mprotect(rep, VT_PAGE, PROT_NONE);
	rep = (struct report *)((char *)rep + VT_PAGE);
	mprotect((char *)rep + ((sizeof(*rep) + VT_PAGE - 1) & ~(VT_PAGE - 1)), VT_PAGE, PROT_NONE);
	data = map_guarded(DATA_PAGES);
	arena = mmap(NULL, ARENA_PAGES * VT_PAGE, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	mm_area = mmap(NULL, MM_PAGES * VT_PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	heap_obj = malloc(HEAP_OBJ);
	reserve = mmap(NULL, RESERVE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!data || arena == MAP_FAILED || mm_area == MAP_FAILED || !heap_obj ||
	    reserve == MAP_FAILED)
		return -1;
	for (size_t i = 0; i < DATA_PAGES * VT_PAGE; i++)
		data[i] = (unsigned char)(i * 7 + i / 4096);
	for (size_t i = 0; i < HEAP_OBJ; i++)
		heap_obj[i] = (unsigned char)(i ^ 0x5a);
	data_sum = checksum(data, DATA_PAGES * VT_PAGE);
	heap_sum = checksum(heap_obj, HEAP_OBJ);
	rng = 1;
	for (size_t i = 0; i < ARENA_PAGES * VT_PAGE; i++)
		arena[i] = (unsigned char)rnd();
	scratch = arena + 11 * VT_PAGE;
	mprotect(arena, VT_PAGE, PROT_NONE);
	mprotect(arena + 9 * VT_PAGE, VT_PAGE, PROT_READ);
	mprotect(arena + 10 * VT_PAGE, VT_PAGE, PROT_NONE);
	munmap(arena + 13 * VT_PAGE, VT_PAGE);
	mprotect(arena + 14 * VT_PAGE, VT_PAGE, PROT_NONE);
	snprintf(sandbox, sizeof(sandbox), "/tmp/sys_random.%d", (int)getpid());
	snprintf(sandbox_d0, sizeof(sandbox_d0), "%s/d0", sandbox);
	snprintf(sandbox_d1, sizeof(sandbox_d1), "%s/d0/d1", sandbox);
	printf("arena %p, data %p, report %p, memory-call area %p, heap object %p, stack %p-%#lx\n",
	       arena, data, rep, mm_area, heap_obj, __builtin_frame_address(0), stack_hi);
	return 0;
}

/* Run `n` calls from `seed` in a child; its wait status (-1: hung). */
static int run_storm(unsigned long seed, unsigned long n)
{
	pid_t pid;

	memset(rep, 0, sizeof(*rep));
	rep->seed = seed;
	rep->calls = n;
	rep->cur_i = -1;
	clean_up_apart();
	if (mkdir(sandbox, 0755) != 0)
		return -2;
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return -2;
	if (pid == 0)
		storm(seed, n);
	return vt_wait(pid, 600);
}

static void print_args(const long *a)
{
	printf("(%#lx, %#lx, %#lx, %#lx, %#lx, %#lx)", a[0], a[1], a[2], a[3], a[4], a[5]);
}

static const char *name_of(long nr)
{
	for (int i = 0; i < NCALLS; i++)
		if (calls[i].nr == nr)
			return calls[i].name;
	return "(no such call)";
}

/* What the storm's results say, one check per call. */
static void check_results(void)
{
	unsigned long total = 0;
	int used = 0;

	for (int i = 0; i < NCALLS; i++) {
		const struct stats *st = &rep->st[i];
		const struct call *c = &calls[i];

		total += st->n;
		used += st->n > 0;
		if (st->bad) {
			printf("  %s: %lu of %lu results wrong; first: call %ld ", c->name,
			       st->bad, st->n, st->first_bad_i);
			print_args(st->first_bad_args);
			printf(" = %ld\n", st->first_bad_r);
		}
		if (only && !st->n)
			continue;
		VT_CHECK(st->n > 0 && st->bad == 0,
			 "%s: %lu calls, %lu failed with an errno it may give, %lu succeeded plausibly",
			 c->name, st->n, st->errs - st->nosys, st->n - st->errs - st->bad);
		if (c->maybe_nosys && st->nosys)
			VT_CHECK(st->nosys == st->n,
				 "%s: not implemented, so -ENOSYS every time (%lu of %lu)",
				 c->name, st->nosys, st->n);
	}
	VT_CHECK(total == rep->calls && (used == NCALLS || only),
		 "%lu calls made, over %d different system calls", total, used);
}

/*
 * Calls the storm once found to break the kernel, made again on purpose:
 * each must give the result Linux gives.
 */
struct regression {
	const char *what;
	long nr, a[6], want;
};

static void check_regressions(void)
{
	static const struct regression regs[] = {
		{ "kill of pid 0x80000000 (INT_MIN as an int) is ESRCH, not a kernel crash",
		  129, { 0x80000000L, 0 }, -ESRCH },
		{ "kill of pid -0x80000000 is ESRCH", 129, { -0x80000000L, 0 }, -ESRCH },
		{ "kill of pid 0xffffff01 (a negative int) is ESRCH", 129, { 0xffffff01L, 0 }, -ESRCH },
	};

	static char name256[257], path[400];
	DIR *d;
	struct dirent *e;
	int entries = 0;

	for (size_t i = 0; i < sizeof(regs) / sizeof(regs[0]); i++) {
		long r = raw(regs[i].nr, regs[i].a);

		VT_CHECK(r == regs[i].want, "%s (%ld)", regs[i].what, r);
	}
	/* names: one of 256 bytes is too long; "." and ".." are no entries */
	memset(name256, 'n', 256);
	snprintf(path, sizeof(path), "%s/%s", sandbox, name256);
	VT_CHECK(raw3(34, AT_FDCWD, (long)path, 0755) == -ENAMETOOLONG,
		 "mkdir of a 256-byte name is ENAMETOOLONG (and no getdents overflow)");
	VT_CHECK(raw3(56, AT_FDCWD, (long)path, O_CREAT | O_RDWR) == -ENAMETOOLONG,
		 "open(O_CREAT) of a 256-byte name is ENAMETOOLONG");
	snprintf(path, sizeof(path), "%s/.", sandbox);
	VT_CHECK(raw3(34, AT_FDCWD, (long)path, 0755) == -EEXIST, "mkdir of \".\" is EEXIST");
	VT_CHECK(raw3(35, AT_FDCWD, (long)path, AT_REMOVEDIR) == -EINVAL, "rmdir of \".\" is EINVAL");
	VT_CHECK(raw3(35, AT_FDCWD, (long)path, 0) == -EISDIR, "unlink of \".\" is EISDIR");
	snprintf(path, sizeof(path), "%s/..", sandbox);
	VT_CHECK(raw3(34, AT_FDCWD, (long)path, 0755) == -EEXIST, "mkdir of \"..\" is EEXIST");
	VT_CHECK(raw3(35, AT_FDCWD, (long)path, AT_REMOVEDIR) == -ENOTEMPTY,
		 "rmdir of \"..\" is ENOTEMPTY");
	d = opendir(sandbox);
	while (d && (e = readdir(d)))
		entries++;
	if (d)
		closedir(d);
	VT_CHECK(entries == 2, "the directory lists just \".\" and \"..\" (%d entries)", entries);
}

/*
 * Writing more than all of RAM into /tmp (from a read-only mapping of
 * zeros) stops short with ENOSPC, and the kernel still opens files. The
 * storm once filled memory so through a huge writev, and then nothing could
 * even remove the file. Kilburn only: on Linux /tmp may be a disk.
 */
static void check_tmp_fills(void)
{
	long total = vt_proc_kb("/proc/meminfo", "MemTotal:") * VT_KB, r, r2;
	char path[96];
	char *zeros;
	int fd;

	if (on_linux || total <= 0)
		return;
	zeros = mmap(NULL, total, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	snprintf(path, sizeof(path), "%s/fill", sandbox);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (zeros == MAP_FAILED || fd < 0) {
		TL_CHECK(0, "set up a write of all of RAM into /tmp");
		return;
	}
	r = raw3(64, fd, (long)zeros, total);
	r2 = raw3(64, fd, (long)zeros, VT_PAGE);
	VT_CHECK(r > 0 && r < total && r2 == -ENOSPC,
		 "a write of all of RAM (%ld kB) into /tmp stops at %ld kB, then ENOSPC (%ld)",
		 total / VT_KB, r / VT_KB, r2);
	TL_CHECK(vt_memfree_kb() > 0, "with /tmp full, the kernel still opens /proc/meminfo");
	close(fd);
	unlink(path);
	munmap(zeros, total);
	VT_CHECK(vt_memfree_kb() > total / VT_KB / 2, "removing the file gives the memory back");
}

/*
 * A getrandom of a huge length into a huge mapping ends when the process is
 * killed (the storm once spent seconds in one such call, deaf to SIGKILL;
 * filling 48 MiB takes seconds under QEMU). On one hart the parent only
 * runs once the call is over (no preemption inside system calls), so the
 * check has teeth with several harts.
 */
static void check_getrandom_killable(void)
{
	long len = 48 * VT_MB;	/* less than half of RAM: the parent needs some too */
	char *big = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	long t0[2], t1[2], ms;
	pid_t pid;
	int st;

	if (big == MAP_FAILED) {
		TL_CHECK(0, "map 48 MiB for getrandom");
		return;
	}
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		raw3(278, (long)big, len, 0);
		_exit(0);
	}
	usleep(100000);
	raw3(113, 1, (long)t0, 0);
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	raw3(113, 1, (long)t1, 0);
	ms = (t1[0] - t0[0]) * 1000 + (t1[1] - t0[1]) / 1000000;
	VT_CHECK(ms < 1000, "a getrandom of 48 MiB ends within 1 s of SIGKILL (%ld ms, %s)",
		 ms, vt_how(st));
	munmap(big, len);
}

static int still_works(void *arg)
{
	char *argv[] = { "/bin/true", NULL };
	char buf[16], path[80];
	int fd, st;
	pid_t pid;
	char *m;

	(void)arg;
	pid = fork();
	if (pid == 0) {
		if (!on_linux)
			execv("/bin/true", argv);
		_exit(on_linux ? 0 : 127);
	}
	st = vt_wait(pid, 30);
	VT_CHECK(vt_exited_ok(st), "fork (and exec of /bin/true) work (%s)", vt_how(st));
	m = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	TL_CHECK(m != MAP_FAILED, "mmap works");
	if (m != MAP_FAILED) {
		memset(m, 'm', 1 << 20);
		TL_CHECK(m[0] == 'm' && m[(1 << 20) - 1] == 'm', "the mapping holds data");
		munmap(m, 1 << 20);
	}
	snprintf(path, sizeof(path), "%s.file", sandbox);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	TL_CHECK(fd >= 0 && write(fd, "storm", 5) == 5 && lseek(fd, 0, SEEK_SET) == 0 &&
		 read(fd, buf, sizeof(buf)) == 5 && memcmp(buf, "storm", 5) == 0,
		 "a file in /tmp is written and read back");
	if (fd >= 0)
		close(fd);
	unlink(path);
	return tl_failed_here;
}

int main(int argc, char **argv)
{
	unsigned long seed = argc > 1 ? strtoul(argv[1], NULL, 0) : SEED;
	unsigned long n = argc > 2 ? strtoul(argv[2], NULL, 0) : CALLS;
	long before;
	int st;

	on_linux = !tl_on_kilburn();
	only = argc > 3 ? argv[3] : NULL;
	for (int i = 0; i < argc; i++)
		stack_hi = MAX(stack_hi, (unsigned long)argv[i] + strlen(argv[i]) + 1);
	for (char **e = environ; *e; e++)
		stack_hi = MAX(stack_hi, (unsigned long)*e + strlen(*e) + 1);
	stack_hi = page_of(stack_hi + VT_PAGE - 1);
	printf("sys_random: %lu system calls with garbage arguments, seed %#lx\n", n, seed);
	if (set_up() != 0) {
		TL_CHECK(0, "set up the data, the arena and the report page");
		return tl_done();
	}
	tmp_remember();
	mkdir(sandbox, 0755);
	check_regressions();
	check_tmp_fills();
	check_getrandom_killable();
	/* warm up: a short storm, then the baseline */
	st = run_storm(seed, n < WARMUP_CALLS ? n : WARMUP_CALLS);
	clean_up_apart();
	VT_CHECK(vt_exited_ok(st), "a warm-up storm of %d calls ends (%s)", WARMUP_CALLS, vt_how(st));
	st = vt_run(still_works, NULL, 60);
	VT_CHECK(vt_exited_ok(st), "the kernel works before (%s)", vt_how(st));
	before = tl_frames_free();

	st = run_storm(seed, n);
	printf("the storm made %lu calls\n", rep->done);
	if (!vt_exited_ok(st) && rep->cur_i >= 0) {
		printf("the child ended (%s) in call %ld of seed %#lx: %s(%ld) ", vt_how(st),
		       rep->cur_i, seed, name_of(rep->cur_nr), rep->cur_nr);
		print_args(rep->cur_args);
		printf("\n");
	}
	VT_CHECK(vt_exited_ok(st), "the child made all %lu calls and exited (%s)", n, vt_how(st));
	TL_CHECK(!vt_killed_by(st, SIGSEGV) && !vt_killed_by(st, SIGBUS),
		 "no bad pointer given to the kernel killed the child");
	check_results();
	TL_CHECK(rep->data_ok, "the child's 64 pages of data are intact after the storm");
	TL_CHECK(rep->heap_ok, "the child's heap object is intact after the storm");
	VT_CHECK(rep->fds_left == rep->fds_before && rep->std_ok,
		 "every descriptor the storm left open is closed (%d open before, %d after the storm, "
		 "%d closed, %d open now)", rep->fds_before, rep->fds_after, rep->fds_closed,
		 rep->fds_left);
	TL_CHECK(checksum(data, DATA_PAGES * VT_PAGE) == data_sum &&
		 checksum(heap_obj, HEAP_OBJ) == heap_sum,
		 "the parent's copy of the data is intact");
	clean_up_apart();
	TL_CHECK(access(sandbox, F_OK) != 0, "the storm's files are all removed");
	st = vt_run(still_works, NULL, 60);
	VT_CHECK(vt_exited_ok(st), "the kernel still works (%s)", vt_how(st));
	tl_check_no_leak(before);
	return tl_done();
}
