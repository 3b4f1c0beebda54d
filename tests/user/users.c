/*
 * users: credentials and file permissions protect users from each other,
 * with Linux's rules. Root may become any user (setgroups, setresgid,
 * setresuid) and an unprivileged process cannot come back (EPERM for
 * setuid(0), seteuid(0), setgroups), while a process whose saved uid is
 * still 0 can; setreuid moves the saved uid as Linux's does. For user
 * 1000 in group 100: a root-only file cannot be opened, a 0644 one read
 * but not written or truncated, a group-readable one read through the
 * supplementary group; a directory without search permission hides its
 * files; a root-owned directory cannot be written; a new file in /tmp is
 * the user's; in the sticky /tmp root's file cannot be removed or renamed;
 * chmod and chown of others' files are EPERM, chgrp of one's own file to
 * one's group works; utimensat needs ownership or write permission;
 * access() answers for the real uid; kill of a root process is EPERM and
 * /proc/self/status shows the ids. On Kilburn, /etc/passwd and /etc/group
 * name root and "user", and `runas user` runs a program as uid 1000. No
 * frame is leaked.
 */
#define _GNU_SOURCE
#include "tlib.h"
#include "vmtest.h"
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#define DIR_PATH	"/tmp/users"
#define USER_UID	1000
#define USER_GID	1000
#define GROUP_USERS	100
#define ROOTS_FILE	"/tmp/users_roots"	/* in sticky /tmp, root's */
#define MINE		"/tmp/users_mine"	/* made by the user */

static int can_open(const char *path, int flags)
{
	int fd = open(path, flags);

	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

/* The value of "Uid:" (or "Gid:") in /proc/self/status: its four numbers. */
static int status_ids(const char *key, unsigned ids[4])
{
	static char buf[2048];
	int fd = open("/proc/self/status", O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
	char *p;

	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	p = strstr(buf, key);
	if (!p)
		return -1;
	p += strlen(key);
	for (int i = 0; i < 4; i++)
		ids[i] = strtoul(p, &p, 10);
	return 0;
}

/* Drop to uid 1000, gid 1000, supplementary group 100. 0 or -1. */
static int become_user(void)
{
	gid_t g = GROUP_USERS;

	return setgroups(1, &g) == 0 && setresgid(USER_GID, USER_GID, USER_GID) == 0 &&
	       setresuid(USER_UID, USER_UID, USER_UID) == 0 ? 0 : -1;
}

static int as_user(void *arg)
{
	uid_t r, e, s;
	gid_t groups[8];
	struct timespec ts[2] = { { 1, 0 }, { 1, 0 } };
	struct stat st;
	unsigned ids[4];
	int fd;

	(void)arg;
	TL_CHECK(become_user() == 0, "root becomes uid 1000, gid 1000, groups {100}");
	TL_CHECK(getuid() == USER_UID && geteuid() == USER_UID && getgid() == USER_GID &&
		 getegid() == USER_GID, "getuid/geteuid/getgid/getegid say so");
	TL_CHECK(getresuid(&r, &e, &s) == 0 && r == USER_UID && e == USER_UID && s == USER_UID,
		 "getresuid: real, effective and saved are 1000");
	TL_CHECK(getgroups(0, NULL) == 1 && getgroups(8, groups) == 1 && groups[0] == GROUP_USERS,
		 "getgroups gives {100}");
	TL_CHECK(getgroups(0, NULL) == 1 && getgroups(0, groups) == 1, "getgroups(0) counts");
	TL_CHECK(status_ids("Uid:", ids) == 0 && ids[0] == USER_UID && ids[1] == USER_UID &&
		 ids[2] == USER_UID && ids[3] == USER_UID, "/proc/self/status Uid: 1000 x4");
	TL_CHECK(status_ids("Gid:", ids) == 0 && ids[0] == USER_GID, "/proc/self/status Gid: 1000");
	TL_CHECK(setuid(0) < 0 && errno == EPERM, "setuid(0) is EPERM");
	TL_CHECK(seteuid(0) < 0 && errno == EPERM, "seteuid(0) is EPERM");
	TL_CHECK(setreuid(-1, 0) < 0 && errno == EPERM, "setreuid(-1, 0) is EPERM");
	TL_CHECK(setgid(0) < 0 && errno == EPERM, "setgid(0) is EPERM");
	TL_CHECK(setgroups(0, NULL) < 0 && errno == EPERM, "setgroups is EPERM");
	TL_CHECK(setuid(USER_UID) == 0, "setuid to its own uid is fine");

	TL_CHECK(can_open(DIR_PATH "/secret", O_RDONLY) == -EACCES, "a 0600 root file: EACCES");
	TL_CHECK(can_open(DIR_PATH "/public", O_RDONLY) == 0, "a 0644 root file can be read");
	TL_CHECK(can_open(DIR_PATH "/public", O_WRONLY) == -EACCES, "but not written");
	TL_CHECK(can_open(DIR_PATH "/public", O_RDONLY | O_TRUNC) == -EACCES, "nor truncated");
	TL_CHECK(can_open(DIR_PATH "/group", O_RDONLY) == 0,
		 "a 0640 file of group 100 is read through the supplementary group");
	TL_CHECK(stat(DIR_PATH "/closed/file", &st) < 0 && errno == EACCES,
		 "a file in a 0700 directory cannot be reached");
	TL_CHECK(can_open(DIR_PATH "/closed", O_RDONLY) == -EACCES, "nor the directory listed");
	TL_CHECK(open(DIR_PATH "/new", O_WRONLY | O_CREAT, 0644) < 0 && errno == EACCES,
		 "no new file in root's 0755 directory");
	TL_CHECK(mkdir(DIR_PATH "/newdir", 0755) < 0 && errno == EACCES, "nor a new directory");
	TL_CHECK(unlink(DIR_PATH "/public") < 0 && errno == EACCES, "nor a removal from it");
	TL_CHECK(access(DIR_PATH "/public", R_OK) == 0 && access(DIR_PATH "/public", W_OK) < 0 &&
		 errno == EACCES, "access: R_OK yes, W_OK EACCES");

	fd = open(MINE, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	TL_CHECK(fd >= 0 && fstat(fd, &st) == 0 && st.st_uid == USER_UID && st.st_gid == USER_GID,
		 "a new file in /tmp belongs to 1000:1000");
	TL_CHECK(fchmod(fd, 0600) == 0, "its owner chmods it");
	TL_CHECK(fchown(fd, 0, -1) < 0 && errno == EPERM, "but cannot give it to root");
	TL_CHECK(fchown(fd, -1, 0) < 0 && errno == EPERM, "nor to a group it is not in");
	TL_CHECK(fchown(fd, -1, GROUP_USERS) == 0 && fstat(fd, &st) == 0 && st.st_gid == GROUP_USERS,
		 "chgrp to its own group 100 works");
	TL_CHECK(futimens(fd, ts) == 0, "the owner sets its times");
	close(fd);
	TL_CHECK(unlink(ROOTS_FILE) < 0 && errno == EPERM,
		 "root's file in the sticky /tmp cannot be removed (EPERM)");
	TL_CHECK(rename(ROOTS_FILE, "/tmp/users_moved") < 0 && errno == EPERM, "nor renamed");
	TL_CHECK(rename(MINE, MINE "2") == 0 && rename(MINE "2", MINE) == 0,
		 "its own file there can be renamed");
	TL_CHECK(chmod(DIR_PATH "/public", 0666) < 0 && errno == EPERM, "chmod of root's file: EPERM");
	TL_CHECK(chown(DIR_PATH "/public", USER_UID, -1) < 0 && errno == EPERM,
		 "chown of root's file: EPERM");
	TL_CHECK(utimensat(AT_FDCWD, DIR_PATH "/public", NULL, 0) < 0 && errno == EACCES,
		 "utimensat(now) of a file it cannot write: EACCES");
	TL_CHECK(utimensat(AT_FDCWD, DIR_PATH "/public", ts, 0) < 0 && errno == EPERM,
		 "utimensat(times) of a file it does not own: EPERM");
	TL_CHECK(utimensat(AT_FDCWD, DIR_PATH "/writable", NULL, 0) == 0,
		 "utimensat(now) of a file it may write works");
	TL_CHECK(kill(getppid(), 0) < 0 && errno == EPERM, "kill of a root process is EPERM");
	TL_CHECK(can_open("/dev/null", O_RDWR) == 0, "/dev/null is open to all");
	if (tl_on_kilburn())
		TL_CHECK(can_open("/dev/vda", O_RDONLY) == -EACCES, "the disk is not");
	TL_CHECK(unlink(MINE) == 0, "it removes its own file");
	return tl_failed_here;
}

/* The saved uid: a process that keeps it 0 can come back, setuid drops all. */
static int saved_ids(void *arg)
{
	uid_t r, e, s;
	int fd;

	(void)arg;
	TL_CHECK(setresuid(USER_UID, USER_UID, 0) == 0 && geteuid() == USER_UID,
		 "setresuid(1000, 1000, 0)");
	TL_CHECK(can_open(DIR_PATH "/secret", O_RDONLY) == -EACCES, "the root file is closed now");
	TL_CHECK(seteuid(0) == 0 && geteuid() == 0, "the saved uid 0 lets it back");
	fd = open(DIR_PATH "/secret", O_RDONLY);
	TL_CHECK(fd >= 0, "and the file opens again");
	close(fd);
	TL_CHECK(setresuid(USER_UID, 0, 0) == 0, "real 1000, effective 0");
	TL_CHECK(can_open(DIR_PATH "/secret", O_RDONLY) == 0 &&
		 access(DIR_PATH "/secret", R_OK) < 0 && errno == EACCES,
		 "open uses the effective uid, access the real one");
	TL_CHECK(setreuid(USER_UID, 2000) == 0 && getresuid(&r, &e, &s) == 0 &&
		 r == USER_UID && e == 2000 && s == 2000,
		 "setreuid(1000, 2000): the saved uid follows the effective one");
	TL_CHECK(setreuid(-1, USER_UID) == 0 && getresuid(&r, &e, &s) == 0 && e == USER_UID &&
		 s == 2000, "setreuid(-1, real) keeps the saved uid");
	TL_CHECK(setreuid(3000, -1) < 0 && errno == EPERM, "a real uid it does not hold: EPERM");
	TL_CHECK(setreuid(-1, 2000) == 0 && geteuid() == 2000, "the saved one can be taken back");
	return tl_failed_here;
}

static int setuid_root(void *arg)
{
	(void)arg;
	TL_CHECK(setuid(USER_UID) == 0, "root's setuid(1000)");
	TL_CHECK(seteuid(0) < 0 && errno == EPERM, "sets all three ids: no way back");
	return tl_failed_here;
}

/* Run as `users as-user` under runas: check who this is. */
static int run_as_user(void)
{
	TL_CHECK(getuid() == USER_UID && geteuid() == USER_UID && getgid() == USER_GID,
		 "runas user: uid and gid 1000");
	TL_CHECK(can_open(DIR_PATH "/secret", O_RDONLY) == -EACCES, "runas user: no root file");
	return tl_done();
}

static void setup(void)
{
	int fd;

	mkdir(DIR_PATH, 0755);
	mkdir(DIR_PATH "/closed", 0700);
	close(open(DIR_PATH "/closed/file", O_WRONLY | O_CREAT, 0644));
	close(open(DIR_PATH "/secret", O_WRONLY | O_CREAT, 0600));
	close(open(DIR_PATH "/public", O_WRONLY | O_CREAT, 0644));
	fd = open(DIR_PATH "/group", O_WRONLY | O_CREAT, 0640);
	fchown(fd, 0, GROUP_USERS);
	close(fd);
	fd = open(DIR_PATH "/writable", O_WRONLY | O_CREAT, 0666);
	fchmod(fd, 0666);
	close(fd);
	close(open(ROOTS_FILE, O_WRONLY | O_CREAT, 0666));
}

static void cleanup(void)
{
	unlink(DIR_PATH "/closed/file");
	rmdir(DIR_PATH "/closed");
	unlink(DIR_PATH "/secret");
	unlink(DIR_PATH "/public");
	unlink(DIR_PATH "/group");
	unlink(DIR_PATH "/writable");
	unlink(ROOTS_FILE);
	rmdir(DIR_PATH);
}

/* Kilburn's /etc/passwd and /etc/group, and the runas tool. */
static void databases(void)
{
	struct passwd *pw = getpwnam("user");
	struct group *gr = getgrgid(GROUP_USERS);
	char *args[] = { "/bin/runas", "user", "/tests/users", "as-user", NULL };
	int status;

	TL_CHECK(pw && pw->pw_uid == USER_UID && pw->pw_gid == USER_GID,
		 "/etc/passwd: user is 1000:1000");
	pw = getpwuid(0);
	TL_CHECK(pw && strcmp(pw->pw_name, "root") == 0, "/etc/passwd: uid 0 is root");
	TL_CHECK(gr && strcmp(gr->gr_name, "users") == 0, "/etc/group: 100 is users");
	status = vt_exec(args, 20);
	VT_CHECK(vt_exited_ok(status), "runas user ran the checks (%s)", vt_how(status));
}

static void round_of_checks(void)
{
	int status;

	status = vt_run(as_user, NULL, 20);
	VT_CHECK(vt_exited_ok(status), "the unprivileged child ended well (%s)", vt_how(status));
	status = vt_run(saved_ids, NULL, 20);
	VT_CHECK(vt_exited_ok(status), "the saved-uid child ended well (%s)", vt_how(status));
	status = vt_run(setuid_root, NULL, 20);
	VT_CHECK(vt_exited_ok(status), "the setuid child ended well (%s)", vt_how(status));
	if (tl_on_kilburn())
		databases();
}

int main(int argc, char **argv)
{
	uid_t r, e, s;
	long before;

	if (argc > 1 && strcmp(argv[1], "as-user") == 0)
		return run_as_user();
	printf("users: credentials and permissions between users, as Linux's\n");
	if (geteuid() != 0) {
		printf("note: not root: nothing to test\n");
		return 1;
	}
	TL_CHECK(getresuid(&r, &e, &s) == 0 && r == 0 && e == 0 && s == 0, "init is root");
	setup();
	round_of_checks();		/* warm-up */
	before = tl_frames_free();
	round_of_checks();
	tl_check_no_leak(before);
	cleanup();
	return tl_done();
}
