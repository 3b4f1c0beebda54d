/*
 * The initial-stack builder (kern/exec_stack.c): the layout a C runtime
 * reads back, the E2BIG limits, and the way the image is written.
 *
 * The builder reads the strings through a source and writes through a sink;
 * here the source serves C arrays (and can fail, or hand out strings that
 * changed since they were counted), and the sink is a buffer standing for
 * the top of the stack that counts how often each byte is written: every
 * byte of the image exactly once, nothing outside it. The strings pass
 * through scratch buffers of many sizes, down to one byte, so a string
 * split into pieces is checked too.
 */
#include "test.h"
#include "kern/exec_stack.h"

#include <stdlib.h>

#define TOP	0x3fffff0000ULL		/* a typical stack top, 16-aligned */

/* splitmix64: a small seeded generator, so failures reproduce. */
static uint64_t rng_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* ------------------------------------------------------------ source */

/* argv and envp as counted, and what they read as while the stack is written. */
struct test_strings {
	const char *const *v[2];	/* [EXEC_STACK_ARGV], [EXEC_STACK_ENVP] */
	const char *const *now[2];	/* NULL: unchanged */
	int bad_list;			/* string bad_i of this list reads -EFAULT */
	size_t bad_i;			/* (bad_list -1: none) */
	int reads;
};

static long test_read(const void *ctx, int list, size_t i, size_t off, char *buf,
		      size_t len)
{
	struct test_strings *ts = (struct test_strings *)ctx;
	const char *s;
	size_t n;

	ts->reads++;
	CHECK(len > 0);
	CHECK(list == EXEC_STACK_ARGV || list == EXEC_STACK_ENVP);
	if (list == ts->bad_list && i == ts->bad_i)
		return -EFAULT;
	s = (ts->now[list] ? ts->now[list] : ts->v[list])[i];
	CHECK(off <= strlen(s));
	n = strnlen(s + off, len);
	if (n < len)
		n++;			/* the NUL */
	memcpy(buf, s + off, n);
	return n;
}

/* The strings argv[argc] and envp[envc], read through ts. */
static struct exec_stack_strings strings_of(struct test_strings *ts,
					    const char *const *argv, size_t argc,
					    const char *const *envp, size_t envc)
{
	struct exec_stack_strings s = {
		.argc = argc, .envc = envc, .read = test_read, .ctx = ts,
	};

	memset(ts, 0, sizeof(*ts));
	ts->v[EXEC_STACK_ARGV] = argv;
	ts->v[EXEC_STACK_ENVP] = envp;
	ts->bad_list = -1;
	for (size_t i = 0; i < argc; i++)
		s.size += strlen(argv[i]) + 1;
	for (size_t i = 0; i < envc; i++)
		s.size += strlen(envp[i]) + 1;
	return s;
}

/* ------------------------------------------------------------ sink */

/* buf[size] stands for user addresses [top - size, top). */
struct test_sink {
	uint8_t *buf;
	size_t size;
	uint64_t top;
	uint8_t *times;			/* how often each byte was written */
	int calls;
	int fail_at;			/* call (1-based) that gives -ENOMEM; 0: none */
	int calls_after_error;
	bool failed;
	bool outside;			/* a write fell outside buf */
};

static int test_write(void *ctx, uint64_t va, const void *src, size_t len)
{
	struct test_sink *t = ctx;
	size_t off;

	t->calls++;
	if (t->failed)
		t->calls_after_error++;
	if (t->fail_at && t->calls >= t->fail_at) {
		t->failed = true;
		return -ENOMEM;
	}
	CHECK(len > 0);
	if (va < t->top - t->size || va > t->top || len > t->top - va) {
		t->outside = true;
		return -EFAULT;
	}
	off = t->size - (t->top - va);
	memcpy(t->buf + off, src, len);
	for (size_t i = 0; i < len; i++)
		t->times[off + i]++;
	return 0;
}

static size_t scratch_size = 4096;	/* of the sink's scratch buffer */

/* Writes the image l of a into t through a scratch of scratch_size bytes. */
static int write_image(const struct exec_stack_args *a, const struct exec_stack_layout *l,
		       struct test_sink *t)
{
	char *scratch = malloc(scratch_size);
	struct exec_stack_sink sink = {
		.write = test_write, .ctx = t,
		.scratch = scratch, .scratch_size = scratch_size,
	};
	int rc = exec_stack_write(a, l, &sink);

	free(scratch);
	return rc;
}

/*
 * Measures a for buf_size bytes below top and writes it into the
 * sentinel-filled buf; checks every byte of the image was written exactly
 * once and no other byte at all.
 */
static int build(uint8_t *buf, size_t buf_size, uint64_t top,
		 const struct exec_stack_args *a, uint64_t *sp, size_t *used)
{
	struct test_sink t = { .buf = buf, .size = buf_size, .top = top,
			       .times = calloc(buf_size + 1, 1) };
	struct exec_stack_layout l;
	int rc;

	memset(buf, 0xa5, buf_size);
	*sp = 0;
	*used = 0;
	rc = exec_stack_measure(a, top, buf_size, &l);
	if (rc == 0) {
		CHECK_EQ(l.top, top);
		CHECK(l.used <= buf_size);
		CHECK_EQ(write_image(a, &l, &t), 0);
		CHECK(!t.outside);
		for (size_t i = 0; i < buf_size; i++)
			if (t.times[i] != (i >= buf_size - l.used)) {
				test_fail(__FILE__, __LINE__, i >= buf_size - l.used ?
					  "image byte not written exactly once" :
					  "wrote below the image");
				break;
			}
		*sp = l.sp;
		*used = l.used;
	}
	free(t.times);
	return rc;
}

static void fill_auxv_values(struct exec_stack_args *a);

/* ------------------------------------------------------------ reading back */

/* The stack as a C runtime sees it, read back from the image. */
struct parsed_stack {
	uint64_t argc;
	const char *argv[300];
	uint64_t argv_addr[300];
	uint64_t envc;
	const char *envp[300];
	uint64_t aux[64];		/* value by key; keys < 64 */
	bool has[64];
	int naux;
};

/* buf index of user address u, checked to be inside the image. */
static const uint8_t *at_user(const uint8_t *buf, size_t buf_size, uint64_t top,
			      size_t used, uint64_t u, size_t len)
{
	if (u < top - used || u > top || len > top - u) {
		test_fail(__FILE__, __LINE__, "pointer outside the stack image");
		return NULL;
	}
	return buf + buf_size - (top - u);
}

static uint64_t word_at(const uint8_t *buf, size_t buf_size, uint64_t top,
			size_t used, uint64_t u)
{
	const uint8_t *p = at_user(buf, buf_size, top, used, u, 8);
	uint64_t v = 0;

	if (p)
		memcpy(&v, p, 8);
	return v;
}

/* A string at user address u: inside the image and NUL-terminated there. */
static const char *string_at(const uint8_t *buf, size_t buf_size, uint64_t top,
			     size_t used, uint64_t u)
{
	const uint8_t *p = at_user(buf, buf_size, top, used, u, 1);

	if (!p)
		return "";
	if (!memchr(p, 0, (size_t)(top - u))) {
		test_fail(__FILE__, __LINE__, "string not terminated in the image");
		return "";
	}
	return (const char *)p;
}

/* Walks sp the way crt1 does: argc, argv[], NULL, envp[], NULL, auxv. */
static void parse_stack(const uint8_t *buf, size_t buf_size, uint64_t top,
			uint64_t sp, size_t used, struct parsed_stack *ps)
{
	uint64_t u = sp;

	memset(ps, 0, sizeof(*ps));
	CHECK_EQ(sp % 16, 0);
	CHECK_EQ(top - used, sp);
	ps->argc = word_at(buf, buf_size, top, used, u);
	u += 8;
	for (uint64_t i = 0; i < ps->argc && i < 300; i++, u += 8) {
		ps->argv_addr[i] = word_at(buf, buf_size, top, used, u);
		ps->argv[i] = string_at(buf, buf_size, top, used, ps->argv_addr[i]);
	}
	CHECK_EQ(word_at(buf, buf_size, top, used, u), 0);	/* argv[argc] */
	u += 8;
	for (;; u += 8) {
		uint64_t p = word_at(buf, buf_size, top, used, u);

		if (p == 0 || ps->envc == 300)
			break;
		ps->envp[ps->envc++] = string_at(buf, buf_size, top, used, p);
	}
	u += 8;
	for (;; u += 16) {
		uint64_t key = word_at(buf, buf_size, top, used, u);
		uint64_t val = word_at(buf, buf_size, top, used, u + 8);

		ps->naux++;
		if (key == AT_NULL || ps->naux > 40)
			break;
		CHECK(key < 64);
		if (key < 64) {
			CHECK(!ps->has[key]);		/* each key once */
			ps->has[key] = true;
			ps->aux[key] = val;
		}
	}
}

static void fill_auxv_values(struct exec_stack_args *a)
{
	a->phdr = 0x10040;
	a->phent = 56;
	a->phnum = 7;
	a->pagesz = 4096;
	a->base = 0;
	a->flags = 0;
	a->entry = 0x10578;
	a->uid = 1000;
	a->euid = 1001;
	a->gid = 100;
	a->egid = 101;
	a->hwcap = 0x112d;		/* IMAFDC */
	a->clktck = 100;
	a->secure = 0;
	for (int i = 0; i < 16; i++)
		a->random[i] = (uint8_t)(0x10 + 7 * i);
}

/* Checks every auxv entry against a, and AT_RANDOM/AT_EXECFN contents. */
static void check_auxv(const struct parsed_stack *ps, const struct exec_stack_args *a,
		       const uint8_t *buf, size_t buf_size, uint64_t top, size_t used)
{
	static const int keys[] = {
		AT_PHDR, AT_PHENT, AT_PHNUM, AT_PAGESZ, AT_BASE, AT_FLAGS, AT_ENTRY,
		AT_UID, AT_EUID, AT_GID, AT_EGID, AT_HWCAP, AT_CLKTCK, AT_SECURE,
		AT_RANDOM,
	};
	const uint8_t *rnd;

	for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
		CHECK(ps->has[keys[i]]);
	CHECK_EQ(ps->has[AT_EXECFN], a->execfn != NULL);
	CHECK_EQ(ps->has[AT_PLATFORM], a->platform != NULL);
	CHECK_EQ(ps->aux[AT_PHDR], a->phdr);
	CHECK_EQ(ps->aux[AT_PHENT], a->phent);
	CHECK_EQ(ps->aux[AT_PHNUM], a->phnum);
	CHECK_EQ(ps->aux[AT_PAGESZ], a->pagesz);
	CHECK_EQ(ps->aux[AT_BASE], a->base);
	CHECK_EQ(ps->aux[AT_FLAGS], a->flags);
	CHECK_EQ(ps->aux[AT_ENTRY], a->entry);
	CHECK_EQ(ps->aux[AT_UID], a->uid);
	CHECK_EQ(ps->aux[AT_EUID], a->euid);
	CHECK_EQ(ps->aux[AT_GID], a->gid);
	CHECK_EQ(ps->aux[AT_EGID], a->egid);
	CHECK_EQ(ps->aux[AT_HWCAP], a->hwcap);
	CHECK_EQ(ps->aux[AT_CLKTCK], a->clktck);
	CHECK_EQ(ps->aux[AT_SECURE], a->secure);
	rnd = at_user(buf, buf_size, top, used, ps->aux[AT_RANDOM], 16);
	CHECK(rnd && memcmp(rnd, a->random, 16) == 0);
	if (a->execfn)
		CHECK(strcmp(string_at(buf, buf_size, top, used, ps->aux[AT_EXECFN]),
			     a->execfn) == 0);
}

/* ------------------------------------------------------------ layout */

TEST(stack_argv_envp_auxv_read_back_as_crt1_would)
{
	static const char *argv[] = { "/bin/prog", "-v", "", "hello world", "last" };
	static const char *envp[] = { "HOME=/", "PATH=/bin:/usr/bin", "TERM=vt100" };
	static const size_t scratches[] = { 1, 2, 3, 7, 4096 };
	struct exec_stack_args a = { .execfn = "/bin/prog" };
	static uint8_t buf[8192];
	struct test_strings ts;
	struct parsed_stack ps;
	uint64_t sp;
	size_t used;

	a.strings = strings_of(&ts, argv, 5, envp, 3);
	fill_auxv_values(&a);
	for (size_t k = 0; k < ARRAY_SIZE(scratches); k++) {
		scratch_size = scratches[k];
		CHECK_EQ(build(buf, sizeof(buf), TOP, &a, &sp, &used), 0);
		parse_stack(buf, sizeof(buf), TOP, sp, used, &ps);
		CHECK_EQ(ps.argc, 5);
		for (int i = 0; i < 5; i++)
			CHECK(strcmp(ps.argv[i], argv[i]) == 0);
		/* argv strings are contiguous and in order, as on Linux */
		for (int i = 0; i + 1 < 5; i++)
			CHECK_EQ(ps.argv_addr[i + 1], ps.argv_addr[i] + strlen(argv[i]) + 1);
		CHECK_EQ(ps.envc, 3);
		for (int i = 0; i < 3; i++)
			CHECK(strcmp(ps.envp[i], envp[i]) == 0);
		check_auxv(&ps, &a, buf, sizeof(buf), TOP, used);
		CHECK(!ps.has[AT_PLATFORM]);
		CHECK(!ps.has[AT_SYSINFO_EHDR]);
		/* The top 8 bytes are the zero end marker; execfn sits right below. */
		CHECK_EQ(word_at(buf, sizeof(buf), TOP, used, TOP - 8), 0);
		CHECK_EQ(ps.aux[AT_EXECFN], TOP - 8 - strlen("/bin/prog") - 1);
		/* envp strings end where execfn begins */
		CHECK_EQ(ps.argv_addr[0] + a.strings.size, ps.aux[AT_EXECFN]);
		/* No sentinel byte is left in the image: the padding was written. */
		CHECK(memchr(buf + sizeof(buf) - used, 0xa5, used) == NULL);
	}
	scratch_size = 4096;
}

TEST(stack_zero_args_and_no_environment)
{
	struct exec_stack_args a = { .execfn = "/init" };
	static uint8_t buf[1024];
	struct test_strings ts;
	struct parsed_stack ps;
	uint64_t sp;
	size_t used;

	a.strings = strings_of(&ts, NULL, 0, NULL, 0);
	fill_auxv_values(&a);
	CHECK_EQ(build(buf, sizeof(buf), TOP, &a, &sp, &used), 0);
	parse_stack(buf, sizeof(buf), TOP, sp, used, &ps);
	CHECK_EQ(ps.argc, 0);
	CHECK_EQ(ps.envc, 0);
	check_auxv(&ps, &a, buf, sizeof(buf), TOP, used);
	CHECK_EQ(word_at(buf, sizeof(buf), TOP, used, sp + 8), 0);	/* argv[0] */
	CHECK_EQ(word_at(buf, sizeof(buf), TOP, used, sp + 16), 0);	/* envp[0] */
	CHECK_EQ(ts.reads, 0);
}

TEST(stack_optional_entries_platform_vdso_no_execfn)
{
	static const char *argv[] = { "x" };
	struct exec_stack_args a = {
		.platform = "riscv64", .sysinfo_ehdr = 0x3ffffff000ULL,
	};
	static uint8_t buf[1024];
	struct test_strings ts;
	struct parsed_stack ps;
	uint64_t sp;
	size_t used;

	a.strings = strings_of(&ts, argv, 1, NULL, 0);
	fill_auxv_values(&a);
	CHECK_EQ(build(buf, sizeof(buf), TOP, &a, &sp, &used), 0);
	parse_stack(buf, sizeof(buf), TOP, sp, used, &ps);
	CHECK(!ps.has[AT_EXECFN]);
	CHECK(ps.has[AT_PLATFORM]);
	CHECK(strcmp(string_at(buf, sizeof(buf), TOP, used, ps.aux[AT_PLATFORM]),
		     "riscv64") == 0);
	CHECK_EQ(ps.aux[AT_SYSINFO_EHDR], 0x3ffffff000ULL);
	CHECK(strcmp(ps.argv[0], "x") == 0);
	/* without execfn the strings end at the end marker */
	CHECK_EQ(ps.argv_addr[0] + 2, TOP - 8);
}

TEST(stack_unaligned_top_still_gives_aligned_sp)
{
	static const char *argv[] = { "a", "bb", "ccc" };
	struct exec_stack_args a = { .execfn = "abc" };
	static uint8_t buf[1024];
	struct test_strings ts;
	struct parsed_stack ps;

	fill_auxv_values(&a);
	for (uint64_t skew = 0; skew < 32; skew++) {
		uint64_t sp;
		size_t used;

		for (size_t envc = 0; envc < 3; envc++) {
			a.strings = strings_of(&ts, argv, 3, argv, envc);
			CHECK_EQ(build(buf, sizeof(buf), TOP - skew, &a, &sp, &used), 0);
			parse_stack(buf, sizeof(buf), TOP - skew, sp, used, &ps);
			CHECK_EQ(ps.argc, 3);
			CHECK_EQ(ps.envc, envc);
			CHECK(strcmp(ps.argv[2], "ccc") == 0);
			check_auxv(&ps, &a, buf, sizeof(buf), TOP - skew, used);
		}
	}
}

TEST(stack_128k_of_arguments_fit_and_one_byte_less_is_e2big)
{
	enum { NARG = 64, ARGLEN = 2047, NENV = 200 };	/* 128 KiB of argv */
	static char strs[NARG][ARGLEN + 1];
	static char envs[NENV][32];
	const char *argv[NARG], *envp[NENV];
	struct exec_stack_args a = { .execfn = "/bin/big" };
	size_t buf_size = 256 * 1024, used, min_used;
	uint8_t *buf = malloc(buf_size);
	struct parsed_stack *ps = malloc(sizeof(*ps));
	struct test_strings ts;
	uint64_t sp;

	for (int i = 0; i < NARG; i++) {
		memset(strs[i], 'a' + i % 26, ARGLEN);
		strs[i][ARGLEN] = 0;
		argv[i] = strs[i];
	}
	for (int i = 0; i < NENV; i++) {
		snprintf(envs[i], sizeof(envs[i]), "VAR%d=value%d", i, i * 7);
		envp[i] = envs[i];
	}
	a.strings = strings_of(&ts, argv, NARG, envp, NENV);
	fill_auxv_values(&a);

	scratch_size = 1000;		/* each argument in three pieces */
	CHECK_EQ(build(buf, buf_size, TOP, &a, &sp, &used), 0);
	CHECK(used > 128 * 1024);
	parse_stack(buf, buf_size, TOP, sp, used, ps);
	CHECK_EQ(ps->argc, NARG);
	for (int i = 0; i < NARG; i++)
		CHECK(strcmp(ps->argv[i], argv[i]) == 0);
	CHECK_EQ(ps->envc, NENV);
	CHECK(strcmp(ps->envp[NENV - 1], envp[NENV - 1]) == 0);
	check_auxv(ps, &a, buf, buf_size, TOP, used);

	/* Exactly the image size fits; one byte less does not. */
	min_used = used;
	CHECK_EQ(build(buf, min_used, TOP, &a, &sp, &used), 0);
	CHECK_EQ(used, min_used);
	parse_stack(buf, min_used, TOP, sp, used, ps);
	CHECK_EQ(ps->argc, NARG);
	CHECK_EQ(build(buf, min_used - 1, TOP, &a, &sp, &used), -E2BIG);
	CHECK_EQ(build(buf, 64 * 1024, TOP, &a, &sp, &used), -E2BIG);
	CHECK_EQ(build(buf, 0, TOP, &a, &sp, &used), -E2BIG);
	scratch_size = 4096;
	free(ps);
	free(buf);
}

TEST(stack_e2big_cases_are_found_from_the_sizes_alone)
{
	static const char *many[100];
	struct exec_stack_args a = { 0 };
	struct exec_stack_layout l;
	struct test_strings ts;

	for (int i = 0; i < 100; i++)
		many[i] = "";
	/* 100 empty strings are 100 bytes: more than 64. */
	a.strings = strings_of(&ts, many, 100, NULL, 0);
	CHECK_EQ(exec_stack_measure(&a, TOP, 64, &l), -E2BIG);
	/* The table alone does not fit even when the strings do. */
	a.strings = strings_of(&ts, many, 20, NULL, 0);
	CHECK_EQ(exec_stack_measure(&a, TOP, 64, &l), -E2BIG);
	/* A long platform string or execfn counts too. */
	a.strings = strings_of(&ts, NULL, 0, NULL, 0);
	a.platform = "0123456789012345678901234567890123456789012345678901234567890123";
	CHECK_EQ(exec_stack_measure(&a, TOP, 64, &l), -E2BIG);
	a.platform = NULL;
	a.execfn = a.platform;
	/* Sizes near the top of size_t do not wrap around. */
	a.strings.size = SIZE_MAX - 4;
	CHECK_EQ(exec_stack_measure(&a, TOP, 1 << 20, &l), -E2BIG);
	a.strings.size = 0;
	a.strings.argc = SIZE_MAX / 8;
	CHECK_EQ(exec_stack_measure(&a, TOP, 1 << 20, &l), -E2BIG);
	a.strings.argc = 0;
	a.strings.envc = SIZE_MAX / 2;
	CHECK_EQ(exec_stack_measure(&a, TOP, 1 << 20, &l), -E2BIG);
	/* A limit larger than the address space below stack_top is a bug. */
	a.strings.envc = 0;
	CHECK_EQ(exec_stack_measure(&a, 32, 64, &l), -EINVAL);
	CHECK_EQ(ts.reads, 0);
}

TEST(stack_random_shapes_fit_or_e2big)
{
	static char strs[10][100];
	const char *argv[40], *envp[40];
	static uint8_t buf[4096];
	struct parsed_stack *ps = malloc(sizeof(*ps));
	uint64_t seed = 42;

	for (int k = 0; k < 10; k++)		/* lengths 0, 11, 22, ... 99 */
		for (int i = 0; i < 11 * k && i < 99; i++)
			strs[k][i] = (char)('A' + (k + i) % 26);
	for (int iter = 0; iter < 2000; iter++) {
		struct exec_stack_args a = { 0 };
		size_t buf_size = 1 + rng_next(&seed) % sizeof(buf), used;
		uint64_t top = TOP - rng_next(&seed) % 16, sp;
		size_t argc = rng_next(&seed) % 40, envc = rng_next(&seed) % 40;
		struct test_strings ts;
		int rc;

		for (size_t i = 0; i < argc; i++)
			argv[i] = strs[rng_next(&seed) % 10];
		for (size_t i = 0; i < envc; i++)
			envp[i] = strs[rng_next(&seed) % 10];
		if (rng_next(&seed) % 2)
			a.execfn = "/x";
		a.strings = strings_of(&ts, argv, argc, envp, envc);
		fill_auxv_values(&a);
		scratch_size = 1 + rng_next(&seed) % 130;
		rc = build(buf, buf_size, top, &a, &sp, &used);
		CHECK(rc == 0 || rc == -E2BIG);
		if (rc != 0)
			continue;
		parse_stack(buf, buf_size, top, sp, used, ps);
		CHECK_EQ(ps->argc, argc);
		CHECK_EQ(ps->envc, envc);
		for (size_t i = 0; i < argc; i++)
			CHECK(strcmp(ps->argv[i], argv[i]) == 0);
		for (size_t i = 0; i < envc; i++)
			CHECK(strcmp(ps->envp[i], envp[i]) == 0);
		check_auxv(ps, &a, buf, buf_size, top, used);
	}
	scratch_size = 4096;
	free(ps);
}

/* ------------------------------------------------------------ writing */

/* A stack of argv {"first", "second"}, envp {"E=1"}, measured into *l. */
static void small_stack(struct exec_stack_args *a, struct test_strings *ts,
			struct exec_stack_layout *l)
{
	static const char *argv[] = { "first", "second" }, *envp[] = { "E=1" };

	memset(a, 0, sizeof(*a));
	a->execfn = "/bin/x";
	a->strings = strings_of(ts, argv, 2, envp, 1);
	fill_auxv_values(a);
	CHECK_EQ(exec_stack_measure(a, TOP, 4096, l), 0);
}

TEST(stack_table_goes_to_the_sink_in_runs_not_word_by_word)
{
	enum { N = 1000 };
	static const char *argv[N];
	struct exec_stack_args a = { .execfn = "/bin/many" };
	static uint8_t buf[32768];
	struct test_sink t = { .buf = buf, .size = sizeof(buf), .top = TOP,
			       .times = calloc(sizeof(buf), 1) };
	struct exec_stack_layout l;
	struct test_strings ts;

	for (int i = 0; i < N; i++)
		argv[i] = "x";
	a.strings = strings_of(&ts, argv, N, NULL, 0);
	fill_auxv_values(&a);
	CHECK_EQ(exec_stack_measure(&a, TOP, sizeof(buf), &l), 0);
	CHECK_EQ(write_image(&a, &l, &t), 0);
	/* one write per string, the table in runs of words, a few for the rest */
	CHECK(t.calls <= N + (N + 1 + 2 + 2 * 20) / 8 + 8);
	CHECK_EQ(ts.reads, N);
	free(t.times);
}

TEST(stack_a_string_that_cannot_be_read_fails_the_write)
{
	struct exec_stack_args a;
	struct exec_stack_layout l;
	struct test_strings ts;
	static uint8_t buf[4096];

	for (int list = 0; list < 2; list++) {
		struct test_sink t = { .buf = buf, .size = sizeof(buf), .top = TOP,
				       .times = calloc(sizeof(buf), 1) };

		small_stack(&a, &ts, &l);
		ts.bad_list = list;
		ts.bad_i = list == EXEC_STACK_ARGV ? 1 : 0;
		CHECK_EQ(write_image(&a, &l, &t), -EFAULT);
		CHECK(!t.outside);
		free(t.times);
	}
}

TEST(stack_a_sink_error_is_returned_and_ends_the_write)
{
	struct exec_stack_args a;
	struct exec_stack_layout l;
	struct test_strings ts;
	static uint8_t buf[4096];
	int calls;

	/* count the writes of a good run, then fail each one in turn */
	{
		struct test_sink t = { .buf = buf, .size = sizeof(buf), .top = TOP,
				       .times = calloc(sizeof(buf), 1) };

		small_stack(&a, &ts, &l);
		CHECK_EQ(write_image(&a, &l, &t), 0);
		calls = t.calls;
		free(t.times);
	}
	CHECK(calls > 5);
	for (int k = 1; k <= calls; k++) {
		struct test_sink t = { .buf = buf, .size = sizeof(buf), .top = TOP,
				       .times = calloc(sizeof(buf), 1), .fail_at = k };

		small_stack(&a, &ts, &l);
		CHECK_EQ(write_image(&a, &l, &t), -ENOMEM);
		CHECK_EQ(t.calls, k);
		CHECK_EQ(t.calls_after_error, 0);
		free(t.times);
	}
}

TEST(stack_strings_that_grew_since_counted_give_e2big)
{
	static const char *longer_last[] = { "first", "second!" };
	static const char *longer_first[] = { "first+", "second" };
	static const char *longer_env[] = { "E=12" };
	struct exec_stack_args a;
	struct exec_stack_layout l;
	struct test_strings ts;
	static uint8_t buf[4096];
	const char *const *cases[3][2] = {
		{ longer_last, NULL }, { longer_first, NULL }, { NULL, longer_env },
	};

	for (int k = 0; k < 3; k++) {
		struct test_sink t = { .buf = buf, .size = sizeof(buf), .top = TOP,
				       .times = calloc(sizeof(buf), 1) };

		small_stack(&a, &ts, &l);
		ts.now[EXEC_STACK_ARGV] = cases[k][0];
		ts.now[EXEC_STACK_ENVP] = cases[k][1];
		CHECK_EQ(write_image(&a, &l, &t), -E2BIG);
		CHECK(!t.outside);
		/* nothing spilled into execfn's place */
		for (size_t i = 0; i < sizeof(buf); i++)
			CHECK(t.times[i] <= 1);
		free(t.times);
	}
}

TEST(stack_strings_that_shrank_since_counted_leave_zeros)
{
	static const char *shorter[] = { "fir", "s" };
	struct exec_stack_args a;
	struct exec_stack_layout l;
	struct test_strings ts;
	static uint8_t buf[4096];
	struct test_sink t = { .buf = buf, .size = sizeof(buf), .top = TOP,
			       .times = calloc(sizeof(buf), 1) };
	struct parsed_stack ps;

	small_stack(&a, &ts, &l);
	ts.now[EXEC_STACK_ARGV] = shorter;
	memset(buf, 0xa5, sizeof(buf));
	CHECK_EQ(write_image(&a, &l, &t), 0);
	parse_stack(buf, sizeof(buf), TOP, l.sp, l.used, &ps);
	CHECK_EQ(ps.argc, 2);
	CHECK(strcmp(ps.argv[0], "fir") == 0);
	CHECK(strcmp(ps.argv[1], "s") == 0);
	CHECK_EQ(ps.argv_addr[1], ps.argv_addr[0] + 4);
	CHECK(strcmp(ps.envp[0], "E=1") == 0);
	check_auxv(&ps, &a, buf, sizeof(buf), TOP, l.used);
	/* the room the strings no longer need is zeros, written once */
	for (uint64_t u = ps.argv_addr[1] + 2 + 4; u < ps.aux[AT_EXECFN]; u++)
		CHECK_EQ(*at_user(buf, sizeof(buf), TOP, l.used, u, 1), 0);
	for (size_t i = 0; i < sizeof(buf); i++)
		CHECK_EQ(t.times[i], i >= sizeof(buf) - l.used);
	free(t.times);
}
