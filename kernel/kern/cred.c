/*
 * Credentials and the system calls that read and change them, with
 * Linux's rules (see cred.h). "Privileged" is Linux's CAP_SETUID (for user
 * ids) or CAP_SETGID (for group ids), which Kilburn gives a process while
 * its effective uid is 0.
 */
#include "kern/cred.h"
#include "kern/proc.h"
#include "kern/syscall.h"
#include "kern/uaccess.h"

#define ID_KEEP		0xffffffffu	/* (uid_t)-1: leave this id as it is */

static const struct cred boot_cred;	/* root, before any process runs */

const struct cred *cred_current(void)
{
	struct proc *p = current();

	return p ? &p->cred : &boot_cred;
}

bool cred_in_group(const struct cred *c, uint32_t gid)
{
	if (c->fsgid == gid)
		return true;
	for (int i = 0; i < c->ngroups; i++)
		if (c->groups[i] == gid)
			return true;
	return false;
}

/* One of Linux's id triples: real, effective, saved, and the fs id. */
struct ids {
	uint32_t *r, *e, *s, *fs;
};

static struct ids user_ids(struct cred *c)
{
	return (struct ids){ &c->uid, &c->euid, &c->suid, &c->fsuid };
}

static struct ids group_ids(struct cred *c)
{
	return (struct ids){ &c->gid, &c->egid, &c->sgid, &c->fsgid };
}

/* Is id one of the real, effective and saved ids? */
static bool ids_hold(const struct ids *ids, uint32_t id)
{
	return id == *ids->r || id == *ids->e || id == *ids->s;
}

/*
 * setuid/setgid: privileged, all of the ids become id; otherwise only the
 * effective (and fs) id, and only to the real or saved one. 0 or -EPERM,
 * -EINVAL for -1.
 */
static long ids_set(struct ids ids, bool priv, uint32_t id)
{
	if (id == ID_KEEP)
		return -EINVAL;
	if (priv)
		*ids.r = *ids.s = id;
	else if (id != *ids.r && id != *ids.s)
		return -EPERM;
	*ids.e = *ids.fs = id;
	return 0;
}

/*
 * setreuid/setregid: an unprivileged process may set the real id to the
 * real or effective one and the effective id to any of the three; the
 * saved id follows the new effective one when the real id is set or the
 * effective one becomes other than the (old) real one.
 */
static long ids_set_re(struct ids ids, bool priv, uint32_t r, uint32_t e)
{
	uint32_t old_r = *ids.r;

	if (!priv && ((r != ID_KEEP && r != *ids.r && r != *ids.e) ||
		      (e != ID_KEEP && !ids_hold(&ids, e))))
		return -EPERM;
	if (r != ID_KEEP)
		*ids.r = r;
	if (e != ID_KEEP)
		*ids.e = e;
	if (r != ID_KEEP || (e != ID_KEEP && e != old_r))
		*ids.s = *ids.e;
	*ids.fs = *ids.e;
	return 0;
}

/* setresuid/setresgid: unprivileged, each new id must be one of the three. */
static long ids_set_res(struct ids ids, bool priv, uint32_t r, uint32_t e,
			uint32_t s)
{
	if (!priv && ((r != ID_KEEP && !ids_hold(&ids, r)) ||
		      (e != ID_KEEP && !ids_hold(&ids, e)) ||
		      (s != ID_KEEP && !ids_hold(&ids, s))))
		return -EPERM;
	if (r != ID_KEEP)
		*ids.r = r;
	if (e != ID_KEEP)
		*ids.e = e;
	if (s != ID_KEEP)
		*ids.s = s;
	*ids.fs = *ids.e;
	return 0;
}

/* setfsuid/setfsgid: always the old fs id; changed if allowed. */
static long ids_set_fs(struct ids ids, bool priv, uint32_t fs)
{
	uint32_t old = *ids.fs;

	if (priv || ids_hold(&ids, fs) || fs == *ids.fs)
		*ids.fs = fs;
	return old;
}

static long ids_get_res(struct ids ids, uint64_t ur, uint64_t ue, uint64_t us)
{
	if (copy_to_user(ur, ids.r, 4) || copy_to_user(ue, ids.e, 4) ||
	    copy_to_user(us, ids.s, 4))
		return -EFAULT;
	return 0;
}

static struct cred *me(void)
{
	return &current()->cred;
}

/* CAP_SETUID / CAP_SETGID: the effective uid is 0. */
static bool privileged(void)
{
	return me()->euid == 0;
}

static long sys_getuid(void)	{ return me()->uid; }
static long sys_geteuid(void)	{ return me()->euid; }
static long sys_getgid(void)	{ return me()->gid; }
static long sys_getegid(void)	{ return me()->egid; }

static long sys_setuid(long uid)
{
	return ids_set(user_ids(me()), privileged(), uid);
}

static long sys_setgid(long gid)
{
	return ids_set(group_ids(me()), privileged(), gid);
}

static long sys_setreuid(long r, long e)
{
	return ids_set_re(user_ids(me()), privileged(), r, e);
}

static long sys_setregid(long r, long e)
{
	return ids_set_re(group_ids(me()), privileged(), r, e);
}

static long sys_setresuid(long r, long e, long s)
{
	return ids_set_res(user_ids(me()), privileged(), r, e, s);
}

static long sys_setresgid(long r, long e, long s)
{
	return ids_set_res(group_ids(me()), privileged(), r, e, s);
}

static long sys_getresuid(long ur, long ue, long us)
{
	return ids_get_res(user_ids(me()), ur, ue, us);
}

static long sys_getresgid(long ur, long ue, long us)
{
	return ids_get_res(group_ids(me()), ur, ue, us);
}

static long sys_setfsuid(long fsuid)
{
	return ids_set_fs(user_ids(me()), privileged(), fsuid);
}

static long sys_setfsgid(long fsgid)
{
	return ids_set_fs(group_ids(me()), privileged(), fsgid);
}

/* getgroups: the count (size 0), or the groups; -EINVAL if size is too small. */
static long sys_getgroups(long size, long ulist)
{
	struct cred *c = me();

	if (size < 0)
		return -EINVAL;
	if (size == 0)
		return c->ngroups;
	if (size < c->ngroups)
		return -EINVAL;
	if (copy_to_user(ulist, c->groups, c->ngroups * sizeof(c->groups[0])))
		return -EFAULT;
	return c->ngroups;
}

/* setgroups: privileged only; at most CRED_GROUPS_MAX groups (else -EINVAL). */
static long sys_setgroups(long size, long ulist)
{
	struct cred *c = me();
	uint32_t groups[CRED_GROUPS_MAX];

	if (!privileged())
		return -EPERM;
	if (size < 0 || size > CRED_GROUPS_MAX)
		return -EINVAL;
	if (size && copy_from_user(groups, ulist, size * sizeof(groups[0])))
		return -EFAULT;
	memcpy(c->groups, groups, size * sizeof(groups[0]));
	c->ngroups = size;
	return 0;
}

void syscalls_cred(syscall_fn *t)
{
	SYSCALL(t, getuid);
	SYSCALL(t, geteuid);
	SYSCALL(t, getgid);
	SYSCALL(t, getegid);
	SYSCALL(t, setuid);
	SYSCALL(t, setgid);
	SYSCALL(t, setreuid);
	SYSCALL(t, setregid);
	SYSCALL(t, setresuid);
	SYSCALL(t, setresgid);
	SYSCALL(t, getresuid);
	SYSCALL(t, getresgid);
	SYSCALL(t, setfsuid);
	SYSCALL(t, setfsgid);
	SYSCALL(t, getgroups);
	SYSCALL(t, setgroups);
}
