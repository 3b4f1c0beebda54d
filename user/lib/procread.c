/* Reading Linux-format /proc files for the tools (procread.h). */
#include <dirent.h>
#include <fcntl.h>
#include <procread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int proc_read(const char *path, char *buf, size_t size)
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

long proc_value(const char *text, const char *key)
{
	size_t len = strlen(key);

	for (const char *p = text; p && *p; p = strchr(p, '\n')) {
		if (*p == '\n')
			p++;
		if (strncmp(p, key, len) == 0 && (p[len] == ':' || p[len] == ' '))
			return strtol(p + len + 1, NULL, 10);
	}
	return -1;
}

int proc_stat_read(long pid, struct proc_stat *st)
{
	char path[64], text[1024], *open_paren, *close_paren, *p;
	unsigned long v[53] = { 0 };
	size_t n;

	if (pid)
		snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	else
		snprintf(path, sizeof(path), "/proc/self/stat");
	if (proc_read(path, text, sizeof(text)) <= 0)
		return -1;
	open_paren = strchr(text, '(');
	close_paren = strrchr(text, ')');
	if (!open_paren || !close_paren || close_paren < open_paren || close_paren[1] != ' ')
		return -1;
	memset(st, 0, sizeof(*st));
	st->pid = strtol(text, NULL, 10);
	n = (size_t)(close_paren - open_paren - 1);
	n = n < sizeof(st->name) - 1 ? n : sizeof(st->name) - 1;
	memcpy(st->name, open_paren + 1, n);
	st->state = close_paren[2];
	p = close_paren + 3;
	for (int field = 4; field <= 24 && *p; field++)
		v[field] = strtoul(p, &p, 10);	/* rss (24) may be 0 */
	st->ppid = (long)v[4];
	st->minflt = v[10];
	st->majflt = v[12];
	st->utime = v[14];
	st->stime = v[15];
	st->starttime = v[22];
	st->vsize = v[23];
	st->rss = (long)v[24];
	return 0;
}

static int by_value(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;

	return x < y ? -1 : x > y;
}

int proc_pids(long **out)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	long *v = NULL, *bigger;
	int n = 0, cap = 0;

	if (!d)
		return -1;
	while ((de = readdir(d))) {
		char *end;
		long pid = strtol(de->d_name, &end, 10);

		if (!de->d_name[0] || *end || pid <= 0)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			bigger = realloc(v, (size_t)cap * sizeof(*v));
			if (!bigger) {
				free(v);
				closedir(d);
				return -1;
			}
			v = bigger;
		}
		v[n++] = pid;
	}
	closedir(d);
	qsort(v, (size_t)n, sizeof(*v), by_value);
	*out = v;
	return n;
}

void proc_human(char *buf, size_t size, unsigned long kb)
{
	static const char units[] = "KMGT";
	unsigned long whole = kb, tenths = 0;
	int u = 0;

	if (kb == 0) {
		snprintf(buf, size, "0B");
		return;
	}
	while (whole >= 1024 && u < 3) {
		tenths = (whole % 1024) * 10 / 1024;
		whole /= 1024;
		u++;
	}
	if (whole < 10 && u > 0)
		snprintf(buf, size, "%lu.%lu%ci", whole, tenths, units[u]);
	else
		snprintf(buf, size, "%lu%ci", whole, units[u]);
}
