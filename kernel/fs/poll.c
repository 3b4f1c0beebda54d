/*
 * ppoll and pselect6; see poll.h. Pollers compute readiness without a
 * lock, then sleep until poll_seq moves (poll_notify) or, if they have a
 * timeout, until the next tick: a notification between the two is seen
 * because the sequence number is read before the files are looked at.
 */
#include "fs/poll.h"
#include "arch/riscv/timer.h"
#include "kern/files.h"
#include "kern/proc.h"
#include "kern/signal.h"
#include "kern/syscall.h"
#include "kern/uaccess.h"
#include "kern/waitq.h"
#include "vm/kmem.h"

#define NSEC		1000000000ULL
#define FOREVER		(~0ULL)
#define FDSET_WORDS	(FILES_MAX / 64)

static struct spinlock poll_lock = SPINLOCK_INIT("poll");
static struct waitq pollers = { LIST_HEAD_INIT(pollers.waiters) };
static struct waitq timed_pollers = { LIST_HEAD_INIT(timed_pollers.waiters) };
static uint64_t poll_seq;		/* poll_lock */

struct ktimespec {
	int64_t tv_sec, tv_nsec;
};

/* Linux's struct pollfd. */
struct kpollfd {
	int32_t fd;
	int16_t events, revents;
};

void poll_notify(void)
{
	unsigned long flags = spin_lock_irqsave(&poll_lock);

	poll_seq++;
	if (!list_empty(&pollers.waiters))
		waitq_wake_all(&pollers);
	if (!list_empty(&timed_pollers.waiters))
		waitq_wake_all(&timed_pollers);
	spin_unlock_irqrestore(&poll_lock, flags);
}

void poll_tick(void)
{
	if (!list_empty(&timed_pollers.waiters))	/* a racy peek: fine each tick */
		waitq_wake_all(&timed_pollers);
}

static uint64_t poll_seq_now(void)
{
	return __atomic_load_n(&poll_seq, __ATOMIC_ACQUIRE);
}

/* Sleep until a notification after seq, the next tick (if deadline is
   not FOREVER) or a signal. */
static void poll_sleep(uint64_t seq, uint64_t deadline)
{
	unsigned long flags = spin_lock_irqsave(&poll_lock);

	if (poll_seq == seq && !signal_pending())
		waitq_sleep(deadline == FOREVER ? &pollers : &timed_pollers, &poll_lock);
	spin_unlock_irqrestore(&poll_lock, flags);
}

/* The readiness of fd (POLLNVAL if it is not open). */
static unsigned int fd_poll(int fd)
{
	struct file *f = fd_get(fd);
	unsigned int mask;

	if (!f)
		return POLLNVAL;
	mask = f->ops->poll ? f->ops->poll(f) : POLL_DEFAULT;
	file_put(f);
	return mask;
}

/*
 * Read a timeout (NULL: forever) and turn it into a deadline. Returns 0,
 * -EFAULT or -EINVAL.
 */
static int read_deadline(uint64_t uts, uint64_t *deadline)
{
	struct ktimespec ts;

	*deadline = FOREVER;
	if (!uts)
		return 0;
	if (copy_from_user(&ts, uts, sizeof(ts)))
		return -EFAULT;
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= (int64_t)NSEC)
		return -EINVAL;
	if (ts.tv_sec > (int64_t)(NSEC * NSEC))
		return 0;		/* centuries: forever */
	*deadline = timer_uptime_ns() + ts.tv_sec * NSEC + ts.tv_nsec;
	return 0;
}

/* Write back the time left before deadline, as Linux does for ppoll and
   pselect6 (ignoring a fault, as it does). */
static void write_left(uint64_t uts, uint64_t deadline)
{
	uint64_t now = timer_uptime_ns(), left = deadline > now ? deadline - now : 0;
	struct ktimespec ts = { left / NSEC, left % NSEC };

	if (uts && deadline != FOREVER)
		copy_to_user(uts, &ts, sizeof(ts));
}

/*
 * Replace the blocked mask by the one at umask (size must be 8) for the
 * wait; signal_deliver puts the old one back after a handler, or
 * poll_mask_end does if none runs. Returns 0, -EINVAL or -EFAULT.
 */
static int poll_mask_begin(uint64_t umask, uint64_t size)
{
	struct proc *p = current();
	uint64_t mask;

	if (!umask)
		return 0;
	if (size != sizeof(uint64_t))
		return -EINVAL;
	if (copy_from_user(&mask, umask, sizeof(mask)))
		return -EFAULT;
	p->sig_saved_mask = p->sig_blocked;
	p->sig_restore_mask = true;
	signal_set_blocked(mask);
	return 0;
}

/* The wait ends with ret: keep the temporary mask for a handler (EINTR). */
static void poll_mask_end(long ret)
{
	struct proc *p = current();

	if (p->sig_restore_mask && ret != -ERESTARTNOHAND && ret != -EINTR) {
		p->sig_blocked = p->sig_saved_mask;
		p->sig_restore_mask = false;
	}
}

/* Fill revents of every entry; the number with events. */
static long pollfds_scan(struct kpollfd *fds, size_t n)
{
	long ready = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned int mask = 0;

		if (fds[i].fd >= 0) {
			mask = fd_poll(fds[i].fd);
			mask &= (uint16_t)fds[i].events | POLLERR | POLLHUP | POLLNVAL;
		}
		fds[i].revents = mask;
		ready += mask != 0;
	}
	return ready;
}

/*
 * Scan with scan(ctx) until something is ready, the deadline passes or a
 * signal comes. Returns scan's count (0 at the deadline), or
 * -ERESTARTNOHAND for a signal.
 */
static long poll_wait(long (*scan)(void *ctx), void *ctx, uint64_t deadline)
{
	for (;;) {
		uint64_t seq = poll_seq_now();
		long ready = scan(ctx);

		if (ready)
			return ready;
		if (deadline != FOREVER && timer_uptime_ns() >= deadline)
			return 0;
		if (signal_pending())
			return -ERESTARTNOHAND;
		poll_sleep(seq, deadline);
	}
}

struct poll_ctx {
	struct kpollfd *fds;
	size_t n;
};

static long poll_scan(void *ctx)
{
	struct poll_ctx *c = ctx;

	return pollfds_scan(c->fds, c->n);
}

static long sys_ppoll(long ufds, long nfds, long uts, long umask, long masksize)
{
	struct poll_ctx c = { NULL, (size_t)nfds };
	uint64_t deadline;
	long ret;

	if ((unsigned long)nfds > FILES_MAX)
		return -EINVAL;
	ret = read_deadline(uts, &deadline);
	if (ret < 0)
		return ret;
	c.fds = kmalloc(MAX(c.n, 1) * sizeof(*c.fds), 0);
	if (!c.fds)
		return -ENOMEM;
	if (copy_from_user(c.fds, ufds, c.n * sizeof(*c.fds))) {
		kfree(c.fds);
		return -EFAULT;
	}
	ret = poll_mask_begin(umask, masksize);
	if (ret == 0)
		ret = poll_wait(poll_scan, &c, deadline);
	poll_mask_end(ret);
	write_left(uts, deadline);
	if (ret >= 0 && copy_to_user(ufds, c.fds, c.n * sizeof(*c.fds)))
		ret = -EFAULT;
	kfree(c.fds);
	return ret;
}

/* ------------------------------------------------------------- pselect6 */

struct select_ctx {
	int nfds;
	uint64_t in[3][FDSET_WORDS];	/* read, write, except: what was asked */
	uint64_t out[3][FDSET_WORDS];	/* what is ready */
};

/* What makes a descriptor ready for each of the three sets. */
static const unsigned int select_events[3] = {
	POLLIN | POLLRDNORM | POLLHUP | POLLERR,
	POLLOUT | POLLWRNORM | POLLERR,
	POLLPRI,
};

static long select_scan(void *ctx)
{
	struct select_ctx *c = ctx;
	long ready = 0;

	memset(c->out, 0, sizeof(c->out));
	for (int fd = 0; fd < c->nfds; fd++) {
		uint64_t bit = 1UL << (fd % 64);
		unsigned int mask;
		int w = fd / 64;

		if (!((c->in[0][w] | c->in[1][w] | c->in[2][w]) & bit))
			continue;
		mask = fd_poll(fd);
		if (mask & POLLNVAL)
			return -EBADF;
		for (int s = 0; s < 3; s++)
			if ((c->in[s][w] & bit) && (mask & select_events[s])) {
				c->out[s][w] |= bit;
				ready++;
			}
	}
	return ready;
}

/* Copy the three sets in (a NULL set is empty). Returns 0 or -EFAULT. */
static int fdsets_read(struct select_ctx *c, const uint64_t usets[3])
{
	size_t bytes = (c->nfds + 63) / 64 * 8;

	memset(c->in, 0, sizeof(c->in));
	for (int s = 0; s < 3; s++)
		if (usets[s] && copy_from_user(c->in[s], usets[s], bytes))
			return -EFAULT;
	return 0;
}

static int fdsets_write(struct select_ctx *c, const uint64_t usets[3])
{
	size_t bytes = (c->nfds + 63) / 64 * 8;

	for (int s = 0; s < 3; s++)
		if (usets[s] && copy_to_user(usets[s], c->out[s], bytes))
			return -EFAULT;
	return 0;
}

/*
 * pselect6(nfds, readfds, writefds, exceptfds, timeout, sig): sig points
 * to { const sigset_t *mask; size_t size }. Returns the number of bits
 * set, 0 at the timeout, -EBADF, -EINVAL, -EFAULT or -ERESTARTNOHAND.
 */
static long sys_pselect6(long nfds, long urd, long uwr, long uex, long uts, long usig)
{
	const uint64_t usets[3] = { urd, uwr, uex };
	uint64_t sig[2] = { 0, 0 }, deadline;
	struct select_ctx *c;
	long ret;

	if (nfds < 0)
		return -EINVAL;
	nfds = MIN(nfds, (long)FILES_MAX);
	ret = read_deadline(uts, &deadline);
	if (ret < 0)
		return ret;
	if (usig && copy_from_user(sig, usig, sizeof(sig)))
		return -EFAULT;
	c = kmalloc(sizeof(*c), 0);
	if (!c)
		return -ENOMEM;
	c->nfds = nfds;
	ret = fdsets_read(c, usets);
	if (ret == 0)
		ret = poll_mask_begin(sig[0], sig[1]);
	if (ret == 0)
		ret = poll_wait(select_scan, c, deadline);
	poll_mask_end(ret);
	write_left(uts, deadline);
	if (ret >= 0 && fdsets_write(c, usets))
		ret = -EFAULT;
	kfree(c);
	return ret;
}

void syscalls_poll(syscall_fn *t)
{
	SYSCALL(t, ppoll);
	SYSCALL(t, pselect6);
}
