/*
 * Buffered streams. A FILE wraps a file descriptor with one buffer used
 * for reading or writing (never both at once: switching direction flushes
 * pending output or gives back read-ahead with lseek).
 *
 * Buffering: stderr is unbuffered; stdout is line-buffered when it is a
 * terminal and fully buffered otherwise (decided at the first write);
 * files from fopen are fully buffered. Reading a stream first flushes a
 * line-buffered stdout so prompts appear. exit() flushes every stream.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "internal.h"

#define F_READ		0x01	/* opened for reading */
#define F_WRITE		0x02	/* opened for writing */
#define F_EOF		0x04	/* end of file seen */
#define F_ERR		0x08	/* I/O error seen */
#define F_OWNBUF	0x10	/* buf was malloc'd by us */
#define F_HEAP		0x20	/* the FILE itself was malloc'd */

#define MODE_UNSET	(-1)	/* buffering decided at first use */

struct kb_file {
	int		fd;
	int		flags;		/* F_* */
	int		mode;		/* _IOFBF, _IOLBF, _IONBF or MODE_UNSET */
	int		ungot;		/* pushed-back char or EOF */
	unsigned char	*buf;
	size_t		size;		/* capacity of buf */
	size_t		rpos, rlen;	/* read: next byte, bytes valid */
	size_t		wlen;		/* write: bytes waiting */
	unsigned char	one;		/* the buffer of an unbuffered stream */
	struct kb_file	*next;		/* every open stream */
};

static unsigned char stdin_buf[BUFSIZ], stdout_buf[BUFSIZ];
static struct kb_file std_files[3] = {
	{ .fd = 0, .flags = F_READ, .mode = _IOFBF, .ungot = EOF,
	  .buf = stdin_buf, .size = BUFSIZ, .next = &std_files[1] },
	{ .fd = 1, .flags = F_WRITE, .mode = MODE_UNSET, .ungot = EOF,
	  .buf = stdout_buf, .size = BUFSIZ, .next = &std_files[2] },
	{ .fd = 2, .flags = F_WRITE, .mode = _IONBF, .ungot = EOF,
	  .buf = &std_files[2].one, .size = 1 },
};
FILE *stdin = &std_files[0], *stdout = &std_files[1], *stderr = &std_files[2];
static FILE *all_files = &std_files[0];

/* Decides buffering and allocates the buffer; 0 or EOF (ENOMEM). */
static int file_setup(FILE *f)
{
	if (f->mode == MODE_UNSET)
		f->mode = (f == stdout && isatty(f->fd)) ? _IOLBF : _IOFBF;
	if (f->mode == _IONBF) {
		f->buf = &f->one;
		f->size = 1;
	}
	if (!f->buf) {
		f->buf = malloc(BUFSIZ);
		if (!f->buf) {
			f->flags |= F_ERR;
			return EOF;
		}
		f->size = BUFSIZ;
		f->flags |= F_OWNBUF;
	}
	return 0;
}

/* Writes all n bytes to fd, retrying short writes; 0 or -1. */
static int write_all(int fd, const unsigned char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/*
 * Pushes out pending output, or gives back unread input by seeking back
 * (so the fd's offset matches what the program has consumed). 0 or EOF.
 */
static int file_sync(FILE *f)
{
	if (f->wlen) {
		size_t n = f->wlen;

		f->wlen = 0;
		if (write_all(f->fd, f->buf, n) < 0) {
			f->flags |= F_ERR;
			return EOF;
		}
	}
	if (f->rlen > f->rpos || f->ungot != EOF) {
		off_t back = (off_t)(f->rlen - f->rpos) + (f->ungot != EOF);
		lseek(f->fd, -back, SEEK_CUR);	/* fails harmlessly on pipes */
	}
	f->rpos = f->rlen = 0;
	f->ungot = EOF;
	return 0;
}

/* Flushes f, or every open stream when f is NULL. 0 or EOF. */
int fflush(FILE *f)
{
	int r = 0;

	if (!f) {
		for (f = all_files; f; f = f->next)
			if (f->wlen && file_sync(f) == EOF)
				r = EOF;
		return r;
	}
	if (f->wlen)
		return file_sync(f);
	return 0;
}

/* See internal.h. */
void stdio_flush_all(void)
{
	fflush(0);
}

/* Appends n bytes to f's output, flushing as its buffering demands. */
static size_t file_write(FILE *f, const unsigned char *s, size_t n)
{
	size_t done = 0;

	if (!(f->flags & F_WRITE)) {
		f->flags |= F_ERR;
		errno = EBADF;
		return 0;
	}
	if (file_setup(f) == EOF)
		return 0;
	if (f->rlen || f->ungot != EOF)
		file_sync(f);
	if (f->mode == _IONBF || (f->wlen == 0 && n >= f->size)) {
		if (write_all(f->fd, s, n) < 0) {
			f->flags |= F_ERR;
			return 0;
		}
		return n;
	}
	while (done < n) {
		size_t k = f->size - f->wlen;

		if (k > n - done)
			k = n - done;
		memcpy(f->buf + f->wlen, s + done, k);
		f->wlen += k;
		done += k;
		if (f->wlen == f->size && file_sync(f) == EOF)
			return 0;
	}
	if (f->mode == _IOLBF && memchr(s, '\n', n) && file_sync(f) == EOF)
		return 0;
	return n;
}

/* Refills f's read buffer; the byte count, 0 at end of file, -1 on error. */
static ssize_t file_fill(FILE *f)
{
	ssize_t n;

	if (!(f->flags & F_READ)) {
		f->flags |= F_ERR;
		errno = EBADF;
		return -1;
	}
	if (file_setup(f) == EOF)
		return -1;
	if (f->wlen && file_sync(f) == EOF)
		return -1;
	if (stdout->mode == _IOLBF && stdout->wlen)
		file_sync(stdout);
	do
		n = read(f->fd, f->buf, f->size);
	while (n < 0 && errno == EINTR);
	f->rpos = 0;
	f->rlen = n > 0 ? (size_t)n : 0;
	if (n == 0)
		f->flags |= F_EOF;
	else if (n < 0)
		f->flags |= F_ERR;
	return n;
}

/* Next byte as an unsigned char, or EOF at end of file or on error. */
int fgetc(FILE *f)
{
	int c = f->ungot;

	if (c != EOF) {
		f->ungot = EOF;
		return c;
	}
	if (f->rpos >= f->rlen && file_fill(f) <= 0)
		return EOF;
	return f->buf[f->rpos++];
}

int getc(FILE *f)   { return fgetc(f); }
int getchar(void)   { return fgetc(stdin); }

/* Pushes c back (one char of pushback); c, or EOF if c is EOF. */
int ungetc(int c, FILE *f)
{
	if (c == EOF)
		return EOF;
	f->ungot = (unsigned char)c;
	f->flags &= ~F_EOF;
	return f->ungot;
}

/*
 * Reads at most n-1 bytes into s, stopping after a newline; NUL-terminates.
 * Returns s, or NULL if nothing was read before end of file or an error.
 */
char *fgets(char *s, int n, FILE *f)
{
	int i = 0;

	while (i < n - 1) {
		int c = fgetc(f);

		if (c == EOF)
			break;
		s[i++] = (char)c;
		if (c == '\n')
			break;
		/* Copy straight from the buffer up to a newline. */
		while (i < n - 1 && f->rpos < f->rlen && f->buf[f->rpos] != '\n')
			s[i++] = (char)f->buf[f->rpos++];
	}
	if (i == 0 && n > 1)
		return 0;
	s[i] = 0;
	return s;
}

/*
 * Reads a whole line (with its newline) into *line, growing it with
 * realloc (*cap is its size). Returns the length, or -1 at end of file.
 */
ssize_t getline(char **line, size_t *cap, FILE *f)
{
	size_t len = 0;
	int c;

	for (;;) {
		c = fgetc(f);
		if (c == EOF && len == 0)
			return -1;
		if (len + 2 > *cap || !*line) {
			size_t ncap = *cap < 64 ? 128 : *cap * 2;
			char *p = realloc(*line, ncap);
			if (!p) {
				f->flags |= F_ERR;
				return -1;
			}
			*line = p;
			*cap = ncap;
		}
		if (c == EOF)
			break;
		(*line)[len++] = (char)c;
		if (c == '\n')
			break;
	}
	(*line)[len] = 0;
	return (ssize_t)len;
}

/* Reads up to n items of size bytes; the number of whole items read. */
size_t fread(void *p, size_t size, size_t n, FILE *f)
{
	unsigned char *d = p;
	size_t want = size * n, got = 0;

	if (!want)
		return 0;
	if (f->ungot != EOF) {
		d[got++] = (unsigned char)f->ungot;
		f->ungot = EOF;
	}
	while (got < want) {
		size_t k = f->rlen - f->rpos;

		if (k == 0) {
			if (file_fill(f) <= 0)
				break;
			continue;
		}
		if (k > want - got)
			k = want - got;
		memcpy(d + got, f->buf + f->rpos, k);
		f->rpos += k;
		got += k;
	}
	return got / size;
}

/* Writes c; returns it as an unsigned char, or EOF on error. */
int fputc(int c, FILE *f)
{
	unsigned char b = (unsigned char)c;

	return file_write(f, &b, 1) == 1 ? b : EOF;
}

int putc(int c, FILE *f) { return fputc(c, f); }
int putchar(int c)       { return fputc(c, stdout); }

/* Writes s (no newline added); a non-negative number, or EOF. */
int fputs(const char *s, FILE *f)
{
	size_t n = strlen(s);

	return file_write(f, (const unsigned char *)s, n) == n ? 0 : EOF;
}

/* Writes s and a newline to stdout. */
int puts(const char *s)
{
	return fputs(s, stdout) == EOF || fputc('\n', stdout) == EOF ? EOF : 0;
}

/* Writes n items of size bytes; the number of whole items written. */
size_t fwrite(const void *p, size_t size, size_t n, FILE *f)
{
	if (!size || !n)
		return 0;
	return file_write(f, p, size * n) / size;
}

/* Parses an fopen mode into open flags (and F_READ/F_WRITE); -1 if bad. */
static int mode_flags(const char *mode, int *ff)
{
	int o;

	switch (mode[0]) {
	case 'r': o = O_RDONLY; *ff = F_READ; break;
	case 'w': o = O_WRONLY | O_CREAT | O_TRUNC; *ff = F_WRITE; break;
	case 'a': o = O_WRONLY | O_CREAT | O_APPEND; *ff = F_WRITE; break;
	default: errno = EINVAL; return -1;
	}
	for (const char *m = mode + 1; *m; m++) {
		if (*m == '+') {
			o = (o & ~O_ACCMODE) | O_RDWR;
			*ff = F_READ | F_WRITE;
		} else if (*m == 'e') {
			o |= O_CLOEXEC;
		} else if (*m == 'x') {
			o |= O_EXCL;
		}
	}
	return o;
}

/* Wraps fd in a new stream (mode as for fopen); NULL on failure. */
FILE *fdopen(int fd, const char *mode)
{
	int ff;
	FILE *f;

	if (mode_flags(mode, &ff) < 0)
		return 0;
	f = calloc(1, sizeof(*f));
	if (!f)
		return 0;
	f->fd = fd;
	f->flags = ff | F_HEAP;
	f->mode = _IOFBF;
	f->ungot = EOF;
	f->next = all_files;
	all_files = f;
	return f;
}

/* Opens path as a stream; mode is "r", "w" or "a", with '+', 'e', 'x'. */
FILE *fopen(const char *path, const char *mode)
{
	int ff, o = mode_flags(mode, &ff), fd;
	FILE *f;

	if (o < 0)
		return 0;
	fd = open(path, o, 0666);
	if (fd < 0)
		return 0;
	f = fdopen(fd, mode);
	if (!f)
		close(fd);
	return f;
}

/* Flushes and closes f (freeing it if fopen made it). 0 or EOF. */
int fclose(FILE *f)
{
	int r = fflush(f);
	FILE **pp;

	if (close(f->fd) < 0)
		r = EOF;
	for (pp = &all_files; *pp; pp = &(*pp)->next)
		if (*pp == f) {
			*pp = f->next;
			break;
		}
	if (f->flags & F_OWNBUF)
		free(f->buf);
	if (f->flags & F_HEAP)
		free(f);
	else
		f->flags = 0;
	return r;
}

/*
 * Sets buffering (_IOFBF, _IOLBF, _IONBF) and optionally the buffer;
 * must come before any I/O on f. 0, or -1 for a bad mode.
 */
int setvbuf(FILE *f, char *buf, int mode, size_t size)
{
	if (mode != _IOFBF && mode != _IOLBF && mode != _IONBF)
		return -1;
	fflush(f);
	if (f->flags & F_OWNBUF)
		free(f->buf);
	f->flags &= ~F_OWNBUF;
	f->mode = mode;
	f->buf = 0;
	f->size = 0;
	if (buf && size && mode != _IONBF) {
		f->buf = (unsigned char *)buf;
		f->size = size;
	}
	return 0;
}

int fileno(FILE *f)       { return f->fd; }
int feof(FILE *f)         { return !!(f->flags & F_EOF); }
int ferror(FILE *f)       { return !!(f->flags & F_ERR); }
void clearerr(FILE *f)    { f->flags &= ~(F_EOF | F_ERR); }

/* Repositions f (after flushing); 0 or -1. */
int fseek(FILE *f, long off, int whence)
{
	if (file_sync(f) == EOF)
		return -1;
	if (lseek(f->fd, off, whence) < 0)
		return -1;
	f->flags &= ~F_EOF;
	return 0;
}

/* The stream position: the fd offset adjusted for buffered data. */
long ftell(FILE *f)
{
	off_t pos = lseek(f->fd, 0, SEEK_CUR);

	if (pos < 0)
		return -1;
	return (long)(pos - (off_t)(f->rlen - f->rpos) + (off_t)f->wlen -
		      (f->ungot != EOF));
}

/* Seeks to the start and clears the end-of-file and error flags. */
void rewind(FILE *f)
{
	fseek(f, 0, SEEK_SET);
	clearerr(f);
}
