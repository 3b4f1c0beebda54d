/*
 * The #! line parser (kern/exec_script.c) against what Linux's
 * fs/binfmt_script.c does with the same first 256 bytes of a file.
 */
#include "test.h"
#include "kern/exec_script.h"

#include <stdio.h>

/* Parse text (the start of a file); *s gets the words. */
static int parse(const char *text, char *buf, struct exec_script *s)
{
	size_t len = strlen(text) < EXEC_SCRIPT_BUF ? strlen(text) : EXEC_SCRIPT_BUF;

	memset(buf, 'Z', EXEC_SCRIPT_BUF + 1);	/* what is past len must not count */
	memcpy(buf, text, len);
	return exec_script_parse(buf, len, s);
}

TEST(script_not_a_script)
{
	char buf[EXEC_SCRIPT_BUF + 1];
	struct exec_script s;

	CHECK_EQ(parse("\177ELF", buf, &s), 0);
	CHECK_EQ(parse("#", buf, &s), 0);
	CHECK_EQ(parse("", buf, &s), 0);
	CHECK_EQ(parse("!#/bin/sh\n", buf, &s), 0);
}

TEST(script_interpreter_and_argument)
{
	char buf[EXEC_SCRIPT_BUF + 1];
	struct exec_script s;

	CHECK_EQ(parse("#!/bin/sh\necho hi\n", buf, &s), 1);
	CHECK(strcmp(s.interp, "/bin/sh") == 0 && s.arg == NULL);
	CHECK_EQ(parse("#!/bin/sh -e\n", buf, &s), 1);
	CHECK(strcmp(s.interp, "/bin/sh") == 0 && strcmp(s.arg, "-e") == 0);
	CHECK_EQ(parse("#! \t/usr/bin/env  python3 -u \t\nx", buf, &s), 1);
	CHECK(strcmp(s.interp, "/usr/bin/env") == 0 && strcmp(s.arg, "python3 -u") == 0);
	CHECK_EQ(parse("#!/bin/sh   \n", buf, &s), 1);	/* trailing blanks: no argument */
	CHECK(strcmp(s.interp, "/bin/sh") == 0 && s.arg == NULL);
	CHECK_EQ(parse("#!/bin/sh", buf, &s), 1);		/* the file ends: no newline */
	CHECK(strcmp(s.interp, "/bin/sh") == 0 && s.arg == NULL);
	CHECK_EQ(parse("#!/bin/sh\r\n", buf, &s), 1);	/* \r is part of the name */
	CHECK(strcmp(s.interp, "/bin/sh\r") == 0);
}

TEST(script_no_interpreter)
{
	char buf[EXEC_SCRIPT_BUF + 1];
	struct exec_script s;

	CHECK_EQ(parse("#!\n", buf, &s), -ENOEXEC);
	CHECK_EQ(parse("#! \t \n/bin/sh\n", buf, &s), -ENOEXEC);
	CHECK_EQ(parse("#!", buf, &s), -ENOENT);	/* Linux looks up "" */
}

TEST(script_long_lines)
{
	char text[400], buf[EXEC_SCRIPT_BUF + 1];
	struct exec_script s;

	/* a name that does not end in the buffer: too long */
	snprintf(text, sizeof(text), "#!/%0300d\n", 0);
	CHECK_EQ(parse(text, buf, &s), -ENOEXEC);
	/* only blanks to the buffer's end */
	snprintf(text, sizeof(text), "#!%300s", "");
	CHECK_EQ(parse(text, buf, &s), -ENOEXEC);
	/* a name that ends, an argument that does not: cut at byte 254 */
	snprintf(text, sizeof(text), "#!/bin/echo %0300d\n", 0);
	CHECK_EQ(parse(text, buf, &s), 1);
	CHECK(strcmp(s.interp, "/bin/echo") == 0);
	CHECK_EQ(strlen(s.arg), 255 - strlen("#!/bin/echo "));
	/* a name of 253 bytes followed by a blank at byte 255: fits */
	snprintf(text, sizeof(text), "#!/%0252d x", 0);
	CHECK_EQ(parse(text, buf, &s), 1);
	CHECK_EQ(strlen(s.interp), 253);
}
