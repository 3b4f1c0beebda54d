/*
 * ps: lists processes from /proc. For each numeric directory /proc/<pid>
 * it reads /proc/<pid>/status, whose lines look like "Name:\tsh",
 * "State:\tS (sleeping)", "Pid:\t12", "VmSize:\t  1234 kB", "VmRSS:\t 56 kB",
 * and prints PID, STATE (the state letter), RSS and VSZ in KiB, NAME,
 * sorted by pid. Processes without memory fields (kernel threads) show 0.
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
	char	name[64];
};

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
 * Finds line "key:" in text and returns its value with leading blanks
 * skipped (the value ends at the next newline), or NULL.
 */
static const char *field(const char *text, const char *key)
{
	size_t len = strlen(key);

	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : 0) {
		if (strncmp(p, key, len) == 0 && p[len] == ':') {
			p += len + 1;
			while (*p == ' ' || *p == '\t')
				p++;
			return p;
		}
	}
	return 0;
}

/* Fills *pr from /proc/<pid>/status; 0, or -1 if the process is gone. */
static int read_proc(long pid, struct proc *pr)
{
	char path[64], text[4096];
	const char *v;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%ld/status", pid);
	if (read_text(path, text, sizeof(text)) < 0)
		return -1;
	pr->pid = (v = field(text, "Pid")) ? strtol(v, 0, 10) : pid;
	pr->state = (v = field(text, "State")) && *v != '\n' ? *v : '?';
	pr->vsz = (v = field(text, "VmSize")) ? strtol(v, 0, 10) : 0;
	pr->rss = (v = field(text, "VmRSS")) ? strtol(v, 0, 10) : 0;
	v = field(text, "Name");
	n = v ? strcspn(v, "\n") : 0;
	if (n >= sizeof(pr->name))
		n = sizeof(pr->name) - 1;
	memcpy(pr->name, v ? v : "", n);
	pr->name[n] = 0;
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
	printf("%5s %-5s %8s %8s %s\n", "PID", "STATE", "RSS", "VSZ", "NAME");
	for (int i = 0; i < n; i++)
		printf("%5ld %-5c %8ld %8ld %s\n", v[i].pid, v[i].state, v[i].rss,
		       v[i].vsz, v[i].name);
	free(v);
	return 0;
}
