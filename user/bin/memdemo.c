/*
 * memdemo: small experiments that make the VM's behaviour visible, for the
 * guided tour (docs/tour.md). Each prints what /proc says before and after.
 *
 *   memdemo lazy [N]   map N pages (256): nothing is resident; touch them:
 *                      N minor faults, N pages more of VmRSS
 *   memdemo zero [N]   read N untouched pages: all map one frame, the zero page
 *   memdemo cow [N]    write N pages, fork: Pss halves; the child writes:
 *                      it gets copies and Pss is whole again
 *   memdemo hold [N]   write N pages and sleep 30 s (look with pmap, pagetable)
 */
#include <procread.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define PAGE	4096

static char text[65536];

static long status_kb(const char *key)
{
	proc_read("/proc/self/status", text, sizeof(text));
	return proc_value(text, key);
}

static unsigned long minflt(void)
{
	struct proc_stat st;

	return proc_stat_read(0, &st) == 0 ? st.minflt : 0;
}

/* The Pss (kB) of the region at addr in this process's smaps. */
static long pss_of(const void *addr)
{
	char want[32];
	const char *p;

	proc_read("/proc/self/smaps", text, sizeof(text));
	snprintf(want, sizeof(want), "%08lx-", (unsigned long)(uintptr_t)addr);
	p = strstr(text, want);
	p = p ? strstr(p, "\nPss:") : NULL;
	return p ? strtol(p + 5, NULL, 10) : -1;
}

static uint64_t pfn_of(const void *addr)
{
	FILE *f = fopen("/proc/self/pagemap", "r");
	uint64_t e = 0;

	if (f && fseek(f, (long)((uintptr_t)addr / PAGE * 8), SEEK_SET) == 0 &&
	    fread(&e, 8, 1, f) != 1)
		e = 0;
	if (f)
		fclose(f);
	return e & ((1ULL << 55) - 1);
}

static char *map(long n)
{
	char *p = mmap(NULL, (size_t)n * PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		perror("memdemo: mmap");
		exit(1);
	}
	return p;
}

static int lazy(long n)
{
	long rss0 = status_kb("VmRSS"), rss1, rss2;
	unsigned long f0, f1;
	char *p = map(n);

	rss1 = status_kb("VmRSS");
	printf("mapped %ld pages: VmRSS %ld kB -> %ld kB (nothing resident yet)\n", n, rss0, rss1);
	f0 = minflt();
	for (long i = 0; i < n; i++)
		p[i * PAGE] = 1;
	f1 = minflt();
	rss2 = status_kb("VmRSS");
	printf("touched %ld pages: %lu minor faults, VmRSS %ld kB -> %ld kB\n", n, f1 - f0,
	       rss1, rss2);
	return 0;
}

static int zero(long n)
{
	char *p = map(n);
	volatile char sink = 0;
	uint64_t first;
	long same = 0;

	for (long i = 0; i < n; i++)
		sink += p[i * PAGE];
	first = pfn_of(p);
	for (long i = 0; i < n; i++)
		same += pfn_of(p + i * PAGE) == first;
	printf("read %ld untouched pages: %ld of them map frame 0x%llx, the zero page\n", n,
	       same, (unsigned long long)first);
	p[0] = 1;
	printf("wrote the first: it now has its own frame 0x%llx\n",
	       (unsigned long long)pfn_of(p));
	return 0;
}

static int cow(long n)
{
	char *p = map(n);
	int status;
	pid_t pid;

	memset(p, 1, (size_t)n * PAGE);
	printf("parent wrote %ld pages: Pss %ld kB\n", n, pss_of(p));
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		printf("after fork, child: Pss %ld kB (shared with the parent)\n", pss_of(p));
		memset(p, 2, (size_t)n * PAGE);
		printf("child wrote every page: Pss %ld kB (its own copies)\n", pss_of(p));
		fflush(stdout);
		_exit(0);
	}
	waitpid(pid, &status, 0);
	printf("parent after the child's writes: Pss %ld kB\n", pss_of(p));
	return 0;
}

static int hold(long n)
{
	char *p = map(n);

	memset(p, 1, (size_t)n * PAGE);
	printf("pid %d holds %ld written pages at %p for 30 s\n", (int)getpid(), n, (void *)p);
	fflush(stdout);
	sleep(30);
	return 0;
}

int main(int argc, char **argv)
{
	long n = argc > 2 ? strtol(argv[2], NULL, 10) : 256;

	memset(text, 0, sizeof(text));	/* resident now, not while we count */
	if (argc < 2 || n <= 0) {
		fprintf(stderr, "usage: memdemo lazy|zero|cow|hold [pages]\n");
		return 2;
	}
	if (strcmp(argv[1], "lazy") == 0)
		return lazy(n);
	if (strcmp(argv[1], "zero") == 0)
		return zero(n);
	if (strcmp(argv[1], "cow") == 0)
		return cow(n);
	if (strcmp(argv[1], "hold") == 0)
		return hold(n);
	fprintf(stderr, "memdemo: no experiment %s\n", argv[1]);
	return 2;
}
