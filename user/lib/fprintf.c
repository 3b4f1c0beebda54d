/* The printf family: fmt_format() with different sinks. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "internal.h"

/* Sink into a bounded buffer; keeps counting past the end. */
struct buf_sink {
	char	*buf;
	size_t	cap;		/* bytes available including the NUL */
	size_t	len;		/* bytes produced so far */
};

/* Copies what fits, leaving room for the NUL; counts everything. */
static void buf_put(void *ctx, const char *s, size_t n)
{
	struct buf_sink *b = ctx;

	if (b->len < b->cap) {
		size_t k = b->cap - 1 - b->len;
		memcpy(b->buf + b->len, s, n < k ? n : k);
	}
	b->len += n;
}

/*
 * Formats into s, writing at most n bytes including the NUL (nothing if n
 * is 0). Returns the length the full output would have.
 */
int vsnprintf(char *s, size_t n, const char *fmt, va_list ap)
{
	struct buf_sink b = { s, n, 0 };
	int r = fmt_format(buf_put, &b, fmt, ap);

	if (n)
		s[b.len < n ? b.len : n - 1] = 0;
	return r;
}

/* vsnprintf with variadic arguments. */
int snprintf(char *s, size_t n, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vsnprintf(s, n, fmt, ap);
	va_end(ap);
	return r;
}

/* Unbounded: the caller guarantees room. */
int vsprintf(char *s, const char *fmt, va_list ap)
{
	return vsnprintf(s, (size_t)-1 / 2, fmt, ap);
}

/* vsprintf with variadic arguments. */
int sprintf(char *s, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vsprintf(s, fmt, ap);
	va_end(ap);
	return r;
}

/* Sink into a growing malloc'd buffer; on failure it stops growing. */
struct grow_sink {
	char	*buf;
	size_t	cap, len;
	int	failed;
};

/* Appends, doubling the buffer as needed. */
static void grow_put(void *ctx, const char *s, size_t n)
{
	struct grow_sink *g = ctx;

	if (g->failed)
		return;
	if (g->len + n + 1 > g->cap) {
		size_t ncap = (g->len + n + 1) * 2;
		char *p = realloc(g->buf, ncap);
		if (!p) {
			g->failed = 1;
			return;
		}
		g->buf = p;
		g->cap = ncap;
	}
	memcpy(g->buf + g->len, s, n);
	g->len += n;
}

/* Formats into a new malloc'd string *out; its length, or -1 (ENOMEM). */
int vasprintf(char **out, const char *fmt, va_list ap)
{
	struct grow_sink g = { 0, 0, 0, 0 };
	int r = fmt_format(grow_put, &g, fmt, ap);

	if (!g.failed && !g.buf)
		g.buf = malloc(1);
	if (g.failed || !g.buf) {
		free(g.buf);
		*out = 0;
		return -1;
	}
	g.buf[g.len] = 0;
	*out = g.buf;
	return r;
}

/* vasprintf with variadic arguments. */
int asprintf(char **out, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vasprintf(out, fmt, ap);
	va_end(ap);
	return r;
}

/* Sink to a file descriptor through a small buffer (one write per 256 B). */
struct fd_sink {
	int	fd;
	size_t	len;
	char	buf[256];
};

/* Writes out the buffered bytes (giving up on a write error). */
static void fd_flush(struct fd_sink *d)
{
	size_t off = 0;

	while (off < d->len) {
		ssize_t w = write(d->fd, d->buf + off, d->len - off);
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	d->len = 0;
}

/* Buffers output, flushing whenever the buffer fills. */
static void fd_put(void *ctx, const char *s, size_t n)
{
	struct fd_sink *d = ctx;

	while (n) {
		size_t k = sizeof(d->buf) - d->len;

		if (k > n)
			k = n;
		memcpy(d->buf + d->len, s, k);
		d->len += k;
		s += k;
		n -= k;
		if (d->len == sizeof(d->buf))
			fd_flush(d);
	}
}

/* Formats straight to fd. */
int vdprintf(int fd, const char *fmt, va_list ap)
{
	struct fd_sink d;
	int r;

	d.fd = fd;
	d.len = 0;
	r = fmt_format(fd_put, &d, fmt, ap);
	fd_flush(&d);
	return r;
}

/* vdprintf with variadic arguments. */
int dprintf(int fd, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vdprintf(fd, fmt, ap);
	va_end(ap);
	return r;
}

/* Sink for a FILE: buffered by stdio itself. */
static void file_put(void *ctx, const char *s, size_t n)
{
	fwrite(s, 1, n, ctx);
}

/*
 * Formats to stream f. Output to stderr is collected first and written
 * once (fflush(stderr) is a no-op), so a message is one write.
 */
int vfprintf(FILE *f, const char *fmt, va_list ap)
{
	if (f == stderr) {
		char small[512], *big = 0;
		va_list ap2;
		int n;

		va_copy(ap2, ap);
		n = vsnprintf(small, sizeof(small), fmt, ap);
		if (n >= (int)sizeof(small) && vasprintf(&big, fmt, ap2) >= 0) {
			fwrite(big, 1, (size_t)n, f);
			free(big);
		} else if (n > 0) {
			fwrite(small, 1, n < (int)sizeof(small) ? (size_t)n : sizeof(small) - 1, f);
		}
		va_end(ap2);
		return n;
	}
	return fmt_format(file_put, f, fmt, ap);
}

/* vfprintf with variadic arguments. */
int fprintf(FILE *f, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vfprintf(f, fmt, ap);
	va_end(ap);
	return r;
}

/* Formats to stdout. */
int vprintf(const char *fmt, va_list ap)
{
	return vfprintf(stdout, fmt, ap);
}

/* Formats to stdout with variadic arguments. */
int printf(const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vfprintf(stdout, fmt, ap);
	va_end(ap);
	return r;
}
