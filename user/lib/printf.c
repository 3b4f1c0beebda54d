/*
 * Formatted output. fmt_format() interprets a format once and hands the
 * text to a sink function; the printf family differs only in the sink
 * (a bounded buffer, a growing buffer, a FILE, a file descriptor).
 *
 * Supported: flags "-+ #0", width and precision (numbers or '*'), length
 * modifiers hh h l ll z t j L, conversions d i u o x X c s p n % and the
 * floating conversions f F e E g G (correctly rounded to the requested
 * digits for the first 17 significant digits; later digits print as 0).
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "internal.h"

/* One parsed conversion specification. */
struct spec {
	int	left, plus, space, alt, zero;	/* flags */
	int	width;				/* 0 if none */
	int	prec;				/* -1 if none */
	int	len;				/* 'H' hh, 'h', 'l', 'L' ll/j/z/t, 0 */
	char	conv;
};

/* The sink and a running count of characters produced. */
struct out {
	fmt_put_fn	put;
	void		*ctx;
	int		count;
};

/* Hands n bytes to the sink and counts them. */
static void out_put(struct out *o, const char *s, size_t n)
{
	if (n) {
		o->put(o->ctx, s, n);
		o->count += (int)n;
	}
}

/* Emits n copies of c. */
static void out_fill(struct out *o, char c, int n)
{
	char buf[32];

	memset(buf, c, sizeof(buf));
	while (n > 0) {
		int k = n < (int)sizeof(buf) ? n : (int)sizeof(buf);
		out_put(o, buf, (size_t)k);
		n -= k;
	}
}

/*
 * Emits prefix and body padded to sp->width: spaces on the left (or right
 * with '-'), or zeros between prefix and body when zero_ok and '0' given.
 */
static void out_field(struct out *o, const struct spec *sp, const char *prefix,
		      const char *body, int blen, int zero_ok)
{
	int plen = (int)strlen(prefix);
	int pad = sp->width - plen - blen;

	if (pad > 0 && !sp->left && !(zero_ok && sp->zero))
		out_fill(o, ' ', pad);
	out_put(o, prefix, (size_t)plen);
	if (pad > 0 && !sp->left && zero_ok && sp->zero)
		out_fill(o, '0', pad);
	out_put(o, body, (size_t)blen);
	if (pad > 0 && sp->left)
		out_fill(o, ' ', pad);
}

/* Formats an integer conversion (d i u o x X p) of magnitude v. */
static void fmt_int(struct out *o, const struct spec *sp, unsigned long long v,
		    int neg)
{
	char buf[72], *end = buf + sizeof(buf), *p = end;
	const char *digits = sp->conv == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
	unsigned base = 10;
	char prefix[3] = "";
	int prec = sp->prec < 0 ? 1 : sp->prec;
	int nonzero = v != 0;

	if (sp->conv == 'o')
		base = 8;
	else if (sp->conv == 'x' || sp->conv == 'X' || sp->conv == 'p')
		base = 16;
	for (; v; v /= base)
		*--p = digits[v % base];
	while (end - p < prec)
		*--p = '0';
	if (sp->conv == 'o' && sp->alt && (p == end || *p != '0'))
		*--p = '0';
	if (neg)
		strcpy(prefix, "-");
	else if ((sp->conv == 'd' || sp->conv == 'i') && sp->plus)
		strcpy(prefix, "+");
	else if ((sp->conv == 'd' || sp->conv == 'i') && sp->space)
		strcpy(prefix, " ");
	else if (sp->conv == 'p' || (sp->alt && base == 16 && nonzero))
		strcpy(prefix, sp->conv == 'X' ? "0X" : "0x");
	out_field(o, sp, prefix, p, (int)(end - p), sp->prec < 0);
}

/* Scales v > 0 into [1, 10) and returns its decimal exponent. */
static int float_norm(double *v)
{
	int e = 0;

	while (*v >= 1e32) { *v /= 1e32; e += 32; }
	while (*v >= 10) { *v /= 10; e++; }
	while (*v < 1e-32) { *v *= 1e32; e -= 32; }
	while (*v < 1) { *v *= 10; e--; }
	return e;
}

/*
 * Writes the first ndig >= 0 digits of m (in [1, 10)) to d, rounded to
 * nearest. Returns 1 if rounding carried out of the first digit, in which
 * case d holds "1" and ndig zeros (one digit more).
 */
static int float_digits(double m, int ndig, char *d)
{
	int i;

	for (i = 0; i <= ndig; i++) {
		int dig = i < 17 ? (int)m : 0;

		if (dig > 9)
			dig = 9;
		d[i] = (char)('0' + dig);
		m = (m - dig) * 10;
	}
	if (d[ndig] < '5')
		return 0;
	for (i = ndig - 1; i >= 0 && d[i] == '9'; i--)
		d[i] = '0';
	if (i >= 0) {
		d[i]++;
		return 0;
	}
	d[0] = '1';
	memset(d + 1, '0', (size_t)ndig);
	return 1;
}

#define FLT_MAXPREC 100

/* Fixed notation of v >= 0 with prec fraction digits into s; its length. */
static int float_fixed(double v, int prec, int alt, char *s)
{
	char d[FLT_MAXPREC + 340];
	int e = 0, n, count = 0, len = 0;

	if (v != 0) {
		e = float_norm(&v);
		n = e + 1 + prec;
		if (n >= 0) {
			int carry = float_digits(v, n, d);
			count = n + carry;
			e += carry;
		}
	}
	if (e < 0 || count == 0)
		s[len++] = '0';
	else
		for (int i = 0; i <= e; i++)
			s[len++] = i < count ? d[i] : '0';
	if (prec || alt)
		s[len++] = '.';
	for (int k = 1; k <= prec; k++) {
		int i = e + k;
		s[len++] = (count && i >= 0 && i < count) ? d[i] : '0';
	}
	return len;
}

/* Exponent notation of v >= 0 with prec fraction digits into s; its length. */
static int float_exp(double v, int prec, int alt, int upper, char *s)
{
	char d[FLT_MAXPREC + 4];
	int e = 0, len = 0;

	if (v == 0)
		memset(d, '0', (size_t)prec + 1);
	else {
		e = float_norm(&v);
		e += float_digits(v, prec, d);
	}
	s[len++] = d[0];
	if (prec || alt)
		s[len++] = '.';
	memcpy(s + len, d + 1, (size_t)prec);
	len += prec;
	s[len++] = upper ? 'E' : 'e';
	s[len++] = e < 0 ? '-' : '+';
	if (e < 0)
		e = -e;
	if (e >= 100)
		s[len++] = (char)('0' + e / 100);
	s[len++] = (char)('0' + e / 10 % 10);
	s[len++] = (char)('0' + e % 10);
	return len;
}

/* %g: the shorter style for P significant digits, trailing zeros dropped. */
static int float_general(double v, int prec, int alt, int upper, char *s)
{
	int P = prec == 0 ? 1 : prec, x = 0, len;

	if (v != 0) {
		char d[FLT_MAXPREC + 4];
		double m = v;
		x = float_norm(&m);
		x += float_digits(m, P - 1, d);
	}
	if (x < P && x >= -4)
		len = float_fixed(v, P - 1 - x, alt, s);
	else
		len = float_exp(v, P - 1, alt, upper, s);
	if (!alt && memchr(s, '.', (size_t)len)) {
		char *ep = memchr(s, upper ? 'E' : 'e', (size_t)len);
		int mant = ep ? (int)(ep - s) : len, cut = mant;

		while (s[cut - 1] == '0')
			cut--;
		if (s[cut - 1] == '.')
			cut--;
		memmove(s + cut, s + mant, (size_t)(len - mant));
		len -= mant - cut;
	}
	return len;
}

/* Formats a floating conversion (f F e E g G). */
static void fmt_float(struct out *o, const struct spec *sp, double v)
{
	char buf[FLT_MAXPREC + 360];
	int upper = sp->conv == 'F' || sp->conv == 'E' || sp->conv == 'G';
	int prec = sp->prec < 0 ? 6 : sp->prec > FLT_MAXPREC ? FLT_MAXPREC : sp->prec;
	const char *prefix = "";
	int len;

	if (v < 0 || (v == 0 && 1 / v < 0)) {
		prefix = "-";
		v = -v;
	} else if (sp->plus) {
		prefix = "+";
	} else if (sp->space) {
		prefix = " ";
	}
	if (v != v || v > 1.7976931348623157e308) {
		struct spec s2 = *sp;
		s2.zero = 0;
		out_field(o, &s2, prefix, v != v ? (upper ? "NAN" : "nan") :
			  (upper ? "INF" : "inf"), 3, 0);
		return;
	}
	if (sp->conv == 'f' || sp->conv == 'F')
		len = float_fixed(v, prec, sp->alt, buf);
	else if (sp->conv == 'e' || sp->conv == 'E')
		len = float_exp(v, prec, sp->alt, upper, buf);
	else
		len = float_general(v, prec, sp->alt, upper, buf);
	out_field(o, sp, prefix, buf, len, 1);
}

/* Parses flags, width, precision and length at *fmt into sp; advances *fmt. */
static void parse_spec(const char **fmt, struct spec *sp, va_list *ap)
{
	const char *f = *fmt;

	memset(sp, 0, sizeof(*sp));
	sp->prec = -1;
	for (;; f++) {
		if (*f == '-') sp->left = 1;
		else if (*f == '+') sp->plus = 1;
		else if (*f == ' ') sp->space = 1;
		else if (*f == '#') sp->alt = 1;
		else if (*f == '0') sp->zero = 1;
		else break;
	}
	if (*f == '*') {
		sp->width = va_arg(*ap, int);
		if (sp->width < 0) {
			sp->left = 1;
			sp->width = -sp->width;
		}
		f++;
	} else {
		while (*f >= '0' && *f <= '9')
			sp->width = sp->width * 10 + (*f++ - '0');
	}
	if (*f == '.') {
		f++;
		sp->prec = 0;
		if (*f == '*') {
			sp->prec = va_arg(*ap, int);
			if (sp->prec < 0)
				sp->prec = -1;
			f++;
		} else {
			while (*f >= '0' && *f <= '9')
				sp->prec = sp->prec * 10 + (*f++ - '0');
		}
	}
	if (f[0] == 'h' && f[1] == 'h') { sp->len = 'H'; f += 2; }
	else if (f[0] == 'l' && f[1] == 'l') { sp->len = 'L'; f += 2; }
	else if (*f == 'h') { sp->len = 'h'; f++; }
	else if (*f == 'l' || *f == 'j' || *f == 'z' || *f == 't') { sp->len = 'L'; f++; }
	else if (*f == 'L') { sp->len = 'D'; f++; }
	sp->conv = *f;
	*fmt = *f ? f + 1 : f;
}

/* Fetches a signed integer argument of the spec's length; returns |v|. */
static unsigned long long arg_signed(const struct spec *sp, va_list *ap, int *neg)
{
	long long v;

	if (sp->len == 'L')
		v = va_arg(*ap, long long);
	else
		v = va_arg(*ap, int);
	if (sp->len == 'h')
		v = (short)v;
	else if (sp->len == 'H')
		v = (signed char)v;
	*neg = v < 0;
	return *neg ? 0ULL - (unsigned long long)v : (unsigned long long)v;
}

/* Fetches an unsigned integer argument of the spec's length. */
static unsigned long long arg_unsigned(const struct spec *sp, va_list *ap)
{
	if (sp->len == 'L')
		return va_arg(*ap, unsigned long long);
	unsigned v = va_arg(*ap, unsigned);
	if (sp->len == 'h')
		return (unsigned short)v;
	if (sp->len == 'H')
		return (unsigned char)v;
	return v;
}

/* See internal.h. */
int fmt_format(fmt_put_fn put, void *ctx, const char *fmt, va_list ap0)
{
	struct out o = { put, ctx, 0 };
	struct spec sp;
	va_list ap;

	va_copy(ap, ap0);
	while (*fmt) {
		const char *pct = strchr(fmt, '%');
		int neg;

		if (!pct) {
			out_put(&o, fmt, strlen(fmt));
			break;
		}
		out_put(&o, fmt, (size_t)(pct - fmt));
		fmt = pct + 1;
		parse_spec(&fmt, &sp, &ap);
		switch (sp.conv) {
		case 'd': case 'i': {
			unsigned long long v = arg_signed(&sp, &ap, &neg);
			fmt_int(&o, &sp, v, neg);
			break;
		}
		case 'u': case 'o': case 'x': case 'X':
			fmt_int(&o, &sp, arg_unsigned(&sp, &ap), 0);
			break;
		case 'p': {
			void *p = va_arg(ap, void *);
			if (!p) {
				out_field(&o, &sp, "", "(nil)", 5, 0);
				break;
			}
			sp.prec = -1;
			fmt_int(&o, &sp, (uintptr_t)p, 0);
			break;
		}
		case 'c': {
			char c = (char)va_arg(ap, int);
			out_field(&o, &sp, "", &c, 1, 0);
			break;
		}
		case 's': {
			const char *s = va_arg(ap, const char *);
			if (!s)
				s = "(null)";
			int n = sp.prec < 0 ? (int)strlen(s) : (int)strnlen(s, (size_t)sp.prec);
			out_field(&o, &sp, "", s, n, 0);
			break;
		}
		case 'f': case 'F': case 'e': case 'E': case 'g': case 'G':
			if (sp.len == 'D')
				fmt_float(&o, &sp, (double)va_arg(ap, long double));
			else
				fmt_float(&o, &sp, va_arg(ap, double));
			break;
		case 'n':
			*va_arg(ap, int *) = o.count;
			break;
		case '%':
			out_put(&o, "%", 1);
			break;
		case 0:
			break;
		default:	/* unknown: print it as written */
			out_put(&o, pct, (size_t)(fmt - pct));
			break;
		}
	}
	va_end(ap);
	return o.count;
}
