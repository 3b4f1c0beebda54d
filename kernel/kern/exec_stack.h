/*
 * The initial user stack of a new program (System V ABI, as Linux builds it
 * for riscv64), written straight into the new stack's pages through a sink,
 * with the argument and environment strings read on demand from a source:
 * no buffer as large as the image is needed.
 *
 * From high addresses to low:
 *
 *	stack_top ->	8 zero bytes (end marker)
 *			execfn string			(AT_EXECFN points here)
 *			envp strings, envp[envc-1] highest
 *			argv strings, argv[0] lowest	(contiguous, in order)
 *			platform string, if any		(AT_PLATFORM)
 *			16 random bytes			(AT_RANDOM)
 *			padding to 16 bytes
 *			auxv pairs, ending with AT_NULL, 0
 *			NULL
 *			envp[0 .. envc-1]
 *			NULL
 *			argv[0 .. argc-1]
 *	sp ->		argc				(sp % 16 == 0)
 *
 * Building is two steps: exec_stack_measure() places everything from the
 * counts and sizes alone, so execve can refuse a list that is too large
 * (-E2BIG) before it makes the new address space; exec_stack_write() then
 * writes each byte of [sp, stack_top) exactly once, padding included as
 * zeros, so the image carries no stale data.
 *
 * Machine-independent: compiles on the host against host/env/env.h.
 */
#ifndef KILBURN_EXEC_STACK_H
#define KILBURN_EXEC_STACK_H

#include "env.h"

/* Auxiliary vector keys (Linux include/uapi/linux/auxvec.h). */
#define AT_NULL		0
#define AT_IGNORE	1
#define AT_PHDR		3
#define AT_PHENT	4
#define AT_PHNUM	5
#define AT_PAGESZ	6
#define AT_BASE		7
#define AT_FLAGS	8
#define AT_ENTRY	9
#define AT_UID		11
#define AT_EUID		12
#define AT_GID		13
#define AT_EGID		14
#define AT_PLATFORM	15
#define AT_HWCAP	16
#define AT_CLKTCK	17
#define AT_SECURE	23
#define AT_RANDOM	25
#define AT_EXECFN	31
#define AT_SYSINFO_EHDR	33

#define EXEC_STACK_ALIGN	16

/* Lists of strings a source reads from. */
#define EXEC_STACK_ARGV		0
#define EXEC_STACK_ENVP		1

/* The argument and environment strings: counted, then read on demand. */
struct exec_stack_strings {
	size_t argc;
	size_t envc;
	size_t size;			/* bytes of all of them, NULs included */
	/*
	 * read - copy string i of list (EXEC_STACK_ARGV or EXEC_STACK_ENVP)
	 * from its byte off on into buf: at most len (> 0) bytes, stopping
	 * after the NUL. Returns the number of bytes copied (the NUL included
	 * if it was reached) or a negative errno (-EFAULT).
	 */
	long (*read)(const void *ctx, int list, size_t i, size_t off, char *buf,
		     size_t len);
	const void *ctx;
};

/* Where the image goes. */
struct exec_stack_sink {
	/* write - store len bytes of src at user address va; 0 or a negative errno */
	int (*write)(void *ctx, uint64_t va, const void *src, size_t len);
	void *ctx;
	char *scratch;			/* strings pass through here ... */
	size_t scratch_size;		/* ... in pieces of at most this (> 0) */
};

/* What goes on the stack. Addresses are user addresses, already biased. */
struct exec_stack_args {
	struct exec_stack_strings strings;	/* argv and envp */
	const char *execfn;		/* path given to execve (AT_EXECFN); NULL: no entry */
	const char *platform;		/* AT_PLATFORM string; NULL: no entry (as Linux riscv) */
	uint8_t random[16];		/* AT_RANDOM bytes (seed of the stack protector) */

	uint64_t phdr;			/* AT_PHDR */
	uint64_t phent;			/* AT_PHENT */
	uint64_t phnum;			/* AT_PHNUM */
	uint64_t pagesz;		/* AT_PAGESZ */
	uint64_t base;			/* AT_BASE: interpreter base, 0 without one */
	uint64_t flags;			/* AT_FLAGS */
	uint64_t entry;			/* AT_ENTRY: the program's entry point */
	uint64_t uid, euid, gid, egid;	/* AT_UID, AT_EUID, AT_GID, AT_EGID */
	uint64_t hwcap;			/* AT_HWCAP */
	uint64_t clktck;		/* AT_CLKTCK */
	uint64_t secure;		/* AT_SECURE */
	uint64_t sysinfo_ehdr;		/* AT_SYSINFO_EHDR (vDSO); 0: no entry */
};

/* Where each part of the image starts (user addresses). */
struct exec_stack_layout {
	uint64_t top;		/* stack_top */
	uint64_t strings;	/* argv strings, then envp strings */
	uint64_t execfn;	/* 0 if a->execfn is NULL */
	uint64_t platform;	/* 0 if a->platform is NULL */
	uint64_t random;	/* the 16 AT_RANDOM bytes */
	uint64_t sp;		/* argc; argv[] follows */
	size_t used;		/* stack_top - sp */
};

/*
 * exec_stack_measure - place the image for a below stack_top, in at most
 * limit bytes. Uses the counts and size of a->strings, not the strings;
 * execfn and platform must be NUL-terminated or NULL. stack_top should be
 * 16-byte aligned (sp is aligned by user address either way).
 *
 * Returns 0 with *l filled in (l->used is the image size, l->sp the user
 * sp, pointing at argc, 16-byte aligned); -E2BIG if the image needs more
 * than limit bytes; -EINVAL if limit > stack_top.
 */
int exec_stack_measure(const struct exec_stack_args *a, uint64_t stack_top,
		       size_t limit, struct exec_stack_layout *l);

/*
 * exec_stack_write - write the image measured in l through sink, reading
 * the strings through a->strings.read into sink->scratch. a must be what
 * l was measured for. Each byte of [l->sp, l->top) is written exactly once
 * and nothing outside it. A string that has changed since it was counted
 * is copied as it now reads, within the room measured; if the strings are
 * now shorter the rest of their room is zeros.
 *
 * Returns 0; the first error of the sink or the source; or -E2BIG if the
 * strings have grown past the room measured. After an error part of the
 * image may be written: the caller throws the stack away.
 */
int exec_stack_write(const struct exec_stack_args *a,
		     const struct exec_stack_layout *l,
		     const struct exec_stack_sink *sink);

#endif
