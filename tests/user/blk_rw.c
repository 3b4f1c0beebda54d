/*
 * blk_rw: a disk that is neither the root nor a swap area can be opened
 * O_RDWR and read and written as Linux's block devices are: at any byte
 * offset and length (a sector written in part keeps its other bytes),
 * in large and odd-sized pieces, with lseek and pread/pwrite; a write that
 * runs past the end is cut short, one at or after the end fails with
 * ENOSPC, and an empty one returns 0. The read-only root disk opens O_RDWR
 * but refuses writes with EPERM; a descriptor opened O_RDONLY refuses them
 * with EBADF.
 *
 * On Kilburn it writes /dev/vdc (make test attaches a throwaway 8 MiB disk
 * there). On Linux the same data checks run on an 8 MiB file in /tmp (the
 * machine's own disks are left alone); the end-of-device and read-only
 * checks are Kilburn's only.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include "vmtest.h"

#define DISK_SIZE	(8L << 20)
#define BIG		(300L << 10)	/* several 128 KiB requests */

static unsigned char pattern(long off, int seed)
{
	return (unsigned char)(off * 131 + (off >> 9) * 7 + seed);
}

static void fill(unsigned char *buf, long off, long len, int seed)
{
	for (long i = 0; i < len; i++)
		buf[i] = pattern(off + i, seed);
}

/* True if buf holds pattern(off .. off + len, seed). */
static int holds(const unsigned char *buf, long off, long len, int seed)
{
	for (long i = 0; i < len; i++)
		if (buf[i] != pattern(off + i, seed))
			return 0;
	return 1;
}

static int fails(long rc, int want)
{
	return rc == -1 && errno == want;
}

/* Write a region with one seed, then a part inside it with another. */
static unsigned char buf[BIG], back[BIG];

static void partial_sectors(int fd)
{

	fill(buf, 3000, 6000, 1);
	TL_CHECK(pwrite(fd, buf, 6000, 3000) == 6000, "pwrite 6000 bytes at 3000");
	fill(buf, 4000, 1000, 2);
	TL_CHECK(pwrite(fd, buf, 1000, 4000) == 1000,
		 "pwrite 1000 bytes at 4000 (two sectors in part)");
	TL_CHECK(pread(fd, back, 6000, 3000) == 6000, "pread the 6000 bytes back");
	TL_CHECK(holds(back, 3000, 1000, 1) && holds(back + 1000, 4000, 1000, 2) &&
		 holds(back + 2000, 5000, 4000, 1),
		 "the 1000 bytes changed, their neighbours in the same sectors did not");
	fill(buf, 511, 2, 3);
	TL_CHECK(pwrite(fd, buf, 2, 511) == 2 && pread(fd, back, 2, 511) == 2 &&
		 holds(back, 511, 2, 3), "2 bytes across a sector boundary");
}

/* A big write through write(2) at an odd offset, read back in odd pieces. */
static void big_transfer(int fd)
{
	long off = 1 << 20 | 12345, got = 0, n = 1;

	fill(buf, off, BIG, 4);
	TL_CHECK(lseek(fd, off, SEEK_SET) == off && write(fd, buf, BIG) == BIG,
		 "write 300 KiB at an odd offset");
	TL_CHECK(lseek(fd, 0, SEEK_CUR) == off + BIG, "the offset moved by 300 KiB");
	TL_CHECK(lseek(fd, off, SEEK_SET) == off, "lseek back");
	while (n > 0 && got < BIG) {
		n = read(fd, back + got, BIG - got < 70001 ? BIG - got : 70001);
		got += n > 0 ? n : 0;
	}
	TL_CHECK(got == BIG && holds(back, off, BIG, 4),
		 "read back in 70001-byte pieces, every byte right");
}

/* Kilburn only: the disk's end, read-only descriptors and the root disk. */
static void limits(int fd, const char *path)
{
	int ro = open(path, O_RDONLY), root = open("/dev/vda", O_RDWR);

	TL_CHECK(lseek(fd, 0, SEEK_END) == DISK_SIZE, "the disk is 8 MiB");
	TL_CHECK(pwrite(fd, buf, 512, DISK_SIZE - 100) == 100,
		 "a write past the end is cut short");
	TL_CHECK(fails(pwrite(fd, buf, 512, DISK_SIZE), ENOSPC),
		 "a write at the end is ENOSPC");
	TL_CHECK(pwrite(fd, buf, 0, DISK_SIZE) == 0, "an empty write returns 0");
	TL_CHECK(pread(fd, buf, 512, DISK_SIZE) == 0, "a read at the end returns 0");
	TL_CHECK(ro >= 0 && fails(write(ro, buf, 1), EBADF),
		 "a disk opened O_RDONLY refuses writes (EBADF)");
	TL_CHECK(root >= 0, "the root disk opens O_RDWR");
	TL_CHECK(fails(write(root, buf, 512), EPERM),
		 "the read-only root disk refuses writes (EPERM)");
	close(ro);
	close(root);
}

/* Every check, in a child (its buffers are then given back before the leak check). */
static int checks(void *arg)
{
	int kilburn = tl_on_kilburn();
	const char *path = kilburn ? "/dev/vdc" : "/tmp/blk_rw.img";
	int fd = open(path, O_RDWR | (kilburn ? 0 : O_CREAT | O_TRUNC), 0600);

	(void)arg;
	TL_CHECK(fd >= 0, "open the disk O_RDWR");
	if (fd < 0)
		return 1;
	if (!kilburn)
		TL_CHECK(ftruncate(fd, DISK_SIZE) == 0, "an 8 MiB file stands in for the disk");
	partial_sectors(fd);
	big_transfer(fd);
	if (kilburn)
		limits(fd, path);
	close(fd);
	if (!kilburn)
		unlink(path);
	return tl_failed_here;
}

int main(void)
{
	long before = tl_frames_free();

	TL_CHECK(vt_exited_ok(vt_run(checks, NULL, 60)), "the checks ran to the end");
	tl_check_no_leak(before);
	return tl_done();
}
