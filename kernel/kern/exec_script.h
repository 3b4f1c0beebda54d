/*
 * `#!` scripts: what the first line of an executable text file says to run.
 *
 * execve reads the first EXEC_SCRIPT_BUF bytes of the file. If they start
 * with "#!", the line names an interpreter and at most one argument, and
 * execve runs the interpreter instead, with the argument list
 *	interpreter [argument] script-path original-argv[1] ...
 * (the path as given to execve, as Linux builds it). The interpreter may
 * itself be a script: at most EXEC_SCRIPT_DEPTH scripts are followed, as
 * Linux (a chain of five scripts ending in a program runs; six is ELOOP).
 *
 * Machine-independent: compiles on the host against host/env/env.h.
 */
#ifndef KILBURN_EXEC_SCRIPT_H
#define KILBURN_EXEC_SCRIPT_H

#include "env.h"

#define EXEC_SCRIPT_BUF		256	/* bytes of the #! line read (Linux's BINPRM_BUF_SIZE) */
#define EXEC_SCRIPT_DEPTH	5	/* nested scripts followed */

/* What a #! line says; both strings point into the caller's buffer. */
struct exec_script {
	const char *interp;		/* the interpreter's path */
	const char *arg;		/* its optional argument, or NULL */
};

/*
 * exec_script_parse - read the #! line in buf (the first len bytes of the
 * file, len <= EXEC_SCRIPT_BUF; buf has room for EXEC_SCRIPT_BUF + 1 bytes
 * and is modified: the words are NUL-terminated in place), as Linux does:
 * the line ends at the first newline; spaces and tabs separate the
 * interpreter from its argument, which runs to the end of the line with
 * its trailing blanks removed. A line with no newline in the buffer is cut
 * at the buffer's end, but only if the interpreter's name ends before it.
 *
 * Returns 1 with *out filled if buf holds a #! line; 0 if buf does not
 * start with "#!"; -ENOEXEC if it names no interpreter, or the name runs
 * to the end of the buffer (too long a line); -ENOENT if the name is empty
 * (a NUL right after the "#!", which Linux looks up as "").
 */
int exec_script_parse(char *buf, size_t len, struct exec_script *out);

#endif
