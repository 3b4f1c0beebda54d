/*
 * Pathname expansion for the shell: a word with an unquoted `*` or `?`
 * becomes the sorted list of the paths it matches, component by component
 * (`*` any string, `?` any one character, neither matching a leading `.`
 * or a `/`); a word that matches nothing stays as it is, as POSIX says.
 * A word with any quoting or a $ is not a pattern (and there are no
 * bracket expressions).
 */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "sh.h"

struct strv {
	char **v;
	int n, cap;
};

static void strv_add(struct strv *sv, char *s)
{
	if (sv->n + 1 >= sv->cap) {
		sv->cap = sv->cap ? sv->cap * 2 : 16;
		sv->v = realloc(sv->v, sv->cap * sizeof(char *));
		if (!sv->v)
			exit(2);
	}
	sv->v[sv->n++] = s;
	sv->v[sv->n] = 0;
}

/* Is raw word w a pattern: an unquoted * or ?, and no quoting at all? */
int glob_is_pattern(const char *w)
{
	return strpbrk(w, "*?") && !strpbrk(w, "'\"\\$");
}

static int has_wild(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] == '*' || s[i] == '?')
			return 1;
	return 0;
}

/* Does name match pattern p[0..n)? */
static int match(const char *p, size_t n, const char *name)
{
	if (n == 0)
		return *name == 0;
	if (*p == '*') {
		for (const char *s = name;; s++) {
			if (match(p + 1, n - 1, s))
				return 1;
			if (!*s)
				return 0;
		}
	}
	if (!*name || (*p != '?' && *p != *name))
		return 0;
	return match(p + 1, n - 1, name + 1);
}

static char *join(const char *dir, const char *name, size_t n)
{
	size_t d = strlen(dir);
	char *s = malloc(d + n + 2);

	if (!s)
		exit(2);
	memcpy(s, dir, d);
	memcpy(s + d, name, n);
	s[d + n] = 0;
	return s;
}

/* Match pattern pat (components left) under dir ("" or ending in '/'). */
static void glob_in(const char *dir, const char *pat, struct strv *out)
{
	const char *slash = strchr(pat, '/');
	size_t n = slash ? (size_t)(slash - pat) : strlen(pat);
	struct dirent *e;
	struct stat st;
	DIR *d;

	if (!has_wild(pat, n)) {
		char *path = join(dir, pat, n);

		if (slash) {
			char *sub = join(path, "/", 1);

			glob_in(sub, slash + 1, out);
			free(sub);
		} else if (stat(path, &st) == 0) {
			strv_add(out, path);
			return;
		}
		free(path);
		return;
	}
	d = opendir(*dir ? dir : ".");
	if (!d)
		return;
	while ((e = readdir(d))) {
		char *path;

		if (e->d_name[0] == '.' && pat[0] != '.')
			continue;
		if (!match(pat, n, e->d_name))
			continue;
		path = join(dir, e->d_name, strlen(e->d_name));
		if (!slash) {
			strv_add(out, path);
		} else {
			if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
				char *sub = join(path, "/", 1);

				glob_in(sub, slash + 1, out);
				free(sub);
			}
			free(path);
		}
	}
	closedir(d);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * The paths pattern matches, sorted, as a malloc'd NULL-terminated array
 * of malloc'd strings; NULL if it matches nothing.
 */
char **glob_expand(const char *pattern)
{
	struct strv out = { 0, 0, 0 };

	if (pattern[0] == '/')
		glob_in("/", pattern + 1, &out);
	else
		glob_in("", pattern, &out);
	if (!out.n)
		return NULL;
	qsort(out.v, out.n, sizeof(char *), by_name);
	return out.v;
}
