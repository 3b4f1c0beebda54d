/*
 * tail [-n N] [-N] [FILE]: the last N lines (10) of a file or of standard
 * input. The input is read whole into memory (files here are small).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char *text = NULL, *bigger;
	size_t len = 0, cap = 0;
	long lines = 10;
	ssize_t got;
	int fd = 0, c;

	if (argc > 1 && argv[1][0] == '-' && argv[1][1] >= '0' && argv[1][1] <= '9') {
		lines = strtol(argv[1] + 1, NULL, 10);
		argv++, argc--;
	}
	while ((c = getopt(argc, argv, "n:")) != -1) {
		if (c != 'n')
			return 1;
		lines = strtol(optarg, NULL, 10);
	}
	if (optind < argc && (fd = open(argv[optind], O_RDONLY)) < 0) {
		perror(argv[optind]);
		return 1;
	}
	do {
		if (len == cap) {
			cap = cap ? cap * 2 : 4096;
			if (!(bigger = realloc(text, cap))) {
				fprintf(stderr, "tail: out of memory\n");
				return 1;
			}
			text = bigger;
		}
		got = read(fd, text + len, cap - len);
		len += got > 0 ? (size_t)got : 0;
	} while (got > 0);
	size_t start = len;

	/* back over `lines` line ends, not counting a final one */
	if (start && text[start - 1] == '\n')
		start--;
	while (start > 0 && (text[start - 1] != '\n' || --lines > 0))
		start--;
	if (lines <= 0 || start == 0)
		fwrite(text + start, 1, len - start, stdout);
	free(text);
	return 0;
}
