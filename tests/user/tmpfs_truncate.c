/*
 * tmpfs_truncate: truncating a file in /tmp (open with O_TRUNC) gives its
 * pages back, and nothing of the old contents ever shows again: not
 * through read() after the file grows over the old range, and not through
 * a shared mapping that was kept across the truncation.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "tlib.h"

#define PAGE	4096
#define NPAGES	64

static char path[64];
static char buf[PAGE];

/* Write NPAGES pages of 'A' + page number to a fresh file; 0 or -1. */
static int fill(void)
{
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);

	if (fd < 0)
		return -1;
	for (int i = 0; i < NPAGES; i++) {
		memset(buf, 'A' + i % 26, PAGE);
		if (write(fd, buf, PAGE) != PAGE) {
			close(fd);
			return -1;
		}
	}
	return close(fd);
}

/* Does page idx of fd read as PAGE bytes of v? */
static int page_reads(int fd, int idx, char v)
{
	if (pread(fd, buf, PAGE, (off_t)idx * PAGE) != PAGE)
		return 0;
	for (int i = 0; i < PAGE; i++)
		if (buf[i] != v)
			return 0;
	return 1;
}

int main(void)
{
	long before, full, cut;
	volatile char *map;
	int fd, zeros = 1;

	printf("tmpfs_truncate: O_TRUNC frees a tmpfs file's pages, old data never shows again\n");
	snprintf(path, sizeof(path), "/tmp/tmpfs_truncate.%d", (int)getpid());
	/* warm-up: the first file in /tmp brings the directory's own memory */
	TL_CHECK(fill() == 0, "write a 64-page file in /tmp");
	unlink(path);
	before = tl_frames_free();

	TL_CHECK(fill() == 0, "write it again");
	full = tl_frames_free();
	if (before >= 0)
		TL_CHECK(before - full >= NPAGES * PAGE / 1024,
			 "the file's pages are out of free memory");
	fd = open(path, O_RDWR | O_TRUNC);
	TL_CHECK(fd >= 0, "open it with O_TRUNC");
	cut = tl_frames_free();
	if (before >= 0)
		TL_CHECK(cut - full >= (NPAGES - 1) * PAGE / 1024,
			 "truncation gives the pages back");
	TL_CHECK(lseek(fd, 0, SEEK_END) == 0, "the file is empty");

	/* grow it over the old range: a hole, then new data */
	memset(buf, 'z', PAGE);
	TL_CHECK(pwrite(fd, buf, PAGE, 10 * PAGE) == PAGE, "write page 10 again");
	for (int i = 0; i < 10; i++)
		zeros &= page_reads(fd, i, 0);
	TL_CHECK(zeros, "pages 0-9 read as zeros, not as the old data");
	TL_CHECK(page_reads(fd, 10, 'z'), "page 10 holds the new data");

	/* a shared mapping kept across a truncation sees no old data either */
	map = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	TL_CHECK(map != MAP_FAILED, "map pages 0-1 shared");
	if (map != MAP_FAILED) {
		map[PAGE + 5] = 'm';
		TL_CHECK(page_reads(fd, 1, 0) == 0, "a write through the mapping reaches the file");
		close(fd);
		fd = open(path, O_RDWR | O_TRUNC);
		TL_CHECK(fd >= 0, "truncate it while mapped");
		TL_CHECK(pwrite(fd, buf, PAGE, 4 * PAGE) == PAGE, "grow it past the mapping");
		TL_CHECK(page_reads(fd, 1, 0), "page 1 reads as zeros");
		TL_CHECK(map[PAGE + 5] == 0 && map[0] == 0, "the mapping shows zeros");
		munmap((void *)map, 2 * PAGE);
	}
	close(fd);
	TL_CHECK(unlink(path) == 0, "remove the file");
	tl_check_no_leak(before);
	return tl_done();
}
