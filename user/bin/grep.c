/*
 * grep [-civnq] PATTERN [FILE...]: the lines that contain PATTERN (a fixed
 * string; '^' at its start and '$' at its end anchor it). -c counts them,
 * -i ignores case, -v selects the others, -n numbers them, -q only sets
 * the exit status. Exit 0 if a line was selected, 1 if none, 2 on error.
 */
#include <ctype.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int opt_c, opt_i, opt_v, opt_n, opt_q;
static const char *pat;
static size_t plen;
static int at_start, at_end;

static int same(char a, char b)
{
	return opt_i ? tolower((unsigned char)a) == tolower((unsigned char)b) : a == b;
}

static int matches_at(const char *line, size_t i)
{
	for (size_t k = 0; k < plen; k++)
		if (!same(line[i + k], pat[k]))
			return 0;
	return 1;
}

static int matches(const char *line, size_t len)
{
	if (plen > len)
		return 0;
	if (at_start)
		return matches_at(line, 0) && (!at_end || len == plen);
	if (at_end)
		return matches_at(line, len - plen);
	for (size_t i = 0; i + plen <= len; i++)
		if (matches_at(line, i))
			return 1;
	return 0;
}

/* Grep one stream; lines selected. */
static long grep(FILE *f, const char *name)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	long selected = 0, no = 0;

	while ((len = getline(&line, &cap, f)) >= 0) {
		size_t n = (size_t)len - (len && line[len - 1] == '\n');

		no++;
		if (matches(line, n) == opt_v)
			continue;
		selected++;
		if (opt_c || opt_q)
			continue;
		if (name)
			printf("%s:", name);
		if (opt_n)
			printf("%ld:", no);
		printf("%.*s\n", (int)n, line);
	}
	free(line);
	return selected;
}

int main(int argc, char **argv)
{
	long total = 0;
	int c, status = 0, files;

	while ((c = getopt(argc, argv, "civnq")) != -1) {
		if (c == '?')
			return 2;
		opt_c |= c == 'c', opt_i |= c == 'i', opt_v |= c == 'v';
		opt_n |= c == 'n', opt_q |= c == 'q';
	}
	if (optind >= argc) {
		fprintf(stderr, "usage: grep [-civnq] pattern [file...]\n");
		return 2;
	}
	pat = argv[optind++];
	plen = strlen(pat);
	at_start = plen && pat[0] == '^';
	pat += at_start, plen -= at_start;
	at_end = plen && pat[plen - 1] == '$';
	plen -= at_end;
	files = argc - optind;
	for (int i = optind; i < argc || (files == 0 && i == optind); i++) {
		FILE *f = files ? fopen(argv[i], "r") : stdin;
		long n;

		if (!f) {
			perror(argv[i]);
			status = 2;
			continue;
		}
		n = grep(f, files > 1 ? argv[i] : NULL);
		total += n;
		if (opt_c && !opt_q)
			printf(files > 1 ? "%s:%ld\n" : "%.0s%ld\n", files ? argv[i] : "", n);
		if (files)
			fclose(f);
	}
	return status ? status : total ? 0 : 1;
}
