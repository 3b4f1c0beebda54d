/*
 * mm_remove: madvise(MADV_REMOVE) punches a hole in shared memory and in a
 * tmpfs file, as on Linux.
 *	Shared anonymous memory: a child removes pages 2-5 of eight the
 *	parent wrote; the parent then reads zeros there and its data around
 *	them, and (on Kilburn, exactly) Shmem in /proc/meminfo drops by them.
 *	A System V segment: pages 1-2 removed read as zeros in a second
 *	attachment too, the rest stays.
 *	A file in /tmp mapped shared: pages 1-2 removed read as zeros through
 *	read(2) and the mapping, the file keeps its size and its other pages.
 *	Errors: private anonymous memory or a locked range EINVAL, a private
 *	or read-only file mapping EACCES, a hole ENOMEM (after the rest of
 *	the range is done).
 * No frame leaked.
 */
#include <fcntl.h>
#include <stdio.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "vmtest.h"

#ifndef MADV_REMOVE
#define MADV_REMOVE	9
#endif
#define PAGE	4096
#define N	8

static char path[64];

/* Are the n pages at p all filled with c? */
static int filled(const char *p, int n, char c)
{
	for (long i = 0; i < (long)n * PAGE; i++)
		if (p[i] != c)
			return 0;
	return 1;
}

static void check_shared_anon(void)
{
	char *p = mmap(NULL, N * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	long shmem0, shmem1;
	int status = -1;
	pid_t pid;

	if (p == MAP_FAILED) {
		TL_CHECK(0, "map 8 shared pages");
		return;
	}
	memset(p, 'x', N * PAGE);
	shmem0 = vt_proc_kb("/proc/meminfo", "Shmem:");
	fflush(stdout);
	pid = fork();
	if (pid == 0)
		_exit(madvise(p + 2 * PAGE, 4 * PAGE, MADV_REMOVE) == 0 ? 0 : 1);
	TL_CHECK(pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
		 WEXITSTATUS(status) == 0, "a child's MADV_REMOVE of pages 2-5 of shared memory");
	shmem1 = vt_proc_kb("/proc/meminfo", "Shmem:");
	TL_CHECK(filled(p + 2 * PAGE, 4, 0), "the parent reads zeros there");
	TL_CHECK(filled(p, 2, 'x') && filled(p + 6 * PAGE, 2, 'x'), "and its data around them");
	if (tl_on_kilburn())
		VT_CHECK(shmem0 - shmem1 == 4 * PAGE / 1024, "Shmem drops by the 4 pages (%ld kB)",
			 shmem0 - shmem1);
	TL_CHECK(madvise(p, N * PAGE, MADV_REMOVE) == 0 && filled(p, N, 0), "all of it");
	TL_CHECK(mlock(p, PAGE) == 0 && madvise(p, PAGE, MADV_REMOVE) == -1 && errno == EINVAL,
		 "a locked range is EINVAL");
	munlock(p, PAGE);
	munmap(p, N * PAGE);
}

static void check_sysv_segment(void)
{
	int id = shmget(IPC_PRIVATE, 4 * PAGE, IPC_CREAT | 0600);
	char *p = id >= 0 ? shmat(id, NULL, 0) : (char *)-1;
	char *q = id >= 0 ? shmat(id, NULL, 0) : (char *)-1;

	if (p == (char *)-1 || q == (char *)-1) {
		TL_CHECK(0, "a 4-page System V segment attached twice");
		if (id >= 0)
			shmctl(id, IPC_RMID, NULL);
		return;
	}
	memset(p, 'z', 4 * PAGE);
	TL_CHECK(madvise(p + PAGE, 2 * PAGE, MADV_REMOVE) == 0,
		 "MADV_REMOVE of pages 1-2 of a System V segment");
	TL_CHECK(filled(q + PAGE, 2, 0) && filled(q, 1, 'z') && filled(q + 3 * PAGE, 1, 'z'),
		 "the other attachment reads zeros there, the rest as written");
	shmdt(p);
	shmdt(q);
	shmctl(id, IPC_RMID, NULL);
}

static void check_tmpfs_file(void)
{
	char page[PAGE];
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600), ok = fd >= 0;
	struct stat st;
	char *p, *q;

	memset(page, 'y', PAGE);
	for (int i = 0; ok && i < 4; i++)
		ok = write(fd, page, PAGE) == PAGE;
	p = ok ? mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) : MAP_FAILED;
	if (p == MAP_FAILED) {
		TL_CHECK(0, "a 4-page file in /tmp, mapped shared");
		if (fd >= 0)
			close(fd);
		return;
	}
	TL_CHECK(madvise(p + PAGE, 2 * PAGE, MADV_REMOVE) == 0, "MADV_REMOVE of pages 1-2 of the file");
	TL_CHECK(pread(fd, page, PAGE, PAGE) == PAGE && filled(page, 1, 0) &&
		 pread(fd, page, PAGE, 2 * PAGE) == PAGE && filled(page, 1, 0),
		 "read(2) gives zeros there");
	TL_CHECK(filled(p + PAGE, 2, 0) && filled(p, 1, 'y') && filled(p + 3 * PAGE, 1, 'y'),
		 "so does the mapping; pages 0 and 3 are kept");
	TL_CHECK(fstat(fd, &st) == 0 && st.st_size == 4 * PAGE, "the file keeps its size");
	q = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	TL_CHECK(q != MAP_FAILED && madvise(q, PAGE, MADV_REMOVE) == -1 && errno == EACCES,
		 "a private file mapping is EACCES");
	if (q != MAP_FAILED)
		munmap(q, PAGE);
	munmap(p, 4 * PAGE);
	close(fd);
	fd = open(path, O_RDONLY);
	q = fd >= 0 ? mmap(NULL, PAGE, PROT_READ, MAP_SHARED, fd, 0) : MAP_FAILED;
	TL_CHECK(q != MAP_FAILED && madvise(q, PAGE, MADV_REMOVE) == -1 && errno == EACCES,
		 "a read-only shared mapping is EACCES");
	if (q != MAP_FAILED)
		munmap(q, PAGE);
	if (fd >= 0)
		close(fd);
	unlink(path);
}

static void check_errors(void)
{
	char *p = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		TL_CHECK(0, "map 4 private pages");
		return;
	}
	TL_CHECK(madvise(p, 4 * PAGE, MADV_REMOVE) == -1 && errno == EINVAL,
		 "private anonymous memory is EINVAL");
	munmap(p, 4 * PAGE);
	p = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return;
	memset(p, 'h', 4 * PAGE);
	munmap(p + PAGE, PAGE);
	TL_CHECK(madvise(p, 4 * PAGE, MADV_REMOVE) == -1 && errno == ENOMEM,
		 "a hole in the range is ENOMEM");
	TL_CHECK(filled(p, 1, 0) && filled(p + 2 * PAGE, 2, 0),
		 "... after the pages around it are removed");
	munmap(p, 4 * PAGE);
}

/* qemu-riscv64 answers madvise itself and ignores MADV_REMOVE. */
static int remove_ignored(void)
{
	char *p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int ignored = p != MAP_FAILED && madvise(p, PAGE, MADV_REMOVE) == 0;

	if (p != MAP_FAILED)
		munmap(p, PAGE);
	return ignored;
}

int main(void)
{
	long before;

	printf("mm_remove: MADV_REMOVE frees shared memory and tmpfs pages\n");
	tl_counts();			/* its shared page exists before Shmem is read */
	snprintf(path, sizeof(path), "/tmp/mm_remove.%d", (int)getpid());
	if (remove_ignored()) {
		printf("note: madvise ignores MADV_REMOVE here (qemu-riscv64): nothing to check\n");
		TL_CHECK(1, "skipped under an emulator that ignores MADV_REMOVE");
		return tl_done();
	}
	check_shared_anon();		/* warm-up */
	check_sysv_segment();
	check_tmpfs_file();
	check_errors();
	before = tl_frames_free();
	check_shared_anon();
	check_sysv_segment();
	check_tmpfs_file();
	check_errors();
	tl_check_no_leak(before);
	return tl_done();
}
