/*
 * mm_truncate: ftruncate and truncate grow and shrink a file in /tmp while
 * other processes map it.
 *	Growing: the new bytes read as zeros, through read(2) and mappings.
 *	Shrinking: a child that mapped the file (MAP_SHARED, and MAP_PRIVATE
 *	with a page of its own copied) before the parent cut it gets SIGBUS
 *	when it touches a page wholly past the new end, though it had those
 *	pages mapped; the page holding the new end stays, zeros after it.
 *	The cut pages' frames are freed at once (the free-memory count rises).
 *	Errors: a negative length or a file not open for writing is EINVAL, a
 *	bad descriptor EBADF, a directory EISDIR, a missing path ENOENT.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "tlib.h"
#include "vmtest.h"

#define PAGE	4096
#define NPAGES	32
#define PATH	"/tmp/mm_truncate"

static int fd = -1;
static char *shared, *private;

/* In a child: touch byte off of the mapping; killed by SIGBUS or exits 0. */
static int touch_shared(void *arg)
{
	return shared[(long)arg] == 'x' ? 0 : 1;
}

static int touch_private(void *arg)
{
	return private[(long)arg] == 'x' ? 0 : 1;
}

/*
 * The scene: a file of NPAGES pages of 'x', mapped shared and private by
 * a child that waits on a pipe; the parent cuts the file to `size`; then
 * the child touches what it is told. Returns the child's wait status.
 */
static int child_after_cut(long size, long off, int use_private)
{
	int go[2], ready[2], status = -1;
	char c = 0;
	pid_t pid;

	if (pipe(go) < 0 || pipe(ready) < 0)
		return -1;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		volatile char sum = 0;

		for (long i = 0; i < NPAGES * PAGE; i += PAGE)	/* map every page */
			sum += shared[i] + private[i];
		private[(NPAGES - 1) * PAGE] = 'x';		/* a private copy */
		(void)!write(ready[1], "r", 1);
		(void)!read(go[0], &c, 1);
		_exit(use_private ? touch_private((void *)off) : touch_shared((void *)off));
	}
	close(ready[1]);			/* a child that dies early reads as EOF */
	close(go[0]);
	if (read(ready[0], &c, 1) == 1 && ftruncate(fd, size) != 0)
		TL_CHECK(0, "ftruncate while a child maps the file");
	(void)!write(go[1], "g", 1);
	status = vt_wait(pid, 30);
	close(go[1]);
	close(ready[0]);
	return status;
}

/* A fresh file of NPAGES pages of 'x', mapped shared and private. */
static int setup(void)
{
	char page[PAGE];

	fd = open(PATH, O_RDWR | O_CREAT | O_TRUNC, 0600);
	memset(page, 'x', PAGE);
	for (int i = 0; i < NPAGES && fd >= 0; i++)
		if (write(fd, page, PAGE) != PAGE)
			return -1;
	shared = mmap(NULL, NPAGES * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	private = mmap(NULL, NPAGES * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	return fd >= 0 && shared != MAP_FAILED && private != MAP_FAILED ? 0 : -1;
}

static void teardown(void)
{
	munmap(shared, NPAGES * PAGE);
	munmap(private, NPAGES * PAGE);
	close(fd);
	unlink(PATH);
}

/* measure: also count the frames a cut frees (not in the warm-up: tlib's
 * first tl_frames_free() call is the baseline of the leak check). */
static void cuts(int measure)
{
	long half = NPAGES / 2 * PAGE + 100;	/* the new end, inside a page */
	long freed_kb, before;
	struct stat st;
	char buf[PAGE];
	int ok;

	if (setup() != 0) {
		TL_CHECK(0, "make and map a 32-page file");
		return;
	}
	TL_CHECK(vt_killed_by(child_after_cut(half, NPAGES / 2 * PAGE + PAGE, 0), SIGBUS),
		 "a shared mapping's page past the new end is SIGBUS in another process");
	TL_CHECK(fstat(fd, &st) == 0 && st.st_size == half, "the file has its new size");
	teardown();
	setup();
	TL_CHECK(vt_exited_ok(child_after_cut(half, NPAGES / 2 * PAGE + 99, 0)),
		 "the page holding the new end still reads before it");
	TL_CHECK(shared[half] == 0 && shared[half + 1000] == 0, "and zeros after it");
	teardown();
	setup();
	TL_CHECK(vt_killed_by(child_after_cut(half, (NPAGES - 1) * PAGE, 1), SIGBUS),
		 "a private copy past the new end goes too: SIGBUS");
	teardown();

	/* The frames of the cut pages are freed at once. */
	if (setup() != 0)
		return;
	for (long i = 0; i < NPAGES * PAGE; i += PAGE)
		(void)*(volatile char *)(shared + i);
	before = measure ? tl_frames_free() : -1;
	TL_CHECK(ftruncate(fd, PAGE) == 0, "cut the mapped file to one page");
	freed_kb = measure ? tl_frames_free() - before : 0;
	if (before >= 0)
		TL_CHECK(freed_kb >= (NPAGES - 1) * PAGE / 1024,
			 "the cut pages' frames are free although they were mapped");

	/* Growing reads zeros, through read and the mapping. */
	TL_CHECK(ftruncate(fd, NPAGES * PAGE) == 0, "grow it back");
	ok = pread(fd, buf, PAGE, 5 * PAGE) == PAGE;
	for (int i = 0; ok && i < PAGE; i++)
		ok = buf[i] == 0;
	TL_CHECK(ok && shared[5 * PAGE] == 0 && shared[PAGE - 1] == 'x',
		 "grown pages read as zeros; the first page kept its data");
	TL_CHECK(truncate(PATH, 3 * PAGE) == 0 && fstat(fd, &st) == 0 &&
		 st.st_size == 3 * PAGE, "truncate by path");
	teardown();
}

static void errors(void)
{
	int rd = open("/tmp/mm_truncate_ro", O_RDONLY | O_CREAT, 0600);
	int wr = open("/tmp/mm_truncate_ro", O_WRONLY);

	TL_CHECK(ftruncate(wr, -1) == -1 && errno == EINVAL, "ftruncate: a negative length is EINVAL");
	TL_CHECK(ftruncate(rd, 0) == -1 && errno == EINVAL, "ftruncate: read-only descriptor is EINVAL");
	TL_CHECK(ftruncate(99, 0) == -1 && errno == EBADF, "ftruncate: bad descriptor is EBADF");
	TL_CHECK(truncate("/tmp", 0) == -1 && errno == EISDIR, "truncate: a directory is EISDIR");
	TL_CHECK(truncate("/tmp/none/x", 0) == -1 && errno == ENOENT, "truncate: missing is ENOENT");
	TL_CHECK(truncate("/tmp/mm_truncate_ro", -5) == -1 && errno == EINVAL,
		 "truncate: a negative length is EINVAL");
	close(rd);
	close(wr);
	unlink("/tmp/mm_truncate_ro");
}

int main(void)
{
	long before;

	printf("mm_truncate: growing and shrinking mapped files\n");
	cuts(0);			/* warm-up */
	errors();
	before = tl_frames_free();
	cuts(1);
	errors();
	tl_check_no_leak(before);
	return tl_done();
}
