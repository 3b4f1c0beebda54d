/*
 * Building the initial user stack; see exec_stack.h for the layout.
 *
 * exec_stack_measure() computes where everything goes from sizes alone and
 * checks that it fits, touching nothing. exec_stack_write() then walks the
 * image from sp up: the table (argc, argv[], envp[], auxv) is gathered in
 * short runs of words, each argv or envp pointer known once its string has
 * been copied (the strings come in order, through the sink's scratch
 * buffer), and the rest of the image follows. Words are stored in the byte
 * order of the machine, which is little-endian like the target.
 */
#include "kern/exec_stack.h"

#define TABLE_RUN	16	/* table words written to the sink at a time */

/* The state of exec_stack_write(). */
struct stack_writer {
	const struct exec_stack_sink *sink;
	uint64_t table_at;		/* user address of words[0] */
	uint64_t words[TABLE_RUN];	/* table words not yet written */
	size_t nwords;
	int err;			/* the first error; then nothing more is written */
};

/* Adds len to *total unless that passes limit. */
static bool stack_add(size_t *total, size_t len, size_t limit)
{
	if (len > limit || *total > limit - len)
		return false;
	*total += len;
	return true;
}

static void stack_put(struct stack_writer *w, uint64_t va, const void *src,
		      size_t len)
{
	if (!w->err && len > 0)
		w->err = w->sink->write(w->sink->ctx, va, src, len);
}

/* Writes len zero bytes at va. */
static void stack_put_zeros(struct stack_writer *w, uint64_t va, size_t len)
{
	const struct exec_stack_sink *sink = w->sink;

	memset(sink->scratch, 0, MIN(len, sink->scratch_size));
	while (len > 0) {
		size_t n = MIN(len, sink->scratch_size);

		stack_put(w, va, sink->scratch, n);
		va += n;
		len -= n;
	}
}

static void table_flush(struct stack_writer *w)
{
	stack_put(w, w->table_at, w->words, w->nwords * sizeof(uint64_t));
	w->table_at += w->nwords * sizeof(uint64_t);
	w->nwords = 0;
}

/* Appends a word to the table. */
static void table_put(struct stack_writer *w, uint64_t word)
{
	if (w->nwords == TABLE_RUN)
		table_flush(w);
	w->words[w->nwords++] = word;
}

/*
 * Appends the auxiliary vector to the table of w, in the order Linux uses,
 * and returns the number of pairs, AT_NULL included. With w NULL it only
 * counts.
 */
static int stack_auxv(const struct exec_stack_args *a,
		      const struct exec_stack_layout *l, struct stack_writer *w)
{
	int n = 0;

#define AUX(key, val) do {				\
		if (w) {				\
			table_put(w, (key));		\
			table_put(w, (val));		\
		}					\
		n++;					\
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

int exec_stack_measure(const struct exec_stack_args *a, uint64_t stack_top,
		       size_t limit, struct exec_stack_layout *l)
{
	const struct exec_stack_strings *s = &a->strings;
	size_t need = 8, words;

	if (limit > stack_top)
		return -EINVAL;
	if (!stack_add(&need, s->size, limit) ||
	    (a->execfn && !stack_add(&need, strlen(a->execfn) + 1, limit)))
		return -E2BIG;
	l->top = stack_top;
	l->strings = stack_top - need;
	l->execfn = a->execfn ? l->strings + s->size : 0;

	l->platform = 0;
	if (a->platform) {
		if (!stack_add(&need, strlen(a->platform) + 1, limit))
			return -E2BIG;
		l->platform = stack_top - need;
	}
	if (!stack_add(&need, 16, limit))
		return -E2BIG;
	l->random = stack_top - need;

	/* argc, argv[] + NULL, envp[] + NULL, auxv; the first check keeps words small. */
	if (s->argc > limit / 8 || s->envc > limit / 8)
		return -E2BIG;
	words = 1 + (s->argc + 1) + (s->envc + 1) + 2 * (size_t)stack_auxv(a, l, NULL);
	if (!stack_add(&need, words * 8, limit))
		return -E2BIG;
	l->sp = ALIGN_DOWN(stack_top - need, EXEC_STACK_ALIGN);
	l->used = stack_top - l->sp;
	if (l->used > limit)
		return -E2BIG;
	return 0;
}

/*
 * Copies string i of list to *at, not past end, and advances *at past its
 * NUL; -E2BIG (in w->err) if it does not end before end.
 */
static void stack_put_string(struct stack_writer *w, int list, size_t i,
			     const struct exec_stack_strings *s, uint64_t *at,
			     uint64_t end)
{
	char *buf = w->sink->scratch;
	size_t off = 0;

	while (!w->err) {
		long n;

		if (*at == end) {
			w->err = -E2BIG;	/* it grew since it was counted */
			return;
		}
		n = s->read(s->ctx, list, i, off, buf, MIN(w->sink->scratch_size, end - *at));
		if (n <= 0) {
			w->err = n < 0 ? (int)n : -EFAULT;
			return;
		}
		stack_put(w, *at, buf, n);
		*at += n;
		off += n;
		if (buf[n - 1] == 0)
			return;
	}
}

/* Copies the strings of list, appending the address of each to the table. */
static void stack_put_list(struct stack_writer *w, int list, size_t n,
			   const struct exec_stack_strings *s, uint64_t *at,
			   uint64_t end)
{
	for (size_t i = 0; i < n && !w->err; i++) {
		table_put(w, *at);
		stack_put_string(w, list, i, s, at, end);
	}
	table_put(w, 0);
}

int exec_stack_write(const struct exec_stack_args *a,
		     const struct exec_stack_layout *l,
		     const struct exec_stack_sink *sink)
{
	const struct exec_stack_strings *s = &a->strings;
	struct stack_writer w = { .sink = sink, .table_at = l->sp };
	uint64_t at = l->strings, end = l->strings + s->size;

	table_put(&w, s->argc);
	stack_put_list(&w, EXEC_STACK_ARGV, s->argc, s, &at, end);
	stack_put_list(&w, EXEC_STACK_ENVP, s->envc, s, &at, end);
	stack_auxv(a, l, &w);
	table_flush(&w);
	if (w.err)
		return w.err;
	stack_put_zeros(&w, w.table_at, l->random - w.table_at);	/* padding */
	stack_put(&w, l->random, a->random, sizeof(a->random));
	if (a->platform)
		stack_put(&w, l->platform, a->platform, strlen(a->platform) + 1);
	stack_put_zeros(&w, at, end - at);	/* room of strings that shrank */
	if (a->execfn)
		stack_put(&w, l->execfn, a->execfn, strlen(a->execfn) + 1);
	stack_put_zeros(&w, l->top - 8, 8);	/* the end marker */
	return w.err;
}
