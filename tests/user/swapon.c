/*
 * swapon: the disks are block devices named as Linux names them (vda the
 * root, 254:0; vdb 254:16; vdc 254:32); swapon(2) and swapoff(2) fail with
 * Linux's errnos (ENOENT, EISDIR, EROFS, EINVAL for a non-disk, bad flags
 * or an area not in use, EBUSY for a disk in use, EFAULT), and succeed on
 * disks made by mkswap; /proc/swaps shows the active areas in Linux's exact
 * format with explicit and automatic priorities (an automatic one closes
 * its gap when a higher one goes), /proc/meminfo's SwapTotal follows, and
 * an active swap disk refuses writes (ETXTBSY).
 *
 * On Kilburn it needs two swap disks, vdb and vdc, freshly made by mkswap
 * with 8 MiB each (make test attaches them). On Linux the system calls are
 * not tried (they would act on the machine running the test): only the
 * format of /proc/swaps's first line is checked.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/swap.h>
#include <unistd.h>
#include "vmtest.h"

#define HEADER	"Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n"
#define AREA_KB	"8188"		/* an 8 MiB mkswap area: 2047 pages of 4 KiB */

static char swaps[4096];

/* /proc/swaps, into swaps[]; its length or -errno. */
static long read_swaps(void)
{
	return vt_read_file("/proc/swaps", swaps, sizeof(swaps));
}

/* True if /proc/swaps is exactly the header then `lines`. */
static int swaps_are(const char *lines)
{
	return read_swaps() > 0 && strncmp(swaps, HEADER, strlen(HEADER)) == 0 &&
	       strcmp(swaps + strlen(HEADER), lines) == 0;
}

/* SwapTotal of /proc/meminfo in kB, or -1. */
static long swap_total(void)
{
	char buf[1024], *p;

	if (vt_read_file("/proc/meminfo", buf, sizeof(buf)) <= 0)
		return -1;
	p = strstr(buf, "SwapTotal:");
	return p ? strtol(p + 10, NULL, 10) : -1;
}

/* True if the call failed with errno want. */
static int fails(int rc, int want)
{
	return rc == -1 && errno == want;
}

static void disks_are_block_devices(void)
{
	static const char *const names[] = { "/dev/vda", "/dev/vdb", "/dev/vdc" };
	struct stat st;

	for (int i = 0; i < 3; i++) {
		int ok = stat(names[i], &st) == 0 && S_ISBLK(st.st_mode) &&
			 ((st.st_rdev >> 8) & 0xfff) == 254 &&
			 ((st.st_rdev & 0xff) | ((st.st_rdev >> 12) & ~0xffUL)) ==
			 (unsigned long)(16 * i);

		TL_CHECK(ok, i == 0 ? "/dev/vda is block device 254:0" :
			 i == 1 ? "/dev/vdb is block device 254:16" :
			 "/dev/vdc is block device 254:32");
	}
}

static void errors_as_linux(void)
{
	int fd = open("/tmp/swapon-file", O_RDWR | O_CREAT | O_TRUNC, 0600);

	if (fd >= 0)
		close(fd);
	TL_CHECK(fails(swapon("/no/such/disk", 0), ENOENT), "swapon of a missing path is ENOENT");
	TL_CHECK(fails(swapon("/dev", 0), EISDIR), "swapon of a directory is EISDIR");
	TL_CHECK(fails(swapon("/etc/motd", 0), EROFS),
		 "swapon of a file of the read-only root is EROFS");
	TL_CHECK(fails(swapon("/dev/null", 0), EINVAL), "swapon of a character device is EINVAL");
	TL_CHECK(fails(swapon("/tmp/swapon-file", 0), EINVAL),
		 "swapon of a file without a swap header is EINVAL");
	TL_CHECK(fails(swapon("/dev/vda", 0), EBUSY), "swapon of the mounted root disk is EBUSY");
	TL_CHECK(fails(swapon("/dev/vdb", 0x80000), EINVAL), "swapon with an unknown flag is EINVAL");
	TL_CHECK(fails(swapon((const char *)8, 0), EFAULT), "swapon of a bad pointer is EFAULT");
	TL_CHECK(fails(swapoff("/dev/vdb"), EINVAL), "swapoff of a disk not in use is EINVAL");
	TL_CHECK(fails(swapoff("/no/such/disk"), ENOENT), "swapoff of a missing path is ENOENT");
	TL_CHECK(fails(swapoff("/dev/null"), EINVAL), "swapoff of a character device is EINVAL");
	unlink("/tmp/swapon-file");
}

static void two_areas_with_priorities(void)
{
	int fd;

	TL_CHECK(swapon("/dev/vdb", SWAP_FLAG_PREFER | 5 | SWAP_FLAG_DISCARD) == 0,
		 "swapon /dev/vdb with priority 5 (and discard)");
	TL_CHECK(fails(swapon("/dev/vdb", 0), EBUSY), "a second swapon of it is EBUSY");
	TL_CHECK(swaps_are("/dev/vdb                                partition\t" AREA_KB
			   "\t\t0\t\t5\n"), "/proc/swaps shows vdb with priority 5");
	TL_CHECK(swapon("/dev/vdc", 0) == 0, "swapon /dev/vdc without a priority");
	TL_CHECK(swaps_are("/dev/vdb                                partition\t" AREA_KB "\t\t0\t\t5\n"
			   "/dev/vdc                                partition\t" AREA_KB "\t\t0\t\t-2\n"),
		 "/proc/swaps shows vdc with the first automatic priority, -2");
	TL_CHECK(swap_total() == 2 * 8188, "SwapTotal counts both areas");
	fd = open("/dev/vdb", O_WRONLY);
	TL_CHECK(fd >= 0 && fails(write(fd, "x", 1), ETXTBSY),
		 "writing to an active swap disk is ETXTBSY");
	if (fd >= 0)
		close(fd);
	TL_CHECK(swapoff("/dev/vdb") == 0, "swapoff /dev/vdb");
	TL_CHECK(swaps_are("/dev/vdc                                partition\t" AREA_KB
			   "\t\t0\t\t-2\n"), "/proc/swaps shows only vdc");
	TL_CHECK(swapoff("/dev/vdc") == 0, "swapoff /dev/vdc");
	TL_CHECK(swaps_are(""), "/proc/swaps is only its header again");
	TL_CHECK(swap_total() == 0, "SwapTotal is 0 again");
}

static void automatic_priorities_close_the_gap(void)
{
	TL_CHECK(swapon("/dev/vdb", 0) == 0 && swapon("/dev/vdc", 0) == 0,
		 "swapon vdb and vdc without priorities");
	TL_CHECK(swaps_are("/dev/vdb                                partition\t" AREA_KB "\t\t0\t\t-2\n"
			   "/dev/vdc                                partition\t" AREA_KB "\t\t0\t\t-3\n"),
		 "they get -2 and -3");
	TL_CHECK(swapoff("/dev/vdb") == 0, "swapoff vdb");
	TL_CHECK(swaps_are("/dev/vdc                                partition\t" AREA_KB
			   "\t\t0\t\t-2\n"), "vdc moves up to -2");
	TL_CHECK(swapoff("/dev/vdc") == 0, "swapoff vdc");
}

int main(void)
{
	long before;

	printf("swapon: block devices, swapon/swapoff errnos, /proc/swaps\n");
	if (!tl_on_kilburn()) {
		printf("not Kilburn: swapon and swapoff are not tried here\n");
		TL_CHECK(read_swaps() > 0 && strncmp(swaps, HEADER, strlen(HEADER)) == 0,
			 "/proc/swaps begins with Linux's header");
		return tl_done();
	}
	/* warm-up: what a first use allocates for good (a tmpfs node, ...) */
	if (swapon("/dev/vdb", 0) == 0)
		swapoff("/dev/vdb");
	close(open("/tmp/swapon-file", O_RDWR | O_CREAT, 0600));
	unlink("/tmp/swapon-file");
	read_swaps();
	swap_total();
	before = tl_frames_free();
	disks_are_block_devices();
	TL_CHECK(swaps_are(""), "/proc/swaps is only its header with no swap");
	errors_as_linux();
	two_areas_with_priorities();
	automatic_priorities_close_the_gap();
	tl_check_no_leak(before);
	return tl_done();
}
