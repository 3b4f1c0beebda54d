/* The group database, /etc/group. */
#ifndef _GRP_H
#define _GRP_H

#include <sys/types.h>

struct group {
	char	*gr_name;
	char	*gr_passwd;
	gid_t	gr_gid;
	char	**gr_mem;	/* Kilburn's: always an empty list */
};

struct group *getgrgid(gid_t gid);
struct group *getgrnam(const char *name);
int setgroups(size_t size, const gid_t *list);

#endif
