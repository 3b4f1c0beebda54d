/*
 * proc_pagetable: Kilburn's own views of the machinery — the page table of
 * a process (/proc/<pid>/pagetable, the pagetable tool) and the fault trace
 * (/proc/faulttrace, /proc/sys/vm/fault_trace, the faultwatch tool).
 *
 *   - a written page is a leaf "rw- u - a d" of an anon frame mapped once,
 *     whose frame number is pagemap's; a read untouched page maps the zero
 *     frame read-only; an untouched page has no entry; the levels above it
 *     are tables; the leaves that are not the zero page number VmRSS;
 *   - after fork the page is read-only and mapped twice (copy-on-write);
 *   - pagetable PID ADDR prints the walk and the physical address;
 *   - with the trace on, a write to a fresh page is a zero-fill, a read a
 *     zero-page, the child's write after fork a cow-copy (with its pid),
 *     the parent's then a cow-takeover; with it off nothing is recorded;
 *   - faultwatch COMMAND shows the command's faults and a count by kind.
 * Kilburn only (Linux has neither file). No frame leaks.
 */
#include <stdint.h>
#include <sys/wait.h>
#include "vmtest.h"

#define PM_PFN	((1ULL << 55) - 1)

static char text[65536];		/* the last file read (pre-touched) */


/* Read /proc/<pid>/pagetable; the L0 line for addr, copied into line. */
static int leaf_of(pid_t pid, const void *addr, char *line, size_t size)
{
	char path[64], want[40];
	const char *p;

	snprintf(path, sizeof(path), "/proc/%d/pagetable", (int)pid);
	vt_read_file(path, text, sizeof(text));
	snprintf(want, sizeof(want), "L0[%03lu] 0x%016lx-", ((uintptr_t)addr >> 12) & 511,
		 (unsigned long)(uintptr_t)addr);
	p = strstr(text, want);
	if (!p)
		return 0;
	snprintf(line, size, "%.*s", (int)strcspn(p, "\n"), p);
	return 1;
}

static uint64_t pagemap_pfn(const void *addr)
{
	int fd = open("/proc/self/pagemap", O_RDONLY);
	uint64_t e = 0;

	if (fd >= 0 && pread(fd, &e, 8, (off_t)((uintptr_t)addr / VT_PAGE * 8)) != 8)
		e = 0;
	if (fd >= 0)
		close(fd);
	return e & PM_PFN;
}

static void check_leaves(char *mem)
{
	char line[256], want[64];
	volatile char sink = mem[VT_PAGE];
	long leaves = 0, zero = 0;

	(void)sink;
	mem[0] = 1;
	snprintf(want, sizeof(want), "pfn 0x%llx anon maps 1", (unsigned long long)pagemap_pfn(mem));
	TL_CHECK(leaf_of(getpid(), mem, line, sizeof(line)) && strstr(line, "rw- u - a d ") &&
		 strstr(line, want), "a written page: rw- u a d, anon, pagemap's frame, mapped once");
	TL_CHECK(leaf_of(getpid(), mem + VT_PAGE, line, sizeof(line)) &&
		 strstr(line, "r-- u ") && strstr(line, " zero "),
		 "a read untouched page: the zero frame, read-only");
	TL_CHECK(!leaf_of(getpid(), mem + 2 * VT_PAGE, line, sizeof(line)),
		 "an untouched page has no entry");
	TL_CHECK(strstr(text, "# Sv39 user page table") && strstr(text, "\nL2[") &&
		 strstr(text, "\n  L1[") && strstr(text, "table pfn"),
		 "the levels above are tables");
	for (const char *p = strstr(text, "    L0["); p; p = strstr(p + 1, "    L0[")) {
		leaves++;
		zero += strstr(p, " zero ") && strstr(p, " zero ") < strchr(p, '\n');
	}
	TL_CHECK((leaves - zero) * 4 == vt_rss_kb(), "the leaves that are not the zero page are VmRSS");
}

static void check_fork_view(char *mem)
{
	char line[256];
	int fds[2], status;
	pid_t pid;

	TL_CHECK(pipe(fds) == 0, "pipe");
	pid = fork();
	if (pid == 0) {
		char c;

		(void)!read(fds[0], &c, 1);
		_exit(0);
	}
	TL_CHECK(pid > 0 && leaf_of(pid, mem, line, sizeof(line)) && strstr(line, "r-- u ") &&
		 strstr(line, "anon maps 2"), "after fork: read-only in the child, mapped twice");
	TL_CHECK(leaf_of(getpid(), mem, line, sizeof(line)) && strstr(line, "r-- u ") &&
		 strstr(line, "anon maps 2"), "after fork: read-only in the parent too");
	(void)!write(fds[1], "x", 1);
	waitpid(pid, &status, 0);
	close(fds[0]);
	close(fds[1]);
}

/* Run argv with stdout into text; its exit status. */
static int run(char *const argv[])
{
	int fds[2], status, got = 0, n;
	pid_t pid;

	if (pipe(fds) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		dup2(fds[1], 1);
		close(fds[0]);
		close(fds[1]);
		execv(argv[0], argv);
		_exit(127);
	}
	close(fds[1]);
	while (got < (int)sizeof(text) - 1 &&
	       (n = (int)read(fds[0], text + got, sizeof(text) - 1 - (size_t)got)) > 0)
		got += n;
	text[got] = 0;
	close(fds[0]);
	return waitpid(pid, &status, 0) == pid && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void check_tool(char *mem)
{
	char pid[16], addr[32], want[64];

	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	snprintf(addr, sizeof(addr), "%lx", (unsigned long)(uintptr_t)mem + 0x123);
	snprintf(want, sizeof(want), "-> physical 0x%llx\n",
		 (unsigned long long)pagemap_pfn(mem) << 12 | 0x123);
	TL_CHECK(run((char *[]){ "/bin/pagetable", pid, addr, NULL }) == 0 && strstr(text, want) &&
		 strstr(text, "L2[") && strstr(text, "L1[") && strstr(text, "L0["),
		 "pagetable PID ADDR: the walk and the physical address");
	TL_CHECK(run((char *[]){ "/bin/pagetable", pid, NULL }) == 0 &&
		 strstr(text, "pages mapped: "), "pagetable PID: the tree and its summary");
}

/* Does the trace hold a record "pid 0x<addr> acc kind"? */
static int traced(pid_t pid, const void *addr, char acc, const char *kind)
{
	char want[96];

	snprintf(want, sizeof(want), " %d 0x%016lx %c %s", (int)pid,
		 (unsigned long)(uintptr_t)addr, acc, kind);
	vt_read_file("/proc/faulttrace", text, sizeof(text));
	return strstr(text, want) != NULL;
}

static int set_trace(const char *v)
{
	int fd = open("/proc/sys/vm/fault_trace", O_WRONLY), ok;

	if (fd < 0)
		return -1;
	ok = write(fd, v, strlen(v)) == (ssize_t)strlen(v);
	close(fd);
	return ok ? 0 : -1;
}

static void check_trace(void)
{
	char *mem = mmap(NULL, 4 * VT_PAGE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	volatile char sink;
	int status;
	pid_t pid;

	TL_CHECK(mem != MAP_FAILED && set_trace("1\n") == 0, "fault_trace on");
	if (mem == MAP_FAILED)
		return;
	mem[0] = 1;
	sink = mem[VT_PAGE];
	(void)sink;
	TL_CHECK(traced(getpid(), mem, 'w', "zero-fill"), "trace: a write to a fresh page, zero-fill");
	TL_CHECK(traced(getpid(), mem + VT_PAGE, 'r', "zero-page"), "trace: a read, zero-page");
	pid = fork();
	if (pid == 0) {
		mem[0] = 2;
		_exit(0);
	}
	waitpid(pid, &status, 0);
	TL_CHECK(traced(pid, mem, 'w', "cow-copy"), "trace: the child's write after fork, cow-copy");
	mem[0] = 3;
	TL_CHECK(traced(getpid(), mem, 'w', "cow-takeover"), "trace: the parent's, cow-takeover");
	TL_CHECK(set_trace("0\n") == 0, "fault_trace off");
	mem[2 * VT_PAGE] = 1;
	TL_CHECK(!traced(getpid(), mem + 2 * VT_PAGE, 'w', "zero-fill"), "trace off: nothing recorded");
	TL_CHECK(set_trace("2\n") < 0, "fault_trace 2 is refused");
	munmap(mem, 4 * VT_PAGE);
}

static void check_faultwatch(void)
{
	const char *sum;

	TL_CHECK(run((char *[]){ "/bin/faultwatch", "/tests/proc_pagetable", "touch", NULL }) == 0 &&
		 strstr(text, "ADDRESS") && (sum = strstr(text, "faults:")) &&
		 strstr(sum, "zero-fill ") && strtol(strstr(sum, "zero-fill ") + 10, NULL, 10) >= 5,
		 "faultwatch COMMAND: its faults as they happen, 5 zero-fills among them");
	vt_read_file("/proc/sys/vm/fault_trace", text, sizeof(text));
	TL_CHECK(text[0] == '0', "faultwatch leaves the trace as it found it");
}

int main(int argc, char **argv)
{
	long before;
	char *mem;

	if (argc > 1 && strcmp(argv[1], "touch") == 0) {	/* for faultwatch */
		mem = mmap(NULL, 5 * VT_PAGE, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		for (int i = 0; mem != MAP_FAILED && i < 5; i++)
			mem[i * VT_PAGE] = 1;
		return 0;
	}
	printf("proc_pagetable: the page table and the fault trace, seen from user space\n");
	memset(text, 0, sizeof(text));
	if (!tl_on_kilburn()) {
		printf("not Kilburn: /proc/<pid>/pagetable and /proc/faulttrace are Kilburn's\n");
		return tl_done();
	}
	check_trace();			/* a warm-up round */
	before = tl_frames_free();
	mem = mmap(NULL, 4 * VT_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	TL_CHECK(mem != MAP_FAILED, "mmap 4 pages");
	if (mem != MAP_FAILED) {
		check_leaves(mem);
		check_fork_view(mem);
		check_tool(mem);
		munmap(mem, 4 * VT_PAGE);
	}
	check_trace();
	check_faultwatch();
	tl_check_no_leak(before);
	return tl_done();
}
