/*
 * Memory and string functions. The mem* routines move eight bytes at a
 * time when both pointers share alignment; everything else is bytewise.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Copies n bytes; the regions must not overlap. Returns dst. */
void *memcpy(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if ((((uintptr_t)d ^ (uintptr_t)s) & 7) == 0) {
		while (n && ((uintptr_t)d & 7)) {
			*d++ = *s++;
			n--;
		}
		for (; n >= 8; n -= 8, d += 8, s += 8)
			*(uint64_t *)d = *(const uint64_t *)s;
	}
	while (n--)
		*d++ = *s++;
	return dst;
}

/* Copies n bytes; the regions may overlap. Returns dst. */
void *memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if (d <= s || d >= s + n)
		return memcpy(dst, src, n);
	d += n;
	s += n;
	if ((((uintptr_t)d ^ (uintptr_t)s) & 7) == 0) {
		while (n && ((uintptr_t)d & 7)) {
			*--d = *--s;
			n--;
		}
		for (; n >= 8; n -= 8) {
			d -= 8;
			s -= 8;
			*(uint64_t *)d = *(const uint64_t *)s;
		}
	}
	while (n--)
		*--d = *--s;
	return dst;
}

/* Fills n bytes with (unsigned char)c. Returns dst. */
void *memset(void *dst, int c, size_t n)
{
	unsigned char *d = dst;
	uint64_t w = (unsigned char)c * 0x0101010101010101ULL;

	while (n && ((uintptr_t)d & 7)) {
		*d++ = (unsigned char)c;
		n--;
	}
	for (; n >= 8; n -= 8, d += 8)
		*(uint64_t *)d = w;
	while (n--)
		*d++ = (unsigned char)c;
	return dst;
}

/* Compares n bytes as unsigned chars: <0, 0 or >0. */
int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *p = a, *q = b;

	for (; n; n--, p++, q++)
		if (*p != *q)
			return *p - *q;
	return 0;
}

/* First occurrence of (unsigned char)c in n bytes, or NULL. */
void *memchr(const void *s, int c, size_t n)
{
	const unsigned char *p = s;

	for (; n; n--, p++)
		if (*p == (unsigned char)c)
			return (void *)p;
	return 0;
}

/* Length of s. */
size_t strlen(const char *s)
{
	const char *p = s;

	while (*p)
		p++;
	return (size_t)(p - s);
}

/* Length of s, at most max. */
size_t strnlen(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n])
		n++;
	return n;
}

/* Copies src with its NUL to dst. Returns dst. */
char *strcpy(char *dst, const char *src)
{
	char *d = dst;

	while ((*d++ = *src++))
		;
	return dst;
}

/* Copies at most n chars of src, padding dst with NULs to n. Returns dst. */
char *strncpy(char *dst, const char *src, size_t n)
{
	size_t i = 0;

	for (; i < n && src[i]; i++)
		dst[i] = src[i];
	for (; i < n; i++)
		dst[i] = 0;
	return dst;
}

/* Appends src to dst. Returns dst. */
char *strcat(char *dst, const char *src)
{
	strcpy(dst + strlen(dst), src);
	return dst;
}

/* Appends at most n chars of src and a NUL to dst. Returns dst. */
char *strncat(char *dst, const char *src, size_t n)
{
	char *d = dst + strlen(dst);

	while (n-- && *src)
		*d++ = *src++;
	*d = 0;
	return dst;
}

/* Compares strings as unsigned chars. */
int strcmp(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return (unsigned char)*a - (unsigned char)*b;
}

/* Compares at most n chars. */
int strncmp(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++) {
		if (*a != *b)
			return (unsigned char)*a - (unsigned char)*b;
		if (!*a)
			break;
	}
	return 0;
}

/* First c in s (c may be NUL, finding the terminator), or NULL. */
char *strchr(const char *s, int c)
{
	for (;; s++) {
		if (*s == (char)c)
			return (char *)s;
		if (!*s)
			return 0;
	}
}

/* Last c in s, or NULL. */
char *strrchr(const char *s, int c)
{
	const char *last = 0;

	for (;; s++) {
		if (*s == (char)c)
			last = s;
		if (!*s)
			return (char *)last;
	}
}

/* First occurrence of needle in hay (hay itself if needle is empty). */
char *strstr(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay; hay++)
		if (*hay == *needle && strncmp(hay, needle, n) == 0)
			return (char *)hay;
	return n ? 0 : (char *)hay;
}

/* Length of the prefix of s made only of chars in accept. */
size_t strspn(const char *s, const char *accept)
{
	size_t n = 0;

	while (s[n] && strchr(accept, s[n]))
		n++;
	return n;
}

/* Length of the prefix of s with no char from reject. */
size_t strcspn(const char *s, const char *reject)
{
	size_t n = 0;

	while (s[n] && !strchr(reject, s[n]))
		n++;
	return n;
}

/* First char of s that is in accept, or NULL. */
char *strpbrk(const char *s, const char *accept)
{
	s += strcspn(s, accept);
	return *s ? (char *)s : 0;
}

/*
 * Splits a string into tokens separated by chars of delim. First call
 * with s, later calls with NULL; *save holds the position between calls.
 * Returns the next token (NUL-terminated in place) or NULL at the end.
 */
char *strtok_r(char *s, const char *delim, char **save)
{
	char *tok;

	if (!s)
		s = *save;
	s += strspn(s, delim);
	if (!*s) {
		*save = s;
		return 0;
	}
	tok = s;
	s += strcspn(s, delim);
	if (*s)
		*s++ = 0;
	*save = s;
	return tok;
}

/* strtok_r with hidden, process-wide state. */
char *strtok(char *s, const char *delim)
{
	static char *save;

	return strtok_r(s, delim, &save);
}

/* A malloc'd copy of s, or NULL. */
char *strdup(const char *s)
{
	return strndup(s, strlen(s));
}

/* A malloc'd copy of at most n chars of s, NUL-terminated, or NULL. */
char *strndup(const char *s, size_t n)
{
	size_t len = strnlen(s, n);
	char *p = malloc(len + 1);

	if (p) {
		memcpy(p, s, len);
		p[len] = 0;
	}
	return p;
}
