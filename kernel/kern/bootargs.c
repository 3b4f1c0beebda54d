/* Parsing of the boot arguments; see bootargs.h. */
#include "kern/bootargs.h"

/* Every key some part of the kernel reads. */
static const char *const known_keys[] = {
	"init",		/* program to run as pid 1, with its arguments */
	"ktest",	/* run in-kernel self-tests: all, or a test name */
	"loglevel",	/* kernel log verbosity */
	"vm.policy",	/* page replacement policy (vm/policy.h) */
	"swap",		/* swap areas to activate before init (vm/swapon.h) */
	"console",	/* accepted for compatibility, ignored */
};

static char line[BOOTARGS_MAX];
static struct {
	const char *key;
	const char *value;
} args[BOOTARGS_KEYS];
static int nargs;

static bool is_known(const char *key)
{
	for (size_t i = 0; i < ARRAY_SIZE(known_keys); i++)
		if (strcmp(known_keys[i], key) == 0)
			return true;
	return false;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n';
}

/* Split the word at *p into key and value; returns the char after it. */
static char *parse_word(char *p, const char **key, const char **value)
{
	*key = p;
	*value = "";
	while (*p && !is_space(*p) && *p != '=')
		p++;
	if (*p == '=') {
		*p++ = 0;
		*value = p;
		if (strcmp(*key, "init") == 0)	/* the rest of the line */
			return p + strlen(p);
		while (*p && !is_space(*p))
			p++;
	}
	if (*p)
		*p++ = 0;
	return p;
}

int bootargs_parse(const char *cmdline)
{
	char *p = line;
	int unknown = 0;

	strlcpy(line, cmdline ? cmdline : "", sizeof(line));
	nargs = 0;
	while (*p) {
		const char *key, *value;

		if (is_space(*p)) {
			p++;
			continue;
		}
		p = parse_word(p, &key, &value);
		if (!is_known(key)) {
			kprintf("bootargs: unknown option '%s' ignored\n", key);
			unknown++;
			continue;
		}
		if (nargs == BOOTARGS_KEYS) {
			kprintf("bootargs: too many options, '%s' ignored\n", key);
			continue;
		}
		args[nargs].key = key;
		args[nargs].value = value;
		nargs++;
	}
	return unknown;
}

const char *bootarg(const char *key)
{
	for (int i = nargs - 1; i >= 0; i--)	/* the last one given wins */
		if (strcmp(args[i].key, key) == 0)
			return args[i].value;
	return NULL;
}
