/*
 * ps: the processes, from /proc/<pid>/stat (procread.h), sorted by pid.
 *
 *   ps            PID STATE RSS VSZ (KiB) MINFLT MAJFLT NAME
 *   ps -p 1,7     the same for those pids only
 *   ps aux        procps' BSD layout: USER PID %CPU %MEM VSZ RSS TTY STAT
 *                 START TIME COMMAND (the command line from cmdline)
 *
 * Everyone is root on Kilburn and there are no terminals ("?").
 */
#include <procread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PAGE_KB		4
#define HZ		100

/* Is pid in the comma-separated list (NULL: every pid)? */
static int wanted(const char *list, long pid)
{
	for (const char *p = list; p && *p; ) {
		char *end;

		if (strtol(p, &end, 10) == pid)
			return 1;
		p = *end == ',' ? end + 1 : end;
		if (end == p && *p)
			p++;
	}
	return list == NULL;
}

/* The command line of pid, spaces for NULs; [name] if it has none. */
static void command_of(const struct proc_stat *st, char *buf, size_t size)
{
	char path[64];
	int n;

	snprintf(path, sizeof(path), "/proc/%ld/cmdline", st->pid);
	n = proc_read(path, buf, size);
	for (int i = 0; i < n - 1; i++)
		if (buf[i] == 0)
			buf[i] = ' ';
	if (n <= 0)
		snprintf(buf, size, "[%s]", st->name);
}

static void print_aux(const struct proc_stat *st, long mem_kb, double uptime)
{
	char cmd[256];
	double secs = uptime - st->starttime / (double)HZ;
	unsigned long cpu = st->utime + st->stime;

	command_of(st, cmd, sizeof(cmd));
	printf("%-8s %7ld %4.1f %4.1f %6lu %5ld %-8s %-4c %02lu:%02lu %3lu:%02lu %s\n",
	       "root", st->pid, secs > 0 ? 100.0 * cpu / HZ / secs : 0.0,
	       mem_kb ? 100.0 * st->rss * PAGE_KB / mem_kb : 0.0, st->vsize / 1024,
	       st->rss * PAGE_KB, "?", st->state, st->starttime / HZ / 3600 % 24,
	       st->starttime / HZ / 60 % 60, cpu / HZ / 60, cpu / HZ % 60, cmd);
}

int main(int argc, char **argv)
{
	static char text[4096];
	const char *list = NULL;
	int aux = argc > 1 && strcmp(argv[1], "aux") == 0, n, c, shown = 0;
	long *pids, mem_kb;
	double uptime;

	while (!aux && (c = getopt(argc, argv, "p:")) != -1) {
		if (c != 'p') {
			fprintf(stderr, "usage: ps [aux] [-p pid,...]\n");
			return 1;
		}
		list = optarg;
	}
	n = proc_pids(&pids);
	if (n < 0) {
		perror("ps: /proc");
		return 1;
	}
	proc_read("/proc/meminfo", text, sizeof(text));
	mem_kb = proc_value(text, "MemTotal");
	proc_read("/proc/uptime", text, sizeof(text));
	uptime = strtol(text, NULL, 10);
	if (aux)
		printf("%-8s %7s %4s %4s %6s %5s %-8s %-4s %5s %6s %s\n", "USER", "PID",
		       "%CPU", "%MEM", "VSZ", "RSS", "TTY", "STAT", "START", "TIME",
		       "COMMAND");
	else
		printf("%5s %-5s %8s %8s %8s %6s %s\n", "PID", "STATE", "RSS", "VSZ",
		       "MINFLT", "MAJFLT", "NAME");
	for (int i = 0; i < n; i++) {
		struct proc_stat st;

		if (!wanted(list, pids[i]) || proc_stat_read(pids[i], &st) < 0)
			continue;
		shown++;
		if (aux)
			print_aux(&st, mem_kb, uptime);
		else
			printf("%5ld %-5c %8ld %8lu %8lu %6lu %s\n", st.pid, st.state,
			       st.rss * PAGE_KB, st.vsize / 1024, st.minflt, st.majflt,
			       st.name);
	}
	free(pids);
	return list && !shown ? 1 : 0;	/* procps: no such process */
}
