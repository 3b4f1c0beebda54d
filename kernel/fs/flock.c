/*
 * Record locks: see flock.h for the model.
 *
 * Every lock of every vnode is a struct lock_rec on its vnode's list
 * (vn->locks); one spinlock, flock_spin, guards all of them, the waiters
 * list and the wait queue. A request is decided whole under flock_spin:
 * first the search for a conflict, then the change to the owner's own
 * locks, which cannot fail because the records it may need (the new lock,
 * and the one piece an owner's lock split in two leaves over) are
 * allocated before the spinlock is taken.
 *
 * F_SETLKW sleeps on flock_wq until a change might have freed its range;
 * every unlock wakes every waiter, which looks again. While it sleeps a
 * POSIX owner is on the waiters list with the owner it waits for, so that
 * a request that would close a cycle of POSIX owners waiting on each other
 * fails with EDEADLK, as Linux's (a chain of at most DEADLOCK_STEPS).
 */
#include "fs/flock.h"
#include "fs/vfs.h"
#include "kern/files.h"
#include "kern/proc.h"
#include "kern/signal.h"
#include "kern/uaccess.h"
#include "vm/kmem.h"

#define OFFSET_MAX	INT64_MAX
#define DEADLOCK_STEPS	10
#define SEEK_SET	0
#define SEEK_CUR	1
#define SEEK_END	2

struct lock_rec {
	struct list_node link;		/* in vn->locks */
	const void *owner;		/* struct files (POSIX) or struct file (OFD) */
	int pid;			/* who set it: F_GETLK's l_pid (-1: OFD) */
	int type;			/* F_RDLCK or F_WRLCK */
	uint64_t start, end;		/* bytes [start, end] */
};

/* A POSIX owner asleep in F_SETLKW, and the owner of the lock it waits on. */
struct lock_waiter {
	struct list_node link;		/* in waiters */
	const void *owner, *blocker;
};

/* A request, decoded from struct flock. */
struct lock_req {
	const void *owner;
	bool ofd;
	int type;
	uint64_t start, end;
};

static struct spinlock flock_spin = SPINLOCK_INIT("record locks");
static struct waitq flock_wq = { LIST_HEAD_INIT(flock_wq.waiters) };
static struct list_node waiters = LIST_HEAD_INIT(waiters);	/* flock_spin */

static bool ranges_overlap(uint64_t s1, uint64_t e1, uint64_t s2, uint64_t e2)
{
	return s1 <= e2 && s2 <= e1;
}

/* Do [s1, e1] and [s2, e2] overlap or touch end to start? */
static bool ranges_touch(uint64_t s1, uint64_t e1, uint64_t s2, uint64_t e2)
{
	return (e1 == UINT64_MAX || e1 + 1 >= s2) && (e2 == UINT64_MAX || e2 + 1 >= s1);
}

/* The first lock of another owner that conflicts with req, or NULL (flock_spin). */
static struct lock_rec *lock_conflict(struct vnode *vn, const struct lock_req *req)
{
	struct list_node *n;

	list_for_each(n, &vn->locks) {
		struct lock_rec *l = list_entry(n, struct lock_rec, link);

		if (l->owner != req->owner &&
		    (l->type == F_WRLCK || req->type == F_WRLCK) &&
		    ranges_overlap(l->start, l->end, req->start, req->end))
			return l;
	}
	return NULL;
}

/*
 * Would owner, waiting for a lock of blocker, close a cycle of POSIX owners
 * waiting on each other? (flock_spin)
 */
static bool lock_deadlock(const void *owner, const void *blocker)
{
	for (int step = 0; step < DEADLOCK_STEPS; step++) {
		struct list_node *n;
		const void *next = NULL;

		if (blocker == owner)
			return true;
		list_for_each(n, &waiters) {
			struct lock_waiter *w = list_entry(n, struct lock_waiter, link);

			if (w->owner == blocker) {
				next = w->blocker;
				break;
			}
		}
		if (!next)
			return false;
		blocker = next;
	}
	return false;
}

/*
 * Take the part [start, end] out of l, one of the owner's locks that
 * overlaps it: l shrinks, goes (into *unused, to be freed), or is split, the
 * right-hand piece taken from *spare. (flock_spin)
 */
static void lock_cut(struct lock_rec *l, uint64_t start, uint64_t end,
		     struct lock_rec **spare, struct lock_rec **unused)
{
	bool left = l->start < start, right = l->end > end;

	if (left && right) {
		struct lock_rec *r = *spare;

		*spare = NULL;
		*r = *l;
		r->start = end + 1;
		l->end = start - 1;
		list_insert_between(&r->link, &l->link, l->link.next);
	} else if (left) {
		l->end = start - 1;
	} else if (right) {
		l->start = end + 1;
	} else {
		list_remove(&l->link);
		l->link.next = *unused ? &(*unused)->link : NULL;	/* free later */
		*unused = l;
	}
}

/*
 * Apply req (no conflict: checked) to its owner's locks on vn, with the
 * records rec (the new lock) and spare (a split's piece); those not used
 * are left in *rec / *spare, the records given up chained on *unused.
 * (flock_spin)
 */
static void lock_apply(struct vnode *vn, const struct lock_req *req, int pid,
		       struct lock_rec **rec, struct lock_rec **spare,
		       struct lock_rec **unused)
{
	uint64_t start = req->start, end = req->end;
	struct list_node *n, *tmp;

	list_for_each_safe(n, tmp, &vn->locks) {
		struct lock_rec *l = list_entry(n, struct lock_rec, link);

		if (l->owner != req->owner)
			continue;
		if (req->type == l->type &&
		    ranges_touch(l->start, l->end, start, end)) {
			start = MIN(start, l->start);	/* merge it in */
			end = MAX(end, l->end);
			lock_cut(l, l->start, l->end, spare, unused);
		} else if (ranges_overlap(l->start, l->end, start, end)) {
			lock_cut(l, start, end, spare, unused);
		}
	}
	if (req->type == F_UNLCK)
		return;
	**rec = (struct lock_rec){ .owner = req->owner, .pid = pid,
				   .type = req->type, .start = start, .end = end };
	list_append(&vn->locks, &(*rec)->link);
	*rec = NULL;
}

/* Free a chain of records that lock_cut gave up. */
static void lock_free_chain(struct lock_rec *l)
{
	while (l) {
		struct list_node *n = l->link.next;
		struct lock_rec *next = n ? list_entry(n, struct lock_rec, link) : NULL;

		kfree(l);
		l = next;
	}
}

/*
 * Set or clear req on vn, waiting for conflicts to go if wait. Returns 0,
 * -EAGAIN, -EDEADLK, -ENOLCK or -ERESTARTSYS.
 */
static int lock_set(struct vnode *vn, const struct lock_req *req, bool wait)
{
	struct lock_rec *rec = kmalloc(sizeof(*rec), 0);
	struct lock_rec *spare = kmalloc(sizeof(*spare), 0), *unused = NULL;
	struct lock_waiter me = { .owner = req->owner };
	unsigned long flags;
	int err = 0;

	if (!rec || !spare) {
		kfree(rec);
		kfree(spare);
		return -ENOLCK;
	}
	flags = spin_lock_irqsave(&flock_spin);
	for (;;) {
		struct lock_rec *l = req->type == F_UNLCK ? NULL : lock_conflict(vn, req);

		if (!l)
			break;
		if (!wait) {
			err = -EAGAIN;
			break;
		}
		if (!req->ofd && lock_deadlock(req->owner, l->owner)) {
			err = -EDEADLK;
			break;
		}
		if (signal_pending()) {
			err = -ERESTARTSYS;
			break;
		}
		me.blocker = l->owner;
		if (!req->ofd)
			list_append(&waiters, &me.link);
		waitq_sleep(&flock_wq, &flock_spin);
		if (!req->ofd)
			list_remove(&me.link);
	}
	if (!err) {
		lock_apply(vn, req, req->ofd ? -1 : current()->pid, &rec, &spare, &unused);
		waitq_wake_all(&flock_wq);
	}
	spin_unlock_irqrestore(&flock_spin, flags);
	kfree(rec);
	kfree(spare);
	lock_free_chain(unused);
	return err;
}

/*
 * Decode the user's struct flock for file f into req (range per l_whence,
 * as Linux's flock_to_posix_lock). Returns 0, -EINVAL or -EOVERFLOW.
 */
static int lock_decode(struct file *f, const struct kflock *fl,
		       struct lock_req *req)
{
	int64_t base, start;

	switch (fl->l_whence) {
	case SEEK_SET: base = 0; break;
	case SEEK_CUR: base = f->off; break;
	case SEEK_END: base = f->vn->size; break;
	default: return -EINVAL;
	}
	if (__builtin_add_overflow(base, fl->l_start, &start))
		return -EOVERFLOW;
	if (start < 0)
		return -EINVAL;
	req->start = start;
	if (fl->l_len > 0) {
		int64_t end;

		if (__builtin_add_overflow(start, fl->l_len - 1, &end))
			return -EOVERFLOW;
		req->end = end;
	} else if (fl->l_len < 0) {
		if (start + fl->l_len < 0)
			return -EINVAL;
		req->end = start - 1;
		req->start = start + fl->l_len;
	} else {
		req->end = UINT64_MAX;
	}
	req->type = fl->l_type;
	return 0;
}

/* F_GETLK: describe in *fl the first lock that conflicts with req, if any. */
static int lock_get(struct vnode *vn, const struct lock_req *req,
		    struct kflock *fl)
{
	unsigned long flags = spin_lock_irqsave(&flock_spin);
	struct lock_rec *l = lock_conflict(vn, req);
	int err = 0;

	if (!l) {
		fl->l_type = F_UNLCK;
	} else {
		fl->l_type = l->type;
		fl->l_whence = SEEK_SET;
		fl->l_start = l->start;
		fl->l_len = l->end == UINT64_MAX ? 0 : l->end - l->start + 1;
		fl->l_pid = l->pid;
		if (l->start > OFFSET_MAX)
			err = -EOVERFLOW;
	}
	spin_unlock_irqrestore(&flock_spin, flags);
	return err;
}

/* May f be locked with type (the access mode it was opened with)? */
static int lock_access(struct file *f, int type)
{
	unsigned int mode = f->flags & O_ACCMODE;

	if (type == F_RDLCK && mode == O_WRONLY)
		return -EBADF;
	if (type == F_WRLCK && mode == O_RDONLY)
		return -EBADF;
	return 0;
}

long flock_fcntl(struct file *f, int cmd, uint64_t uarg)
{
	bool ofd = cmd >= F_OFD_GETLK, get = cmd == F_GETLK || cmd == F_OFD_GETLK;
	struct lock_req req = { .ofd = ofd };
	struct kflock fl;
	int err;

	if (copy_from_user(&fl, uarg, sizeof(fl)))
		return -EFAULT;
	if (!f->vn || (f->vn->type != VREG && f->vn->type != VDIR &&
		       f->vn->type != VBLK && f->vn->type != VCHR))
		return -EINVAL;
	if (ofd && fl.l_pid != 0)
		return -EINVAL;
	if (fl.l_type != F_RDLCK && fl.l_type != F_WRLCK && fl.l_type != F_UNLCK)
		return -EINVAL;
	if (get && fl.l_type == F_UNLCK)
		return -EINVAL;
	err = lock_decode(f, &fl, &req);
	if (err)
		return err;
	req.owner = ofd ? (const void *)f : (const void *)current()->files;
	if (get) {
		err = lock_get(f->vn, &req, &fl);
		if (!err && copy_to_user(uarg, &fl, sizeof(fl)))
			err = -EFAULT;
		return err;
	}
	err = lock_access(f, req.type);
	if (err)
		return err;
	return lock_set(f->vn, &req, cmd == F_SETLKW || cmd == F_OFD_SETLKW);
}

/* Drop every lock of owner on vn. */
static void lock_drop_owner(struct vnode *vn, const void *owner)
{
	struct lock_rec *unused = NULL;
	struct list_node *n, *tmp;
	unsigned long flags;
	bool any = false;

	flags = spin_lock_irqsave(&flock_spin);
	list_for_each_safe(n, tmp, &vn->locks) {
		struct lock_rec *l = list_entry(n, struct lock_rec, link);

		if (l->owner == owner) {
			lock_cut(l, l->start, l->end, NULL, &unused);
			any = true;
		}
	}
	if (any)
		waitq_wake_all(&flock_wq);
	spin_unlock_irqrestore(&flock_spin, flags);
	lock_free_chain(unused);
}

void flock_close_posix(struct file *f, struct files *owner)
{
	if (f->vn)
		lock_drop_owner(f->vn, owner);
}

void flock_close_file(struct file *f)
{
	if (f->vn)
		lock_drop_owner(f->vn, f);
}
