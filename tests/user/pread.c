/*
 * pread: pread and pwrite read and write at an offset without moving the
 * file offset; pwrite past the end grows the file (the gap reads as zeros);
 * files without an offset (pipes) give ESPIPE, a negative offset EINVAL,
 * a directory EISDIR, a descriptor opened the wrong way EBADF.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include "tlib.h"

int main(void)
{
	char buf[64];
	int fd, p[2];
	long before;

	printf("pread: pread and pwrite at an offset\n");	/* stdout's buffer is in use from here */
	unlink("/tmp/pread");
	before = tl_frames_free();
	fd = open("/tmp/pread", O_RDWR | O_CREAT | O_TRUNC, 0644);
	TL_CHECK(fd >= 0, "a file in /tmp opens");
	TL_CHECK(write(fd, "0123456789", 10) == 10, "ten bytes written");
	TL_CHECK(pread(fd, buf, 4, 3) == 4 && memcmp(buf, "3456", 4) == 0,
		 "pread reads at its offset");
	TL_CHECK(lseek(fd, 0, SEEK_CUR) == 10, "pread leaves the file offset alone");
	TL_CHECK(pwrite(fd, "ab", 2, 1) == 2, "pwrite writes at its offset");
	TL_CHECK(lseek(fd, 0, SEEK_CUR) == 10, "pwrite leaves the file offset alone");
	TL_CHECK(pread(fd, buf, 10, 0) == 10 && memcmp(buf, "0ab3456789", 10) == 0,
		 "the pwrite landed where asked");
	TL_CHECK(pwrite(fd, "Z", 1, 5000) == 1, "pwrite past the end grows the file");
	memset(buf, 1, sizeof(buf));
	TL_CHECK(pread(fd, buf, 8, 4990) == 8 && buf[0] == 0 && buf[7] == 0,
		 "the gap reads as zeros");
	TL_CHECK(pread(fd, buf, 64, 5000) == 1 && buf[0] == 'Z', "pread stops at the end");
	TL_CHECK(pread(fd, buf, 4, 9000) == 0, "pread past the end reads nothing");
	errno = 0;
	TL_CHECK(pread(fd, buf, 4, -1) == -1 && errno == EINVAL, "a negative offset is EINVAL");
	close(fd);

	fd = open("/tmp/pread", O_RDONLY);
	errno = 0;
	TL_CHECK(pwrite(fd, "x", 1, 0) == -1 && errno == EBADF,
		 "pwrite on a read-only descriptor is EBADF");
	close(fd);
	fd = open("/tmp", O_RDONLY | O_DIRECTORY);
	errno = 0;
	TL_CHECK(pread(fd, buf, 4, 0) == -1 && errno == EISDIR, "pread of a directory is EISDIR");
	close(fd);
	TL_CHECK(pipe(p) == 0, "a pipe");
	errno = 0;
	TL_CHECK(pread(p[0], buf, 4, 0) == -1 && errno == ESPIPE, "pread of a pipe is ESPIPE");
	errno = 0;
	TL_CHECK(pwrite(p[1], "x", 1, 0) == -1 && errno == ESPIPE, "pwrite of a pipe is ESPIPE");
	close(p[0]);
	close(p[1]);
	unlink("/tmp/pread");
	tl_check_no_leak(before);
	return tl_done();
}
