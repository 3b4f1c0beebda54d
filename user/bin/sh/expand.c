/*
 * Word expansion for the shell: quote removal, parameters ($? $$ $! $#
 * $0-$9 $NAME ${NAME}), a leading ~, and NAME=value assignments. There is
 * no field splitting; a command's unquoted word with * or ? is expanded
 * to the paths it matches (glob.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "sh.h"

/* Appends n bytes of p to sb (NUL-terminated); exits if out of memory. */
void str_add(struct str *sb, const char *p, size_t n)
{
	if (sb->len + n + 1 > sb->cap) {
		sb->cap = (sb->len + n + 1) * 2;
		sb->s = realloc(sb->s, sb->cap);
		if (!sb->s) {
			fprintf(stderr, "sh: out of memory\n");
			exit(2);
		}
	}
	memcpy(sb->s + sb->len, p, n);
	sb->len += n;
	sb->s[sb->len] = 0;
}

/* Appends the value of the parameter at *pp (just after '$'); advances *pp. */
static void expand_param(struct str *sb, const char **pp)
{
	const char *p = *pp;
	char num[24], name[128];
	const char *val = 0;
	size_t n = 0;

	if (*p == '?' || *p == '$' || *p == '!' || *p == '#') {
		long v = *p == '?' ? last_status : *p == '$' ? shell_pid :
			 *p == '!' ? last_bg : (pos_count > 0 ? pos_count - 1 : 0);
		if (*p != '!' || last_bg) {
			snprintf(num, sizeof(num), "%ld", v);
			val = num;
		}
		p++;
	} else if (*p >= '0' && *p <= '9') {
		int i = *p++ - '0';
		val = i < pos_count ? pos_args[i] : 0;
	} else {
		int brace = *p == '{';
		p += brace;
		while ((*p == '_' || (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			(n && *p >= '0' && *p <= '9')) && n < sizeof(name) - 1)
			name[n++] = *p++;
		name[n] = 0;
		if (!n || (brace && *p != '}')) {	/* not a parameter: literal $ */
			str_add(sb, "$", 1);
			return;
		}
		p += brace;
		val = getenv(name);
	}
	if (val)
		str_add(sb, val, strlen(val));
	*pp = p;
}

/*
 * Expands raw word w: removes quotes, substitutes parameters and a leading
 * ~. Returns a malloc'd string, or NULL if w was unquoted and expanded to
 * nothing (such a word disappears).
 */
char *expand_word(const char *w)
{
	struct str sb = { 0, 0, 0 };
	int quoted = 0;
	const char *p = w;

	str_add(&sb, "", 0);
	if (p[0] == '~' && (p[1] == '/' || p[1] == 0)) {
		const char *home = getenv("HOME");
		str_add(&sb, home ? home : "/", strlen(home ? home : "/"));
		p++;
	}
	while (*p) {
		if (*p == '\\') {
			quoted = 1;
			if (p[1] != '\n')
				str_add(&sb, p + 1, 1);
			p += 2;
		} else if (*p == '\'') {
			const char *e = strchr(p + 1, '\'');
			quoted = 1;
			str_add(&sb, p + 1, (size_t)(e - p - 1));
			p = e + 1;
		} else if (*p == '"') {
			quoted = 1;
			for (p++; *p != '"'; p++) {
				if (*p == '\\' && p[1] && strchr("$`\"\\\n", p[1])) {
					if (p[1] != '\n')
						str_add(&sb, p + 1, 1);
					p++;
				} else if (*p == '$') {
					p++;
					expand_param(&sb, &p);
					p--;
				} else {
					str_add(&sb, p, 1);
				}
			}
			p++;
		} else if (*p == '$') {
			p++;
			expand_param(&sb, &p);
		} else {
			str_add(&sb, p++, 1);
		}
	}
	if (!quoted && sb.len == 0) {
		free(sb.s);
		return 0;
	}
	return sb.s;
}

/* True if raw word w has the form NAME=... (an assignment). */
static int is_assignment(const char *w)
{
	const char *p = w;

	if (!(*p == '_' || (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
		return 0;
	while (*p == '_' || (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
	       (*p >= '0' && *p <= '9'))
		p++;
	return *p == '=';
}

/* Applies NAME=value assignment raw word w to the environment. */
void assign(const char *w)
{
	const char *eq = strchr(w, '=');
	char *name = strndup(w, (size_t)(eq - w)), *val = expand_word(eq + 1);

	setenv(name, val ? val : "", 1);
	free(name);
	free(val);
}

/*
 * Expands command c: applies its leading assignments when apply is set,
 * and returns the malloc'd argv (free with free_argv) of the rest.
 */
char **expand_cmd(struct cmd *c, int apply, int *nassign)
{
	size_t cap = (size_t)c->nwords + 1;
	char **argv = calloc(cap, sizeof(char *));
	int i = 0, n = 0;

	if (!argv) {
		fprintf(stderr, "sh: out of memory\n");
		exit(2);
	}
	while (i < c->nwords && is_assignment(c->words[i])) {
		if (apply)
			assign(c->words[i]);
		i++;
	}
	*nassign = i;
	for (; i < c->nwords; i++) {
		char *w = expand_word(c->words[i]);
		char **paths = w && glob_is_pattern(c->words[i]) ? glob_expand(w) : NULL;
		int k = 0;

		if (!paths) {
			if (w)
				argv[n++] = w;
			continue;
		}
		free(w);
		while (paths[k])
			k++;
		cap += k;
		argv = realloc(argv, cap * sizeof(char *));
		if (!argv) {
			fprintf(stderr, "sh: out of memory\n");
			exit(2);
		}
		memcpy(argv + n, paths, k * sizeof(char *));
		n += k;
		argv[n] = NULL;
		free(paths);
	}
	return argv;
}

/* Frees an argv made by expand_cmd. */
void free_argv(char **argv)
{
	for (int i = 0; argv[i]; i++)
		free(argv[i]);
	free(argv);
}
