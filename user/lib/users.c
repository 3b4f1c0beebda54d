/*
 * Users and groups: the process's credentials, and the user and group
 * databases (/etc/passwd, /etc/group), read one line at a time.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "internal.h"

int setuid(uid_t uid)		{ return sys_ret(sys_call1(SYS_setuid, uid)); }
int setgid(gid_t gid)		{ return sys_ret(sys_call1(SYS_setgid, gid)); }
int seteuid(uid_t uid)		{ return setresuid(-1, uid, -1); }
int setegid(gid_t gid)		{ return setresgid(-1, gid, -1); }

int setreuid(uid_t r, uid_t e)
{
	return sys_ret(sys_call2(SYS_setreuid, r, e));
}

int setregid(gid_t r, gid_t e)
{
	return sys_ret(sys_call2(SYS_setregid, r, e));
}

int setresuid(uid_t r, uid_t e, uid_t s)
{
	return sys_ret(sys_call3(SYS_setresuid, r, e, s));
}

int setresgid(gid_t r, gid_t e, gid_t s)
{
	return sys_ret(sys_call3(SYS_setresgid, r, e, s));
}

int getresuid(uid_t *r, uid_t *e, uid_t *s)
{
	return sys_ret(sys_call3(SYS_getresuid, r, e, s));
}

int getresgid(gid_t *r, gid_t *e, gid_t *s)
{
	return sys_ret(sys_call3(SYS_getresgid, r, e, s));
}

int getgroups(int size, gid_t list[])
{
	return sys_ret(sys_call2(SYS_getgroups, size, list));
}

int setgroups(size_t size, const gid_t *list)
{
	return sys_ret(sys_call2(SYS_setgroups, size, list));
}

/*
 * The line of the colon-separated file path whose field key (0: the name,
 * 2: the number) is name, or number if name is NULL, split into fields[]
 * (at most max). Returns the field count, or 0 if there is none.
 */
static int db_find(const char *path, int key, const char *name, unsigned id,
		   char *line, size_t size, char **fields, int max)
{
	FILE *f = fopen(path, "r");
	int n = 0;

	if (!f)
		return 0;
	while (fgets(line, size, f)) {
		char *p = line;

		line[strcspn(line, "\n")] = 0;
		for (n = 0; n < max; n++) {
			fields[n] = p;
			p = strchr(p, ':');
			if (!p) {
				n++;
				break;
			}
			*p++ = 0;
		}
		if (n > key && (name ? strcmp(fields[key], name) == 0 :
			       strtoul(fields[key], NULL, 10) == id &&
			       fields[key][0] >= '0' && fields[key][0] <= '9'))
			break;
		n = 0;
	}
	fclose(f);
	return n;
}

static struct passwd *pw_lookup(const char *name, uid_t uid)
{
	static char line[512];
	static struct passwd pw;
	char *f[7];

	if (db_find("/etc/passwd", name ? 0 : 2, name, uid, line, sizeof(line), f, 7) < 7)
		return NULL;
	pw = (struct passwd){ f[0], f[1], strtoul(f[2], NULL, 10),
			      strtoul(f[3], NULL, 10), f[4], f[5], f[6] };
	return &pw;
}

struct passwd *getpwuid(uid_t uid)		{ return pw_lookup(NULL, uid); }
struct passwd *getpwnam(const char *name)	{ return pw_lookup(name, 0); }

static struct group *gr_lookup(const char *name, gid_t gid)
{
	static char line[512];
	static char *members[1];
	static struct group gr;
	char *f[4];

	if (db_find("/etc/group", name ? 0 : 2, name, gid, line, sizeof(line), f, 4) < 3)
		return NULL;
	gr = (struct group){ f[0], f[1], strtoul(f[2], NULL, 10), members };
	return &gr;
}

struct group *getgrgid(gid_t gid)		{ return gr_lookup(NULL, gid); }
struct group *getgrnam(const char *name)	{ return gr_lookup(name, 0); }
