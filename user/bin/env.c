/*
 * env [NAME=VALUE...] [COMMAND [ARG...]]: run COMMAND with the environment
 * changed by the assignments, or print the resulting environment.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int i = 1;

	for (; i < argc && strchr(argv[i], '='); i++) {
		char *eq = strchr(argv[i], '=');

		*eq = 0;
		if (setenv(argv[i], eq + 1, 1) < 0) {
			perror("env");
			return 125;
		}
	}
	if (i < argc) {
		execvp(argv[i], argv + i);
		perror(argv[i]);
		return 127;
	}
	for (char **e = environ; e && *e; e++)
		printf("%s\n", *e);
	return 0;
}
