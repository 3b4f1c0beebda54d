/*
 * The environment. environ starts as the kernel's envp array; the first
 * change copies it into a malloc'd array that we own from then on. Strings
 * added by setenv are malloc'd and never freed (other code may still hold
 * pointers returned by getenv).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char **owned;	/* environ when we own the array, else NULL */

/* Index of name in environ, or -1. */
static int env_find(const char *name, size_t len)
{
	for (int i = 0; environ && environ[i]; i++)
		if (strncmp(environ[i], name, len) == 0 && environ[i][len] == '=')
			return i;
	return -1;
}

/* Value of environment variable name, or NULL. */
char *getenv(const char *name)
{
	size_t len = strlen(name);
	int i = env_find(name, len);

	return i < 0 ? 0 : environ[i] + len + 1;
}

/* Makes environ a malloc'd array with room for one more entry; 0 or -1. */
static int env_own(int count)
{
	char **n = malloc((size_t)(count + 2) * sizeof(char *));

	if (!n)
		return -1;
	for (int i = 0; i < count; i++)
		n[i] = environ[i];
	n[count] = 0;
	free(owned);
	environ = owned = n;
	return 0;
}

/*
 * Sets name=value (replacing an existing value only if overwrite).
 * Returns 0, or -1 with EINVAL for a bad name or ENOMEM.
 */
int setenv(const char *name, const char *value, int overwrite)
{
	size_t len = strlen(name);
	int i = env_find(name, len), count = 0;
	char *s;

	if (!len || strchr(name, '=')) {
		errno = EINVAL;
		return -1;
	}
	if (i >= 0 && !overwrite)
		return 0;
	s = malloc(len + strlen(value) + 2);
	if (!s)
		return -1;
	memcpy(s, name, len);
	s[len] = '=';
	strcpy(s + len + 1, value);
	if (i >= 0) {
		environ[i] = s;
		return 0;
	}
	while (environ && environ[count])
		count++;
	if (env_own(count) < 0) {
		free(s);
		return -1;
	}
	environ[count] = s;
	environ[count + 1] = 0;
	return 0;
}

/* Removes name from the environment; 0, or -1 with EINVAL for a bad name. */
int unsetenv(const char *name)
{
	size_t len = strlen(name);
	int i;

	if (!len || strchr(name, '=')) {
		errno = EINVAL;
		return -1;
	}
	while ((i = env_find(name, len)) >= 0)
		for (; environ[i]; i++)
			environ[i] = environ[i + 1];
	return 0;
}
