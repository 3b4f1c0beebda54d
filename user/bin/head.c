/*
 * head [-n N] [-N] [FILE...]: the first N lines (10) of each file, or of
 * standard input; "==> FILE <==" before each when there are several.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static int head(int fd, long lines)
{
	char buf[4096];
	ssize_t got;

	while (lines > 0 && (got = read(fd, buf, sizeof(buf))) > 0) {
		ssize_t end = 0;

		while (end < got && lines > 0)
			lines -= buf[end++] == '\n';
		fwrite(buf, 1, (size_t)end, stdout);
	}
	return 0;
}

int main(int argc, char **argv)
{
	long lines = 10;
	int first = 1, c, status = 0;

	if (argc > 1 && argv[1][0] == '-' && argv[1][1] >= '0' && argv[1][1] <= '9') {
		lines = strtol(argv[1] + 1, NULL, 10);
		argv++, argc--;
	}
	while ((c = getopt(argc, argv, "n:")) != -1) {
		if (c != 'n')
			return 1;
		lines = strtol(optarg, NULL, 10);
	}
	if (optind == argc)
		return head(0, lines);
	for (int i = optind; i < argc; i++) {
		int fd = open(argv[i], O_RDONLY);

		if (fd < 0) {
			perror(argv[i]);
			status = 1;
			continue;
		}
		if (argc - optind > 1)
			printf("%s==> %s <==\n", first ? "" : "\n", argv[i]);
		first = 0;
		head(fd, lines);
		close(fd);
	}
	return status;
}
