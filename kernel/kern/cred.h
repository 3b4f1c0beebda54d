/*
 * Credentials: who a process is, for permission checks and signals, with
 * Linux's sets of ids. uid/gid are the real ids, euid/egid the effective
 * ones (what most checks use), suid/sgid the saved ones (what a process
 * that dropped its privilege may go back to) and fsuid/fsgid the ones file
 * accesses use (they follow the effective ids). Id 0 is root, which stands
 * for all of Linux's capabilities (CAP_SETUID, CAP_SETGID, CAP_CHOWN,
 * CAP_FOWNER, CAP_DAC_OVERRIDE, CAP_KILL ...) while its effective uid (or,
 * for files, fsuid) is 0.
 *
 * A process's credentials are its own (struct proc's cred): only it
 * changes them, a fork copies them and exec keeps them.
 */
#ifndef KILBURN_CRED_H
#define KILBURN_CRED_H

#include "env.h"

#define CRED_GROUPS_MAX	64	/* supplementary groups (Linux: 65536) */

struct cred {
	uint32_t uid, euid, suid, fsuid;
	uint32_t gid, egid, sgid, fsgid;
	int ngroups;
	uint32_t groups[CRED_GROUPS_MAX];
};

/* The current process's credentials (root's at boot, before any process). */
const struct cred *cred_current(void);

/* Does c have privilege over files (fsuid 0: CAP_DAC_OVERRIDE, CAP_FOWNER ...)? */
static inline bool cred_fs_root(const struct cred *c)
{
	return c->fsuid == 0;
}

/* Is gid c's file-system group or one of its supplementary groups? */
bool cred_in_group(const struct cred *c, uint32_t gid);

#endif
