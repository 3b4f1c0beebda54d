/* id: print the real and effective user and group ids and the groups. */
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <unistd.h>

#define GROUPS_MAX	64

static void print_user(const char *what, uid_t uid)
{
	struct passwd *pw = getpwuid(uid);

	printf("%s=%u", what, (unsigned)uid);
	if (pw)
		printf("(%s)", pw->pw_name);
}

static void print_group(const char *what, gid_t gid)
{
	struct group *gr = getgrgid(gid);

	if (what)
		printf("%s=", what);
	printf("%u", (unsigned)gid);
	if (gr)
		printf("(%s)", gr->gr_name);
}

int main(void)
{
	gid_t groups[GROUPS_MAX];
	int n = getgroups(GROUPS_MAX, groups);

	print_user("uid", getuid());
	printf(" ");
	print_group("gid", getgid());
	if (geteuid() != getuid()) {
		printf(" ");
		print_user("euid", geteuid());
	}
	if (getegid() != getgid()) {
		printf(" ");
		print_group("egid", getegid());
	}
	printf(" groups=");
	for (int i = 0; i < n; i++) {
		if (i)
			printf(",");
		print_group(NULL, groups[i]);
	}
	printf("\n");
	return 0;
}
