/*
 * ls [-1al] [path...]: lists directory contents sorted by name.
 *	-a  include names starting with '.'
 *	-l  long format: mode, links, owner, group, size, mtime (UTC), name
 *	-1  one name per line (the default when stdout is not a terminal;
 *	    on a terminal names are laid out in columns)
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct entry {
	char		*name;
	struct stat	st;
};

static int opt_all, opt_long, opt_one;

/* qsort order of entries: byte-wise by name. */
static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct entry *)a)->name, ((const struct entry *)b)->name);
}

/* Writes the ten-character mode string ("drwxr-xr-x") for m into s. */
static void mode_string(unsigned m, char *s)
{
	static const char types[] = "?pc?d?b?-?l?s???";
	const char *rwx = "rwxrwxrwx";

	s[0] = types[(m >> 12) & 15];
	for (int i = 0; i < 9; i++)
		s[1 + i] = (m & (0400 >> i)) ? rwx[i] : '-';
	if (m & S_ISUID)
		s[3] = s[3] == 'x' ? 's' : 'S';
	if (m & S_ISGID)
		s[6] = s[6] == 'x' ? 's' : 'S';
	if (m & S_ISVTX)
		s[9] = s[9] == 'x' ? 't' : 'T';
	s[10] = 0;
}

/* Prints one long-format line; dirfd/name locate it for readlink. */
static void print_long(int dirfd, const struct entry *e)
{
	char mode[11], when[20], target[256];
	struct tm tm;
	time_t t = e->st.st_mtime;

	mode_string(e->st.st_mode, mode);
	gmtime_r(&t, &tm);
	snprintf(when, sizeof(when), "%04d-%02d-%02d %02d:%02d", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min);
	printf("%s %3u %4u %4u %8ld %s %s", mode, e->st.st_nlink, e->st.st_uid,
	       e->st.st_gid, (long)e->st.st_size, when, e->name);
	if (S_ISLNK(e->st.st_mode)) {
		ssize_t n = readlinkat(dirfd, e->name, target, sizeof(target) - 1);
		if (n >= 0) {
			target[n] = 0;
			printf(" -> %s", target);
		}
	}
	putchar('\n');
}

/* Terminal width for column output (80 if unknown). */
static int term_width(void)
{
	struct winsize ws;

	if (ioctl(1, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	return 80;
}

/* Prints names in columns, filled top to bottom. */
static void print_columns(struct entry *v, int n)
{
	int width = 0, cols, rows;

	for (int i = 0; i < n; i++) {
		int len = (int)strlen(v[i].name);
		if (len > width)
			width = len;
	}
	width += 2;
	cols = term_width() / width;
	if (cols < 1)
		cols = 1;
	rows = (n + cols - 1) / cols;
	for (int r = 0; r < rows; r++) {
		for (int c = 0; c < cols; c++) {
			int i = c * rows + r;
			if (i >= n)
				break;
			if (c == cols - 1 || i + rows >= n)
				printf("%s", v[i].name);
			else
				printf("%-*s", width, v[i].name);
		}
		putchar('\n');
	}
}

/* Sorts and prints n entries found in the directory open on dirfd. */
static void print_entries(int dirfd, struct entry *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), by_name);
	if (opt_long)
		for (int i = 0; i < n; i++)
			print_long(dirfd, &v[i]);
	else if (!opt_one)
		print_columns(v, n);
	else
		for (int i = 0; i < n; i++)
			puts(v[i].name);
}

/* Lists directory path; 0, or 2 after printing an error. */
static int list_dir(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *de;
	struct entry *v = 0;
	int n = 0, cap = 0, status = 0;

	if (!d) {
		fprintf(stderr, "ls: cannot open directory '%s': %s\n", path, strerror(errno));
		return 2;
	}
	errno = 0;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' && !opt_all)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			v = realloc(v, (size_t)cap * sizeof(*v));
			if (!v) {
				fprintf(stderr, "ls: out of memory\n");
				exit(2);
			}
		}
		v[n].name = strdup(de->d_name);
		memset(&v[n].st, 0, sizeof(v[n].st));
		if (opt_long)
			fstatat(dirfd(d), de->d_name, &v[n].st, AT_SYMLINK_NOFOLLOW);
		n++;
	}
	if (errno) {
		fprintf(stderr, "ls: reading directory '%s': %s\n", path, strerror(errno));
		status = 2;
	}
	print_entries(dirfd(d), v, n);
	for (int i = 0; i < n; i++)
		free(v[i].name);
	free(v);
	closedir(d);
	return status;
}

int main(int argc, char **argv)
{
	int c, status = 0, nargs;

	opt_one = !isatty(1);
	while ((c = getopt(argc, argv, "1al")) != -1) {
		if (c == 'a')
			opt_all = 1;
		else if (c == 'l')
			opt_long = 1;
		else if (c == '1')
			opt_one = 1;
		else
			return 2;
	}
	nargs = argc - optind;
	if (nargs == 0)
		return list_dir(".");
	for (int i = optind; i < argc; i++) {
		struct entry e = { argv[i], { 0 } };

		if (stat(argv[i], &e.st) < 0 && lstat(argv[i], &e.st) < 0) {
			fprintf(stderr, "ls: cannot access '%s': %s\n", argv[i], strerror(errno));
			status = 2;
			continue;
		}
		if (!S_ISDIR(e.st.st_mode)) {
			if (opt_long) {
				lstat(argv[i], &e.st);
				print_long(AT_FDCWD, &e);
			} else {
				puts(argv[i]);
			}
			continue;
		}
		if (nargs > 1)
			printf("%s%s:\n", i > optind ? "\n" : "", argv[i]);
		if (list_dir(argv[i]))
			status = 2;
	}
	return status;
}
