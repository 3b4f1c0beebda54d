/* File descriptions and descriptor tables; see files.h. */
#include "kern/files.h"
#include "kern/proc.h"
#include "fs/flock.h"
#include "fs/vfs.h"
#include "vm/kmem.h"

#define FILES_INITIAL	16

static struct kmem_cache *file_cache;

struct file *file_alloc(const struct file_ops *ops, unsigned int flags)
{
	struct file *f;

	if (!file_cache &&
	    !(file_cache = kmem_cache_create("file", sizeof(struct file), 0)))
		return NULL;
	f = kmem_cache_alloc(file_cache, KM_ZERO);
	if (!f)
		return NULL;
	f->refs = 1;
	f->ops = ops;
	f->flags = flags;
	mutex_init(&f->pos_lock, "file offset");
	return f;
}

void file_get(struct file *f)
{
	__atomic_add_fetch(&f->refs, 1, __ATOMIC_RELAXED);
}

void file_put(struct file *f)
{
	if (__atomic_sub_fetch(&f->refs, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	flock_close_file(f);
	if (f->ops->release)
		f->ops->release(f);
	if (f->vn)
		vnode_put(f->vn);
	kfree(f->path);
	kmem_cache_free(file_cache, f);
}

/*
 * A descriptor of f has left table fs (closed, replaced or the table is
 * going): as Linux, that drops the POSIX record locks fs holds on f's file,
 * then the descriptor's reference to f.
 */
static void fd_release(struct files *fs, struct file *f)
{
	flock_close_posix(f, fs);
	file_put(f);
}

/* Grow the table to hold at least n slots (lock not held). */
static int files_grow(struct files *fs, int n)
{
	int size = fs->nfds ? fs->nfds : FILES_INITIAL;
	struct file **fd;
	uint8_t *ce;

	while (size < n)
		size *= 2;
	if (size > FILES_MAX)
		size = FILES_MAX;
	if (size <= fs->nfds)
		return n <= fs->nfds ? 0 : -EMFILE;
	fd = kmalloc(size * sizeof(*fd), KM_ZERO);
	ce = kmalloc(size, KM_ZERO);
	if (!fd || !ce) {
		kfree(fd);
		kfree(ce);
		return -ENOMEM;
	}
	unsigned long flags = spin_lock_irqsave(&fs->lock);

	if (fs->nfds) {
		memcpy(fd, fs->fd, fs->nfds * sizeof(*fd));
		memcpy(ce, fs->cloexec, fs->nfds);
	}
	struct file **old_fd = fs->fd;
	uint8_t *old_ce = fs->cloexec;

	fs->fd = fd;
	fs->cloexec = ce;
	fs->nfds = size;
	spin_unlock_irqrestore(&fs->lock, flags);
	kfree(old_fd);
	kfree(old_ce);
	return 0;
}

struct files *files_create(void)
{
	struct files *fs = kmalloc(sizeof(*fs), KM_ZERO);

	if (!fs)
		return NULL;
	fs->refs = 1;
	spin_init(&fs->lock, "files");
	if (files_grow(fs, FILES_INITIAL) < 0) {
		kfree(fs);
		return NULL;
	}
	return fs;
}

struct files *files_dup(struct files *src)
{
	struct files *fs = files_create();
	unsigned long flags;

	if (!fs || files_grow(fs, src->nfds) < 0) {
		if (fs)
			files_release(fs);
		return NULL;
	}
	flags = spin_lock_irqsave(&src->lock);
	for (int i = 0; i < src->nfds && i < fs->nfds; i++) {
		fs->fd[i] = src->fd[i];
		fs->cloexec[i] = src->cloexec[i];
		if (fs->fd[i])
			file_get(fs->fd[i]);
	}
	spin_unlock_irqrestore(&src->lock, flags);
	return fs;
}

void files_get(struct files *fs)
{
	__atomic_add_fetch(&fs->refs, 1, __ATOMIC_RELAXED);
}

void files_release(struct files *fs)
{
	if (__atomic_sub_fetch(&fs->refs, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	for (int i = 0; i < fs->nfds; i++)
		if (fs->fd[i])
			fd_release(fs, fs->fd[i]);
	kfree(fs->fd);
	kfree(fs->cloexec);
	kfree(fs);
}

void files_close_on_exec(struct files *fs)
{
	for (int i = 0; i < fs->nfds; i++) {
		if (fs->fd[i] && fs->cloexec[i]) {
			fd_release(fs, fs->fd[i]);
			fs->fd[i] = NULL;
			fs->cloexec[i] = 0;
		}
	}
}

int fd_install(struct files *fs, struct file *f, int min, bool cloexec)
{
	for (;;) {
		unsigned long flags = spin_lock_irqsave(&fs->lock);

		for (int i = min; i < fs->nfds; i++) {
			if (!fs->fd[i]) {
				fs->fd[i] = f;
				fs->cloexec[i] = cloexec;
				spin_unlock_irqrestore(&fs->lock, flags);
				return i;
			}
		}
		int want = MAX(fs->nfds, min) + 1;

		spin_unlock_irqrestore(&fs->lock, flags);
		int err = files_grow(fs, want);

		if (err)
			return err;
	}
}

struct file *fd_get(int fd)
{
	struct files *fs = current()->files;
	struct file *f = NULL;
	unsigned long flags = spin_lock_irqsave(&fs->lock);

	if (fd >= 0 && fd < fs->nfds && fs->fd[fd]) {
		f = fs->fd[fd];
		file_get(f);
	}
	spin_unlock_irqrestore(&fs->lock, flags);
	return f;
}

int fd_close(int fd)
{
	struct files *fs = current()->files;
	struct file *f = NULL;
	unsigned long flags = spin_lock_irqsave(&fs->lock);

	if (fd >= 0 && fd < fs->nfds) {
		f = fs->fd[fd];
		fs->fd[fd] = NULL;
		fs->cloexec[fd] = 0;
	}
	spin_unlock_irqrestore(&fs->lock, flags);
	if (!f)
		return -EBADF;
	fd_release(fs, f);
	return 0;
}

int fd_dup_to(int oldfd, int newfd, bool cloexec)
{
	struct files *fs = current()->files;
	struct file *f = fd_get(oldfd), *old = NULL;
	unsigned long flags;
	int err;

	if (!f)
		return -EBADF;
	if (newfd < 0 || newfd >= FILES_MAX) {
		file_put(f);
		return -EBADF;
	}
	if (newfd >= fs->nfds && (err = files_grow(fs, newfd + 1)) < 0) {
		file_put(f);
		return err;
	}
	flags = spin_lock_irqsave(&fs->lock);
	old = fs->fd[newfd];
	fs->fd[newfd] = f;
	fs->cloexec[newfd] = cloexec;
	spin_unlock_irqrestore(&fs->lock, flags);
	if (old)
		fd_release(fs, old);
	return newfd;
}

int fd_get_cloexec(int fd)
{
	struct files *fs = current()->files;

	if (fd < 0 || fd >= fs->nfds || !fs->fd[fd])
		return -EBADF;
	return fs->cloexec[fd];
}

int fd_set_cloexec(int fd, bool on)
{
	struct files *fs = current()->files;

	if (fd < 0 || fd >= fs->nfds || !fs->fd[fd])
		return -EBADF;
	fs->cloexec[fd] = on;
	return 0;
}
