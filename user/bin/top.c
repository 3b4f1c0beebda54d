/*
 * top [-b] [-n N] [-d SECS]: the system and its processes, refreshed every
 * SECS seconds (3), in procps' layout: uptime and load, tasks by state, CPU
 * time by kind, memory and swap in MiB, then one line per process, busiest
 * first. -b (batch) writes the frames one after another (for a file or a
 * test); without it each frame replaces the last on the terminal, until
 * interrupted or q is typed. -n N stops after N frames.
 *
 * Keys (read from standard input between frames, without waiting for a
 * newline on a terminal): q quits, M sorts the processes by memory (RES),
 * P by CPU (the default), each redrawing at once.
 *
 * %CPU is the share of one hart over the last interval (since the process
 * began, in the first frame); SHR is RssFile + RssShmem (statm's shared);
 * TIME+ is user + system time in minutes:seconds.hundredths.
 */
#include <poll.h>
#include <procread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#define HZ	100
#define MAXP	512

struct task {
	struct proc_stat st;
	unsigned long shr_kb;
	double cpu;
};

static char text[8192];
static struct { long pid; unsigned long ticks; } last[MAXP];
static int nlast;
static double last_uptime;

static double uptime_now(void)
{
	char *p;
	double s;

	proc_read("/proc/uptime", text, sizeof(text));
	s = strtol(text, &p, 10);
	return s + (*p == '.' ? strtol(p + 1, NULL, 10) / 100.0 : 0);
}

/* Ticks the process had at the last frame, or -1 if it is new. */
static long ticks_before(long pid)
{
	for (int i = 0; i < nlast; i++)
		if (last[i].pid == pid)
			return (long)last[i].ticks;
	return -1;
}

static int by_memory;		/* M: sort by RES, not by %CPU */

static int busiest_first(const void *a, const void *b)
{
	const struct task *x = a, *y = b;

	if (by_memory && x->st.rss != y->st.rss)
		return x->st.rss < y->st.rss ? 1 : -1;
	if (x->cpu != y->cpu)
		return x->cpu < y->cpu ? 1 : -1;
	return x->st.pid < y->st.pid ? -1 : 1;
}

static void summary(double up, int n, const struct task *t)
{
	int states[128] = { 0 };
	long secs = (long)up, v[10] = { 0 };
	char *p, load[128];
	double all = 0, mt, mf, ca, st, sf, av;

	for (int i = 0; i < n; i++)
		states[(unsigned char)t[i].st.state & 127]++;
	proc_read("/proc/loadavg", load, sizeof(load));
	printf("top - %02ld:%02ld:%02ld up %ld min,  0 users,  load average: ",
	       secs / 3600 % 24, secs / 60 % 60, secs % 60, secs / 60);
	p = strtok(load, " ");
	for (int i = 0; i < 3 && p; i++, p = strtok(NULL, " "))
		printf(i < 2 ? "%s, " : "%s\n", p);
	printf("Tasks: %3d total, %3d running, %3d sleeping, %3d stopped, %3d zombie\n",
	       n, states['R'], states['S'] + states['D'], states['T'], states['Z']);
	proc_read("/proc/stat", text, sizeof(text));
	p = text + 4;
	for (int i = 0; i < 8; i++)
		all += v[i] = strtol(p, &p, 10);
	all = all ? all : 1;
	printf("%%Cpu(s): %4.1f us, %4.1f sy, %4.1f ni, %4.1f id, %4.1f wa, %4.1f hi, "
	       "%4.1f si, %4.1f st\n", 100 * v[0] / all, 100 * v[2] / all, 100 * v[1] / all,
	       100 * v[3] / all, 100 * v[4] / all, 100 * v[5] / all, 100 * v[6] / all,
	       100 * v[7] / all);
	proc_read("/proc/meminfo", text, sizeof(text));
	mt = proc_value(text, "MemTotal") / 1024.0;
	mf = proc_value(text, "MemFree") / 1024.0;
	ca = (proc_value(text, "Buffers") + proc_value(text, "Cached") +
	      proc_value(text, "SReclaimable")) / 1024.0;
	st = proc_value(text, "SwapTotal") / 1024.0;
	sf = proc_value(text, "SwapFree") / 1024.0;
	av = proc_value(text, "MemAvailable") / 1024.0;
	printf("MiB Mem : %8.1f total, %8.1f free, %8.1f used, %8.1f buff/cache\n",
	       mt, mf, mt - mf - ca, ca);
	printf("MiB Swap: %8.1f total, %8.1f free, %8.1f used. %8.1f avail Mem\n\n",
	       st, sf, st - sf, av);
}

/* statm's third field, shared pages (RssFile + RssShmem), in KiB. */
static unsigned long shared_kb(long pid)
{
	char path[64], *p = text;

	snprintf(path, sizeof(path), "/proc/%ld/statm", pid);
	if (proc_read(path, text, sizeof(text)) <= 0)
		return 0;
	strtoul(p, &p, 10);
	strtoul(p, &p, 10);
	return strtoul(p, NULL, 10) * 4;
}

/* One frame: read every process, print the summary and the list. */
static void frame(void)
{
	static struct task t[MAXP];
	double up = uptime_now(), span = up - last_uptime;
	long *pids, mem_kb;
	int n = proc_pids(&pids), m = 0;

	proc_read("/proc/meminfo", text, sizeof(text));
	mem_kb = proc_value(text, "MemTotal");
	for (int i = 0; i < n && m < MAXP; i++) {
		struct task *k = &t[m];
		long before;

		if (proc_stat_read(pids[i], &k->st) < 0)
			continue;
		k->shr_kb = shared_kb(pids[i]);
		before = ticks_before(k->st.pid);
		if (before < 0 || span <= 0)
			k->cpu = 100.0 * (k->st.utime + k->st.stime) / HZ /
				 (up - k->st.starttime / (double)HZ + 0.01);
		else
			k->cpu = 100.0 * (k->st.utime + k->st.stime - before) / HZ / span;
		m++;
	}
	free(n > 0 ? pids : NULL);
	qsort(t, (size_t)m, sizeof(t[0]), busiest_first);
	summary(up, m, t);
	printf("%7s %-8s %3s %3s %7s %6s %6s %c %5s %5s %9s %s\n", "PID", "USER", "PR",
	       "NI", "VIRT", "RES", "SHR", 'S', "%CPU", "%MEM", "TIME+", "COMMAND");
	nlast = 0;
	for (int i = 0; i < m; i++) {
		unsigned long ticks = t[i].st.utime + t[i].st.stime;

		printf("%7ld %-8s %3d %3d %7lu %6ld %6lu %c %5.1f %5.1f %3lu:%02lu.%02lu %s\n",
		       t[i].st.pid, "root", 20, 0, t[i].st.vsize / 1024, t[i].st.rss * 4,
		       t[i].shr_kb, t[i].st.state, t[i].cpu,
		       mem_kb ? 100.0 * t[i].st.rss * 4 / mem_kb : 0.0, ticks / HZ / 60,
		       ticks / HZ % 60, ticks % HZ, t[i].st.name);
		last[nlast].pid = t[i].st.pid;
		last[nlast++].ticks = ticks;
	}
	last_uptime = up;
	fflush(stdout);
}

/*
 * Wait up to secs for a key on standard input and act on it: 1 to quit,
 * 0 to draw the next frame (a sort key redraws at once; the wait's end or
 * the end of the input too).
 */
static int wait_key(long secs)
{
	struct pollfd pfd = { .fd = 0, .events = POLLIN };
	char key;

	if (poll(&pfd, 1, (int)(secs > 0 ? secs : 1) * 1000) != 1 || read(0, &key, 1) != 1)
		return 0;
	if (key == 'q')
		return 1;
	if (key == 'M' || key == 'P')
		by_memory = key == 'M';
	return 0;
}

int main(int argc, char **argv)
{
	long frames = -1, delay = 3;
	int batch = 0, c, quit = 0, raw = 0;
	struct termios saved, t;

	while ((c = getopt(argc, argv, "bn:d:")) != -1) {
		if (c == 'b')
			batch = 1;
		else if (c == 'n')
			frames = strtol(optarg, NULL, 10);
		else if (c == 'd')
			delay = strtol(optarg, NULL, 10);
		else {
			fprintf(stderr, "usage: top [-b] [-n frames] [-d seconds]\n");
			return 1;
		}
	}
	if (!batch && tcgetattr(0, &saved) == 0) {	/* keys without Enter or echo */
		t = saved;
		t.c_lflag &= ~(ICANON | ECHO);
		t.c_cc[VMIN] = 1;
		t.c_cc[VTIME] = 0;
		raw = tcsetattr(0, TCSANOW, &t) == 0;
	}
	for (long i = 0; !quit && (frames < 0 || i < frames); i++) {
		if (i && batch)
			sleep((unsigned int)(delay > 0 ? delay : 1));
		else if (i)
			quit = wait_key(delay);
		if (quit)
			break;
		if (!batch)
			printf("\033[H\033[2J");
		else if (i)
			printf("\n");
		frame();
	}
	if (raw)
		tcsetattr(0, TCSANOW, &saved);
	return 0;
}
