/*
 * fs_names: a name of NAME_MAX (255) bytes and a path of PATH_MAX - 1
 * (4095) bytes work everywhere; one byte more gives ENAMETOOLONG from every
 * call that takes a path, whether the long name is the last component or
 * one in the middle, and creates nothing. getdents64 of a directory full of
 * 255-byte names returns each of them whole. mkdir of anything that exists
 * ("/", "/tmp", "/proc", ".", "..", a file) is EEXIST, and a trailing slash
 * means "a directory" as on Linux.
 *
 * Everything happens in a fresh directory /tmp/fs_names.PID (on Linux /tmp
 * is the host's), removed at the end. Calls Kilburn does not implement
 * (rename, link, symlink, statx, chmod) may give ENOSYS there; on Linux they
 * must give ENAMETOOLONG too.
 */
#define _GNU_SOURCE
#include "tlib.h"
#include <dirent.h>
#include <errno.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#define NAME_LEN_MAX	255
#define PATH_LEN_MAX	4096		/* with the NUL */
#define FULL_N		40		/* 255-byte names in one directory */
#define DEEP_NAME	100		/* name length of the nested directories */

struct kdirent {			/* linux_dirent64 */
	unsigned long long d_ino;
	long long d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

static char base[64];			/* /tmp/fs_names.PID */
static char long_path[PATH_LEN_MAX + 64];
static char name255[NAME_LEN_MAX + 1], name256[NAME_LEN_MAX + 2];
static char mid256[NAME_LEN_MAX + 8];	/* name256 "/f" */
static char full_names[FULL_N][NAME_LEN_MAX + 1];
static char dents[4096];
static char statx_buf[256];
static char cwd_buf[PATH_LEN_MAX];
static char what[160];

/* A name of len bytes, different for each tag, with no '/' and no NUL. */
static void make_name(char *buf, size_t len, int tag)
{
	int n = snprintf(buf, len + 1, "%03d-", tag);

	for (size_t i = n; i < len; i++)
		buf[i] = 'a' + (char)((i * 7 + tag) % 26);
	buf[len] = 0;
}

static int failed_with(long ret, int err)
{
	return ret == -1 && errno == err;
}

#define CHECK_ERRNO(call, err, desc) do {			\
	errno = 0;						\
	long r_ = (long)(call);					\
	snprintf(what, sizeof(what), "%s (got %ld, errno %d)",	\
		 (desc), r_, errno);				\
	TL_CHECK(failed_with(r_, (err)), what);			\
} while (0)

/* A call Kilburn does not have yet: ENAMETOOLONG, or ENOSYS on Kilburn. */
#define CHECK_TOO_LONG_OR_NOSYS(call, desc) do {		\
	errno = 0;						\
	long r_ = (long)(call);					\
	snprintf(what, sizeof(what), "%s (got %ld, errno %d)",	\
		 (desc), r_, errno);				\
	TL_CHECK(failed_with(r_, ENAMETOOLONG) ||		\
		 (tl_on_kilburn() && failed_with(r_, ENOSYS)), what);	\
} while (0)

/* Does path name something (lstat)? */
static int exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

/*
 * Every call that takes a path gives ENAMETOOLONG for bad (a path whose
 * too-long part is `kind`), and nothing named by the first 255 bytes of
 * the long name appears. "file" is an existing regular file in the cwd.
 */
static void check_every_call(const char *bad, const char *kind)
{
	char *argv[] = { "fs_names", NULL }, *envp[] = { NULL };
	char buf[16];
	struct stat st;
	char desc[96];

#define D(call) (snprintf(desc, sizeof(desc), "%s: %s", kind, call), desc)
	CHECK_ERRNO(mkdir(bad, 0755), ENAMETOOLONG, D("mkdir"));
	CHECK_ERRNO(mkdirat(AT_FDCWD, bad, 0755), ENAMETOOLONG, D("mkdirat"));
	CHECK_ERRNO(open(bad, O_RDONLY), ENAMETOOLONG, D("open"));
	CHECK_ERRNO(open(bad, O_WRONLY | O_CREAT, 0644), ENAMETOOLONG, D("open O_CREAT"));
	CHECK_ERRNO(open(bad, O_WRONLY | O_CREAT | O_EXCL, 0644), ENAMETOOLONG,
		    D("open O_CREAT|O_EXCL"));
	CHECK_ERRNO(openat(AT_FDCWD, bad, O_RDONLY | O_DIRECTORY), ENAMETOOLONG,
		    D("openat O_DIRECTORY"));
	CHECK_ERRNO(unlink(bad), ENAMETOOLONG, D("unlink"));
	CHECK_ERRNO(rmdir(bad), ENAMETOOLONG, D("rmdir (unlinkat AT_REMOVEDIR)"));
	CHECK_ERRNO(stat(bad, &st), ENAMETOOLONG, D("stat"));
	CHECK_ERRNO(lstat(bad, &st), ENAMETOOLONG, D("lstat"));
	CHECK_ERRNO(fstatat(AT_FDCWD, bad, &st, 0), ENAMETOOLONG, D("newfstatat"));
	CHECK_ERRNO(access(bad, F_OK), ENAMETOOLONG, D("faccessat"));
	CHECK_ERRNO(chdir(bad), ENAMETOOLONG, D("chdir"));
	CHECK_ERRNO(execve(bad, argv, envp), ENAMETOOLONG, D("execve"));
	CHECK_ERRNO(readlink(bad, buf, sizeof(buf)), ENAMETOOLONG, D("readlinkat"));
	CHECK_TOO_LONG_OR_NOSYS(syscall(SYS_renameat2, AT_FDCWD, bad, AT_FDCWD, "x", 0),
				D("renameat2 from"));
	CHECK_TOO_LONG_OR_NOSYS(syscall(SYS_renameat2, AT_FDCWD, "file", AT_FDCWD, bad, 0),
				D("renameat2 to"));
	CHECK_TOO_LONG_OR_NOSYS(syscall(SYS_linkat, AT_FDCWD, bad, AT_FDCWD, "x", 0),
				D("linkat from"));
	CHECK_TOO_LONG_OR_NOSYS(syscall(SYS_linkat, AT_FDCWD, "file", AT_FDCWD, bad, 0),
				D("linkat to"));
	CHECK_TOO_LONG_OR_NOSYS(syscall(SYS_symlinkat, "file", AT_FDCWD, bad),
				D("symlinkat"));
	CHECK_TOO_LONG_OR_NOSYS(syscall(SYS_fchmodat, AT_FDCWD, bad, 0644),
				D("fchmodat"));
	CHECK_TOO_LONG_OR_NOSYS(syscall(SYS_statx, AT_FDCWD, bad, 0, 0x7ff, statx_buf),
				D("statx"));
#undef D
	snprintf(what, sizeof(what), "%s: nothing was created under a truncated name", kind);
	TL_CHECK(!exists(name255) && !exists("x"), what);
	snprintf(what, sizeof(what), "%s: the cwd did not change", kind);
	TL_CHECK(getcwd(cwd_buf, sizeof(cwd_buf)) && strcmp(cwd_buf, base) == 0, what);
}

/* A 255-byte name can be created, found, listed and removed. */
static void test_name_max(void)
{
	struct stat st;
	DIR *d;
	struct dirent *e;
	int fd, found = 0;
	char path[NAME_LEN_MAX + 8];

	fd = open(name255, O_WRONLY | O_CREAT | O_EXCL, 0644);
	TL_CHECK(fd >= 0, "a file with a 255-byte name is created");
	TL_CHECK(write(fd, "12345", 5) == 5, "and written");
	close(fd);
	TL_CHECK(stat(name255, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 5,
		 "stat of the 255-byte name: a 5-byte regular file");
	TL_CHECK(access(name255, R_OK) == 0, "access of the 255-byte name");
	d = opendir(".");
	while (d && (e = readdir(d)))
		if (strcmp(e->d_name, name255) == 0)
			found++;
	if (d)
		closedir(d);
	TL_CHECK(found == 1, "readdir lists the 255-byte name once, whole");
	CHECK_ERRNO(mkdir(name255, 0755), EEXIST, "mkdir of the existing 255-byte file");
	TL_CHECK(unlink(name255) == 0, "unlink of the 255-byte name");
	CHECK_ERRNO(stat(name255, &st), ENOENT, "it is gone");

	TL_CHECK(mkdir(name255, 0755) == 0, "a directory with a 255-byte name");
	snprintf(path, sizeof(path), "%s/f", name255);
	fd = open(path, O_WRONLY | O_CREAT, 0644);
	TL_CHECK(fd >= 0, "a file under it (255-byte middle component)");
	close(fd);
	TL_CHECK(stat(path, &st) == 0 && S_ISREG(st.st_mode), "stat through the 255-byte directory");
	TL_CHECK(chdir(name255) == 0 && chdir("..") == 0, "chdir into it and back");
	TL_CHECK(unlink(path) == 0 && rmdir(name255) == 0, "both removed");
}

/* Too long by one byte: the last component, a middle one. */
static void test_name_too_long(void)
{
	int fd = open("file", O_WRONLY | O_CREAT, 0644);

	TL_CHECK(fd >= 0, "a file to rename and link");
	close(fd);
	check_every_call(name256, "256-byte last component");
	check_every_call(mid256, "256-byte middle component");
	TL_CHECK(unlink("file") == 0, "file removed");
}

/*
 * A path of exactly len bytes (len > strlen(dir) + 4) naming dir/leaf (or
 * leaf in the cwd if dir is ""): dir, then enough "./" (with one extra '/'
 * to even it out), then leaf.
 */
static const char *pad_path(const char *dir, const char *leaf, size_t len)
{
	size_t n = 0, fill;

	if (dir[0])
		n = snprintf(long_path, sizeof(long_path), "%s/", dir);
	fill = len - n - strlen(leaf);
	if (fill % 2) {
		memcpy(long_path + n, ".//", 3);
		n += 3;
		fill -= 3;
	}
	for (; fill; fill -= 2, n += 2)
		memcpy(long_path + n, "./", 2);
	strcpy(long_path + n, leaf);
	return long_path;
}

/* Paths of 4095 bytes (and the NUL) work; 4096 bytes are too long. */
static void test_path_max(void)
{
	struct stat st;
	int fd, dfd;

	fd = open("file", O_WRONLY | O_CREAT, 0644);
	close(fd);
	TL_CHECK(strlen(pad_path(base, "file", PATH_LEN_MAX - 1)) == PATH_LEN_MAX - 1 &&
		 stat(long_path, &st) == 0 && S_ISREG(st.st_mode),
		 "stat of a 4095-byte absolute path");
	TL_CHECK(stat(pad_path("", "file", PATH_LEN_MAX - 1), &st) == 0,
		 "stat of a 4095-byte relative path");
	TL_CHECK(access(long_path, F_OK) == 0, "access of a 4095-byte relative path");
	dfd = open(".", O_RDONLY | O_DIRECTORY);
	TL_CHECK(fstatat(dfd, long_path, &st, 0) == 0, "fstatat(dirfd) of a 4095-byte path");
	close(dfd);
	fd = open(pad_path(base, "new", PATH_LEN_MAX - 1), O_WRONLY | O_CREAT | O_EXCL, 0644);
	TL_CHECK(fd >= 0, "open O_CREAT of a 4095-byte path");
	close(fd);
	TL_CHECK(unlink(pad_path("", "new", PATH_LEN_MAX - 1)) == 0,
		 "unlink of a 4095-byte path");
	TL_CHECK(mkdir(long_path, 0755) == 0 && rmdir(long_path) == 0,
		 "mkdir and rmdir of a 4095-byte path");
	TL_CHECK(chdir(pad_path(base, ".", PATH_LEN_MAX - 1)) == 0 &&
		 getcwd(cwd_buf, sizeof(cwd_buf)) && strcmp(cwd_buf, base) == 0,
		 "chdir to a 4095-byte path");

	/* through ".." again and again: "d/../" */
	TL_CHECK(mkdir("d", 0755) == 0, "a directory d");
	{
		size_t n = 0;

		while (n + 5 + 4 < PATH_LEN_MAX - 1)
			n += snprintf(long_path + n, sizeof(long_path) - n, "d/../");
		while (n < PATH_LEN_MAX - 1 - 4)
			long_path[n++] = '/';
		strcpy(long_path + n, "file");
	}
	TL_CHECK(strlen(long_path) == PATH_LEN_MAX - 1 && stat(long_path, &st) == 0 &&
		 S_ISREG(st.st_mode), "stat of a 4095-byte path of d/../ repeats");
	TL_CHECK(rmdir("d") == 0, "d removed");

	check_every_call(pad_path(base, "file", PATH_LEN_MAX), "4096-byte absolute path");
	check_every_call(pad_path("", "file", PATH_LEN_MAX), "4096-byte relative path");
	check_every_call(pad_path("", "nosuch", PATH_LEN_MAX), "4096-byte path to nothing");
	TL_CHECK(unlink("file") == 0, "file removed");
}

/*
 * Nested directories whose own path is PATH_MAX - 1 bytes long: the last
 * one can be made, and a file in it is one byte too much.
 */
static void test_deep(void)
{
	char name[DEEP_NAME + 1];
	size_t n = strlen(base);
	int levels = 0, ok = 1;
	struct stat st;

	memcpy(long_path, base, n + 1);
	make_name(name, DEEP_NAME, 0);
	while (n + 1 + DEEP_NAME + 1 + DEEP_NAME < PATH_LEN_MAX - 1) {
		n += snprintf(long_path + n, sizeof(long_path) - n, "/%s", name);
		ok &= mkdir(long_path, 0755) == 0;
		levels++;
	}
	/* the last one takes what is left, up to 4095 bytes */
	long_path[n++] = '/';
	make_name(long_path + n, PATH_LEN_MAX - 1 - n, 1);
	snprintf(what, sizeof(what), "%d nested directories, then one whose path is 4095 bytes",
		 levels);
	TL_CHECK(ok && strlen(long_path) == PATH_LEN_MAX - 1 && mkdir(long_path, 0755) == 0 &&
		 stat(long_path, &st) == 0 && S_ISDIR(st.st_mode), what);
	strcat(long_path, "/f");
	CHECK_ERRNO(open(long_path, O_WRONLY | O_CREAT, 0644), ENAMETOOLONG,
		    "a file in it is 4097 bytes: too long");
	long_path[PATH_LEN_MAX - 1] = 0;
	ok = rmdir(long_path) == 0;
	while (levels-- > 0) {
		*strrchr(long_path, '/') = 0;
		ok &= rmdir(long_path) == 0;
	}
	TL_CHECK(ok, "the nested directories removed");
}

/* getdents64 of a directory of FULL_N names of 255 bytes returns them whole. */
static void test_full_dir(void)
{
	int fd, seen[FULL_N] = { 0 }, dots = 0, bad = 0, ok = 1, all = 1;
	long n;

	TL_CHECK(mkdir("full", 0755) == 0, "a directory for 255-byte names");
	for (int i = 0; i < FULL_N; i++) {
		char path[NAME_LEN_MAX + 8];

		snprintf(path, sizeof(path), "full/%.255s", full_names[i]);
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
		ok &= fd >= 0;
		close(fd);
	}
	snprintf(what, sizeof(what), "%d files with 255-byte names", FULL_N);
	TL_CHECK(ok, what);
	fd = open("full", O_RDONLY | O_DIRECTORY);
	/* "." and ".." may fit in 200 bytes; a 255-byte name never does */
	for (int i = 0; i < 3 && (n = syscall(SYS_getdents64, fd, dents, 200)) > 0; i++)
		;
	snprintf(what, sizeof(what), "getdents64 into 200 bytes: EINVAL at the first 255-byte "
		 "name (got %ld, errno %d)", n, errno);
	TL_CHECK(n == -1 && errno == EINVAL, what);
	TL_CHECK(lseek(fd, 0, SEEK_SET) == 0, "rewind the directory");
	while ((n = syscall(SYS_getdents64, fd, dents, sizeof(dents))) > 0) {
		for (long off = 0; off < n; ) {
			struct kdirent *d = (struct kdirent *)(dents + off);
			size_t len = strnlen(d->d_name, d->d_reclen - (size_t)(d->d_name - (char *)d));
			int hit = 0;

			if (d->d_reclen == 0 || off + d->d_reclen > n) {
				bad++;
				break;
			}
			off += d->d_reclen;
			if (strcmp(d->d_name, ".") == 0 || strcmp(d->d_name, "..") == 0) {
				dots++;
				continue;
			}
			for (int i = 0; i < FULL_N; i++)
				if (len == NAME_LEN_MAX && memcmp(d->d_name, full_names[i], len) == 0) {
					seen[i]++;
					hit = 1;
				}
			bad += !hit || d->d_type != DT_REG;
		}
	}
	close(fd);
	for (int i = 0; i < FULL_N; i++)
		all &= seen[i] == 1;
	TL_CHECK(n == 0, "getdents64 reaches the end without an error");
	TL_CHECK(dots == 2 && bad == 0, "only . and .. and the 255-byte names, all DT_REG");
	TL_CHECK(all, "every 255-byte name listed once, whole");
	ok = 1;
	for (int i = 0; i < FULL_N; i++) {
		char path[NAME_LEN_MAX + 8];

		snprintf(path, sizeof(path), "full/%.255s", full_names[i]);
		ok &= unlink(path) == 0;
	}
	TL_CHECK(ok && rmdir("full") == 0, "the names and their directory removed");
}

/* mkdir of what exists is EEXIST; "/", ".", ".." and trailing slashes as Linux. */
static void test_exists(void)
{
	struct stat st;
	int fd;

	CHECK_ERRNO(mkdir("/", 0755), EEXIST, "mkdir / is EEXIST");
	CHECK_ERRNO(mkdir("//", 0755), EEXIST, "mkdir // is EEXIST");
	CHECK_ERRNO(mkdir("/tmp", 0755), EEXIST, "mkdir /tmp is EEXIST");
	CHECK_ERRNO(mkdir("/tmp/", 0755), EEXIST, "mkdir /tmp/ is EEXIST");
	CHECK_ERRNO(mkdir("/tmp/./", 0755), EEXIST, "mkdir /tmp/./ is EEXIST");
	CHECK_ERRNO(mkdir("/proc", 0755), EEXIST, "mkdir /proc is EEXIST");
	CHECK_ERRNO(mkdir(".", 0755), EEXIST, "mkdir . is EEXIST");
	CHECK_ERRNO(mkdir("..", 0755), EEXIST, "mkdir .. is EEXIST");
	CHECK_ERRNO(mkdir(base, 0755), EEXIST, "mkdir of the test directory is EEXIST");
	TL_CHECK(mkdir("sub", 0755) == 0, "mkdir sub");
	CHECK_ERRNO(mkdir("sub", 0755), EEXIST, "mkdir sub again is EEXIST");
	CHECK_ERRNO(mkdir("sub/", 0755), EEXIST, "mkdir sub/ is EEXIST");
	CHECK_ERRNO(mkdir("sub/.", 0755), EEXIST, "mkdir sub/. is EEXIST");
	CHECK_ERRNO(mkdir("sub/..", 0755), EEXIST, "mkdir sub/.. is EEXIST");
	CHECK_ERRNO(mkdir("nosuch/.", 0755), ENOENT, "mkdir nosuch/. is ENOENT");
	fd = open("file", O_WRONLY | O_CREAT, 0644);
	TL_CHECK(fd >= 0, "a regular file");
	close(fd);
	CHECK_ERRNO(mkdir("file", 0755), EEXIST, "mkdir of a file is EEXIST");
	CHECK_ERRNO(mkdir("file/", 0755), EEXIST, "mkdir file/ is EEXIST");
	CHECK_ERRNO(mkdir("file/x", 0755), ENOTDIR, "mkdir file/x is ENOTDIR");

	/* trailing slashes */
	TL_CHECK(mkdir("new/", 0755) == 0 && stat("new", &st) == 0 && S_ISDIR(st.st_mode),
		 "mkdir new/ makes a directory");
	TL_CHECK(rmdir("new//") == 0, "rmdir new// removes it");
	TL_CHECK(mkdir("new//", 0755) == 0 && rmdir("new/") == 0, "mkdir new// works too");
	CHECK_ERRNO(open("newfile/", O_WRONLY | O_CREAT, 0644), EISDIR,
		    "open newfile/ O_CREAT is EISDIR");
	TL_CHECK(!exists("newfile"), "and creates nothing");
	CHECK_ERRNO(stat("file/", &st), ENOTDIR, "stat file/ is ENOTDIR");
	CHECK_ERRNO(open("file/", O_RDONLY), ENOTDIR, "open file/ is ENOTDIR");
	CHECK_ERRNO(unlink("file/"), ENOTDIR, "unlink file/ is ENOTDIR");
	CHECK_ERRNO(rmdir("file/"), ENOTDIR, "rmdir file/ is ENOTDIR");
	TL_CHECK(exists("file"), "file is still there");
	CHECK_ERRNO(unlink("sub/"), EISDIR, "unlink sub/ is EISDIR");
	CHECK_ERRNO(unlink("sub"), EISDIR, "unlink sub is EISDIR");

	/* the names that are not names */
	CHECK_ERRNO(unlink("."), EISDIR, "unlink . is EISDIR");
	CHECK_ERRNO(unlink("/"), EISDIR, "unlink / is EISDIR");
	CHECK_ERRNO(rmdir("."), EINVAL, "rmdir . is EINVAL");
	CHECK_ERRNO(rmdir("sub/."), EINVAL, "rmdir sub/. is EINVAL");
	CHECK_ERRNO(rmdir("sub/.."), ENOTEMPTY, "rmdir sub/.. is ENOTEMPTY");
	CHECK_ERRNO(rmdir("/"), EBUSY, "rmdir / is EBUSY");
	CHECK_ERRNO(open(".", O_RDONLY | O_CREAT, 0644), EISDIR, "open . O_CREAT is EISDIR");
	CHECK_ERRNO(open("sub", O_RDONLY | O_CREAT, 0644), EISDIR,
		    "open of a directory with O_CREAT is EISDIR");
	CHECK_ERRNO(open("/tmp/", O_RDONLY | O_CREAT, 0644), EISDIR,
		    "open /tmp/ O_CREAT is EISDIR");
	TL_CHECK(rmdir("sub") == 0 && unlink("file") == 0, "sub and file removed");
}

int main(void)
{
	long before = -1;
	struct stat st;

	snprintf(base, sizeof(base), "/tmp/fs_names.%d", (int)getpid());
	make_name(name255, NAME_LEN_MAX, 255);
	make_name(name256, NAME_LEN_MAX + 1, 256);
	snprintf(mid256, sizeof(mid256), "%s/f", name256);
	for (int i = 0; i < FULL_N; i++)
		make_name(full_names[i], NAME_LEN_MAX, i);
	memset(long_path, 0, sizeof(long_path));
	memset(dents, 0, sizeof(dents));
	TL_CHECK(mkdir(base, 0755) == 0 && chdir(base) == 0, "a fresh test directory");

	/* round 1 warms up the slabs, the heap and the root disk's vnodes; round 2 is measured */
	for (int round = 1; round <= 2; round++) {
		printf("round %d\n", round);
		if (round == 2)
			before = tl_frames_free();
		test_name_max();
		test_name_too_long();
		test_path_max();
		test_deep();
		test_full_dir();
		test_exists();
	}
	tl_check_no_leak(before);
	TL_CHECK(chdir("/") == 0 && rmdir(base) == 0 && stat(base, &st) == -1,
		 "the test directory removed");
	return tl_done();
}
