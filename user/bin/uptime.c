/*
 * uptime: " 00:05:12 up 5 min,  0 users,  load average: 0.00, 0.01, 0.05"
 * from /proc/uptime and /proc/loadavg, as procps writes it; the time of day
 * is the wall clock's (UTC). -p: only "up 5 minutes".
 */
#include <procread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* "up 2 days, 3:04" / "up 5 min" as procps. */
static void print_up(long secs)
{
	long days = secs / 86400, hours = secs / 3600 % 24, mins = secs / 60 % 60;

	printf("up ");
	if (days)
		printf("%ld day%s, ", days, days == 1 ? "" : "s");
	if (hours)
		printf("%2ld:%02ld, ", hours, mins);
	else
		printf("%ld min, ", mins);
}

int main(int argc, char **argv)
{
	char up[128], load[128];
	struct tm tm;
	time_t now;
	long secs;
	char *p;

	if (proc_read("/proc/uptime", up, sizeof(up)) <= 0 ||
	    proc_read("/proc/loadavg", load, sizeof(load)) <= 0) {
		perror("uptime: /proc");
		return 1;
	}
	secs = strtol(up, NULL, 10);
	if (argc > 1 && strcmp(argv[1], "-p") == 0) {
		printf("up %ld minute%s\n", secs / 60, secs / 60 == 1 ? "" : "s");
		return 0;
	}
	now = time(NULL);
	gmtime_r(&now, &tm);
	printf(" %02d:%02d:%02d ", tm.tm_hour, tm.tm_min, tm.tm_sec);
	print_up(secs);
	/* the first three fields of loadavg, comma separated */
	p = load;
	for (int i = 0; i < 3 && *p; i++) {
		char *end = strchr(p, ' ');

		if (end)
			*end = 0;
		printf(i == 0 ? " 0 users,  load average: %s" : ", %s", p);
		p = end ? end + 1 : p + strlen(p);
	}
	printf("\n");
	return 0;
}
