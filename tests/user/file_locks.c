/*
 * file_locks: fcntl record locks between processes, as Linux keeps them.
 * A child sees the parent's write lock (F_GETLK names the parent and the
 * range) and cannot take an overlapping lock (EAGAIN) but can take the
 * bytes next to it; unlocking the middle of a lock splits it in two, a
 * read lock set inside a write lock downgrades just that range, touching
 * read locks merge into one; closing any descriptor of the file drops all
 * of the process's POSIX locks on it; F_SETLKW waits until the holder
 * unlocks, fails with EDEADLK when two processes would wait on each other,
 * and with EINTR when a signal without SA_RESTART comes. OFD locks belong
 * to the open file description: two opens in one process conflict, a dup
 * shares, the last close drops them, and they conflict with POSIX locks.
 * SQLite's locking protocol (pending, reserved and shared bytes at 1 GiB)
 * runs between a reader and a writer on a database file in /tmp. Bad
 * requests fail as Linux's. No frame is leaked.
 */
#define _GNU_SOURCE
#include "tlib.h"
#include "vmtest.h"
#include <errno.h>
#include <signal.h>
#include <sys/wait.h>

#define FILE_PATH	"/tmp/file_locks.db"
#define PENDING		0x40000000L	/* SQLite's lock bytes */
#define RESERVED	(PENDING + 1)
#define SHARED_FIRST	(PENDING + 2)
#define SHARED_SIZE	510

static int to_child[2], to_parent[2];
static char page[4096];		/* written before the leak check begins */

/* fcntl record-lock command cmd on fd; 0 or the errno. */
static int lk(int fd, int cmd, int type, off_t start, off_t len)
{
	struct flock fl = { .l_type = type, .l_whence = SEEK_SET,
			    .l_start = start, .l_len = len };

	return fcntl(fd, cmd, &fl) == 0 ? 0 : errno;
}

/* F_GETLK for (type, start, len): fills *out; returns 0 or the errno. */
static int getlk(int fd, int cmd, int type, off_t start, off_t len,
		 struct flock *out)
{
	*out = (struct flock){ .l_type = type, .l_whence = SEEK_SET,
			       .l_start = start, .l_len = len };
	return fcntl(fd, cmd, out) == 0 ? 0 : errno;
}

static void say(int fd, char c)
{
	if (write(fd, &c, 1) != 1)
		printf("note: pipe write failed\n");
}

static char hear(int fd)
{
	char c = 0;

	if (read(fd, &c, 1) != 1)
		return 0;
	return c;
}

/* Run fn in a child that talks over to_child / to_parent; 1 if it ended well. */
static int with_child(int (*fn)(void *), void (*parent)(pid_t))
{
	pid_t pid;
	int status;

	tl_counts();
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		tl_failed_here = 0;
		int code = fn(NULL);

		fflush(stdout);
		_exit(code);
	}
	if (pid < 0)
		return 0;
	parent(pid);
	status = vt_wait(pid, 20);
	return vt_exited_ok(status);
}

/* ---- the child sees the parent's locks */

static int see_child(void *arg)
{
	int fd = open(FILE_PATH, O_RDWR);
	struct flock fl;

	(void)arg;
	hear(to_child[0]);		/* parent: write lock [0, 10) */
	TL_CHECK(getlk(fd, F_GETLK, F_RDLCK, 5, 1, &fl) == 0 &&
		 fl.l_type == F_WRLCK && fl.l_start == 0 && fl.l_len == 10 &&
		 fl.l_pid == getppid() && fl.l_whence == SEEK_SET,
		 "F_GETLK names the parent's write lock [0, 10)");
	int e = lk(fd, F_SETLK, F_RDLCK, 5, 1);
	TL_CHECK(e == EAGAIN || e == EACCES, "an overlapping F_SETLK fails with EAGAIN");
	TL_CHECK(lk(fd, F_SETLK, F_WRLCK, 10, 10) == 0, "the bytes next to it can be locked");
	TL_CHECK(lk(fd, F_SETLK, F_UNLCK, 10, 10) == 0, "and unlocked");
	say(to_parent[1], 'a');

	hear(to_child[0]);		/* parent: [0, 100) with [40, 60) unlocked */
	TL_CHECK(getlk(fd, F_GETLK, F_WRLCK, 45, 10, &fl) == 0 && fl.l_type == F_UNLCK,
		 "unlocking the middle of a lock frees the middle");
	TL_CHECK(getlk(fd, F_GETLK, F_WRLCK, 30, 20, &fl) == 0 &&
		 fl.l_start == 0 && fl.l_len == 40, "the left piece is [0, 40)");
	TL_CHECK(getlk(fd, F_GETLK, F_WRLCK, 55, 20, &fl) == 0 &&
		 fl.l_start == 60 && fl.l_len == 40, "the right piece is [60, 100)");
	say(to_parent[1], 'b');

	hear(to_child[0]);		/* parent: write [0, 100), read [20, 30) */
	TL_CHECK(lk(fd, F_SETLK, F_RDLCK, 20, 10) == 0,
		 "a read lock set inside a write lock lets others read-lock that range");
	e = lk(fd, F_SETLK, F_RDLCK, 19, 2);
	TL_CHECK(e == EAGAIN || e == EACCES, "but not the write-locked bytes beside it");
	TL_CHECK(getlk(fd, F_GETLK, F_WRLCK, 25, 1, &fl) == 0 && fl.l_type == F_RDLCK &&
		 fl.l_start == 20 && fl.l_len == 10, "F_GETLK shows the read lock [20, 30)");
	lk(fd, F_SETLK, F_UNLCK, 0, 0);
	say(to_parent[1], 'c');

	hear(to_child[0]);		/* parent: read [0, 10) + [10, 20) + [20, 30) to EOF */
	TL_CHECK(getlk(fd, F_GETLK, F_WRLCK, 0, 0, &fl) == 0 && fl.l_type == F_RDLCK &&
		 fl.l_start == 0 && fl.l_len == 0,
		 "touching read locks merge into one, to the end of the file");
	say(to_parent[1], 'd');

	hear(to_child[0]);		/* parent closed another descriptor of the file */
	TL_CHECK(lk(fd, F_SETLK, F_WRLCK, 0, 0) == 0,
		 "closing any descriptor of the file dropped all the parent's locks");
	lk(fd, F_SETLK, F_UNLCK, 0, 0);
	close(fd);
	say(to_parent[1], 'e');
	return tl_failed_here;
}

static void see_parent(pid_t child)
{
	int fd = open(FILE_PATH, O_RDWR), fd2;
	struct flock fl;

	(void)child;
	TL_CHECK(lk(fd, F_SETLK, F_WRLCK, 0, 10) == 0, "the parent write-locks [0, 10)");
	TL_CHECK(getlk(fd, F_GETLK, F_WRLCK, 0, 10, &fl) == 0 && fl.l_type == F_UNLCK,
		 "a process's own locks never conflict with it");
	say(to_child[1], '1');
	hear(to_parent[0]);

	lk(fd, F_SETLK, F_WRLCK, 0, 100);
	TL_CHECK(lk(fd, F_SETLK, F_UNLCK, 40, 20) == 0, "unlock [40, 60) of [0, 100)");
	say(to_child[1], '2');
	hear(to_parent[0]);

	lk(fd, F_SETLK, F_WRLCK, 0, 100);
	TL_CHECK(lk(fd, F_SETLK, F_RDLCK, 20, 10) == 0, "downgrade [20, 30) to a read lock");
	say(to_child[1], '3');
	hear(to_parent[0]);

	lk(fd, F_SETLK, F_UNLCK, 0, 0);
	TL_CHECK(lk(fd, F_SETLK, F_RDLCK, 0, 10) == 0 && lk(fd, F_SETLK, F_RDLCK, 10, 10) == 0 &&
		 lk(fd, F_SETLK, F_RDLCK, 20, 0) == 0, "three touching read locks");
	say(to_child[1], '4');
	hear(to_parent[0]);

	fd2 = open(FILE_PATH, O_RDONLY);
	close(fd2);
	say(to_child[1], '5');
	hear(to_parent[0]);
	close(fd);
}

/* ---- F_SETLKW waits, detects deadlocks, is interrupted */

static int wait_child(void *arg)
{
	int fd = open(FILE_PATH, O_RDWR);

	(void)arg;
	hear(to_child[0]);		/* parent holds [0, 1) */
	say(to_parent[1], 'w');
	TL_CHECK(lk(fd, F_SETLKW, F_WRLCK, 0, 1) == 0, "F_SETLKW gets the lock once it is free");
	say(to_parent[1], 'g');
	hear(to_child[0]);
	lk(fd, F_SETLK, F_UNLCK, 0, 0);

	/* deadlock: the child holds [1, 2) and waits for the parent's [0, 1) */
	TL_CHECK(lk(fd, F_SETLK, F_WRLCK, 1, 1) == 0, "the child locks [1, 2)");
	say(to_parent[1], 'h');
	hear(to_child[0]);		/* parent holds [0, 1) */
	say(to_parent[1], 'w');
	TL_CHECK(lk(fd, F_SETLKW, F_WRLCK, 0, 1) == 0,
		 "the waiter gets [0, 1) once the other gives it up");
	lk(fd, F_SETLK, F_UNLCK, 0, 0);
	say(to_parent[1], 'e');

	/* the child holds a lock while the parent waits; then it signals it */
	hear(to_child[0]);
	TL_CHECK(lk(fd, F_SETLK, F_WRLCK, 0, 0) == 0, "the child write-locks the file");
	say(to_parent[1], 'l');
	usleep(200 * 1000);		/* the parent is waiting by now */
	kill(getppid(), SIGUSR1);
	hear(to_child[0]);
	close(fd);
	return tl_failed_here;
}

static void on_usr1(int sig)
{
	(void)sig;
}

/* Does fd have a byte to read within ms milliseconds? (polls a nonblocking pipe) */
static int arrives_within(int fd, int ms)
{
	int flags = fcntl(fd, F_GETFL);
	char c;
	int got = 0;

	fcntl(fd, F_SETFL, flags | O_NONBLOCK);
	for (int t = 0; t < ms && !got; t += 10) {
		if (read(fd, &c, 1) == 1)
			got = 1;
		else
			usleep(10 * 1000);
	}
	fcntl(fd, F_SETFL, flags);
	return got;
}

static void wait_parent(pid_t child)
{
	int fd = open(FILE_PATH, O_RDWR);
	struct sigaction sa;

	(void)child;
	lk(fd, F_SETLK, F_WRLCK, 0, 1);
	say(to_child[1], '1');
	hear(to_parent[0]);		/* the child is about to wait */
	TL_CHECK(!arrives_within(to_parent[0], 200), "F_SETLKW waits while the lock is held");
	lk(fd, F_SETLK, F_UNLCK, 0, 1);
	TL_CHECK(arrives_within(to_parent[0], 5000), "and returns when it is unlocked");
	say(to_child[1], '2');

	hear(to_parent[0]);		/* the child holds [1, 2) */
	lk(fd, F_SETLK, F_WRLCK, 0, 1);
	say(to_child[1], '3');
	hear(to_parent[0]);		/* the child is about to wait for [0, 1) */
	usleep(200 * 1000);
	TL_CHECK(lk(fd, F_SETLKW, F_WRLCK, 1, 1) == EDEADLK,
		 "waiting for a lock of a process that waits for ours is EDEADLK");
	lk(fd, F_SETLK, F_UNLCK, 0, 1);
	TL_CHECK(hear(to_parent[0]) == 'e', "the other waiter went on");

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;	/* no SA_RESTART */
	sigaction(SIGUSR1, &sa, NULL);
	say(to_child[1], '4');
	hear(to_parent[0]);
	TL_CHECK(lk(fd, F_SETLKW, F_WRLCK, 0, 1) == EINTR,
		 "a signal without SA_RESTART ends F_SETLKW with EINTR");
	say(to_child[1], '5');
	close(fd);
	signal(SIGUSR1, SIG_DFL);
}

/* ---- OFD locks in one process, errors */

static void ofd_checks(void)
{
	int a = open(FILE_PATH, O_RDWR), b = open(FILE_PATH, O_RDWR), c, ro;
	struct flock fl;

	TL_CHECK(lk(a, F_OFD_SETLK, F_WRLCK, 0, 10) == 0, "an OFD write lock on one open");
	int e = lk(b, F_OFD_SETLK, F_RDLCK, 5, 1);
	TL_CHECK(e == EAGAIN, "conflicts with an OFD lock of another open in the same process");
	TL_CHECK(getlk(b, F_OFD_GETLK, F_RDLCK, 0, 1, &fl) == 0 && fl.l_type == F_WRLCK &&
		 fl.l_pid == -1 && fl.l_len == 10, "F_OFD_GETLK shows it with l_pid -1");
	e = lk(b, F_SETLK, F_RDLCK, 0, 1);
	TL_CHECK(e == EAGAIN, "a POSIX lock conflicts with an OFD lock");
	c = dup(a);
	close(c);
	e = lk(b, F_OFD_SETLK, F_WRLCK, 0, 1);
	TL_CHECK(e == EAGAIN, "closing a dup of the description keeps its OFD lock");
	close(a);
	TL_CHECK(lk(b, F_OFD_SETLK, F_WRLCK, 0, 1) == 0, "closing its last descriptor drops it");
	TL_CHECK(lk(b, F_OFD_SETLK, F_UNLCK, 0, 0) == 0, "OFD unlock");

	fl = (struct flock){ .l_type = F_WRLCK, .l_pid = 1 };
	TL_CHECK(fcntl(b, F_OFD_SETLK, &fl) < 0 && errno == EINVAL, "OFD with l_pid set is EINVAL");
	ro = open(FILE_PATH, O_RDONLY);
	TL_CHECK(lk(ro, F_SETLK, F_WRLCK, 0, 1) == EBADF, "a write lock on a read-only open is EBADF");
	TL_CHECK(lk(ro, F_SETLK, F_RDLCK, 0, 1) == 0, "a read lock on it is fine");
	TL_CHECK(lk(ro, F_SETLK, 7, 0, 1) == EINVAL, "an unknown l_type is EINVAL");
	TL_CHECK(lk(ro, F_SETLK, F_RDLCK, -5, 1) == EINVAL, "a negative start is EINVAL");
	fl = (struct flock){ .l_type = F_RDLCK, .l_whence = 9 };
	TL_CHECK(fcntl(ro, F_SETLK, &fl) < 0 && errno == EINVAL, "an unknown l_whence is EINVAL");
	fl = (struct flock){ .l_type = F_RDLCK, .l_whence = SEEK_END, .l_start = -4, .l_len = 2 };
	TL_CHECK(fcntl(ro, F_SETLK, &fl) == 0, "SEEK_END ranges count from the size");
	TL_CHECK(fcntl(ro, F_SETLK, (void *)8) < 0 && errno == EFAULT, "a bad pointer is EFAULT");
	close(ro);
	close(b);
}

/* ---- SQLite's protocol: a reader holds SHARED, the writer waits for EXCLUSIVE */

static int sqlite_reader(void *arg)
{
	int fd = open(FILE_PATH, O_RDWR | O_CREAT | O_CLOEXEC, 0644);

	(void)arg;
	/* SHARED: read-lock PENDING, read-lock the shared range, drop PENDING */
	TL_CHECK(lk(fd, F_SETLK, F_RDLCK, PENDING, 1) == 0 &&
		 lk(fd, F_SETLK, F_RDLCK, SHARED_FIRST, SHARED_SIZE) == 0 &&
		 lk(fd, F_SETLK, F_UNLCK, PENDING, 1) == 0, "the reader takes SHARED");
	say(to_parent[1], 's');
	hear(to_child[0]);
	int e = lk(fd, F_SETLK, F_RDLCK, PENDING, 1);

	TL_CHECK(e == EAGAIN, "a new reader is kept out while the writer holds PENDING");
	lk(fd, F_SETLK, F_UNLCK, 0, 0);		/* back to NO LOCK */
	say(to_parent[1], 'u');
	close(fd);
	return tl_failed_here;
}

static void sqlite_writer(pid_t child)
{
	int fd = open(FILE_PATH, O_RDWR | O_CREAT | O_CLOEXEC, 0644);

	(void)child;
	hear(to_parent[0]);
	TL_CHECK(lk(fd, F_SETLK, F_RDLCK, PENDING, 1) == 0 &&
		 lk(fd, F_SETLK, F_RDLCK, SHARED_FIRST, SHARED_SIZE) == 0 &&
		 lk(fd, F_SETLK, F_UNLCK, PENDING, 1) == 0, "the writer takes SHARED too");
	TL_CHECK(lk(fd, F_SETLK, F_WRLCK, RESERVED, 1) == 0, "then RESERVED");
	TL_CHECK(lk(fd, F_SETLK, F_WRLCK, PENDING, 1) == 0, "then PENDING");
	int e = lk(fd, F_SETLK, F_WRLCK, SHARED_FIRST, SHARED_SIZE);
	TL_CHECK(e == EAGAIN, "EXCLUSIVE waits while a reader holds SHARED");
	say(to_child[1], 'x');
	hear(to_parent[0]);
	TL_CHECK(lk(fd, F_SETLK, F_WRLCK, SHARED_FIRST, SHARED_SIZE) == 0,
		 "and is granted once the reader is gone");
	TL_CHECK(pwrite(fd, page, sizeof(page), 0) == (ssize_t)sizeof(page),
		 "the writer writes a page under EXCLUSIVE");
	TL_CHECK(lk(fd, F_SETLK, F_RDLCK, SHARED_FIRST, SHARED_SIZE) == 0 &&
		 lk(fd, F_SETLK, F_UNLCK, PENDING, 2) == 0, "and goes back to SHARED");
	lk(fd, F_SETLK, F_UNLCK, 0, 0);
	close(fd);
}

int main(void)
{
	long before;
	int fd;
	char buf[100];

	printf("file_locks: fcntl record locks between processes, as Linux's\n");
	if (pipe(to_child) < 0 || pipe(to_parent) < 0)
		return 1;
	fd = open(FILE_PATH, O_RDWR | O_CREAT | O_TRUNC, 0644);
	memset(buf, 'x', sizeof(buf));
	TL_CHECK(fd >= 0 && write(fd, buf, sizeof(buf)) == sizeof(buf), "a 100-byte file in /tmp");
	close(fd);
	memset(page, 'q', sizeof(page));
	ofd_checks();			/* warm-up: the lock code's objects exist */
	before = tl_frames_free();

	TL_CHECK(with_child(see_child, see_parent), "the child that looks at locks ended well");
	TL_CHECK(with_child(wait_child, wait_parent), "the child that waits ended well");
	ofd_checks();
	TL_CHECK(with_child(sqlite_reader, sqlite_writer), "the SQLite-style reader ended well");

	tl_check_no_leak(before);	/* the file still exists, as it did before */
	TL_CHECK(unlink(FILE_PATH) == 0, "the database file is removed");
	return tl_done();
}
