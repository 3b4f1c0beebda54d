/*
 * Pipes: a ring buffer between a read end and a write end. A reader waits
 * while the pipe is empty and a writer exists; a writer waits while it is
 * full and a reader exists, and gets EPIPE (and SIGPIPE) once no reader is
 * left. Writes of at most PIPE_BUF bytes are atomic. Data is copied through
 * a kernel bounce buffer so that no lock is held across a user copy (which
 * may fault and sleep).
 */
#include "fs/pipe.h"
#include "fs/poll.h"
#include "kern/files.h"
#include "kern/proc.h"
#include "kern/signal.h"
#include "kern/uaccess.h"
#include "vm/kmem.h"

#define PIPE_SIZE	16384
#define PIPE_BUF	4096

struct pipe {
	struct spinlock lock;
	char *buf;
	size_t head, count;		/* read position, bytes held */
	int readers, writers;
	struct waitq wait;		/* both readers and writers */
};

/* The pipe changed (p->lock held): wake its sleepers and the pollers. */
static void pipe_wake(struct pipe *p)
{
	waitq_wake_all(&p->wait);
	poll_notify();
}

static void pipe_free(struct pipe *p)
{
	kfree(p->buf);
	kfree(p);
}

/*
 * Give back, at the front, the n bytes a read took but could not copy out
 * (a bad buffer): as on Linux, a read that fails with EFAULT consumes
 * nothing. They are dropped only if writers have refilled the room.
 */
static void pipe_unread(struct pipe *p, const char *bounce, size_t n)
{
	unsigned long flags = spin_lock_irqsave(&p->lock);

	if (PIPE_SIZE - p->count >= n) {
		p->head = (p->head + PIPE_SIZE - n) % PIPE_SIZE;
		for (size_t i = 0; i < n; i++)
			p->buf[(p->head + i) % PIPE_SIZE] = bounce[i];
		p->count += n;
		pipe_wake(p);
	}
	spin_unlock_irqrestore(&p->lock, flags);
}

static long pipe_read(struct file *f, uint64_t ubuf, size_t len)
{
	struct pipe *p = f->priv;
	char *bounce;
	size_t n;
	unsigned long flags;

	if (len == 0)
		return 0;
	bounce = kmalloc(PIPE_BUF, 0);
	if (!bounce)
		return -ENOMEM;
	flags = spin_lock_irqsave(&p->lock);
	while (p->count == 0 && p->writers > 0) {
		if ((f->flags & O_NONBLOCK) || signal_pending()) {
			spin_unlock_irqrestore(&p->lock, flags);
			kfree(bounce);
			return (f->flags & O_NONBLOCK) ? -EAGAIN : -ERESTARTSYS;
		}
		waitq_sleep(&p->wait, &p->lock);
	}
	n = MIN(MIN(len, p->count), (size_t)PIPE_BUF);
	for (size_t i = 0; i < n; i++)
		bounce[i] = p->buf[(p->head + i) % PIPE_SIZE];
	p->head = (p->head + n) % PIPE_SIZE;
	p->count -= n;
	pipe_wake(p);
	spin_unlock_irqrestore(&p->lock, flags);
	if (n && copy_to_user(ubuf, bounce, n)) {
		pipe_unread(p, bounce, n);
		n = -EFAULT;
	}
	kfree(bounce);
	return n;
}

/* Put up to len bytes of bounce in the pipe; -EPIPE/-ERESTARTSYS/-EAGAIN or bytes. */
static long pipe_put(struct file *f, struct pipe *p, const char *bounce,
		     size_t len)
{
	unsigned long flags = spin_lock_irqsave(&p->lock);
	size_t need = len <= PIPE_BUF ? len : 1;	/* atomic when small */
	size_t n;

	for (;;) {
		if (p->readers == 0) {
			spin_unlock_irqrestore(&p->lock, flags);
			signal_send(current(), SIGPIPE);
			return -EPIPE;
		}
		if (PIPE_SIZE - p->count >= need)
			break;
		if ((f->flags & O_NONBLOCK) || signal_pending()) {
			spin_unlock_irqrestore(&p->lock, flags);
			return (f->flags & O_NONBLOCK) ? -EAGAIN : -ERESTARTSYS;
		}
		waitq_sleep(&p->wait, &p->lock);
	}
	n = MIN(len, PIPE_SIZE - p->count);
	for (size_t i = 0; i < n; i++)
		p->buf[(p->head + p->count + i) % PIPE_SIZE] = bounce[i];
	p->count += n;
	pipe_wake(p);
	spin_unlock_irqrestore(&p->lock, flags);
	return n;
}

/*
 * Write len bytes from ubuf (user memory) or, if kbuf is not NULL, from
 * kbuf (kernel memory: sendfile), through the pipe's rules.
 */
static long pipe_write_from(struct file *f, uint64_t ubuf, const char *kbuf,
			    size_t len)
{
	struct pipe *p = f->priv;
	char *bounce = kmalloc(PIPE_BUF, 0);
	size_t done = 0;
	long ret = 0;

	if (!bounce)
		return -ENOMEM;
	while (done < len) {
		size_t chunk = MIN(len - done, (size_t)PIPE_BUF);

		if (kbuf)
			memcpy(bounce, kbuf + done, chunk);
		else if (copy_from_user(bounce, ubuf + done, chunk)) {
			ret = -EFAULT;
			break;
		}
		/* a chunk may go in several pieces when the pipe is nearly full */
		for (size_t put = 0; put < chunk; ) {
			ret = pipe_put(f, p, bounce + put, len - done <= PIPE_BUF ?
				       chunk - put : MIN(chunk - put, (size_t)PIPE_BUF));
			if (ret < 0)
				goto out;
			put += ret;
			done += ret;
		}
	}
out:
	kfree(bounce);
	return done ? (long)done : ret;
}

static long pipe_write(struct file *f, uint64_t ubuf, size_t len)
{
	return pipe_write_from(f, ubuf, NULL, len);
}

static long pipe_write_kernel(struct file *f, const void *buf, size_t len)
{
	return pipe_write_from(f, 0, buf, len);
}

static void pipe_release(struct file *f)
{
	struct pipe *p = f->priv;
	unsigned long flags = spin_lock_irqsave(&p->lock);
	bool last;

	if ((f->flags & O_ACCMODE) == O_RDONLY)
		p->readers--;
	else
		p->writers--;
	last = p->readers == 0 && p->writers == 0;
	pipe_wake(p);
	spin_unlock_irqrestore(&p->lock, flags);
	if (last)
		pipe_free(p);
}

/*
 * As Linux: the read end is readable with data, and hung up once no
 * writer is left; the write end is writable with PIPE_BUF bytes of room,
 * and in error once no reader is left.
 */
static unsigned int pipe_poll(struct file *f)
{
	struct pipe *p = f->priv;
	unsigned long flags = spin_lock_irqsave(&p->lock);
	unsigned int mask = 0;

	if ((f->flags & O_ACCMODE) == O_RDONLY) {
		if (p->count)
			mask |= POLLIN | POLLRDNORM;
		if (!p->writers)
			mask |= POLLHUP;
	} else {
		if (PIPE_SIZE - p->count >= PIPE_BUF)
			mask |= POLLOUT | POLLWRNORM;
		if (!p->readers)
			mask |= POLLERR;
	}
	spin_unlock_irqrestore(&p->lock, flags);
	return mask;
}

static const struct file_ops pipe_ops = {
	.read = pipe_read,
	.write = pipe_write,
	.write_kernel = pipe_write_kernel,
	.poll = pipe_poll,
	.release = pipe_release,
};

int pipe_create(unsigned int flags, struct file **rd, struct file **wr)
{
	struct pipe *p = kmalloc(sizeof(*p), KM_ZERO);

	if (!p || !(p->buf = kmalloc(PIPE_SIZE, 0))) {
		kfree(p);
		return -ENOMEM;
	}
	spin_init(&p->lock, "pipe");
	waitq_init(&p->wait);
	*rd = file_alloc(&pipe_ops, O_RDONLY | (flags & O_NONBLOCK));
	*wr = file_alloc(&pipe_ops, O_WRONLY | (flags & O_NONBLOCK));
	if (!*rd || !*wr) {
		/* closing what exists frees the pipe with its last end */
		struct file *ends[2] = { *rd, *wr };

		for (int i = 0; i < 2; i++) {
			if (!ends[i])
				continue;
			ends[i]->priv = p;
			i == 0 ? p->readers++ : p->writers++;
		}
		if (!*rd && !*wr)
			pipe_free(p);
		for (int i = 0; i < 2; i++)
			if (ends[i])
				file_put(ends[i]);
		return -ENOMEM;
	}
	(*rd)->priv = p;
	(*wr)->priv = p;
	p->readers = 1;
	p->writers = 1;
	return 0;
}
