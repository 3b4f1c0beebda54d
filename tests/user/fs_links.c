/*
 * fs_links: the everyday file calls on /tmp behave as Linux's. Symbolic
 * links are followed by every lookup (relative and absolute targets, links
 * to links, a dangling one is ENOENT, a loop ELOOP, 40 links are followed
 * and the 41st is ELOOP), lstat and readlinkat see the link itself and
 * O_NOFOLLOW refuses it; hard links share one inode whose link count
 * follows; renameat2 moves and replaces, RENAME_NOREPLACE and
 * RENAME_EXCHANGE do what they say, a directory cannot move into itself
 * and nothing moves across file systems; fchmod/fchmodat/fchown/fchownat
 * change what stat shows; utimensat sets atime and mtime (UTIME_NOW,
 * UTIME_OMIT) and moves ctime, and a write moves mtime; statfs and fstatfs
 * describe the file system; fsync and fdatasync succeed on files and fail
 * on pipes; sendfile copies between files and into a pipe, with and
 * without an offset. No frame is leaked.
 */
#define _GNU_SOURCE
#include "tlib.h"
#include <errno.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>

#define DIR_PATH	"/tmp/fs_links"
#define TMPFS_MAGIC	0x01021994
#define PROC_MAGIC	0x9fa0

static char big[3 * 4096 + 123];	/* sendfile's data, touched before the leak check */

static int write_file(const char *path, const char *data)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, data, strlen(data));
	close(fd);
	return n == (ssize_t)strlen(data) ? 0 : -1;
}

/* The file's first bytes as a string ("" if it cannot be read). */
static const char *read_file(const char *path)
{
	static char buf[64];
	int fd = open(path, O_RDONLY);
	ssize_t n = fd < 0 ? 0 : read(fd, buf, sizeof(buf) - 1);

	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = 0;
	return buf;
}

static void symlinks(void)
{
	struct stat st, lst;
	char buf[64], name[64], target[64];
	ssize_t n;
	int fd;

	TL_CHECK(write_file(DIR_PATH "/data", "hello") == 0, "a file to link to");
	TL_CHECK(symlink("data", DIR_PATH "/rel") == 0, "symlink with a relative target");
	TL_CHECK(symlink(DIR_PATH "/data", DIR_PATH "/abs") == 0, "symlink with an absolute target");
	TL_CHECK(symlink("rel", DIR_PATH "/chain") == 0, "a link to a link");
	TL_CHECK(strcmp(read_file(DIR_PATH "/rel"), "hello") == 0 &&
		 strcmp(read_file(DIR_PATH "/abs"), "hello") == 0 &&
		 strcmp(read_file(DIR_PATH "/chain"), "hello") == 0,
		 "opening through each link reads the file");
	TL_CHECK(stat(DIR_PATH "/chain", &st) == 0 && lstat(DIR_PATH "/chain", &lst) == 0 &&
		 S_ISREG(st.st_mode) && S_ISLNK(lst.st_mode) && lst.st_size == 3,
		 "stat follows the link, lstat sees it (size = target length)");
	n = readlink(DIR_PATH "/abs", buf, sizeof(buf));
	TL_CHECK(n == (ssize_t)strlen(DIR_PATH "/data") && memcmp(buf, DIR_PATH "/data", n) == 0,
		 "readlink gives the target, unterminated");
	n = readlink(DIR_PATH "/abs", buf, 4);
	TL_CHECK(n == 4, "readlink truncates to the buffer");
	TL_CHECK(readlink(DIR_PATH "/data", buf, sizeof(buf)) < 0 && errno == EINVAL,
		 "readlink of a file that is not a link is EINVAL");
	fd = open(DIR_PATH "/rel", O_RDONLY | O_NOFOLLOW);
	TL_CHECK(fd < 0 && errno == ELOOP, "O_NOFOLLOW refuses a link with ELOOP");
	TL_CHECK(symlink("nowhere", DIR_PATH "/dangling") == 0 &&
		 open(DIR_PATH "/dangling", O_RDONLY) < 0 && errno == ENOENT,
		 "a dangling link is ENOENT");
	TL_CHECK(symlink("x", DIR_PATH "/rel") < 0 && errno == EEXIST, "symlink over a name is EEXIST");
	TL_CHECK(symlink("loop2", DIR_PATH "/loop1") == 0 && symlink("loop1", DIR_PATH "/loop2") == 0 &&
		 open(DIR_PATH "/loop1", O_RDONLY) < 0 && errno == ELOOP, "a loop is ELOOP");
	TL_CHECK(mkdir(DIR_PATH "/sub", 0755) == 0 && symlink("sub", DIR_PATH "/sublink") == 0 &&
		 write_file(DIR_PATH "/sublink/f", "in sub") == 0 &&
		 strcmp(read_file(DIR_PATH "/sub/f"), "in sub") == 0,
		 "a link to a directory is walked through in the middle of a path");
	/* l0 -> data, l1 -> l0, ... l40 -> l39: 40 links followed, 41 too many */
	TL_CHECK(symlink("data", DIR_PATH "/l0") == 0, "l0");
	for (int i = 1; i <= 40; i++) {
		snprintf(name, sizeof(name), DIR_PATH "/l%d", i);
		snprintf(target, sizeof(target), "l%d", i - 1);
		if (symlink(target, name) < 0)
			break;
	}
	TL_CHECK(strcmp(read_file(DIR_PATH "/l39"), "hello") == 0, "40 links in a row are followed");
	TL_CHECK(open(DIR_PATH "/l40", O_RDONLY) < 0 && errno == ELOOP, "41 are ELOOP");
	for (int i = 0; i <= 40; i++) {
		snprintf(name, sizeof(name), DIR_PATH "/l%d", i);
		unlink(name);
	}
	TL_CHECK(unlink(DIR_PATH "/chain") == 0 && stat(DIR_PATH "/rel", &st) == 0,
		 "unlink removes the link, not its target");
	unlink(DIR_PATH "/rel");
	unlink(DIR_PATH "/abs");
	unlink(DIR_PATH "/dangling");
	unlink(DIR_PATH "/loop1");
	unlink(DIR_PATH "/loop2");
	unlink(DIR_PATH "/sublink");
	unlink(DIR_PATH "/sub/f");
	rmdir(DIR_PATH "/sub");
}

static void hard_links(void)
{
	struct stat a, b;

	TL_CHECK(link(DIR_PATH "/data", DIR_PATH "/hard") == 0, "link makes a second name");
	TL_CHECK(stat(DIR_PATH "/data", &a) == 0 && stat(DIR_PATH "/hard", &b) == 0 &&
		 a.st_ino == b.st_ino && a.st_nlink == 2, "both names are one inode, nlink 2");
	TL_CHECK(unlink(DIR_PATH "/data") == 0 && stat(DIR_PATH "/hard", &b) == 0 &&
		 b.st_nlink == 1 && strcmp(read_file(DIR_PATH "/hard"), "hello") == 0,
		 "unlinking one name keeps the data under the other, nlink 1");
	TL_CHECK(link(DIR_PATH "/hard", DIR_PATH "/hard") < 0 && errno == EEXIST,
		 "link to an existing name is EEXIST");
	TL_CHECK(link(DIR_PATH, DIR_PATH "/dirlink") < 0 && errno == EPERM,
		 "a directory cannot be hard-linked (EPERM)");
	TL_CHECK(link("/proc/self/status", DIR_PATH "/x") < 0 && errno == EXDEV,
		 "a link across file systems is EXDEV");
	TL_CHECK(rename(DIR_PATH "/hard", DIR_PATH "/data") == 0, "rename back to data");
}

static void renames(void)
{
	struct stat st;

	TL_CHECK(write_file(DIR_PATH "/a", "A") == 0 && write_file(DIR_PATH "/b", "B") == 0,
		 "files a and b");
	TL_CHECK(renameat2(AT_FDCWD, DIR_PATH "/a", AT_FDCWD, DIR_PATH "/b", RENAME_NOREPLACE) < 0 &&
		 errno == EEXIST, "RENAME_NOREPLACE onto an existing name is EEXIST");
	TL_CHECK(renameat2(AT_FDCWD, DIR_PATH "/a", AT_FDCWD, DIR_PATH "/b", RENAME_EXCHANGE) == 0 &&
		 strcmp(read_file(DIR_PATH "/a"), "B") == 0 &&
		 strcmp(read_file(DIR_PATH "/b"), "A") == 0, "RENAME_EXCHANGE swaps the two");
	TL_CHECK(renameat2(AT_FDCWD, DIR_PATH "/a", AT_FDCWD, DIR_PATH "/none", RENAME_EXCHANGE) < 0 &&
		 errno == ENOENT, "RENAME_EXCHANGE with a missing name is ENOENT");
	TL_CHECK(renameat2(AT_FDCWD, DIR_PATH "/a", AT_FDCWD, DIR_PATH "/b",
			   RENAME_EXCHANGE | RENAME_NOREPLACE) < 0 && errno == EINVAL,
		 "both flags at once is EINVAL");
	TL_CHECK(rename(DIR_PATH "/a", DIR_PATH "/b") == 0 &&
		 strcmp(read_file(DIR_PATH "/b"), "B") == 0 && stat(DIR_PATH "/a", &st) < 0,
		 "rename replaces the target");
	TL_CHECK(mkdir(DIR_PATH "/d1", 0755) == 0 && mkdir(DIR_PATH "/d1/d2", 0755) == 0,
		 "directories d1/d2");
	TL_CHECK(rename(DIR_PATH "/d1", DIR_PATH "/d1/d2/d3") < 0 && errno == EINVAL,
		 "a directory cannot move into itself (EINVAL)");
	TL_CHECK(rename(DIR_PATH "/b", DIR_PATH "/d1/b") == 0 &&
		 strcmp(read_file(DIR_PATH "/d1/b"), "B") == 0, "a file moves between directories");
	TL_CHECK(rename(DIR_PATH "/d1/d2", DIR_PATH "/d2") == 0 && stat(DIR_PATH "/d2", &st) == 0 &&
		 S_ISDIR(st.st_mode), "a directory moves up");
	TL_CHECK(rename(DIR_PATH "/d1/b", DIR_PATH "/d2") < 0 && errno == EISDIR,
		 "a file onto a directory is EISDIR");
	TL_CHECK(rename(DIR_PATH "/d2", DIR_PATH "/d1/b") < 0 && errno == ENOTDIR,
		 "a directory onto a file is ENOTDIR");
	TL_CHECK(rename(DIR_PATH "/d2", DIR_PATH "/d1") < 0 && errno == ENOTEMPTY,
		 "a directory onto a non-empty one is ENOTEMPTY");
	TL_CHECK(rename(DIR_PATH "/d1/b", "/proc/b") < 0 && errno == EXDEV,
		 "a rename across file systems is EXDEV");
	TL_CHECK(rename(DIR_PATH "/d1/b", DIR_PATH "/d1/b") == 0, "a rename onto itself does nothing");
	unlink(DIR_PATH "/d1/b");
	rmdir(DIR_PATH "/d1");
	rmdir(DIR_PATH "/d2");
}

static void attributes(void)
{
	struct timespec ts[2];
	struct stat st, st2;
	int fd = open(DIR_PATH "/data", O_RDWR);

	TL_CHECK(fchmod(fd, 0600) == 0 && fstat(fd, &st) == 0 && (st.st_mode & 07777) == 0600 &&
		 S_ISREG(st.st_mode), "fchmod sets the permission bits");
	TL_CHECK(fchmodat(AT_FDCWD, DIR_PATH "/data", 04755, 0) == 0 &&
		 stat(DIR_PATH "/data", &st) == 0 && (st.st_mode & 07777) == 04755,
		 "fchmodat too, setuid bit included");
	if (geteuid() == 0) {
		TL_CHECK(fchown(fd, 1000, 100) == 0 && fstat(fd, &st) == 0 && st.st_uid == 1000 &&
			 st.st_gid == 100, "root fchowns to 1000:100");
		TL_CHECK((st.st_mode & 04000) == 0, "chown drops the setuid bit");
		TL_CHECK(fchownat(AT_FDCWD, DIR_PATH "/data", -1, 0, 0) == 0 &&
			 stat(DIR_PATH "/data", &st) == 0 && st.st_uid == 1000 && st.st_gid == 0,
			 "fchownat with -1 keeps the owner");
		TL_CHECK(chown(DIR_PATH "/data", 0, 0) == 0, "back to root");
	}
	ts[0] = (struct timespec){ 1000, 500 };
	ts[1] = (struct timespec){ 2000, 700 };
	TL_CHECK(utimensat(AT_FDCWD, DIR_PATH "/data", ts, 0) == 0 &&
		 stat(DIR_PATH "/data", &st) == 0 && st.st_atim.tv_sec == 1000 &&
		 st.st_atim.tv_nsec == 500 && st.st_mtim.tv_sec == 2000 &&
		 st.st_mtim.tv_nsec == 700, "utimensat sets atime and mtime to the nanosecond");
	TL_CHECK(st.st_ctim.tv_sec > 2000 || st.st_ctim.tv_nsec != 0, "ctime is now, not what was set");
	ts[0] = (struct timespec){ 0, UTIME_OMIT };
	ts[1] = (struct timespec){ 0, UTIME_NOW };
	TL_CHECK(futimens(fd, ts) == 0 && fstat(fd, &st2) == 0 && st2.st_atim.tv_sec == 1000 &&
		 st2.st_mtim.tv_sec != 2000, "UTIME_OMIT keeps atime, UTIME_NOW moves mtime");
	ts[0] = (struct timespec){ 0, 1000000000 };
	TL_CHECK(futimens(fd, ts) < 0 && errno == EINVAL, "a bad nanosecond count is EINVAL");
	ts[0] = (struct timespec){ 5, 0 };
	ts[1] = (struct timespec){ 5, 0 };
	futimens(fd, ts);
	TL_CHECK(write(fd, "x", 1) == 1 && fstat(fd, &st) == 0 && st.st_mtim.tv_sec != 5,
		 "a write moves mtime");
	TL_CHECK(fsync(fd) == 0 && fdatasync(fd) == 0, "fsync and fdatasync of a file succeed");
	close(fd);
}

static void statfs_checks(void)
{
	struct statfs sf;
	int fds[2];
	int fd = open(DIR_PATH "/data", O_RDONLY);

	TL_CHECK(statfs(DIR_PATH, &sf) == 0 && sf.f_bsize > 0 && sf.f_namelen == 255 &&
		 sf.f_blocks > 0, "statfs of /tmp: block size, blocks, names up to 255");
	if (tl_on_kilburn())
		TL_CHECK(sf.f_type == TMPFS_MAGIC, "/tmp is a tmpfs");
	TL_CHECK(fstatfs(fd, &sf) == 0 && sf.f_bsize > 0, "fstatfs of a file on it");
	TL_CHECK(statfs("/proc", &sf) == 0 && sf.f_type == PROC_MAGIC, "/proc says PROC_SUPER_MAGIC");
	TL_CHECK(statfs(DIR_PATH "/none", &sf) < 0 && errno == ENOENT, "statfs of nothing is ENOENT");
	TL_CHECK(pipe(fds) == 0 && fsync(fds[0]) < 0 && errno == EINVAL, "fsync of a pipe is EINVAL");
	TL_CHECK(fsync(999) < 0 && errno == EBADF, "fsync of a bad descriptor is EBADF");
	close(fds[0]);
	close(fds[1]);
	close(fd);
}

static void sendfile_checks(void)
{
	int in, out, fds[2];
	off_t off = 100;
	static char back[sizeof(big)];
	ssize_t n;

	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (char)(i * 7 + 1);
	in = open(DIR_PATH "/big", O_RDWR | O_CREAT | O_TRUNC, 0644);
	TL_CHECK(write(in, big, sizeof(big)) == (ssize_t)sizeof(big), "a 12 KiB file");
	lseek(in, 0, SEEK_SET);
	out = open(DIR_PATH "/copy", O_RDWR | O_CREAT | O_TRUNC, 0644);
	n = sendfile(out, in, NULL, sizeof(big) + 50);
	TL_CHECK(n == (ssize_t)sizeof(big), "sendfile copies the whole file (stops at its end)");
	TL_CHECK(lseek(in, 0, SEEK_CUR) == (off_t)sizeof(big), "and moves the input offset");
	TL_CHECK(pread(out, back, sizeof(back), 0) == (ssize_t)sizeof(big) &&
		 memcmp(back, big, sizeof(big)) == 0, "the copy is exact");
	TL_CHECK(pipe(fds) == 0, "a pipe");
	n = sendfile(fds[1], in, &off, 1000);
	TL_CHECK(n == 1000 && off == 1100 && lseek(in, 0, SEEK_CUR) == (off_t)sizeof(big),
		 "with an offset: it advances the offset, not the file's");
	TL_CHECK(read(fds[0], back, sizeof(back)) == 1000 && memcmp(back, big + 100, 1000) == 0,
		 "the pipe gets those bytes");
	TL_CHECK(sendfile(out, fds[0], NULL, 10) < 0 && errno == EINVAL,
		 "sendfile from a pipe is EINVAL");
	TL_CHECK(sendfile(999, in, NULL, 10) < 0 && errno == EBADF, "a bad descriptor is EBADF");
	close(fds[0]);
	close(fds[1]);
	close(in);
	close(out);
	unlink(DIR_PATH "/big");
	unlink(DIR_PATH "/copy");
}

static void all(void)
{
	symlinks();
	hard_links();
	renames();
	attributes();
	statfs_checks();
	sendfile_checks();
}

int main(void)
{
	long before;

	printf("fs_links: links, renames, attributes, statfs, sync and sendfile, as Linux's\n");
	mkdir(DIR_PATH, 0755);
	memset(big, 1, sizeof(big));
	all();				/* warm-up */
	unlink(DIR_PATH "/data");
	before = tl_frames_free();
	all();
	unlink(DIR_PATH "/data");
	tl_check_no_leak(before);
	TL_CHECK(rmdir(DIR_PATH) == 0, "the test's directory is empty at the end");
	return tl_done();
}
