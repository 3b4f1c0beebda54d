/*
 * Parsing a `#!` line; see exec_script.h.
 */
#include "kern/exec_script.h"

static bool script_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* The first byte of [s, end) that is not a blank, or end. */
static char *script_skip_blanks(char *s, char *end)
{
	while (s < end && script_blank(*s))
		s++;
	return s;
}

/* The first newline in [s, end), or NULL. */
static char *script_line_end(char *s, char *end)
{
	for (; s < end; s++)
		if (*s == '\n')
			return s;
	return NULL;
}

/* The first blank or NUL in [s, end), or NULL. */
static char *script_word_end(char *s, char *end)
{
	for (; s < end; s++)
		if (script_blank(*s) || *s == 0)
			return s;
	return NULL;
}

int exec_script_parse(char *buf, size_t len, struct exec_script *out)
{
	char *end, *name, *sep;

	if (len < 2 || buf[0] != '#' || buf[1] != '!')
		return 0;
	/* What is not in the file reads as NULs, as in Linux's zeroed buffer. */
	memset(buf + len, 0, EXEC_SCRIPT_BUF + 1 - len);
	end = script_line_end(buf, buf + EXEC_SCRIPT_BUF);
	if (!end) {
		end = script_skip_blanks(buf + 2, buf + EXEC_SCRIPT_BUF);
		if (end == buf + EXEC_SCRIPT_BUF || !script_word_end(end, buf + EXEC_SCRIPT_BUF))
			return -ENOEXEC;	/* only blanks, or a name cut short */
		end = buf + EXEC_SCRIPT_BUF - 1;
	}
	while (end > buf + 2 && script_blank(end[-1]))
		end--;
	name = script_skip_blanks(buf + 2, end);
	if (name == end)
		return -ENOEXEC;		/* no interpreter named */
	if (*name == 0)
		return -ENOENT;			/* "#!" then NULs: Linux looks up "" */
	out->interp = name;
	out->arg = NULL;
	sep = script_word_end(name, end);
	if (sep && *sep != 0) {
		char *arg = script_skip_blanks(sep, end);

		if (arg < end && *arg)
			out->arg = arg;
	}
	*end = 0;
	if (sep)
		*sep = 0;
	return 1;
}
