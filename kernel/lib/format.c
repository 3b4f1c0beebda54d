/*
 * format — the printf engine behind kprintf, panic and ksnprintf.
 *
 * A conversion specification is parsed into a struct fmt_spec (flags, field
 * width, precision, length modifier, conversion character); the argument is
 * then fetched at the width the length modifier names and rendered by one of
 * three emitters: integers, strings (%s, %c and the literal text of an unknown
 * conversion) and pointers. Every character goes through a struct fmt_sink,
 * which forwards it to the caller's output function and counts it.
 *
 * The rules follow C's printf for the conversions we support: precision on
 * an integer is a minimum digit count and disables the '0' flag; a zero value
 * with precision 0 prints no digits; '-' beats '0'; '+' beats ' '; a negative
 * '*' width means '-' plus its magnitude; a negative '*' precision means none.
 * '#' is also accepted (0x/0X prefix on non-zero %x/%X, a leading 0 on %o).
 */
#include "env.h"
#include "lib/format.h"

#define FMT_LEFT	0x01	/* '-': pad on the right */
#define FMT_ZERO	0x02	/* '0': pad numbers with zeros */
#define FMT_PLUS	0x04	/* '+': always print a sign */
#define FMT_SPACE	0x08	/* ' ': space in place of a '+' sign */
#define FMT_ALT		0x10	/* '#': alternate form */

enum fmt_length { LEN_INT, LEN_CHAR, LEN_SHORT, LEN_LONG, LEN_LLONG, LEN_SIZE,
		  LEN_PTRDIFF };

struct fmt_spec {
	int flags;		/* FMT_* */
	int width;		/* minimum field width, 0 if none */
	int prec;		/* precision, -1 if none */
	enum fmt_length len;
	char conv;		/* conversion character, 0 at end of string */
};

struct fmt_sink {
	format_out_fn out;
	void *ctx;
	int count;		/* characters produced so far */
};

/* Sends one character to the sink's output function and counts it. */
static void sink_putc(struct fmt_sink *sink, char c)
{
	sink->out(sink->ctx, c);
	sink->count++;
}

/* Sends n copies of c (nothing if n <= 0). */
static void sink_repeat(struct fmt_sink *sink, char c, long n)
{
	for (; n > 0; n--)
		sink_putc(sink, c);
}

/* Sends the n characters at s. */
static void sink_write(struct fmt_sink *sink, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		sink_putc(sink, s[i]);
}

/*
 * Reads a decimal number at *pp, advancing *pp past it. Saturates instead of
 * overflowing, so "%99999999999d" is a huge width rather than undefined.
 */
static int parse_number(const char **pp)
{
	const char *p = *pp;
	int n = 0;

	while (*p >= '0' && *p <= '9') {
		int digit = *p++ - '0';

		n = n > (__INT_MAX__ - digit) / 10 ? __INT_MAX__ : n * 10 + digit;
	}
	*pp = p;
	return n;
}

/* Parses the flag characters at *pp into spec->flags. */
static void parse_flags(const char **pp, struct fmt_spec *spec)
{
	for (;; (*pp)++) {
		switch (**pp) {
		case '-': spec->flags |= FMT_LEFT; break;
		case '0': spec->flags |= FMT_ZERO; break;
		case '+': spec->flags |= FMT_PLUS; break;
		case ' ': spec->flags |= FMT_SPACE; break;
		case '#': spec->flags |= FMT_ALT; break;
		default: return;
		}
	}
}

/* Parses an optional length modifier (hh h l ll z t) at *pp. */
static void parse_length(const char **pp, struct fmt_spec *spec)
{
	const char *p = *pp;

	spec->len = LEN_INT;
	if (p[0] == 'h') {
		spec->len = p[1] == 'h' ? LEN_CHAR : LEN_SHORT;
		p += p[1] == 'h' ? 2 : 1;
	} else if (p[0] == 'l') {
		spec->len = p[1] == 'l' ? LEN_LLONG : LEN_LONG;
		p += p[1] == 'l' ? 2 : 1;
	} else if (p[0] == 'z') {
		spec->len = LEN_SIZE;
		p++;
	} else if (p[0] == 't') {
		spec->len = LEN_PTRDIFF;
		p++;
	}
	*pp = p;
}

/*
 * Parses the conversion specification that follows a '%' at p, taking '*'
 * width and precision from *ap. Returns the position after the conversion
 * character (or at the terminating NUL, with spec->conv == 0, when the
 * string ends inside the specification).
 */
static const char *parse_spec(const char *p, va_list *ap,
			      struct fmt_spec *spec)
{
	spec->flags = 0;
	spec->width = 0;
	spec->prec = -1;
	parse_flags(&p, spec);
	if (*p == '*') {
		int w = va_arg(*ap, int);

		p++;
		if (w < 0) {
			spec->flags |= FMT_LEFT;
			w = w == -__INT_MAX__ - 1 ? __INT_MAX__ : -w;
		}
		spec->width = w;
	} else {
		spec->width = parse_number(&p);
	}
	if (*p == '.') {
		p++;
		if (*p == '*') {
			int pr = va_arg(*ap, int);

			p++;
			spec->prec = pr < 0 ? -1 : pr;
		} else {
			spec->prec = parse_number(&p);
		}
	}
	parse_length(&p, spec);
	spec->conv = *p;
	return *p ? p + 1 : p;
}

/* Fetches an unsigned integer argument of the width spec->len names. */
static unsigned long long fetch_unsigned(va_list *ap, const struct fmt_spec *spec)
{
	switch (spec->len) {
	case LEN_CHAR:		return (unsigned char)va_arg(*ap, unsigned int);
	case LEN_SHORT:		return (unsigned short)va_arg(*ap, unsigned int);
	case LEN_LONG:		return va_arg(*ap, unsigned long);
	case LEN_LLONG:		return va_arg(*ap, unsigned long long);
	case LEN_SIZE:		return va_arg(*ap, size_t);
	case LEN_PTRDIFF:	return (unsigned long long)va_arg(*ap, ptrdiff_t);
	default:		return va_arg(*ap, unsigned int);
	}
}

/* Fetches a signed integer argument of the width spec->len names. */
static long long fetch_signed(va_list *ap, const struct fmt_spec *spec)
{
	switch (spec->len) {
	case LEN_CHAR:		return (signed char)va_arg(*ap, int);
	case LEN_SHORT:		return (short)va_arg(*ap, int);
	case LEN_LONG:		return va_arg(*ap, long);
	case LEN_LLONG:		return va_arg(*ap, long long);
	case LEN_SIZE:		return (long long)va_arg(*ap, size_t);
	case LEN_PTRDIFF:	return va_arg(*ap, ptrdiff_t);
	default:		return va_arg(*ap, int);
	}
}

/*
 * Writes the digits of v in base (8, 10 or 16) to the end of buf, which has
 * room for 22 digits. Returns the number of digits (0 for v == 0, so that
 * the caller decides whether a lone zero is printed).
 */
static int format_digits(char *end, unsigned long long v, unsigned base,
			 bool upper)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	int n = 0;

	while (v) {
		*--end = digits[v % base];
		v /= base;
		n++;
	}
	return n;
}

/*
 * Emits an integer: magnitude mag, sign neg, in base. The output is
 * [padding][sign or 0x][zeros][digits][padding], per the flags.
 */
static void emit_integer(struct fmt_sink *sink, const struct fmt_spec *spec,
			 unsigned long long mag, bool neg, unsigned base)
{
	char buf[24];
	char prefix[3];
	int plen = 0;
	int ndig = format_digits(buf + sizeof(buf), mag, base, spec->conv == 'X');
	long zeros = 0;
	long pad;

	if (neg)
		prefix[plen++] = '-';
	else if (spec->flags & FMT_PLUS)
		prefix[plen++] = '+';
	else if (spec->flags & FMT_SPACE)
		prefix[plen++] = ' ';
	if ((spec->flags & FMT_ALT) && base == 16 && mag) {
		prefix[plen++] = '0';
		prefix[plen++] = spec->conv;
	}
	if (spec->prec >= 0)
		zeros = spec->prec > ndig ? spec->prec - ndig : 0;
	else if (ndig == 0)
		zeros = 1;			/* a plain zero prints "0" */
	if ((spec->flags & FMT_ALT) && base == 8 && zeros == 0)
		zeros = 1;			/* octal alternate form: leading 0 */
	pad = (long)spec->width - plen - zeros - ndig;
	if ((spec->flags & FMT_ZERO) && !(spec->flags & FMT_LEFT) &&
	    spec->prec < 0 && pad > 0) {
		zeros += pad;
		pad = 0;
	}
	if (!(spec->flags & FMT_LEFT))
		sink_repeat(sink, ' ', pad);
	sink_write(sink, prefix, plen);
	sink_repeat(sink, '0', zeros);
	sink_write(sink, buf + sizeof(buf) - ndig, ndig);
	if (spec->flags & FMT_LEFT)
		sink_repeat(sink, ' ', pad);
}

/* Emits the n characters at s, padded with spaces to the field width. */
static void emit_padded(struct fmt_sink *sink, const struct fmt_spec *spec,
			const char *s, size_t n)
{
	long pad = (long)spec->width - (long)n;

	if (!(spec->flags & FMT_LEFT))
		sink_repeat(sink, ' ', pad);
	sink_write(sink, s, n);
	if (spec->flags & FMT_LEFT)
		sink_repeat(sink, ' ', pad);
}

/*
 * Emits a %s argument. With a precision, reads at most that many bytes of s,
 * so s need not be NUL-terminated. NULL prints as "(null)".
 */
static void emit_string(struct fmt_sink *sink, const struct fmt_spec *spec,
			const char *s)
{
	size_t n;

	if (!s)
		s = "(null)";
	n = spec->prec >= 0 ? strnlen(s, (size_t)spec->prec) : strlen(s);
	emit_padded(sink, spec, s, n);
}

/* Emits a %p argument: "0x" and 16 hex digits, padded to the field width. */
static void emit_pointer(struct fmt_sink *sink, const struct fmt_spec *spec,
			 const void *p)
{
	char buf[18];
	uint64_t v = (uint64_t)(uintptr_t)p;

	buf[0] = '0';
	buf[1] = 'x';
	for (int i = 0; i < 16; i++)
		buf[2 + i] = "0123456789abcdef"[(v >> (60 - 4 * i)) & 0xf];
	emit_padded(sink, spec, buf, sizeof(buf));
}

/*
 * Renders one parsed conversion, fetching its argument from *ap. An unknown
 * conversion character is printed literally together with its '%'.
 */
static void emit_conversion(struct fmt_sink *sink, const struct fmt_spec *spec,
			    va_list *ap)
{
	char c;

	switch (spec->conv) {
	case 'd':
	case 'i': {
		long long v = fetch_signed(ap, spec);
		unsigned long long mag = v < 0 ? 0ULL - (unsigned long long)v :
						 (unsigned long long)v;

		emit_integer(sink, spec, mag, v < 0, 10);
		break;
	}
	case 'u':
	case 'x':
	case 'X':
	case 'o': {
		struct fmt_spec uspec = *spec;
		unsigned base = spec->conv == 'u' ? 10 : spec->conv == 'o' ? 8 : 16;

		uspec.flags &= ~(FMT_PLUS | FMT_SPACE);	/* unsigned: no sign */
		emit_integer(sink, &uspec, fetch_unsigned(ap, spec), false, base);
		break;
	}
	case 'p':
		emit_pointer(sink, spec, va_arg(*ap, void *));
		break;
	case 's':
		emit_string(sink, spec, va_arg(*ap, const char *));
		break;
	case 'c':
		c = (char)va_arg(*ap, int);
		emit_padded(sink, spec, &c, 1);
		break;
	case '%':
		sink_putc(sink, '%');
		break;
	default:
		sink_putc(sink, '%');
		if (spec->conv)
			sink_putc(sink, spec->conv);
		break;
	}
}

/*
 * vformat - format fmt with the arguments in ap, calling out(ctx, c) for each
 * character produced. Returns the number of characters produced. out must
 * not be NULL; fmt must be a NUL-terminated string.
 */
int vformat(format_out_fn out, void *ctx, const char *fmt, va_list ap)
{
	struct fmt_sink sink = { out, ctx, 0 };
	struct fmt_spec spec;
	va_list args;

	va_copy(args, ap);
	while (*fmt) {
		if (*fmt != '%') {
			sink_putc(&sink, *fmt++);
			continue;
		}
		fmt = parse_spec(fmt + 1, &args, &spec);
		emit_conversion(&sink, &spec, &args);
	}
	va_end(args);
	return sink.count;
}

struct snprintf_buf {
	char *buf;
	size_t size;		/* capacity including the NUL */
	size_t pos;		/* characters produced so far */
};

/* Output function of kvsnprintf: stores while there is room for a NUL. */
static void snprintf_out(void *ctx, char c)
{
	struct snprintf_buf *sb = ctx;

	if (sb->pos + 1 < sb->size)
		sb->buf[sb->pos] = c;
	sb->pos++;
}

/*
 * kvsnprintf - format into buf, writing at most size-1 characters and a
 * terminating NUL when size > 0 (buf may be NULL when size == 0). Returns
 * the length the complete output has, which is >= size when truncated.
 */
int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct snprintf_buf sb = { buf, size, 0 };
	int n = vformat(snprintf_out, &sb, fmt, ap);

	if (size)
		buf[sb.pos < size ? sb.pos : size - 1] = 0;
	return n;
}

/* ksnprintf - kvsnprintf with a variable argument list. */
int ksnprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = kvsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
