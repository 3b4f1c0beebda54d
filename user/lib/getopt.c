/* POSIX getopt: short options, grouped flags, "x:" for an argument. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

char *optarg;
int optind = 1, opterr = 1, optopt;
static int optpos;	/* position inside a group like -la */

/*
 * Returns the next option letter from argv, '?' for an unknown option or
 * missing argument (':' instead if opts starts with ':'), -1 at the first
 * non-option or after "--".
 */
int getopt(int argc, char *const argv[], const char *opts)
{
	const char *arg, *spec;
	int colon = opts[0] == ':';

	optarg = 0;
	if (optind >= argc || !(arg = argv[optind]) || arg[0] != '-' || !arg[1])
		return -1;
	if (!optpos && strcmp(arg, "--") == 0) {
		optind++;
		return -1;
	}
	if (!optpos)
		optpos = 1;
	optopt = arg[optpos++];
	spec = optopt != ':' ? strchr(opts, optopt) : 0;
	if (!arg[optpos]) {
		optind++;
		optpos = 0;
	}
	if (!spec) {
		if (opterr && !colon)
			fprintf(stderr, "%s: invalid option -- '%c'\n", argv[0], optopt);
		return '?';
	}
	if (spec[1] == ':') {
		if (optpos) {			/* rest of this word */
			optarg = (char *)arg + optpos;
			optind++;
			optpos = 0;
		} else if (optind < argc) {
			optarg = argv[optind++];
		} else {
			if (opterr && !colon)
				fprintf(stderr, "%s: option requires an argument -- '%c'\n",
					argv[0], optopt);
			return colon ? ':' : '?';
		}
	}
	return optopt;
}
