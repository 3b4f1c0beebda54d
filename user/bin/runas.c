/*
 * runas: run a command as another user, without a password (su-less
 * testing; only root may do it).
 *
 *	runas USER[:GROUP] command [args...]
 *
 * USER and GROUP are names from /etc/passwd and /etc/group or numbers. The
 * group defaults to the user's from /etc/passwd (or the uid when the user
 * is not there); the supplementary groups become just that group. The
 * real, effective and saved ids all change, as su would leave them.
 */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A number, or -1 if s is not one. */
static long number(const char *s)
{
	char *end;
	long n;

	if (!*s)
		return -1;
	n = strtol(s, &end, 10);
	return *end || n < 0 ? -1 : n;
}

/* The uid (and default gid) that spec names; 0 or -1 if unknown. */
static int user_of(const char *spec, uid_t *uid, gid_t *gid)
{
	struct passwd *pw;
	long n = number(spec);

	pw = n >= 0 ? getpwuid(n) : getpwnam(spec);
	if (pw) {
		*uid = pw->pw_uid;
		*gid = pw->pw_gid;
		return 0;
	}
	if (n < 0)
		return -1;
	*uid = *gid = n;
	return 0;
}

static int group_of(const char *spec, gid_t *gid)
{
	struct group *gr;
	long n = number(spec);

	if (n >= 0) {
		*gid = n;
		return 0;
	}
	gr = getgrnam(spec);
	if (!gr)
		return -1;
	*gid = gr->gr_gid;
	return 0;
}

int main(int argc, char **argv)
{
	char *user, *group;
	uid_t uid;
	gid_t gid;

	if (argc < 3) {
		fprintf(stderr, "usage: runas USER[:GROUP] command [args...]\n");
		return 2;
	}
	user = argv[1];
	group = strchr(user, ':');
	if (group)
		*group++ = 0;
	if (user_of(user, &uid, &gid) < 0 || (group && group_of(group, &gid) < 0)) {
		fprintf(stderr, "runas: unknown user or group\n");
		return 2;
	}
	if (setgroups(1, &gid) < 0 || setresgid(gid, gid, gid) < 0 ||
	    setresuid(uid, uid, uid) < 0) {
		perror("runas");
		return 1;
	}
	execvp(argv[2], argv + 2);
	perror(argv[2]);
	return 127;
}
