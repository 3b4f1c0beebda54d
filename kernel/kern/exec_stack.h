/*
 * The initial user stack of a new program (System V ABI, as Linux builds it
 * for riscv64), assembled in a kernel buffer that execve then copies to the
 * top of the new stack.
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
 * Padding bytes are zero, so the image carries no kernel data.
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

/* What goes on the stack. Addresses are user addresses, already biased. */
struct exec_stack_args {
	const char *const *argv;	/* argc kernel strings */
	size_t argc;
	const char *const *envp;	/* envc kernel strings */
	size_t envc;
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

/*
 * exec_stack_build - lay out the initial stack for a in buf.
 *
 * buf[0 .. buf_size) stands for user addresses [stack_top - buf_size,
 * stack_top); the image is built at the top of buf and occupies
 * [stack_top - *used_out, stack_top), i.e. buf[buf_size - *used_out ..
 * buf_size). The bytes of buf below the image are not touched. stack_top
 * should be 16-byte aligned (the image is aligned by user address either
 * way); strings must be NUL-terminated; execfn and platform may be NULL.
 *
 * Returns 0 with *sp_out (the user sp, pointing at argc, 16-byte aligned) and
 * *used_out set; -E2BIG if the image does not fit in buf_size bytes (nothing
 * is written); -EINVAL if buf_size > stack_top.
 */
int exec_stack_build(uint8_t *buf, size_t buf_size, uint64_t stack_top,
		     const struct exec_stack_args *a, uint64_t *sp_out,
		     size_t *used_out);

#endif
