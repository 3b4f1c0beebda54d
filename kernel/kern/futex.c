/*
 * Futexes and the futex system call; see futex.h.
 *
 * A waiter queues itself before it reads the user word and sleeps only if
 * it is still queued: a waker that changed the word and then woke takes it
 * off the queue either before the read (the waiter sees the new value and
 * returns EAGAIN) or after it (the waiter finds itself woken), so no wake-up
 * is lost although the word is read without the lock held (reading it may
 * fault and sleep).
 */
#include "kern/futex.h"
#include "arch/riscv/timer.h"
#include "dev/rtc.h"
#include "kern/proc.h"
#include "kern/sched.h"
#include "kern/signal.h"
#include "kern/syscall.h"
#include "kern/uaccess.h"
#include "kern/waitq.h"
#include "vm/vmspace.h"

#define FUTEX_WAIT		0
#define FUTEX_WAKE		1
#define FUTEX_REQUEUE		3
#define FUTEX_CMP_REQUEUE	4
#define FUTEX_WAKE_OP		5
#define FUTEX_WAIT_BITSET	9
#define FUTEX_WAKE_BITSET	10
#define FUTEX_PRIVATE_FLAG	128
#define FUTEX_CLOCK_REALTIME	256
#define FUTEX_CMD_MASK		(~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME))
#define FUTEX_BITSET_ANY	0xffffffffU

#define FUTEX_WAITERS		0x80000000U
#define FUTEX_OWNER_DIED	0x40000000U
#define FUTEX_TID_MASK		0x3fffffffU
#define ROBUST_LIST_LIMIT	2048		/* as Linux: a loop is not followed forever */

#define FUTEX_HASH		64
#define NSEC			1000000000LL

long uaccess_cmpxchg32(uint32_t *uaddr, uint32_t old, uint32_t new, uint32_t *found);

struct futex_key {
	uintptr_t space;	/* the vmspace, or the vobject | 1 if shared */
	uint64_t offset;	/* the virtual address, or the offset in the object */
};

struct futex_waiter {
	struct list_node link;		/* in its bucket (futex_lock) */
	struct list_node timed_link;	/* in timed, if it has a deadline */
	struct futex_key key;
	uint32_t bitset;
	bool queued;			/* futex_lock: not yet woken */
	uint64_t deadline;		/* uptime ns, 0 for none */
	struct waitq wq;		/* it alone sleeps here */
};

static struct spinlock futex_lock = SPINLOCK_INIT("futex");
static struct list_node buckets[FUTEX_HASH];
static struct list_node timed = LIST_HEAD_INIT(timed);
static bool futex_ready;

static struct list_node *bucket_of(const struct futex_key *k)
{
	uint64_t h = (k->space >> 4) * 0x9e3779b97f4a7c15ULL ^ (k->offset >> 2);

	if (!futex_ready) {		/* first use, on the first thread's hart */
		unsigned long flags = spin_lock_irqsave(&futex_lock);

		if (!futex_ready) {
			for (int i = 0; i < FUTEX_HASH; i++)
				list_init(&buckets[i]);
			__atomic_store_n(&futex_ready, true, __ATOMIC_RELEASE);
		}
		spin_unlock_irqrestore(&futex_lock, flags);
	}
	return &buckets[(h ^ h >> 29) % FUTEX_HASH];
}

static bool key_equal(const struct futex_key *a, const struct futex_key *b)
{
	return a->space == b->space && a->offset == b->offset;
}

/*
 * The key of the futex word at uaddr in the current address space.
 * Returns 0, -EINVAL (misaligned) or -EFAULT (not mapped, for a shared
 * futex; a private one is not looked up).
 */
static int futex_key_of(uint64_t uaddr, bool private, struct futex_key *k)
{
	struct vmspace *vm = current()->vm;
	struct region *r;

	if (uaddr & 3)
		return -EINVAL;
	if (!user_range_ok(uaddr, sizeof(uint32_t)))
		return -EFAULT;
	k->space = (uintptr_t)vm;
	k->offset = uaddr;
	if (private)
		return 0;
	mutex_lock(&vm->lock);
	r = vmspace_find(vm, uaddr);
	if (r && (r->flags & REGION_SHARED) && r->obj) {
		k->space = (uintptr_t)r->obj | 1;
		k->offset = r->obj_pgoff * PAGE_SIZE + (uaddr - r->start);
	}
	mutex_unlock(&vm->lock);
	return r ? 0 : -EFAULT;
}

/* Take w off its queue and wake it (futex_lock held). */
static void waiter_wake(struct futex_waiter *w)
{
	list_remove(&w->link);
	w->queued = false;
	waitq_wake_all(&w->wq);
}

/*
 * Wake up to n waiters on k whose bitset meets bitset; then, if to is not
 * NULL, move up to n2 more to the key *to. Returns woken + moved.
 */
static long wake_and_move(const struct futex_key *k, uint32_t bitset, int n,
			  const struct futex_key *to, int n2)
{
	struct list_node *b = bucket_of(k), *dst = to ? bucket_of(to) : NULL, *e, *next;
	unsigned long flags = spin_lock_irqsave(&futex_lock);
	long done = 0;

	for (e = b->next; e != b; e = next) {
		struct futex_waiter *w = list_entry(e, struct futex_waiter, link);

		next = e->next;
		if (!key_equal(&w->key, k) || !(w->bitset & bitset))
			continue;
		if (n > 0) {
			waiter_wake(w);
			n--;
		} else if (to && n2 > 0) {
			list_remove(&w->link);
			w->key = *to;
			list_append(dst, &w->link);
			n2--;
		} else {
			break;
		}
		done++;
	}
	spin_unlock_irqrestore(&futex_lock, flags);
	return done;
}

/*
 * FUTEX_WAIT(_BITSET): sleep while the word at uaddr holds val, until
 * woken, the deadline (uptime ns, 0 for none) or a signal. Returns 0,
 * -EAGAIN, -ETIMEDOUT, -EINTR (timed), -ERESTARTSYS (untimed: restarted
 * after an SA_RESTART handler), -EFAULT or -EINVAL.
 */
static long futex_wait(uint64_t uaddr, bool private, uint32_t val,
		       uint64_t deadline, uint32_t bitset)
{
	struct futex_waiter w = { .bitset = bitset, .queued = true, .deadline = deadline };
	unsigned long flags;
	uint32_t cur;
	long err = futex_key_of(uaddr, private, &w.key);
	struct list_node *b;

	if (err)
		return err;
	if (!bitset)
		return -EINVAL;
	b = bucket_of(&w.key);
	waitq_init(&w.wq);
	list_init(&w.timed_link);
	flags = spin_lock_irqsave(&futex_lock);
	list_append(b, &w.link);
	if (deadline)
		list_append(&timed, &w.timed_link);
	spin_unlock_irqrestore(&futex_lock, flags);
	if (copy_from_user(&cur, uaddr, sizeof(cur)))
		err = -EFAULT;
	else if (cur != val)
		err = -EAGAIN;
	flags = spin_lock_irqsave(&futex_lock);
	while (!err && w.queued) {
		if (signal_pending())	/* as Linux: a timed wait is not restarted */
			err = deadline ? -EINTR : -ERESTARTSYS;
		else if (deadline && timer_uptime_ns() >= deadline)
			err = -ETIMEDOUT;
		else
			waitq_sleep(&w.wq, &futex_lock);
	}
	if (w.queued)
		list_remove(&w.link);
	else
		err = 0;	/* woken: whatever else happened too */
	list_remove(&w.timed_link);
	spin_unlock_irqrestore(&futex_lock, flags);
	return err;
}

void futex_tick(void)
{
	uint64_t now;
	struct list_node *e;

	if (list_empty(&timed))		/* a racy peek: the next tick sees it */
		return;
	now = timer_uptime_ns();
	spin_lock(&futex_lock);
	list_for_each(e, &timed) {
		struct futex_waiter *w = list_entry(e, struct futex_waiter, timed_link);

		if (now >= w->deadline)
			waitq_wake_all(&w->wq);
	}
	spin_unlock(&futex_lock);
}

long futex_wake_address(uint64_t uaddr, int n)
{
	struct futex_key k;
	int err = futex_key_of(uaddr, false, &k);

	return err ? err : wake_and_move(&k, FUTEX_BITSET_ANY, n, NULL, 0);
}

/* The old value and, with it, the new value of FUTEX_WAKE_OP's operation. */
static int wake_op_apply(uint32_t op, int oparg, uint32_t old, uint32_t *new)
{
	if (op & 8) {				/* FUTEX_OP_OPARG_SHIFT */
		oparg = 1U << (oparg & 31);
		op &= 7;
	}
	switch (op) {
	case 0: *new = oparg; return 0;		/* SET */
	case 1: *new = old + oparg; return 0;	/* ADD */
	case 2: *new = old | oparg; return 0;	/* OR */
	case 3: *new = old & ~oparg; return 0;	/* ANDN */
	case 4: *new = old ^ oparg; return 0;	/* XOR */
	}
	return -ENOSYS;
}

/* FUTEX_WAKE_OP's comparison of the old value: 1, 0 or -ENOSYS. */
static int wake_op_compare(uint32_t cmp, int old, int cmparg)
{
	switch (cmp) {
	case 0: return old == cmparg;
	case 1: return old != cmparg;
	case 2: return old < cmparg;
	case 3: return old <= cmparg;
	case 4: return old > cmparg;
	case 5: return old >= cmparg;
	}
	return -ENOSYS;
}

/*
 * FUTEX_WAKE_OP: atomically apply the operation encoded in enc to the word
 * at uaddr2, wake n on uaddr, and n2 on uaddr2 if the old value compares.
 */
static long futex_wake_op(uint64_t uaddr, bool private, int n, uint64_t uaddr2,
			  int n2, uint32_t enc)
{
	struct futex_key k1, k2;
	int oparg = (int)(enc << 8) >> 20, cmparg = (int)(enc << 20) >> 20;
	uint32_t old, new, found;
	long err = futex_key_of(uaddr, private, &k1), woken;
	int cmp;

	if (!err)
		err = futex_key_of(uaddr2, private, &k2);
	if (err)
		return err;
	if (wake_op_apply(enc >> 28, oparg, 0, &new) < 0 ||
	    wake_op_compare(enc >> 24 & 15, 0, 0) < 0)
		return -ENOSYS;
	if (copy_from_user(&old, uaddr2, sizeof(old)))
		return -EFAULT;
	for (;;) {
		wake_op_apply(enc >> 28, oparg, old, &new);
		if (uaccess_cmpxchg32((uint32_t *)uaddr2, old, new, &found))
			return -EFAULT;
		if (found == old)
			break;
		old = found;
	}
	woken = wake_and_move(&k1, FUTEX_BITSET_ANY, n, NULL, 0);
	cmp = wake_op_compare(enc >> 24 & 15, (int)old, cmparg);
	if (cmp > 0)
		woken += wake_and_move(&k2, FUTEX_BITSET_ANY, n2, NULL, 0);
	return woken;
}

/* FUTEX_(CMP_)REQUEUE: wake n on uaddr, move up to n2 more to uaddr2. */
static long futex_requeue(uint64_t uaddr, bool private, int n, uint64_t uaddr2,
			  int n2, bool cmp, uint32_t val3)
{
	struct futex_key k1, k2;
	long err;
	uint32_t cur;

	if (n < 0 || n2 < 0)
		return -EINVAL;
	err = futex_key_of(uaddr, private, &k1);
	if (!err)
		err = futex_key_of(uaddr2, private, &k2);
	if (err)
		return err;
	if (cmp) {
		if (copy_from_user(&cur, uaddr, sizeof(cur)))
			return -EFAULT;
		if (cur != val3)
			return -EAGAIN;
	}
	return wake_and_move(&k1, FUTEX_BITSET_ANY, n, &k2, n2);
}

/*
 * The deadline of a wait, in uptime: utime is relative (FUTEX_WAIT) or
 * absolute (FUTEX_WAIT_BITSET) on CLOCK_MONOTONIC (uptime) or, with
 * `realtime`, on CLOCK_REALTIME (the wall time, uptime plus the RTC's
 * offset at boot). 0 for none.
 */
static long futex_deadline(uint64_t utime, bool absolute, bool realtime,
			   uint64_t *deadline)
{
	int64_t ts[2];
	uint64_t ns, now = timer_uptime_ns();

	*deadline = 0;
	if (!utime)
		return 0;
	if (copy_from_user(ts, utime, sizeof(ts)))
		return -EFAULT;
	if (ts[0] < 0 || ts[1] < 0 || ts[1] >= NSEC)
		return -EINVAL;
	if ((uint64_t)ts[0] >= (~0ULL / 4 - now) / NSEC)
		ns = ~0ULL / 4;		/* as good as forever */
	else
		ns = (uint64_t)ts[0] * NSEC + (uint64_t)ts[1];
	if (absolute && realtime)
		ns -= MIN(ns, rtc_offset_ns());
	*deadline = absolute ? ns : now + ns;
	if (*deadline == 0)
		*deadline = 1;		/* 0 means none: the epoch has passed */
	return 0;
}

static long sys_futex(long uaddr, long op, long val, long utime, long uaddr2, long val3)
{
	bool private = op & FUTEX_PRIVATE_FLAG;
	int cmd = op & FUTEX_CMD_MASK;
	uint64_t deadline;
	long err;

	if ((op & FUTEX_CLOCK_REALTIME) && cmd != FUTEX_WAIT && cmd != FUTEX_WAIT_BITSET)
		return -ENOSYS;
	switch (cmd) {
	case FUTEX_WAIT:
	case FUTEX_WAIT_BITSET:
		err = futex_deadline(utime, cmd == FUTEX_WAIT_BITSET,
				     op & FUTEX_CLOCK_REALTIME, &deadline);
		if (err)
			return err;
		return futex_wait(uaddr, private, val, deadline,
				  cmd == FUTEX_WAIT ? FUTEX_BITSET_ANY : (uint32_t)val3);
	case FUTEX_WAKE:
	case FUTEX_WAKE_BITSET: {
		struct futex_key k;
		uint32_t bitset = cmd == FUTEX_WAKE ? FUTEX_BITSET_ANY : (uint32_t)val3;

		err = futex_key_of(uaddr, private, &k);
		if (err)
			return err;
		if (!bitset)
			return -EINVAL;
		return wake_and_move(&k, bitset, (int)val, NULL, 0);
	}
	case FUTEX_REQUEUE:
	case FUTEX_CMP_REQUEUE:
		return futex_requeue(uaddr, private, (int)val, uaddr2, (int)utime,
				     cmd == FUTEX_CMP_REQUEUE, (uint32_t)val3);
	case FUTEX_WAKE_OP:
		return futex_wake_op(uaddr, private, (int)val, uaddr2, (int)utime,
				     (uint32_t)val3);
	}
	return -ENOSYS;
}

/* One robust futex of an exiting thread p at uaddr: released if p owns it. */
static void robust_release(struct proc *p, uint64_t uaddr)
{
	uint32_t word, found;

	if (uaddr & 3)
		return;
	if (copy_from_user(&word, uaddr, sizeof(word)))
		return;
	while ((word & FUTEX_TID_MASK) == (uint32_t)p->tid) {
		uint32_t new = (word & FUTEX_WAITERS) | FUTEX_OWNER_DIED;

		if (uaccess_cmpxchg32((uint32_t *)uaddr, word, new, &found))
			return;
		if (found == word) {
			if (word & FUTEX_WAITERS)
				futex_wake_address(uaddr, 1);
			return;
		}
		word = found;
	}
}

void futex_exit_robust(struct proc *p)
{
	uint64_t head = p->robust_list, entry, pending;
	int64_t offset;
	int limit = ROBUST_LIST_LIMIT;

	p->robust_list = 0;
	if (!head || !p->vm)
		return;
	if (copy_from_user(&entry, head, sizeof(entry)) ||
	    copy_from_user(&offset, head + 8, sizeof(offset)) ||
	    copy_from_user(&pending, head + 16, sizeof(pending)))
		return;
	entry &= ~1UL;
	pending &= ~1UL;
	while (entry != head && entry && limit-- > 0) {
		uint64_t next;

		if (copy_from_user(&next, entry, sizeof(next)))
			return;
		if (entry != pending)
			robust_release(p, entry + offset);
		entry = next & ~1UL;
	}
	if (pending)
		robust_release(p, pending + offset);
}

static long sys_set_robust_list(long head, long len)
{
	if (len != 24)
		return -EINVAL;
	current()->robust_list = head;
	return 0;
}

static long sys_get_robust_list(long tid, long uhead, long ulen)
{
	unsigned long flags = spin_lock_irqsave(&proc_tree_lock);
	struct proc *t = tid ? thread_find(tid) : current();
	uint64_t head = t ? t->robust_list : 0, len = 24;

	spin_unlock_irqrestore(&proc_tree_lock, flags);
	if (!t)
		return -ESRCH;
	if (copy_to_user(uhead, &head, sizeof(head)) ||
	    copy_to_user(ulen, &len, sizeof(len)))
		return -EFAULT;
	return 0;
}

void syscalls_futex(syscall_fn *t)
{
	SYSCALL(t, futex);
	SYSCALL(t, set_robust_list);
	SYSCALL(t, get_robust_list);
}
