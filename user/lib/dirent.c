/* Directory streams over getdents64. */
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DIR_BUF 4096

struct kb_dir {
	int	fd;
	int	pos;		/* next record's offset in buf */
	int	len;		/* bytes of records in buf */
	char	buf[DIR_BUF] __attribute__((aligned(8)));
};

/* Wraps an open directory fd in a stream (which then owns fd); NULL on error. */
DIR *fdopendir(int fd)
{
	DIR *d = malloc(sizeof(*d));

	if (!d)
		return 0;
	d->fd = fd;
	d->pos = d->len = 0;
	return d;
}

/* Opens path as a directory stream; NULL with errno on failure. */
DIR *opendir(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d;

	if (fd < 0)
		return 0;
	d = fdopendir(fd);
	if (!d)
		close(fd);
	return d;
}

/*
 * Next entry, or NULL at the end (errno unchanged) or on error (errno
 * set). The record lives in the stream's buffer until the next call.
 */
struct dirent *readdir(DIR *d)
{
	struct dirent *e;

	if (d->pos >= d->len) {
		int n = getdents64(d->fd, d->buf, DIR_BUF);

		if (n <= 0)
			return 0;
		d->len = n;
		d->pos = 0;
	}
	e = (struct dirent *)(d->buf + d->pos);
	d->pos += e->d_reclen;
	return e;
}

/* Closes the stream and its fd. */
int closedir(DIR *d)
{
	int r = close(d->fd);

	free(d);
	return r;
}

/* The stream's file descriptor. */
int dirfd(DIR *d)
{
	return d->fd;
}

/* Restarts reading from the first entry. */
void rewinddir(DIR *d)
{
	lseek(d->fd, 0, SEEK_SET);
	d->pos = d->len = 0;
}
