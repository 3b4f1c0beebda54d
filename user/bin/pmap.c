/*
 * pmap [-x] PID...: the address space of a process, from /proc/PID/smaps,
 * in procps' layout. Without -x: address, size and mode of each mapping;
 * with -x: its resident (RSS) and dirty KiB too, and the totals:
 *
 *   7:   /bin/prog
 *   Address           Kbytes     RSS   Dirty Mode  Mapping
 *   0000000000010000      12      12       0 r-x-- prog
 *   ...
 *   ---------------- ------- ------- -------
 *   total kB             600     180      44
 *
 * The mode is r, w, x, s (shared) and '-'; the mapping is the file's last
 * path component, "[ stack ]", or "[ anon ]" (anonymous memory, the heap).
 */
#include <procread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char text[262144];

struct mapping {
	unsigned long start, size_kb, rss, dirty;
	char mode[6];
	const char *name;
};

/* Fill m from the smaps block whose header line is at p; the next block or NULL. */
static char *parse_block(char *p, struct mapping *m)
{
	unsigned long start, end;
	char *perms, *path, *next;

	next = strchr(p, '\n');
	if (next)
		*next++ = 0;
	start = strtoul(p, &path, 16);
	end = strtoul(path + 1, &path, 16);
	perms = path + 1;
	path = perms;
	for (int field = 0; field < 4; field++) {	/* perms, offset, device, inode */
		path += strcspn(path, " ");
		path += strspn(path, " ");
	}
	m->start = start;
	m->size_kb = (end - start) / 1024;
	snprintf(m->mode, sizeof(m->mode), "%c%c%c%c-", perms[0], perms[1], perms[2],
		 perms[3] == 's' ? 's' : '-');
	m->name = !*path || strcmp(path, "[heap]") == 0 ? "[ anon ]" :
		  strcmp(path, "[stack]") == 0 ? "[ stack ]" :
		  strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	m->rss = m->dirty = 0;
	for (p = next; p && *p && !((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f'));
	     p = next) {
		next = strchr(p, '\n');
		if (next)
			next++;
		if (strncmp(p, "Rss:", 4) == 0)
			m->rss = strtoul(p + 4, NULL, 10);
		else if (strncmp(p, "Shared_Dirty:", 13) == 0 ||
			 strncmp(p, "Private_Dirty:", 14) == 0)
			m->dirty += strtoul(strchr(p, ':') + 1, NULL, 10);
	}
	return p && *p ? p : NULL;
}

static int show(const char *pid, int extended)
{
	char path[64], cmd[256];
	unsigned long size = 0, rss = 0, dirty = 0;
	struct mapping m;
	char *p;
	int n;

	snprintf(path, sizeof(path), "/proc/%s/cmdline", pid);
	n = proc_read(path, cmd, sizeof(cmd));
	for (int i = 0; i < n - 1; i++)
		if (cmd[i] == 0)
			cmd[i] = ' ';
	snprintf(path, sizeof(path), "/proc/%s/smaps", pid);
	if (n < 0 || proc_read(path, text, sizeof(text)) < 0) {
		fprintf(stderr, "pmap: no process %s\n", pid);
		return 1;
	}
	printf("%s:   %s\n", pid, cmd);
	if (extended)
		printf("Address           Kbytes     RSS   Dirty Mode  Mapping\n");
	for (p = *text ? text : NULL; p; ) {
		p = parse_block(p, &m);
		size += m.size_kb;
		rss += m.rss;
		dirty += m.dirty;
		if (extended)
			printf("%016lx %7lu %7lu %7lu %s %s\n", m.start, m.size_kb, m.rss,
			       m.dirty, m.mode, m.name);
		else
			printf("%016lx %6luK %s %s\n", m.start, m.size_kb, m.mode, m.name);
	}
	if (extended)
		printf("---------------- ------- ------- -------\n"
		       "total kB         %7lu %7lu %7lu\n", size, rss, dirty);
	else
		printf(" total %16luK\n", size);
	return 0;
}

int main(int argc, char **argv)
{
	int extended = 0, status = 0, c;

	while ((c = getopt(argc, argv, "x")) != -1) {
		if (c != 'x') {
			fprintf(stderr, "usage: pmap [-x] pid...\n");
			return 1;
		}
		extended = 1;
	}
	if (optind >= argc) {
		fprintf(stderr, "usage: pmap [-x] pid...\n");
		return 1;
	}
	for (int i = optind; i < argc; i++)
		status |= show(argv[i], extended);
	return status;
}
