/* sleep SECONDS: pauses for a number of seconds (decimals allowed). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int main(int argc, char **argv)
{
	struct timespec ts = { 0, 0 };
	char *end;
	long scale = 100000000;

	if (argc != 2) {
		fprintf(stderr, "usage: sleep seconds\n");
		return 1;
	}
	ts.tv_sec = strtol(argv[1], &end, 10);
	if (*end == '.')
		for (end++; *end >= '0' && *end <= '9' && scale; end++, scale /= 10)
			ts.tv_nsec += (*end - '0') * scale;
	if (*end || ts.tv_sec < 0 || end == argv[1]) {
		fprintf(stderr, "sleep: invalid time interval '%s'\n", argv[1]);
		return 1;
	}
	while (nanosleep(&ts, &ts) < 0)
		if (errno != EINTR)
			return 1;
	return 0;
}
