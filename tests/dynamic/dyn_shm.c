/*
 * dyn_shm: shared memory between processes through glibc's calls.
 *	POSIX: shm_open/ftruncate/mmap in /dev/shm (a tmpfs), shared with a
 *	child, usable after shm_unlink; a named semaphore (sem_open).
 *	System V: shmget, shmat, shmdt, shmctl (IPC_STAT, IPC_SET, IPC_RMID)
 *	with shm_nattch counting attachments across fork and exit, the
 *	segment destroyed on its last detach after IPC_RMID, /proc/sysvipc/shm
 *	and the "/SYSV<key> (deleted)" name in maps; errnos.
 *	/dev/zero: a private mapping is private zero-filled memory, a shared
 *	one is shared with children and named "/dev/zero (deleted)".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <semaphore.h>
#include <signal.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/wait.h>
#include "tlib.h"

#define PAGE	4096

/* Run fn in a child; its exit status (or 128 + signal). */
static int in_child(int (*fn)(void *), void *arg)
{
	int status = -1;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid == 0)
		_exit(fn(arg));
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static int write_child(void *p)
{
	strcpy(p, "child");
	return 0;
}

/* Does /proc/self/maps name the mapping at p with name? */
static int mapped_as(void *p, const char *name)
{
	FILE *f = fopen("/proc/self/maps", "r");
	unsigned long start;
	char line[512];
	int found = 0;

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "%lx-", &start) == 1 && start == (unsigned long)p &&
		    strstr(line, name))
			found = 1;
	if (f)
		fclose(f);
	return found;
}

static void posix_shm(void)
{
	int fd = shm_open("/kb_dyn_shm", O_CREAT | O_EXCL | O_RDWR, 0600);
	char *p;
	sem_t *sem;
	int v = -1;

	TL_CHECK(fd >= 0, "shm_open creates /kb_dyn_shm");
	if (fd < 0)
		return;
	TL_CHECK(shm_open("/kb_dyn_shm", O_CREAT | O_EXCL | O_RDWR, 0600) == -1 &&
		 errno == EEXIST, "shm_open O_EXCL of an existing name: EEXIST");
	TL_CHECK(ftruncate(fd, 2 * PAGE) == 0, "ftruncate it to two pages");
	p = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	TL_CHECK(p != MAP_FAILED, "map it shared");
	if (p == MAP_FAILED)
		return;
	TL_CHECK(in_child(write_child, p + PAGE) == 0 && strcmp(p + PAGE, "child") == 0,
		 "a child's store shows in the parent");
	TL_CHECK(shm_unlink("/kb_dyn_shm") == 0, "shm_unlink");
	TL_CHECK(shm_open("/kb_dyn_shm", O_RDWR, 0) == -1 && errno == ENOENT,
		 "then shm_open without O_CREAT: ENOENT");
	strcpy(p, "still");
	TL_CHECK(strcmp(p, "still") == 0, "the mapping lives on after the unlink");
	munmap(p, 2 * PAGE);
	close(fd);

	sem = sem_open("/kb_dyn_sem", O_CREAT, 0600, 1);
	TL_CHECK(sem != SEM_FAILED, "sem_open creates a named semaphore");
	if (sem == SEM_FAILED)
		return;
	TL_CHECK(sem_wait(sem) == 0 && sem_post(sem) == 0 && sem_getvalue(sem, &v) == 0 &&
		 v == 1, "sem_wait, sem_post, sem_getvalue");
	TL_CHECK(sem_close(sem) == 0 && sem_unlink("/kb_dyn_sem") == 0, "sem_close, sem_unlink");
}

static int seg_id;

static unsigned long nattch(int id)
{
	struct shmid_ds ds;

	return shmctl(id, IPC_STAT, &ds) == 0 ? ds.shm_nattch : ~0UL;
}

static int child_sees_two(void *p)
{
	strcpy(p, "from child");
	return nattch(seg_id) == 2 ? 0 : 1;
}

static int write_readonly(void *p)
{
	*(volatile char *)p = 1;
	return 0;
}

/* /proc/sysvipc/shm lists id with size bytes and n attachments. */
static int listed(int id, size_t size, unsigned long n)
{
	FILE *f = fopen("/proc/sysvipc/shm", "r");
	char line[512];
	int key, sid, found = 0;
	unsigned int perms;
	unsigned long sz, att;
	int cpid, lpid;

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "%d %d %o %lu %d %d %lu", &key, &sid, &perms, &sz, &cpid,
			   &lpid, &att) == 7 && sid == id && sz == size && att == n)
			found = 1;
	if (f)
		fclose(f);
	return found;
}

static void sysv_shm(void)
{
	key_t key = 0x4b420000 + getpid();
	struct shmid_ds ds;
	char *p, *q;
	int id;

	id = seg_id = shmget(IPC_PRIVATE, 10000, IPC_CREAT | 0600);
	TL_CHECK(id >= 0, "shmget IPC_PRIVATE of 10000 bytes");
	if (id < 0)
		return;
	TL_CHECK(shmctl(id, IPC_STAT, &ds) == 0 && ds.shm_segsz == 10000 &&
		 ds.shm_nattch == 0 && ds.shm_cpid == getpid() &&
		 (ds.shm_perm.mode & 0777) == 0600, "IPC_STAT: size, no attachment, creator, mode");
	p = shmat(id, NULL, 0);
	TL_CHECK(p != (void *)-1 && (unsigned long)p % PAGE == 0 && nattch(id) == 1,
		 "shmat: a page-aligned address, one attachment");
	if (p == (void *)-1)
		return;
	TL_CHECK(p[0] == 0 && p[9999] == 0, "the segment reads as zeros");
	TL_CHECK(mapped_as(p, "/SYSV00000000 (deleted)"), "maps names it /SYSV00000000 (deleted)");
	TL_CHECK(listed(id, 10000, 1), "/proc/sysvipc/shm lists it");
	TL_CHECK(in_child(child_sees_two, p) == 0 && strcmp(p, "from child") == 0,
		 "a forked child is attached too (nattch 2) and shares the pages");
	TL_CHECK(nattch(id) == 1, "the child's exit detached it");
	ds.shm_perm.mode = 0640;
	TL_CHECK(shmctl(id, IPC_SET, &ds) == 0 && shmctl(id, IPC_STAT, &ds) == 0 &&
		 (ds.shm_perm.mode & 0777) == 0640, "IPC_SET changes the mode");
	q = shmat(id, NULL, SHM_RDONLY);
	TL_CHECK(q != (void *)-1 && nattch(id) == 2 && strcmp(q, "from child") == 0,
		 "a second, read-only attachment");
	TL_CHECK(in_child(write_readonly, q) == 128 + SIGSEGV, "a store there is SIGSEGV");
	TL_CHECK(shmdt(q) == 0 && nattch(id) == 1, "shmdt of it");
	TL_CHECK(shmdt(p + PAGE) == -1 && errno == EINVAL, "shmdt not at an attachment: EINVAL");
	TL_CHECK(shmctl(id, IPC_RMID, NULL) == 0 && shmctl(id, IPC_STAT, &ds) == 0 &&
		 (ds.shm_perm.mode & SHM_DEST) && ds.shm_perm.__key == IPC_PRIVATE,
		 "IPC_RMID while attached: marked SHM_DEST, key gone");
	strcpy(p, "alive");
	TL_CHECK(strcmp(p, "alive") == 0, "the attachment still works");
	TL_CHECK(shmdt(p) == 0 && shmctl(id, IPC_STAT, &ds) == -1 && errno == EINVAL,
		 "the last shmdt destroys it");

	/* keys */
	id = shmget(key, PAGE, IPC_CREAT | IPC_EXCL | 0600);
	TL_CHECK(id >= 0, "shmget of a new key");
	TL_CHECK(shmget(key, PAGE, IPC_CREAT | IPC_EXCL | 0600) == -1 && errno == EEXIST,
		 "IPC_CREAT | IPC_EXCL of an existing key: EEXIST");
	TL_CHECK(shmget(key, 100, 0) == id, "the key finds the segment");
	TL_CHECK(shmget(key, 2 * PAGE, 0) == -1 && errno == EINVAL, "larger than it: EINVAL");
	TL_CHECK(shmget(key + 1, PAGE, 0) == -1 && errno == ENOENT, "a key that is not there: ENOENT");
	TL_CHECK(shmget(IPC_PRIVATE, 0, IPC_CREAT | 0600) == -1 && errno == EINVAL,
		 "size 0: EINVAL");
	TL_CHECK(shmat(id, (void *)(PAGE * 4096L + 1), 0) == (void *)-1 && errno == EINVAL,
		 "shmat at an unaligned address: EINVAL");
	TL_CHECK(shmctl(id, IPC_RMID, NULL) == 0 && shmat(id, NULL, 0) == (void *)-1 &&
		 errno == EINVAL, "IPC_RMID without attachments removes it at once");
	TL_CHECK(shmctl(-1, IPC_STAT, &ds) == -1 && errno == EINVAL, "a bad id: EINVAL");
}

static void dev_zero(void)
{
	int fd = open("/dev/zero", O_RDWR);
	char *priv, *shared, *anon;

	TL_CHECK(fd >= 0, "open /dev/zero");
	priv = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	shared = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	anon = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	close(fd);
	TL_CHECK(priv != MAP_FAILED && shared != MAP_FAILED && anon != MAP_FAILED,
		 "map /dev/zero private and shared");
	if (priv == MAP_FAILED || shared == MAP_FAILED || anon == MAP_FAILED)
		return;
	TL_CHECK(priv[0] == 0 && shared[100] == 0, "both read as zeros");
	strcpy(priv, "mine");
	TL_CHECK(in_child(write_child, priv) == 0 && strcmp(priv, "mine") == 0,
		 "private: a child's store stays the child's");
	TL_CHECK(in_child(write_child, shared) == 0 && strcmp(shared, "child") == 0,
		 "shared: a child's store shows in the parent");
	TL_CHECK(mapped_as(shared, "/dev/zero (deleted)") && mapped_as(anon, "/dev/zero (deleted)"),
		 "shared /dev/zero and shared anonymous memory: /dev/zero (deleted) in maps");
	TL_CHECK(mapped_as(priv, "/dev/zero") && !mapped_as(priv, "(deleted)"),
		 "private /dev/zero: named /dev/zero in maps, as Linux");
	munmap(priv, PAGE);
	munmap(shared, PAGE);
	munmap(anon, PAGE);
}

int main(void)
{
	long before;

	printf("dyn_shm: POSIX and System V shared memory, /dev/zero\n");
	posix_shm();			/* warm-up */
	sysv_shm();
	dev_zero();
	before = tl_frames_free();
	posix_shm();
	sysv_shm();
	dev_zero();
	tl_check_no_leak(before);
	return tl_done();
}
