/*
 * ps: lists processes from /proc. For each numeric directory /proc/<pid>
 * it reads /proc/<pid>/stat, one line of 52 fields as Linux writes them:
 * "pid (name) state ppid ...", where the name in parentheses may hold
 * spaces and parentheses (so the fields after it are found from the last
 * ')'). It prints PID, STATE (the state letter), RSS and VSZ in KiB, the
 * minor and major page faults so far, and NAME, sorted by pid.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct proc {
	long	pid;
	char	state;
	long	rss, vsz;		/* KiB */
	unsigned long minflt, majflt;
	char	name[64];
};

/* Fields of /proc/<pid>/stat, counted from 1 as in man 5 proc. */
#define F_STATE		3
#define F_MINFLT	10
#define F_MAJFLT	12
#define F_VSIZE		23	/* bytes */
#define F_RSS		24	/* pages */
#define PAGE_KB		4

/* Reads at most size-1 bytes of path into buf, NUL-terminated; length or -1. */
static int read_text(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY), n, total = 0;

	if (fd < 0)
		return -1;
	while ((size_t)total < size - 1 &&
	       (n = (int)read(fd, buf + total, size - 1 - (size_t)total)) > 0)
		total += n;
	close(fd);
	buf[total] = 0;
	return total;
}

/*
 * Fills *pr from /proc/<pid>/stat; 0, or -1 if the process is gone or the
 * line does not parse.
 */
static int read_proc(long pid, struct proc *pr)
{
	char path[64], text[1024], *open_paren, *close_paren, *p;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	if (read_text(path, text, sizeof(text)) <= 0)
		return -1;
	open_paren = strchr(text, '(');
	close_paren = strrchr(text, ')');
	if (!open_paren || !close_paren || close_paren < open_paren || close_paren[1] != ' ')
		return -1;
	pr->pid = strtol(text, 0, 10);
	n = (size_t)(close_paren - open_paren - 1);
	if (n >= sizeof(pr->name))
		n = sizeof(pr->name) - 1;
	memcpy(pr->name, open_paren + 1, n);
	pr->name[n] = 0;
	pr->state = close_paren[2];
	p = close_paren + 3;
	for (int field = F_STATE + 1; field <= F_RSS; field++) {
		unsigned long v = strtoul(p, &p, 10);

		if (field == F_MINFLT)
			pr->minflt = v;
		else if (field == F_MAJFLT)
			pr->majflt = v;
		else if (field == F_VSIZE)
			pr->vsz = (long)(v / 1024);
		else if (field == F_RSS)
			pr->rss = (long)v * PAGE_KB;
	}
	return 0;
}

/* qsort order of processes: by pid. */
static int by_pid(const void *a, const void *b)
{
	long x = ((const struct proc *)a)->pid, y = ((const struct proc *)b)->pid;

	return x < y ? -1 : x > y;
}

int main(void)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	struct proc *v = 0;
	int n = 0, cap = 0;

	if (!d) {
		perror("ps: /proc");
		return 1;
	}
	while ((de = readdir(d))) {
		char *end;
		long pid = strtol(de->d_name, &end, 10);

		if (!de->d_name[0] || *end || pid <= 0)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			v = realloc(v, (size_t)cap * sizeof(*v));
			if (!v) {
				fprintf(stderr, "ps: out of memory\n");
				return 1;
			}
		}
		if (read_proc(pid, &v[n]) == 0)
			n++;
	}
	closedir(d);
	qsort(v, (size_t)n, sizeof(*v), by_pid);
	printf("%5s %-5s %8s %8s %8s %6s %s\n", "PID", "STATE", "RSS", "VSZ",
	       "MINFLT", "MAJFLT", "NAME");
	for (int i = 0; i < n; i++)
		printf("%5ld %-5c %8ld %8ld %8lu %6lu %s\n", v[i].pid, v[i].state,
		       v[i].rss, v[i].vsz, v[i].minflt, v[i].majflt, v[i].name);
	free(v);
	return 0;
}
