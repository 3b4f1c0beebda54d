/*
 * Building the initial user stack; see exec_stack.h for the layout.
 *
 * Two phases: exec_stack_measure() computes where everything goes and checks
 * that it fits, touching nothing; exec_stack_fill() then writes the image. All
 * positions are user addresses; stack_at() turns one into a byte of buf.
 * Words are stored with memcpy (buf need not be aligned) in the byte order of
 * the machine, which is little-endian like the target.
 */
#include "kern/exec_stack.h"

/* The buffer being filled: buf[size] stands for user address top. */
struct stack_image {
	uint8_t *buf;
	size_t size;
	uint64_t top;
};

/* Where each part of the image starts (user addresses). */
struct stack_layout {
	uint64_t strings;	/* argv strings, then envp strings, then execfn */
	uint64_t execfn;	/* 0 if a->execfn is NULL */
	uint64_t platform;	/* 0 if a->platform is NULL */
	uint64_t random;	/* the 16 AT_RANDOM bytes */
	uint64_t sp;		/* argc; argv[] follows */
	size_t used;		/* stack_top - sp */
};

/* Adds len to *total unless that passes limit. */
static bool stack_add(size_t *total, size_t len, size_t limit)
{
	if (len > limit || *total > limit - len)
		return false;
	*total += len;
	return true;
}

/* Bytes of the strings of v[0 .. n) with their NULs, or false past limit. */
static bool stack_strings_size(const char *const *v, size_t n, size_t *total,
			       size_t limit)
{
	for (size_t i = 0; i < n; i++)
		if (!stack_add(total, strlen(v[i]) + 1, limit))
			return false;
	return true;
}

/* The byte of img standing for user address u (inside the image). */
static uint8_t *stack_at(const struct stack_image *img, uint64_t u)
{
	return img->buf + img->size - (size_t)(img->top - u);
}

static void stack_put_word(const struct stack_image *img, uint64_t u, uint64_t val)
{
	memcpy(stack_at(img, u), &val, sizeof(val));
}

/*
 * Writes the auxiliary vector at user address at, in the order Linux uses,
 * and returns the number of pairs, AT_NULL included. With img NULL it only
 * counts.
 */
static int stack_auxv(const struct exec_stack_args *a, const struct stack_layout *l,
		      const struct stack_image *img, uint64_t at)
{
	int n = 0;

#define AUX(key, val) do {						\
		if (img) {						\
			stack_put_word(img, at + 16 * n, (key));	\
			stack_put_word(img, at + 16 * n + 8, (val));	\
		}							\
		n++;							\
	} while (0)
	if (a->sysinfo_ehdr)
		AUX(AT_SYSINFO_EHDR, a->sysinfo_ehdr);
	AUX(AT_HWCAP, a->hwcap);
	AUX(AT_PAGESZ, a->pagesz);
	AUX(AT_CLKTCK, a->clktck);
	AUX(AT_PHDR, a->phdr);
	AUX(AT_PHENT, a->phent);
	AUX(AT_PHNUM, a->phnum);
	AUX(AT_BASE, a->base);
	AUX(AT_FLAGS, a->flags);
	AUX(AT_ENTRY, a->entry);
	AUX(AT_UID, a->uid);
	AUX(AT_EUID, a->euid);
	AUX(AT_GID, a->gid);
	AUX(AT_EGID, a->egid);
	AUX(AT_SECURE, a->secure);
	AUX(AT_RANDOM, l->random);
	if (a->execfn)
		AUX(AT_EXECFN, l->execfn);
	if (a->platform)
		AUX(AT_PLATFORM, l->platform);
	AUX(AT_NULL, 0);
#undef AUX
	return n;
}

/*
 * Computes the layout for a below top in at most limit bytes.
 * Returns 0, or -E2BIG if it does not fit.
 */
static int exec_stack_measure(const struct exec_stack_args *a, uint64_t top,
			      size_t limit, struct stack_layout *l)
{
	size_t need = 8, strings = 0, words;

	if (!stack_strings_size(a->argv, a->argc, &strings, limit) ||
	    !stack_strings_size(a->envp, a->envc, &strings, limit) ||
	    (a->execfn && !stack_add(&strings, strlen(a->execfn) + 1, limit)) ||
	    !stack_add(&need, strings, limit))
		return -E2BIG;
	l->strings = top - need;
	l->execfn = a->execfn ? top - 8 - (strlen(a->execfn) + 1) : 0;

	if (a->platform) {
		if (!stack_add(&need, strlen(a->platform) + 1, limit))
			return -E2BIG;
		l->platform = top - need;
	} else {
		l->platform = 0;
	}
	if (!stack_add(&need, 16, limit))
		return -E2BIG;
	l->random = top - need;

	/* argc, argv[] + NULL, envp[] + NULL, auxv; the first check keeps words small. */
	if (a->argc > limit / 8 || a->envc > limit / 8)
		return -E2BIG;
	words = 1 + (a->argc + 1) + (a->envc + 1) + 2 * (size_t)stack_auxv(a, l, NULL, 0);
	if (!stack_add(&need, words * 8, limit))
		return -E2BIG;
	l->sp = ALIGN_DOWN(top - need, EXEC_STACK_ALIGN);
	l->used = top - l->sp;
	if (l->used > limit)
		return -E2BIG;
	return 0;
}

/*
 * Copies the strings v[0 .. n) to consecutive addresses from *at on, storing
 * the address of each in the pointer array at ptrs; advances *at.
 */
static void stack_put_strings(const struct stack_image *img, const char *const *v,
			      size_t n, uint64_t *at, uint64_t ptrs)
{
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(v[i]) + 1;

		memcpy(stack_at(img, *at), v[i], len);
		stack_put_word(img, ptrs + 8 * i, *at);
		*at += len;
	}
}

/* Writes the image described by l. */
static void exec_stack_fill(const struct stack_image *img,
			    const struct exec_stack_args *a,
			    const struct stack_layout *l)
{
	uint64_t argv = l->sp + 8;
	uint64_t envp = argv + 8 * (a->argc + 1);
	uint64_t auxv = envp + 8 * (a->envc + 1);
	uint64_t at = l->strings;

	memset(stack_at(img, l->sp), 0, l->used);

	stack_put_strings(img, a->argv, a->argc, &at, argv);
	stack_put_strings(img, a->envp, a->envc, &at, envp);
	if (a->execfn)
		memcpy(stack_at(img, l->execfn), a->execfn, strlen(a->execfn) + 1);
	if (a->platform)
		memcpy(stack_at(img, l->platform), a->platform, strlen(a->platform) + 1);
	memcpy(stack_at(img, l->random), a->random, 16);

	stack_put_word(img, l->sp, a->argc);
	/* The NULLs after argv[] and envp[] are already zero. */
	stack_auxv(a, l, img, auxv);
}

int exec_stack_build(uint8_t *buf, size_t buf_size, uint64_t stack_top,
		     const struct exec_stack_args *a, uint64_t *sp_out,
		     size_t *used_out)
{
	struct stack_image img = { buf, buf_size, stack_top };
	struct stack_layout l;
	int rc;

	if (buf_size > stack_top)
		return -EINVAL;
	rc = exec_stack_measure(a, stack_top, buf_size, &l);
	if (rc)
		return rc;
	exec_stack_fill(&img, a, &l);
	*sp_out = l.sp;
	*used_out = l.used;
	return 0;
}
