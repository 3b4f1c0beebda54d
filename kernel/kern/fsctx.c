/* A thread's working directory and umask, shared under CLONE_FS; see fsctx.h. */
#include "kern/fsctx.h"
#include "fs/vfs.h"
#include "kern/spinlock.h"
#include "vm/kmem.h"

/* An immutable path, shared by contexts and the lookups that hold it. */
struct cwd_name {
	int refs;			/* atomic */
	char path[];
};

struct fs_context {
	int refs;			/* atomic: the threads that share it */
	struct spinlock lock;		/* guards the three below */
	struct vnode *cwd;
	struct cwd_name *cwd_name;	/* cwd's absolute, normalized path */
	uint32_t umask;			/* permission bits removed on create */
};

/* A new name holding path (one reference), or NULL. */
static struct cwd_name *name_make(const char *path)
{
	size_t len = strlen(path);
	struct cwd_name *n = kmalloc(sizeof(*n) + len + 1, 0);

	if (!n)
		return NULL;
	n->refs = 1;
	memcpy(n->path, path, len + 1);
	return n;
}

static void name_put(struct cwd_name *n)
{
	if (__atomic_sub_fetch(&n->refs, 1, __ATOMIC_ACQ_REL) == 0)
		kfree(n);
}

/* A context around cwd and name (both references taken over), or NULL. */
static struct fs_context *ctx_make(struct vnode *cwd, struct cwd_name *name,
				   uint32_t umask)
{
	struct fs_context *fs = kmalloc(sizeof(*fs), KM_ZERO);

	if (!fs) {
		vnode_put(cwd);
		name_put(name);
		return NULL;
	}
	fs->refs = 1;
	spin_init(&fs->lock, "fsctx");
	fs->cwd = cwd;
	fs->cwd_name = name;
	fs->umask = umask & 0777;
	return fs;
}

struct fs_context *fsctx_create(struct vnode *cwd, const char *path, uint32_t umask)
{
	struct cwd_name *name = name_make(path);

	if (!name) {
		vnode_put(cwd);
		return NULL;
	}
	return ctx_make(cwd, name, umask);
}

struct fs_context *fsctx_copy(struct fs_context *fs)
{
	unsigned long flags = spin_lock_irqsave(&fs->lock);
	struct vnode *cwd = fs->cwd;
	struct cwd_name *name = fs->cwd_name;
	uint32_t umask = fs->umask;

	vnode_get(cwd);
	__atomic_add_fetch(&name->refs, 1, __ATOMIC_RELAXED);
	spin_unlock_irqrestore(&fs->lock, flags);
	return ctx_make(cwd, name, umask);
}

void fsctx_get(struct fs_context *fs)
{
	__atomic_add_fetch(&fs->refs, 1, __ATOMIC_RELAXED);
}

void fsctx_put(struct fs_context *fs)
{
	if (!fs || __atomic_sub_fetch(&fs->refs, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	vnode_put(fs->cwd);
	name_put(fs->cwd_name);
	kfree(fs);
}

const char *fsctx_cwd_hold(struct fs_context *fs)
{
	unsigned long flags = spin_lock_irqsave(&fs->lock);
	struct cwd_name *name = fs->cwd_name;

	__atomic_add_fetch(&name->refs, 1, __ATOMIC_RELAXED);
	spin_unlock_irqrestore(&fs->lock, flags);
	return name->path;
}

void fsctx_cwd_release(const char *path)
{
	if (path)
		name_put((struct cwd_name *)((uintptr_t)path -
					     offsetof(struct cwd_name, path)));
}

int fsctx_chdir(struct fs_context *fs, struct vnode *vn, const char *path)
{
	struct cwd_name *name = name_make(path), *old_name;
	struct vnode *old;
	unsigned long flags;

	if (!name) {
		vnode_put(vn);
		return -ENOMEM;
	}
	flags = spin_lock_irqsave(&fs->lock);
	old = fs->cwd;
	old_name = fs->cwd_name;
	fs->cwd = vn;
	fs->cwd_name = name;
	spin_unlock_irqrestore(&fs->lock, flags);
	vnode_put(old);
	name_put(old_name);
	return 0;
}

uint32_t fsctx_umask(struct fs_context *fs)
{
	return __atomic_load_n(&fs->umask, __ATOMIC_RELAXED);
}

uint32_t fsctx_set_umask(struct fs_context *fs, uint32_t mask)
{
	return __atomic_exchange_n(&fs->umask, mask & 0777, __ATOMIC_RELAXED);
}
