/*
 * memsnap [-d SECS] COMMAND [ARG...]: run COMMAND and print, between marker
 * lines, its address space (smaps), its page table (pagetable) and its
 * faults (from the fault trace), for `make picture` to draw:
 *
 *   === memsnap pid 7 command memdemo cow 16
 *   === smaps
 *   ...
 *   === pagetable
 *   ...
 *   === faults
 *   seq seconds pid address access kind
 *   === end
 *
 * The address space and page table are the last ones seen while COMMAND
 * ran (looked at every 10 ms), or, with -d, those after SECS seconds, when
 * COMMAND is then killed: the last "stable" one (smaps read before and
 * after the page table the same), else the last one ("moving"). The fault
 * trace is on while COMMAND runs.
 */
#include <fcntl.h>
#include <procread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define BUF	(1 << 19)

static char smaps[3][BUF], table[3][BUF], check[BUF], trace[1 << 17];
static int have = -1;		/* the slot of the last snapshot, or -1 */
static int stable = -1;		/* the slot of the last stable one, or -1 */

static int set_trace(const char *v)
{
	int fd = open("/proc/sys/vm/fault_trace", O_WRONLY), ok;

	if (fd < 0)
		return -1;
	ok = write(fd, v, 2) == 2;
	close(fd);
	return ok ? 0 : -1;
}

/*
 * Take a snapshot of pid into a slot that holds neither of the kept ones:
 * smaps, the page table, smaps again. It is stable if smaps did not change
 * meanwhile (the page table then agrees with it).
 */
static void snapshot(pid_t pid)
{
	int slot = 0;
	char path[64];

	while (slot == have || slot == stable)
		slot++;
	snprintf(path, sizeof(path), "/proc/%d/smaps", (int)pid);
	if (proc_read(path, smaps[slot], BUF) <= 0)
		return;
	snprintf(path, sizeof(path), "/proc/%d/pagetable", (int)pid);
	if (proc_read(path, table[slot], BUF) <= 0)
		return;
	snprintf(path, sizeof(path), "/proc/%d/smaps", (int)pid);
	if (proc_read(path, check, BUF) <= 0)
		return;
	have = slot;
	if (strcmp(check, smaps[slot]) == 0)
		stable = slot;
}

static void print_faults(pid_t pid)
{
	proc_read("/proc/faulttrace", trace, sizeof(trace));
	for (char *line = strtok(trace, "\n"); line; line = strtok(NULL, "\n")) {
		char *p = strchr(line, ' ');

		p = p ? strchr(p + 1, ' ') : NULL;
		if (p && strtol(p + 1, NULL, 10) == pid)
			printf("%s\n", line);
	}
}

int main(int argc, char **argv)
{
	struct timespec tick = { 0, 10 * 1000 * 1000 };
	long delay = -1, waited = 0;
	int status, arg = 1;
	pid_t pid;

	if (argc > 2 && strcmp(argv[1], "-d") == 0) {
		delay = strtol(argv[2], NULL, 10) * 100;
		arg = 3;
	}
	if (arg >= argc) {
		fprintf(stderr, "usage: memsnap [-d seconds] command [arg...]\n");
		return 2;
	}
	memset(smaps, 0, sizeof(smaps));
	memset(table, 0, sizeof(table));
	set_trace("1\n");
	pid = fork();
	if (pid == 0) {
		execvp(argv[arg], argv + arg);
		perror(argv[arg]);
		_exit(127);
	}
	while (waitpid(pid, &status, WNOHANG) == 0) {
		snapshot(pid);
		if (delay >= 0 && waited++ >= delay) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			break;
		}
		nanosleep(&tick, NULL);
	}
	set_trace("0\n");
	if (stable >= 0)
		have = stable;
	printf("=== memsnap pid %d %s command", (int)pid, have == stable ? "stable" : "moving");
	for (int i = arg; i < argc; i++)
		printf(" %s", argv[i]);
	printf("\n=== smaps\n%s=== pagetable\n%s=== faults\n", have >= 0 ? smaps[have] : "",
	       have >= 0 ? table[have] : "");
	print_faults(pid);
	printf("=== end\n");
	return have >= 0 ? 0 : 1;
}
