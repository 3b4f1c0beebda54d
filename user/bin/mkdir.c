/* mkdir [-p] DIR...: make directories; -p makes the parents too and does not mind ones that exist. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int make(char *path, int parents)
{
	if (parents) {
		for (char *p = path + 1; *p; p++) {
			if (*p != '/')
				continue;
			*p = 0;
			if (mkdir(path, 0777) < 0 && errno != EEXIST) {
				perror(path);
				return 1;
			}
			*p = '/';
		}
	}
	if (mkdir(path, 0777) < 0 && !(parents && errno == EEXIST)) {
		perror(path);
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	int parents = 0, status = 0, c;

	while ((c = getopt(argc, argv, "p")) != -1) {
		if (c != 'p')
			return 1;
		parents = 1;
	}
	for (int i = optind; i < argc; i++)
		status |= make(argv[i], parents);
	return status;
}
