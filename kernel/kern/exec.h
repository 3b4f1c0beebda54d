/* Running a new program in the current process. */
#ifndef KILBURN_EXEC_H
#define KILBURN_EXEC_H

#include "env.h"

#define EXEC_ARG_MAX	(256UL << 10)	/* bytes of argument and environment strings */
#define EXEC_ARGC_MAX	32768
#define EXEC_PREFIX_MAX	24		/* argv strings #! scripts put in front */

/*
 * Arguments and environment, counted but not copied: execve reads them
 * from where they are straight into the new program's stack.
 */
struct exec_args {
	size_t argc;
	size_t envc;
	size_t size;			/* bytes of the strings, NULs included */
	size_t arg_size;		/* of them the argv strings' */
	bool in_kernel;			/* the arrays below, else uargv and uenvp */
	const char *const *argv;	/* kernel arrays (exec_args_from_kernel) */
	const char *const *envp;
	uint64_t uargv, uenvp;		/* user arrays (exec_args_from_user) */
	/*
	 * After #! scripts (kern/exec.c): argv is prefix[0 .. nprefix), kernel
	 * strings, followed by the given argv from its string skip on. argc,
	 * size and arg_size count the strings as they now are.
	 */
	const char *prefix[EXEC_PREFIX_MAX];
	size_t nprefix;
	size_t skip;
};

/*
 * proc_execve - replace the current process's program by the ELF file at
 * path: a new address space with the program's segments mapped (demand
 * paged from the page cache), a stack holding args, descriptors marked
 * close-on-exec closed. A program with PT_INTERP gets its interpreter (the
 * dynamic linker) mapped too, in the mmap area, and starts there with
 * AT_BASE, AT_PHDR, AT_ENTRY, ... describing the program. A file starting
 * with "#!" runs its interpreter with the script's path as an argument
 * (kern/exec_script.h). Returns 0 (the process then starts the program on
 * its return to user mode) or a negative errno with nothing changed:
 * -ENOENT, -ENOTDIR, -EACCES (not a regular executable file), -ENOEXEC
 * (not a valid ELF for this machine, a bad PT_INTERP, a #! line naming no
 * interpreter or too long), -ELOOP (more than EXEC_SCRIPT_DEPTH nested
 * scripts), -ELIBBAD (the interpreter is not an ELF for this machine, or
 * has its own PT_INTERP), -EIO (the interpreter is shorter than an ELF
 * header, as Linux), -E2BIG (the stack image would pass
 * its limit, or the strings grew while they were copied), -EFAULT (a
 * string became unreadable), -ENOMEM. Needs no contiguous memory larger
 * than one frame.
 */
long proc_execve(const char *path, const struct exec_args *args);

/*
 * proc_execve_user - execve(2): the path, argv and envp are user
 * pointers (argv and envp may be 0: no strings). Returns as proc_execve(),
 * and also -EFAULT, -ENAMETOOLONG (path of PATH_MAX bytes or more), -ENOENT
 * (empty path) and -E2BIG (more than EXEC_ARGC_MAX / 2 arguments, more
 * than EXEC_ARGC_MAX strings, or more than EXEC_ARG_MAX bytes of them).
 */
long proc_execve_user(uint64_t upath, uint64_t uargv, uint64_t uenvp);

/*
 * exec_args_from_user - count the strings of the NULL-terminated user
 * arrays uargv and uenvp (0: none) within the limits above. Returns 0,
 * -E2BIG or -EFAULT.
 */
long exec_args_from_user(uint64_t uargv, uint64_t uenvp, struct exec_args *out);

/* Describe NULL-terminated kernel arrays (either may be NULL: none). */
void exec_args_from_kernel(const char *const *argv, const char *const *envp,
			   struct exec_args *out);

#endif
