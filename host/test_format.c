/*
 * format: ksnprintf prints what the C library's snprintf prints for every
 * conversion, flag, width, precision and length modifier we support, and
 * truncates like snprintf. %p, NULL %s and malformed specifications, where
 * the C library is not our reference, are checked against fixed strings.
 */
#include "test.h"
#include "lib/format.h"

#include <limits.h>

/*
 * Formats with both snprintf and ksnprintf and fails the test, naming the
 * format, if the returned lengths or the bytes written differ.
 */
#define COMPARE(fmt, ...)						\
	do {								\
		char _want[512], _got[512];				\
		int _nw = snprintf(_want, sizeof(_want), fmt, __VA_ARGS__); \
		int _ng = ksnprintf(_got, sizeof(_got), fmt, __VA_ARGS__); \
		compare_outputs(__FILE__, __LINE__, fmt, _want, _nw, _got, _ng); \
	} while (0)

static int compared;

/* Reports a mismatch between the reference output and ours. */
static void compare_outputs(const char *file, int line, const char *fmt,
			    const char *want, int nw, const char *got, int ng)
{
	char msg[1400];

	compared++;
	if (nw == ng && memcmp(want, got, (size_t)MIN(nw, 511) + 1) == 0)
		return;
	snprintf(msg, sizeof(msg), "format \"%s\": libc gave %d \"%s\", we gave %d \"%s\"",
		 fmt, nw, want, ng, got);
	test_fail(file, line, msg);
}

/* Checks that ksnprintf(fmt, ...) produced exactly the string want. */
#define EXPECT_FORMAT(want, fmt, ...)					\
	do {								\
		char _got[256];						\
		int _n = ksnprintf(_got, sizeof(_got), fmt, __VA_ARGS__); \
		CHECK(strcmp(_got, want) == 0);				\
		CHECK_EQ(_n, strlen(want));				\
	} while (0)

static const char *const int_formats[] = {
	"%d", "%i", "%u", "%x", "%X", "%o",
	"%5d", "%-5d|", "%05d", "%+d", "% d", "%+05d", "% 05d", "%+ d",
	"%.3d", "%8.3d", "%-8.3d|", "%08.3d", "%.0d", "%5.0d", "%.0x", "%.0u",
	"%-+6d|", "%-06d|", "%#x", "%#X", "%#o", "%#.0o", "%#08x", "%-#10x|",
	"%#5o", "%#.5o", "%.30d", "%40d", "%-40x|", "%3u", "%010u", "%+u",
	"[%d]", "%d%%", "%1d", "%2x", "%08X",
};

static const int int_values[] = {
	0, 1, -1, 7, 8, 42, -42, 255, 256, 4095, 123456, -123456,
	INT_MAX, INT_MIN, INT_MAX - 1, INT_MIN + 1,
};

TEST(format_int_matches_libc)
{
	for (size_t f = 0; f < ARRAY_SIZE(int_formats); f++)
		for (size_t v = 0; v < ARRAY_SIZE(int_values); v++)
			COMPARE(int_formats[f], int_values[v]);
}

static const char *const long_formats[] = {
	"%ld", "%li", "%lu", "%lx", "%lX", "%lo", "%+ld", "% ld", "%020ld",
	"%-20lx|", "%.18lx", "%#lx", "%#lo", "%25.20ld", "%-+25.20ld|",
};

static const long long_values[] = {
	0, 1, -1, 1000000007L, -1000000007L, 0x123456789abcdefL,
	LONG_MAX, LONG_MIN, LONG_MIN + 1, 0xffffffffL, 0x100000000L,
};

TEST(format_long_matches_libc)
{
	for (size_t f = 0; f < ARRAY_SIZE(long_formats); f++)
		for (size_t v = 0; v < ARRAY_SIZE(long_values); v++)
			COMPARE(long_formats[f], long_values[v]);
}

static const char *const llong_formats[] = {
	"%lld", "%lli", "%llu", "%llx", "%llX", "%llo", "%+lld", "%030llo",
	"%#llx", "%.25lld",
};

static const long long llong_values[] = {
	0, -1, 1, LLONG_MAX, LLONG_MIN, 0x7fedcba987654321LL, -0x7fedcba98765LL,
};

TEST(format_long_long_matches_libc)
{
	for (size_t f = 0; f < ARRAY_SIZE(llong_formats); f++)
		for (size_t v = 0; v < ARRAY_SIZE(llong_values); v++)
			COMPARE(llong_formats[f], llong_values[v]);
}

static const char *const short_formats[] = {
	"%hhd", "%hhi", "%hhu", "%hhx", "%hho", "%hd", "%hi", "%hu", "%hx",
	"%ho", "%+hhd", "%05hd", "%#hhx", "%-6hu|",
};

/* Values wider than the conversion: the modifier must narrow them. */
static const int short_values[] = {
	0, 1, -1, 127, 128, -128, -129, 255, 256, 300, 32767, 32768, -32769,
	65535, 65537, INT_MAX, INT_MIN,
};

TEST(format_hh_and_h_narrow_the_argument)
{
	for (size_t f = 0; f < ARRAY_SIZE(short_formats); f++)
		for (size_t v = 0; v < ARRAY_SIZE(short_values); v++)
			COMPARE(short_formats[f], short_values[v]);
}

TEST(format_z_and_t_modifiers_match_libc)
{
	static const size_t sizes[] = { 0, 1, 4096, SIZE_MAX, SIZE_MAX / 2 };
	static const ptrdiff_t diffs[] = { 0, -1, 1, PTRDIFF_MAX, PTRDIFF_MIN };
	static const char *const zfmt[] = { "%zu", "%zx", "%zo", "%10zu", "%#zx" };
	static const char *const tfmt[] = { "%td", "%ti", "%+td", "%-22td|" };

	for (size_t f = 0; f < ARRAY_SIZE(zfmt); f++)
		for (size_t v = 0; v < ARRAY_SIZE(sizes); v++)
			COMPARE(zfmt[f], sizes[v]);
	for (size_t f = 0; f < ARRAY_SIZE(tfmt); f++)
		for (size_t v = 0; v < ARRAY_SIZE(diffs); v++)
			COMPARE(tfmt[f], diffs[v]);
	/* %zd with a value that fits: both libc and we read a size_t-wide word */
	COMPARE("%zd", (ssize_t)-5);
}

static const char *const str_formats[] = {
	"%s", "%10s", "%-10s|", "%.3s", "%10.3s", "%-10.3s|", "%.0s", "%.20s",
	"%1s", "<%s>", "%5.1s",
};

static const char *const str_values[] = {
	"", "a", "hello", "hello world, a longer string", "tab\there",
};

TEST(format_strings_match_libc)
{
	for (size_t f = 0; f < ARRAY_SIZE(str_formats); f++)
		for (size_t v = 0; v < ARRAY_SIZE(str_values); v++)
			COMPARE(str_formats[f], str_values[v]);
}

TEST(format_chars_match_libc)
{
	static const char *const fmts[] = { "%c", "%3c", "%-3c|", "[%c]", "%1c" };
	static const int chars[] = { 'a', 'Z', ' ', '%', 0x7f, 0xe9 };

	for (size_t f = 0; f < ARRAY_SIZE(fmts); f++)
		for (size_t v = 0; v < ARRAY_SIZE(chars); v++)
			COMPARE(fmts[f], chars[v]);
	COMPARE("a%cb", 0);	/* a NUL character is output and counted */
}

TEST(format_star_width_and_precision_match_libc)
{
	static const int widths[] = { 0, 1, 5, 12, -1, -5, -12 };
	static const int precs[] = { -3, -1, 0, 1, 3, 9 };
	static const int values[] = { 0, 7, -7, 123456, INT_MIN };

	for (size_t w = 0; w < ARRAY_SIZE(widths); w++) {
		for (size_t v = 0; v < ARRAY_SIZE(values); v++) {
			COMPARE("%*d|", widths[w], values[v]);
			COMPARE("%-*x|", widths[w], values[v]);
			COMPARE("%0*d|", widths[w], values[v]);
			for (size_t p = 0; p < ARRAY_SIZE(precs); p++)
				COMPARE("%*.*d|", widths[w], precs[p], values[v]);
		}
		for (size_t p = 0; p < ARRAY_SIZE(precs); p++) {
			COMPARE("%.*s|", precs[p], "abcdef");
			COMPARE("%*.*s|", widths[w], precs[p], "abcdef");
		}
		COMPARE("%*c|", widths[w], 'q');
	}
}

TEST(format_mixed_arguments_match_libc)
{
	COMPARE("a=%d b=%s c=%c d=%lx e=%% f=%u g=%5.2s h=%-4hhd|", -3, "str", 'x',
		0xdeadbeefUL, 4000000000U, "xyz", 300);
	COMPARE("%%%d%%%s%%", 1, "two");
	COMPARE("no conversions%s", "");
	COMPARE("%s%s%s%d%d%d", "a", "", "c", 1, 22, 333);
	COMPARE("%zu bytes at %lx, %d%% used", (size_t)4096, 0x80200000UL, 37);
	CHECK(compared > 0);
}

TEST(format_pointer_is_0x_and_16_hex_digits)
{
	EXPECT_FORMAT("0x0000000000001234", "%p", (void *)0x1234);
	EXPECT_FORMAT("0x0000000000000000", "%p", (void *)0);
	EXPECT_FORMAT("0xffffffffffffffff", "%p", (void *)UINTPTR_MAX);
	EXPECT_FORMAT("0xffffffc080200000", "%p", (void *)0xffffffc080200000UL);
	EXPECT_FORMAT("  0x00000000deadbeef|", "%20p|", (void *)0xdeadbeefUL);
	EXPECT_FORMAT("0x00000000deadbeef  |", "%-20p|", (void *)0xdeadbeefUL);
	EXPECT_FORMAT("0x00000000000000ab", "%5p", (void *)0xab);
}

TEST(format_null_string_prints_null)
{
	const char *volatile null = NULL;	/* hidden from the format checker */

	EXPECT_FORMAT("(null)", "%s", null);
	EXPECT_FORMAT("  (null)|", "%8s|", null);
	EXPECT_FORMAT("(null)  |", "%-8s|", null);
	EXPECT_FORMAT("[(null)]", "[%s]", null);
}

TEST(format_malformed_specifications_print_literally)
{
	const char *fmt_q = "a%qb";
	const char *fmt_end = "tail%";
	const char *fmt_end_flags = "tail%-08";
	char buf[32];

	CHECK_EQ(ksnprintf(buf, sizeof(buf), fmt_q, 0), 4);
	CHECK(strcmp(buf, "a%qb") == 0);
	CHECK_EQ(ksnprintf(buf, sizeof(buf), fmt_end, 0), 5);
	CHECK(strcmp(buf, "tail%") == 0);
	CHECK_EQ(ksnprintf(buf, sizeof(buf), fmt_end_flags, 0), 5);
	CHECK(strcmp(buf, "tail%") == 0);
}

TEST(ksnprintf_truncates_and_returns_full_length)
{
	char buf[16];

	memset(buf, 'Z', sizeof(buf));
	CHECK_EQ(ksnprintf(buf, 6, "hello world"), 11);
	CHECK(strcmp(buf, "hello") == 0);
	CHECK(buf[6] == 'Z');			/* nothing written past size */

	memset(buf, 'Z', sizeof(buf));
	CHECK_EQ(ksnprintf(buf, 1, "abc%d", 123), 6);
	CHECK(buf[0] == 0 && buf[1] == 'Z');

	memset(buf, 'Z', sizeof(buf));
	CHECK_EQ(ksnprintf(buf, 0, "abc"), 3);
	CHECK(buf[0] == 'Z');			/* size 0: buffer untouched */
	CHECK_EQ(ksnprintf(NULL, 0, "%d-%s", 12345, "xyz"), 9);

	memset(buf, 'Z', sizeof(buf));
	CHECK_EQ(ksnprintf(buf, 4, "abc"), 3);	/* exact fit */
	CHECK(strcmp(buf, "abc") == 0);
	CHECK_EQ(ksnprintf(buf, 3, "abc"), 3);	/* one short */
	CHECK(strcmp(buf, "ab") == 0);

	CHECK_EQ(ksnprintf(buf, sizeof(buf), "%300d", 1), 300);
	CHECK_EQ(strlen(buf), sizeof(buf) - 1);
	CHECK(buf[0] == ' ');
	CHECK_EQ(ksnprintf(buf, sizeof(buf), "%s", ""), 0);
	CHECK(buf[0] == 0);
}

TEST(ksnprintf_truncation_matches_libc_at_every_size)
{
	const char *fmt = "%-6s|%+05d|%#x|%c";

	for (size_t size = 0; size < 32; size++) {
		char want[32], got[32];
		int nw, ng;

		memset(want, 'Z', sizeof(want));
		memset(got, 'Z', sizeof(got));
		nw = snprintf(want, size, fmt, "ab", 42, 255, '!');
		ng = ksnprintf(got, size, fmt, "ab", 42, 255, '!');
		CHECK_EQ(ng, nw);
		CHECK(memcmp(want, got, sizeof(want)) == 0);
	}
}

struct collect {
	char buf[64];
	int n;
};

static void collect_out(void *ctx, char c)
{
	struct collect *col = ctx;

	if (col->n < (int)sizeof(col->buf) - 1)
		col->buf[col->n] = c;
	col->n++;
}

static int collect_format(struct collect *col, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vformat(collect_out, col, fmt, ap);
	va_end(ap);
	col->buf[MIN(col->n, (int)sizeof(col->buf) - 1)] = 0;
	return n;
}

TEST(vformat_calls_out_once_per_character_and_counts)
{
	struct collect col = { .n = 0 };

	CHECK_EQ(collect_format(&col, "x=%d, s=%s%c", -12, "ok", '!'), 12);
	CHECK_EQ(col.n, 12);
	CHECK(strcmp(col.buf, "x=-12, s=ok!") == 0);

	col.n = 0;
	CHECK_EQ(collect_format(&col, "%s", ""), 0);
	CHECK_EQ(col.n, 0);
}
