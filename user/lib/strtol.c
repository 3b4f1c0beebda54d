/* String-to-integer conversions. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>

/*
 * Parses an optionally signed integer in base (0: 0x.. hex, 0.. octal,
 * else decimal; 16 also accepts 0x). Stores the magnitude (saturated at
 * limit, with ERANGE) in *mag and the sign in *neg; *end is set to the
 * first unparsed char, or to s if there were no digits.
 */
static void parse_int(const char *s, char **end, int base,
		      unsigned long long limit, unsigned long long *mag, int *neg)
{
	const char *p = s;
	unsigned long long v = 0;
	int any = 0, over = 0;

	*neg = 0;
	while (isspace((unsigned char)*p))
		p++;
	if (*p == '+' || *p == '-')
		*neg = *p++ == '-';
	if ((base == 0 || base == 16) && p[0] == '0' &&
	    (p[1] == 'x' || p[1] == 'X') && isxdigit((unsigned char)p[2])) {
		p += 2;
		base = 16;
	} else if (base == 0) {
		base = *p == '0' ? 8 : 10;
	}
	for (;; p++) {
		int d;

		if (isdigit((unsigned char)*p))
			d = *p - '0';
		else if (isalpha((unsigned char)*p))
			d = tolower((unsigned char)*p) - 'a' + 10;
		else
			break;
		if (d >= base)
			break;
		any = 1;
		if (v > (limit - (unsigned)d) / (unsigned)base)
			over = 1;
		else
			v = v * (unsigned)base + (unsigned)d;
	}
	if (over) {
		errno = ERANGE;
		v = limit;
	}
	if (end)
		*end = (char *)(any ? p : s);
	*mag = v;
}

/* Signed conversion; out-of-range values saturate with ERANGE. */
long long strtoll(const char *s, char **end, int base)
{
	unsigned long long m;
	int neg;

	parse_int(s, end, base, ULLONG_MAX, &m, &neg);
	if (!neg && m > (unsigned long long)LLONG_MAX) {
		errno = ERANGE;
		return LLONG_MAX;
	}
	if (neg && m > (unsigned long long)LLONG_MAX + 1) {
		errno = ERANGE;
		return LLONG_MIN;
	}
	return neg ? (long long)(0 - m) : (long long)m;
}

/* Unsigned conversion; a leading '-' negates modulo 2^64 as C requires. */
unsigned long long strtoull(const char *s, char **end, int base)
{
	unsigned long long m;
	int neg;

	parse_int(s, end, base, ULLONG_MAX, &m, &neg);
	return neg ? 0 - m : m;
}

/* long and unsigned long are 64 bits: the long long versions. */
long strtol(const char *s, char **end, int base)
{
	return strtoll(s, end, base);
}

unsigned long strtoul(const char *s, char **end, int base)
{
	return strtoull(s, end, base);
}

/* Decimal conversions with no error reporting. */
int atoi(const char *s)  { return (int)strtol(s, 0, 10); }
long atol(const char *s) { return strtol(s, 0, 10); }
int abs(int x)           { return x < 0 ? -x : x; }
long labs(long x)        { return x < 0 ? -x : x; }
