/*
 * libc_test: the C library's formatted output matches the C standard's
 * (as glibc prints it) for integer, string, pointer and floating formats;
 * string, conversion, sorting, environment and stdio functions behave as
 * POSIX says. Prints one line per failure and a summary; exits 1 on failure.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <unistd.h>

static int passed, failed;

/* Counts a check; prints it only if it failed. */
static void check(int ok, const char *what)
{
	if (ok) {
		passed++;
	} else {
		failed++;
		printf("FAIL - %s\n", what);
	}
}

/* Checks that snprintf(fmt, ...) produced want, and returned its length. */
#define FMT(want, ...) do {						\
	char buf_[256];							\
	int n_ = snprintf(buf_, sizeof(buf_), __VA_ARGS__);		\
	if (strcmp(buf_, want) != 0 || n_ != (int)strlen(want)) {	\
		failed++;						\
		printf("FAIL - printf(%s): got \"%s\" (%d), want \"%s\"\n", \
		       #__VA_ARGS__, buf_, n_, want);			\
	} else {							\
		passed++;						\
	}								\
} while (0)

/* Integer conversions: flags, width, precision, length modifiers. */
static void test_printf_ints(void)
{
	FMT("42", "%d", 42);
	FMT("-42", "%i", -42);
	FMT("   42", "%5d", 42);
	FMT("42   |", "%-5d|", 42);
	FMT("00042", "%05d", 42);
	FMT("+42", "%+d", 42);
	FMT(" 42", "% d", 42);
	FMT("-0042", "%05d", -42);
	FMT("  007", "%5.3d", 7);
	FMT("", "%.0d", 0);
	FMT("-2147483648", "%d", INT_MIN);
	FMT("4294967295", "%u", 4294967295U);
	FMT("-9223372036854775808", "%ld", LONG_MIN);
	FMT("18446744073709551615", "%lu", ULONG_MAX);
	FMT("123456789012", "%lld", 123456789012LL);
	FMT("ff FF 0xff 0XFF", "%x %X %#x %#X", 255, 255, 255, 255);
	FMT("0", "%#x", 0);
	FMT("17 017 0", "%o %#o %#o", 15, 15, 0);
	FMT("-1 255 65535", "%hhd %hhu %hu", 255, 255, 65535);
	FMT("      beef", "%*x", 10, 0xbeef);
	FMT("beef      |", "%-*x|", 10, 0xbeef);
	FMT("0x00ff", "%#06x", 255);
	FMT("42 42", "%zu %td", (size_t)42, (ptrdiff_t)42);
	FMT("100%", "%d%%", 100);
}

/* Strings, characters, pointers, %n and floating point. */
static void test_printf_other(void)
{
	int n = 0;

	FMT("hello", "%s", "hello");
	FMT("  hi|hi  |", "%4s|%-4s|", "hi", "hi");
	FMT("hel", "%.3s", "hello");
	{
		const char *volatile nul = 0;	/* hidden from the format checker */
		FMT("(null)", "%s", nul);
	}
	FMT("x", "%c", 'x');
	FMT("  x", "%3c", 'x');
	FMT("0x1000", "%p", (void *)0x1000);
	FMT("(nil)", "%p", (void *)0);
	FMT("ab", "a%nb", &n);
	check(n == 1, "%n stores the count so far");
	FMT("3.141593", "%f", 3.14159265);
	FMT("3.14", "%.2f", 3.14159);
	FMT("3", "%.0f", 3.14159);
	FMT("4", "%.0f", 3.5);
	FMT("-0.500", "%.3f", -0.5);
	FMT("  1.50", "%6.2f", 1.5);
	FMT("001.50", "%06.2f", 1.5);
	FMT("+1.0", "%+.1f", 1.0);
	FMT("1.000000e+03", "%e", 1000.0);
	FMT("1.23E-05", "%.2E", 0.0000123);
	FMT("0.1 100000 1e+06 1.5e-05", "%g %g %g %g", 0.1, 100000.0, 1000000.0, 0.000015);
	FMT("3.14159", "%g", 3.14159265);
	FMT("0", "%g", 0.0);
	FMT("1e+100", "%g", 1e100);
	FMT("12345678", "%.0f", 12345678.0);
	FMT("0.001", "%.3f", 0.0009999);
	FMT("99.99", "%.2f", 99.99);
	FMT("100.0", "%.1f", 99.96);
	FMT("inf -inf nan", "%f %f %f", 1.0 / 0.0, -1.0 / 0.0, 0.0 / 0.0);
	FMT("[   inf]", "[%6.2f]", 1.0 / 0.0);
}

/* Truncation and return values of the buffer variants. */
static void test_printf_bounds(void)
{
	char buf[8], *s = 0;

	check(snprintf(buf, sizeof(buf), "%s", "abcdefghij") == 10 &&
	      strcmp(buf, "abcdefg") == 0, "snprintf truncates and returns the full length");
	check(snprintf(0, 0, "%d", 12345) == 5, "snprintf(NULL, 0) measures");
	check(sprintf(buf, "%d-%d", 1, 2) == 3 && strcmp(buf, "1-2") == 0, "sprintf");
	check(asprintf(&s, "%s=%d", "x", 300) == 5 && strcmp(s, "x=300") == 0, "asprintf");
	free(s);
}

/* qsort order for ints. */
static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return x < y ? -1 : x > y;
}

/* String, memory, ctype and number-conversion functions; qsort. */
static void test_strings(void)
{
	char buf[64], *save, *t;
	int v[1000], sorted = 1;

	check(strlen("hello") == 5 && strnlen("hello", 3) == 3, "strlen, strnlen");
	check(strcmp("abc", "abd") < 0 && strcmp("b", "a") > 0 && !strcmp("x", "x"), "strcmp");
	check(strncmp("abcx", "abcy", 3) == 0, "strncmp");
	check(strcmp(strchr("hello", 'l'), "llo") == 0 && !strchr("hello", 'z'), "strchr");
	check(strcmp(strrchr("hello", 'l'), "lo") == 0, "strrchr");
	check(strcmp(strstr("haystack", "st"), "stack") == 0 && !strstr("abc", "d"), "strstr");
	check(strspn("aabbc", "ab") == 4 && strcspn("hello", "l") == 2, "strspn, strcspn");
	strcpy(buf, "a,b,,c");
	t = strtok_r(buf, ",", &save);
	check(t && !strcmp(t, "a"), "strtok_r first");
	t = strtok_r(0, ",", &save);
	check(t && !strcmp(t, "b"), "strtok_r second");
	t = strtok_r(0, ",", &save);
	check(t && !strcmp(t, "c") && !strtok_r(0, ",", &save), "strtok_r skips empty fields");
	t = strdup("copy");
	check(t && !strcmp(t, "copy"), "strdup");
	free(t);
	memset(buf, 'x', sizeof(buf));
	memmove(buf + 1, buf, 10);
	strcpy(buf, "0123456789");
	memmove(buf + 2, buf, 5);
	check(memcmp(buf, "0101234789", 10) == 0, "memmove with overlap");
	check(!strcmp(strerror(ENOENT), "No such file or directory"), "strerror");
	check(!strcmp(strsignal(11), "Segmentation fault"), "strsignal");
	check(isdigit('7') && !isdigit('a') && isspace('\t') && toupper('q') == 'Q', "ctype");
	check(strtol("  -123abc", &t, 10) == -123 && *t == 'a', "strtol decimal");
	check(strtol("0x1F", 0, 0) == 31 && strtol("017", 0, 0) == 15, "strtol base 0");
	check(strtoul("ffffffffffffffff", 0, 16) == ULONG_MAX, "strtoul hex");
	errno = 0;
	check(strtol("99999999999999999999", 0, 10) == LONG_MAX && errno == ERANGE,
	      "strtol overflow saturates with ERANGE");
	check(atoi("42") == 42, "atoi");
	for (int i = 0; i < 1000; i++)
		v[i] = (i * 7919) % 1000 - 500;
	qsort(v, 1000, sizeof(int), cmp_int);
	for (int i = 1; i < 1000; i++)
		sorted &= v[i - 1] <= v[i];
	check(sorted, "qsort sorts 1000 ints");
}

/* The environment, and a file written and read back through stdio. */
static void test_env_stdio(void)
{
	const char *path = "/tmp/libc_test.tmp";
	char line[64];
	FILE *f;

	check(setenv("KB_TEST", "one", 1) == 0 && !strcmp(getenv("KB_TEST"), "one"), "setenv/getenv");
	setenv("KB_TEST", "two", 0);
	check(!strcmp(getenv("KB_TEST"), "one"), "setenv without overwrite keeps value");
	unsetenv("KB_TEST");
	check(getenv("KB_TEST") == 0, "unsetenv");
	f = fopen(path, "w");
	check(f != 0, "fopen for writing");
	if (!f)
		return;
	fprintf(f, "first %d\nsecond\n", 1);
	fputs("third", f);
	fclose(f);
	f = fopen(path, "r");
	check(f && fgets(line, sizeof(line), f) && !strcmp(line, "first 1\n"), "fgets line 1");
	check(f && fgets(line, sizeof(line), f) && !strcmp(line, "second\n"), "fgets line 2");
	check(f && fgets(line, sizeof(line), f) && !strcmp(line, "third"), "fgets last line without newline");
	check(f && !fgets(line, sizeof(line), f) && feof(f), "fgets at end of file");
	if (f)
		fclose(f);
	f = fopen(path, "a");
	fputc('!', f);
	fclose(f);
	{
		struct stat st;
		check(stat(path, &st) == 0 && st.st_size == 21 && S_ISREG(st.st_mode),
		      "stat sees the appended file size");
	}
	unlink(path);
	check(access(path, F_OK) < 0 && errno == ENOENT, "unlink removed the file");
}

static int argc_seen;

int main(int argc, char **argv)
{
	argc_seen = argc + (argv[argc] != 0);
	test_printf_ints();
	test_printf_other();
	test_printf_bounds();
	test_strings();
	test_env_stdio();
	check(getauxval(AT_PAGESZ) == 4096, "auxv: AT_PAGESZ is 4096");
	check(argc_seen == 1 && environ != 0, "crt0: argc and environ");
	printf("libc_test: %d passed, %d failed\n", passed, failed);
	return failed != 0;
}
