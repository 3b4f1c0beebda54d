/*
 * faultloop PAGES FAULTS KIND: map PAGES pages and take FAULTS page faults
 * of one kind on them, for `make profile` (scripts/insn-profile.py), which
 * boots it twice, with FAULTS 0 and N, and divides the difference of the
 * two instruction profiles by N:
 *
 *   r  read of a never-written anonymous page (the zero page is mapped)
 *   w  first write to an anonymous page (a zeroed frame)
 *   c  copy-on-write: a write to a page a forked child shares
 *   b  read back: every page written first (with more pages than RAM and
 *      swap on, most go out), then a read of each page in order, in from
 *      swap with the evictions that make room for it
 *
 * Both runs do the same work but the faults (the mapping, the pages made
 * resident before the fork for `c`, the fork and the child's exit), so
 * the difference is the faults alone.
 */
#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define PAGE 4096L

int main(int argc, char **argv)
{
	long pages = argc > 1 ? atol(argv[1]) : 0;
	long n = argc > 2 ? atol(argv[2]) : 0;
	char kind = argc > 3 ? argv[3][0] : 'r';
	volatile char *p = mmap(NULL, (pages + 1) * PAGE, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int pipefd[2];
	pid_t child;
	long sum = 0;
	char c;

	if (p == MAP_FAILED || pipe(pipefd) || n > pages)
		return 1;
	if (kind == 'c')		/* resident before the fork, shared after */
		for (long i = 0; i <= pages; i++)
			p[i * PAGE] = 1;
	child = fork();
	if (child == 0) {		/* holds the pages until told */
		read(pipefd[0], &c, 1);
		_exit(0);
	}
	if (kind == 'b')		/* after the fork: not shared */
		for (long i = 0; i <= pages; i++)
			p[i * PAGE] = 1;
	for (long i = 0; i < n; i++) {
		if (kind == 'r' || kind == 'b')
			sum += p[i * PAGE];
		else
			p[i * PAGE] = 2;
	}
	write(pipefd[1], "x", 1);
	waitpid(child, NULL, 0);
	return (int)(sum & 1);
}
