/*
 * rm [-rf] PATH...: remove files; -r removes directories and what they
 * hold, -f says nothing about paths that do not exist.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int recursive, force;

static int remove_path(const char *path)
{
	struct stat st;

	if (lstat(path, &st) < 0) {
		if (force && errno == ENOENT)
			return 0;
		perror(path);
		return 1;
	}
	if (S_ISDIR(st.st_mode)) {
		DIR *d;
		struct dirent *de;
		int status = 0;

		if (!recursive) {
			fprintf(stderr, "rm: %s is a directory\n", path);
			return 1;
		}
		if (!(d = opendir(path))) {
			perror(path);
			return 1;
		}
		while ((de = readdir(d))) {
			char sub[1024];

			if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
				continue;
			snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name);
			status |= remove_path(sub);
		}
		closedir(d);
		if (rmdir(path) < 0) {
			perror(path);
			return 1;
		}
		return status;
	}
	if (unlink(path) < 0) {
		perror(path);
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	int status = 0, c;

	while ((c = getopt(argc, argv, "rRf")) != -1) {
		if (c == '?')
			return 1;
		recursive |= c == 'r' || c == 'R';
		force |= c == 'f';
	}
	for (int i = optind; i < argc; i++)
		status |= remove_path(argv[i]);
	return status;
}
