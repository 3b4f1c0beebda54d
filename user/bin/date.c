/*
 * date: the wall time (CLOCK_REALTIME, which the kernel takes from the
 * board's real-time clock at boot) in UTC, as coreutils' date prints it in
 * the C locale: "Tue Dec  1 09:35:12 UTC 2026". "date +%s": the seconds
 * since the epoch.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

static const char days[7][4] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
static const char months[12][4] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
				    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };

int main(int argc, char **argv)
{
	time_t now = time(NULL);
	struct tm tm;

	if (argc > 1 && strcmp(argv[1], "+%s") == 0) {
		printf("%ld\n", (long)now);
		return 0;
	}
	if (argc > 1) {
		fprintf(stderr, "date: only \"date\" and \"date +%%s\" are known\n");
		return 1;
	}
	gmtime_r(&now, &tm);
	printf("%s %s %2d %02d:%02d:%02d UTC %d\n", days[tm.tm_wday], months[tm.tm_mon],
	       tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, tm.tm_year + 1900);
	return 0;
}
