/*
 * vmstat [DELAY [COUNT]]: procps' report of processes, memory, swap, I/O,
 * the system and the CPUs, one line per DELAY seconds (COUNT lines, or
 * forever with only DELAY; one line without). The first line is the
 * average since boot, the others cover the last interval:
 *
 *   r b            runnable and blocked processes (/proc/stat)
 *   swpd free buff cache   KiB of swap used, free, buffers, page cache
 *   si so          KiB/s swapped in and out (pswpin, pswpout: /proc/vmstat)
 *   bi bo          blocks (KiB) /s read from and written to the disks
 *                  (pgpgin, pgpgout: /proc/vmstat)
 *   in cs          interrupts, context switches /s (/proc/stat)
 *   us sy id wa st % of CPU time: user, system, idle, I/O wait, stolen
 *
 * vmstat -s prints every counter of /proc/vmstat and /proc/meminfo.
 */
#include <procread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct sample {
	double secs;			/* uptime */
	unsigned long cpu[5];		/* user, system, idle, iowait, steal ticks */
	unsigned long ctxt, intr, pswpin, pswpout, pgpgin, pgpgout;
	long running, blocked, swpd, free, buff, cache;
};

static char text[16384];

static void take(struct sample *s)
{
	unsigned long v[10] = { 0 };
	char *p;

	proc_read("/proc/uptime", text, sizeof(text));
	s->secs = strtol(text, &p, 10) + (*p == '.' ? strtol(p + 1, NULL, 10) / 100.0 : 0);
	proc_read("/proc/stat", text, sizeof(text));
	p = text + 4;			/* "cpu  user nice system idle iowait irq softirq steal" */
	for (int i = 0; i < 8; i++)
		v[i] = strtoul(p, &p, 10);
	s->cpu[0] = v[0] + v[1];
	s->cpu[1] = v[2] + v[5] + v[6];
	s->cpu[2] = v[3];
	s->cpu[3] = v[4];
	s->cpu[4] = v[7];
	s->ctxt = (unsigned long)proc_value(text, "ctxt");
	s->intr = (unsigned long)proc_value(text, "intr");
	s->running = proc_value(text, "procs_running");
	s->blocked = proc_value(text, "procs_blocked");
	proc_read("/proc/vmstat", text, sizeof(text));
	s->pswpin = (unsigned long)proc_value(text, "pswpin");
	s->pswpout = (unsigned long)proc_value(text, "pswpout");
	s->pgpgin = (unsigned long)proc_value(text, "pgpgin");
	s->pgpgout = (unsigned long)proc_value(text, "pgpgout");
	proc_read("/proc/meminfo", text, sizeof(text));
	s->swpd = proc_value(text, "SwapTotal") - proc_value(text, "SwapFree");
	s->free = proc_value(text, "MemFree");
	s->buff = proc_value(text, "Buffers");
	s->cache = proc_value(text, "Cached") + proc_value(text, "SReclaimable");
}

/* One line for the interval from a to b (a zeroed: since boot). */
static void report(const struct sample *a, const struct sample *b)
{
	double secs = b->secs - a->secs > 0 ? b->secs - a->secs : 1;
	unsigned long d[5], all = 0;

	for (int i = 0; i < 5; i++)
		all += d[i] = b->cpu[i] - a->cpu[i];
	all = all ? all : 1;
	printf("%2ld %2ld %6ld %6ld %6ld %6ld %4lu %4lu %5lu %5lu %4lu %4lu %2lu %2lu %2lu %2lu %2lu\n",
	       b->running, b->blocked, b->swpd, b->free, b->buff, b->cache,
	       (unsigned long)((b->pswpin - a->pswpin) * 4 / secs),
	       (unsigned long)((b->pswpout - a->pswpout) * 4 / secs),
	       (unsigned long)((b->pgpgin - a->pgpgin) / secs),
	       (unsigned long)((b->pgpgout - a->pgpgout) / secs),
	       (unsigned long)((b->intr - a->intr) / secs),
	       (unsigned long)((b->ctxt - a->ctxt) / secs), d[0] * 100 / all,
	       d[1] * 100 / all, d[2] * 100 / all, d[3] * 100 / all, d[4] * 100 / all);
	fflush(stdout);
}

/* vmstat -s: every number, one per line, as "value name". */
static int summary(void)
{
	const char *files[] = { "/proc/meminfo", "/proc/vmstat" };

	for (int f = 0; f < 2; f++) {
		proc_read(files[f], text, sizeof(text));
		for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
			char *sep = strpbrk(line, ": ");

			if (!sep)
				continue;
			*sep = 0;
			printf("%13ld %s\n", strtol(sep + 1, NULL, 10), line);
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct sample prev = { 0 }, now;
	long delay = 0, count = 1;

	if (argc > 1 && strcmp(argv[1], "-s") == 0)
		return summary();
	if (argc > 1) {
		delay = strtol(argv[1], NULL, 10);
		count = argc > 2 ? strtol(argv[2], NULL, 10) : -1;
		if (delay <= 0) {
			fprintf(stderr, "usage: vmstat [-s] [delay [count]]\n");
			return 1;
		}
	}
	printf("procs -----------memory---------- ---swap-- -----io---- -system-- ------cpu-----\n");
	printf(" r  b   swpd   free   buff  cache   si   so    bi    bo   in   cs us sy id wa st\n");
	for (long i = 0; count < 0 || i < count; i++) {
		if (i)
			sleep((unsigned int)delay);
		take(&now);
		report(&prev, &now);
		prev = now;
	}
	return 0;
}
