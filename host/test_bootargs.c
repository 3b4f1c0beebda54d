/* Boot-argument parsing: keys, values, init's rest-of-line, unknown keys. */
#include "test.h"
#include "kern/bootargs.h"

TEST(bootargs_key_value_pairs)
{
	CHECK_EQ(bootargs_parse("ktest=all vm.policy=clock loglevel"), 0);
	CHECK(strcmp(bootarg("ktest"), "all") == 0);
	CHECK(strcmp(bootarg("vm.policy"), "clock") == 0);
	CHECK(strcmp(bootarg("loglevel"), "") == 0);
	CHECK(bootarg("init") == NULL);
}

TEST(bootargs_init_takes_rest_of_line)
{
	CHECK_EQ(bootargs_parse("  ktest=x   init=/bin/echo hello  world "), 0);
	CHECK(strcmp(bootarg("init"), "/bin/echo hello  world ") == 0);
	CHECK(strcmp(bootarg("ktest"), "x") == 0);
}

TEST(bootargs_unknown_keys_are_counted_and_ignored)
{
	CHECK_EQ(bootargs_parse("foo=1 ktest=all bar"), 2);
	CHECK(bootarg("foo") == NULL);
	CHECK(bootarg("bar") == NULL);
	CHECK(strcmp(bootarg("ktest"), "all") == 0);
}

TEST(bootargs_empty_and_null)
{
	CHECK_EQ(bootargs_parse(""), 0);
	CHECK(bootarg("ktest") == NULL);
	CHECK_EQ(bootargs_parse(NULL), 0);
	CHECK_EQ(bootargs_parse("   \t "), 0);
	CHECK(bootarg("init") == NULL);
}

TEST(bootargs_last_value_wins_and_reparse_resets)
{
	bootargs_parse("ktest=a ktest=b");
	CHECK(strcmp(bootarg("ktest"), "b") == 0);
	bootargs_parse("vm.policy=fifo");
	CHECK(bootarg("ktest") == NULL);
}

TEST(bootargs_overlong_line_is_cut_safely)
{
	static char big[4096];

	memset(big, 'a', sizeof(big) - 1);
	memcpy(big, "ktest=", 6);
	bootargs_parse(big);
	CHECK(bootarg("ktest") != NULL);
	CHECK(strlen(bootarg("ktest")) == BOOTARGS_MAX - 1 - 6);
}

TEST(bootargs_too_many_keys)
{
	static char many[2048];
	char *p = many;

	for (int i = 0; i < BOOTARGS_KEYS + 10; i++)
		p += sprintf(p, "loglevel=%d ", i);
	bootargs_parse(many);
	CHECK(bootarg("loglevel") != NULL);
	CHECK(strcmp(bootarg("loglevel"), "31") == 0);
}
