/*
 * File permissions and the attribute changes they guard (chmod, chown,
 * utimens), with Linux's rules; see vfs.h. Root here is Linux's
 * CAP_DAC_OVERRIDE, CAP_FOWNER and CAP_CHOWN: a caller whose fsuid is 0.
 */
#include "fs/vfs.h"
#include "kern/cred.h"

#define S_ISUID		04000
#define S_ISGID		02000
#define S_ISVTX		01000
#define NSEC_PER_SEC	1000000000LL

/* The three bits of vn's mode that apply to credentials c. */
static uint32_t mode_bits_for(const struct cred *c, const struct vnode *vn)
{
	if (c->fsuid == vn->uid)
		return (vn->mode >> 6) & 7;
	if (cred_in_group(c, vn->gid))
		return (vn->mode >> 3) & 7;
	return vn->mode & 7;
}

int vnode_permission_cred(const struct cred *c, struct vnode *vn, int mask)
{
	mask &= MAY_READ | MAY_WRITE | MAY_EXEC;
	if ((mode_bits_for(c, vn) & mask) == (uint32_t)mask)
		return 0;
	if (!cred_fs_root(c))
		return -EACCES;
	if (!(mask & MAY_EXEC) || vn->type == VDIR || (vn->mode & 0111))
		return 0;
	return -EACCES;
}

int vnode_permission(struct vnode *vn, int mask)
{
	return vnode_permission_cred(cred_current(), vn, mask);
}

void vnode_set_owner(struct vnode *vn)
{
	const struct cred *c = cred_current();

	vn->uid = c->fsuid;
	vn->gid = c->fsgid;
}

int vnode_may_delete(struct vnode *dir, struct vnode *vn)
{
	const struct cred *c = cred_current();

	if (!(dir->mode & S_ISVTX) || cred_fs_root(c) ||
	    c->fsuid == vn->uid || c->fsuid == dir->uid)
		return 0;
	return -EPERM;
}

/* Is the caller vn's owner, or root (CAP_FOWNER)? */
static bool owner_or_root(const struct cred *c, const struct vnode *vn)
{
	return cred_fs_root(c) || c->fsuid == vn->uid;
}

int vnode_chmod(struct vnode *vn, uint32_t mode)
{
	const struct cred *c = cred_current();

	if (!vn->writable_fs)
		return -EROFS;
	if (!owner_or_root(c, vn))
		return -EPERM;
	mode &= 07777;
	if (!cred_fs_root(c) && !cred_in_group(c, vn->gid))
		mode &= ~S_ISGID;
	mutex_lock(&vn->lock);
	vn->mode = (vn->mode & S_IFMT) | mode;
	vnode_touch(vn, false, true);
	mutex_unlock(&vn->lock);
	return 0;
}

/*
 * May credentials c (not root) give vn the owner uid and group gid (-1:
 * kept)? Only its owner, keeping the owner, and only to a group it is in
 * (or the file's own group).
 */
static bool chown_allowed(const struct cred *c, const struct vnode *vn,
			  uint32_t uid, uint32_t gid)
{
	if (uid != (uint32_t)-1 && (c->fsuid != vn->uid || uid != vn->uid))
		return false;
	if (gid != (uint32_t)-1 && (c->fsuid != vn->uid ||
				    (gid != vn->gid && !cred_in_group(c, gid))))
		return false;
	return true;
}

int vnode_chown(struct vnode *vn, uint32_t uid, uint32_t gid)
{
	const struct cred *c = cred_current();

	if (!vn->writable_fs)
		return -EROFS;
	if (!cred_fs_root(c) && !chown_allowed(c, vn, uid, gid))
		return -EPERM;
	mutex_lock(&vn->lock);
	if (uid != (uint32_t)-1)
		vn->uid = uid;
	if (gid != (uint32_t)-1)
		vn->gid = gid;
	if (vn->type != VDIR && (uid != (uint32_t)-1 || gid != (uint32_t)-1)) {
		vn->mode &= ~S_ISUID;
		if (vn->mode & 010)
			vn->mode &= ~S_ISGID;
	}
	vnode_touch(vn, false, true);
	mutex_unlock(&vn->lock);
	return 0;
}

/* May the caller set vn's times: to now (only_now) or to given ones? */
static int utimens_allowed(struct vnode *vn, bool only_now)
{
	const struct cred *c = cred_current();

	if (owner_or_root(c, vn))
		return 0;
	if (!only_now)
		return -EPERM;
	return vnode_permission_cred(c, vn, MAY_WRITE);
}

int vnode_utimens(struct vnode *vn, const int64_t times[2][2])
{
	int64_t now = vfs_now(), t[2];
	bool only_now = true;
	int err;

	for (int i = 0; i < 2; i++) {
		int64_t ns = times ? times[i][1] : UTIME_NOW;

		if (ns == UTIME_OMIT)
			t[i] = -1;
		else if (ns == UTIME_NOW)
			t[i] = now;
		else {
			t[i] = times[i][0] * NSEC_PER_SEC + ns;
			only_now = false;
		}
	}
	if (times && times[0][1] == UTIME_OMIT && times[1][1] == UTIME_OMIT)
		return 0;
	err = vn->writable_fs ? utimens_allowed(vn, only_now) : -EROFS;
	if (err)
		return err;
	mutex_lock(&vn->lock);
	if (times == NULL || times[0][1] != UTIME_OMIT)
		vn->atime = t[0];
	if (times == NULL || times[1][1] != UTIME_OMIT)
		vn->mtime = t[1];
	vn->ctime = now;
	mutex_unlock(&vn->lock);
	return 0;
}
