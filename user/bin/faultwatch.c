/*
 * faultwatch [-p PID] [-n COUNT] [COMMAND [ARG...]]: page faults as they
 * happen, from the kernel's fault trace (/proc/faulttrace). It turns the
 * trace on (/proc/sys/vm/fault_trace), then prints each new fault:
 *
 *        TIME   PID  ADDRESS             ACCESS  WHAT
 *    3.141592     7  0x0000000000012000  write   zero-fill
 *
 * With COMMAND it runs it and shows that process's faults until it exits
 * (then prints a count by kind); else it shows every process's (or PID's)
 * until COUNT faults were shown or it is interrupted. The trace is left as
 * it was found. Faults missed because the ring (1024) was overwritten
 * between two looks are reported as such.
 */
#include <fcntl.h>
#include <procread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define KINDS	16

static char text[131072];
static unsigned long last_seq;
static long shown, missed, limit = -1, only_pid;
static char kind_name[KINDS][16];
static long kind_count[KINDS];

static int set_trace(int on)
{
	int fd = open("/proc/sys/vm/fault_trace", O_WRONLY), ok;

	if (fd < 0)
		return -1;
	ok = write(fd, on ? "1\n" : "0\n", 2) == 2;
	close(fd);
	return ok ? 0 : -1;
}

static void tally(const char *kind, size_t len)
{
	for (int k = 0; k < KINDS; k++) {
		if (!kind_name[k][0] && len < sizeof(kind_name[k]))
			memcpy(kind_name[k], kind, len);
		if (strncmp(kind_name[k], kind, len) == 0 && !kind_name[k][len]) {
			kind_count[k]++;
			return;
		}
	}
}

/* Print the records newer than the last one printed. */
static void poll_trace(void)
{
	proc_read("/proc/faulttrace", text, sizeof(text));
	for (char *p = text; *p && (limit < 0 || shown < limit);
	     p = strchr(p, '\n') ? strchr(p, '\n') + 1 : p + strlen(p)) {
		char *f = p, *time_s, *addr, *acc, *kind;
		unsigned long seq = strtoul(f, &f, 10);
		long pid;

		if (seq <= last_seq)
			continue;
		missed += last_seq && seq > last_seq + 1 ? (long)(seq - last_seq - 1) : 0;
		last_seq = seq;
		time_s = f + 1;
		f = strchr(time_s, ' ');
		pid = strtol(f, &f, 10);
		addr = f + 1;
		acc = strchr(addr, ' ') + 1;
		kind = acc + 2;
		if (only_pid && pid != only_pid)
			continue;
		shown++;
		tally(kind, strcspn(kind, " \n"));
		printf("%12.*s %5ld  %.18s  %-6s  %.*s\n", (int)strcspn(time_s, " "), time_s,
		       pid, addr, *acc == 'w' ? "write" : *acc == 'x' ? "exec" : "read",
		       (int)strcspn(kind, "\n"), kind);
	}
	fflush(stdout);
}

static void pause_a_little(void)
{
	struct timespec ts = { 0, 50 * 1000 * 1000 };

	nanosleep(&ts, NULL);
}

int main(int argc, char **argv)
{
	char prev[8] = "0";
	int c, status;
	pid_t child = 0;

	while ((c = getopt(argc, argv, "p:n:")) != -1) {
		if (c == 'p')
			only_pid = strtol(optarg, NULL, 10);
		else if (c == 'n')
			limit = strtol(optarg, NULL, 10);
		else
			return 2;
	}
	proc_read("/proc/sys/vm/fault_trace", prev, sizeof(prev));
	poll_trace();			/* what is already in the ring is not new */
	shown = 0;
	memset(kind_count, 0, sizeof(kind_count));
	if (set_trace(1) < 0) {
		perror("faultwatch: /proc/sys/vm/fault_trace");
		return 1;
	}
	printf("%12s %5s  %-18s  %-6s  %s\n", "TIME", "PID", "ADDRESS", "ACCESS", "WHAT");
	if (optind < argc) {
		child = fork();
		if (child == 0) {
			execvp(argv[optind], argv + optind);
			perror(argv[optind]);
			_exit(127);
		}
		only_pid = child;
	}
	for (;;) {
		poll_trace();
		if (limit >= 0 && shown >= limit)
			break;
		if (child > 0 && waitpid(child, &status, WNOHANG) == child) {
			poll_trace();
			break;
		}
		pause_a_little();
	}
	set_trace(prev[0] == '1');
	if (child > 0) {
		printf("%ld faults:", shown);
		for (int k = 0; k < KINDS && kind_name[k][0]; k++)
			printf(" %s %ld", kind_name[k], kind_count[k]);
		printf("\n");
	}
	if (missed)
		printf("(%ld faults were overwritten before they could be shown)\n", missed);
	return 0;
}
