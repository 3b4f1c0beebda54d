/* Running a new program in the current process. */
#ifndef KILBURN_EXEC_H
#define KILBURN_EXEC_H

#include "env.h"

#define EXEC_ARG_MAX	(256UL << 10)	/* bytes of argument and environment strings */
#define EXEC_ARGC_MAX	32768

/* Arguments and environment, in kernel memory. */
struct exec_args {
	char **argv;
	int argc;
	char **envp;
	int envc;
	char *strings;		/* exec_args_from_user's buffer, or NULL */
};

/*
 * proc_execve - replace the current process's program by the ELF file at
 * path: a new address space with the program's segments mapped (demand
 * paged from the page cache), a stack holding args, descriptors marked
 * close-on-exec closed. Returns 0 (the process then starts the program on
 * its return to user mode) or a negative errno with nothing changed:
 * -ENOENT, -EACCES (not a regular executable file), -ENOEXEC (not a valid
 * ELF for this machine), -E2BIG, -ENOMEM.
 */
long proc_execve(const char *path, const struct exec_args *args);

/* Copy argv/envp from user memory (execve). Free with exec_args_free. */
long exec_args_from_user(uint64_t uargv, uint64_t uenvp, struct exec_args *out);
void exec_args_free(struct exec_args *a);

#endif
