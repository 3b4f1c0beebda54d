/*
 * Unmapping a truncated file's pages from every address space; see
 * truncate.h. Without a reverse map of object pages, every process's
 * address space is visited: each is held (vmspace_get) under
 * proc_tree_lock, then searched under its own lock.
 */
#include "vm/truncate.h"
#include "kern/proc.h"
#include "vm/kmem.h"
#include "vm/vmspace.h"

/* The address spaces of all processes, held (a vmspace_get each). */
struct vm_list {
	struct vmspace **vms;
	int n, cap;
	bool full;		/* one did not fit */
};

static int collect_vm(struct proc *p, void *arg)
{
	struct vm_list *l = arg;

	if (!p->vm)
		return 0;
	for (int i = 0; i < l->n; i++)
		if (l->vms[i] == p->vm)
			return 0;	/* threads share one */
	if (l->n == l->cap) {
		l->full = true;
		return 1;
	}
	vmspace_get(p->vm);
	l->vms[l->n++] = p->vm;
	return 0;
}

static void release_vms(struct vm_list *l)
{
	for (int i = 0; i < l->n; i++)
		vmspace_put(l->vms[i]);
	kfree(l->vms);
}

/* Hold every process's address space in *l. Returns 0 or -ENOMEM. */
static int collect_vms(struct vm_list *l)
{
	for (int cap = proc_count() + 16;; cap *= 2) {
		*l = (struct vm_list){ .vms = kmalloc(cap * sizeof(*l->vms), 0), .cap = cap };
		if (!l->vms)
			return -ENOMEM;
		proc_for_each(collect_vm, l);
		if (!l->full)
			return 0;
		release_vms(l);		/* processes came meanwhile: again, larger */
	}
}

/* Drop the pages of obj from byte from on in vm's file mappings of it. */
static void unmap_in(struct vmspace *vm, struct vobject *obj, uint64_t from)
{
	uint64_t first = ALIGN_UP(from, PAGE_SIZE) >> PAGE_SHIFT;

	mutex_lock(&vm->lock);
	for (struct region *r = vmspace_next(vm, 0); r; r = r->next) {
		uint64_t pages = (r->end - r->start) >> PAGE_SHIFT;
		vaddr_t start;

		if (r->obj != obj || !(r->flags & REGION_FILE) ||
		    r->obj_pgoff + pages <= first)
			continue;
		start = r->start + (first > r->obj_pgoff ?
				    (first - r->obj_pgoff) << PAGE_SHIFT : 0);
		vmspace_discard(vm, start, r->end);
	}
	mutex_unlock(&vm->lock);
}

/* Drop the entries of pages [first, last) of obj in vm's shared mappings of it. */
static void unmap_shared_in(struct vmspace *vm, struct vobject *obj, uint64_t first,
			    uint64_t last)
{
	mutex_lock(&vm->lock);
	for (struct region *r = vmspace_next(vm, 0); r; r = r->next) {
		uint64_t pages = (r->end - r->start) >> PAGE_SHIFT;
		uint64_t lo = MAX(first, r->obj_pgoff), hi = MIN(last, r->obj_pgoff + pages);

		if (r->obj != obj || !(r->flags & REGION_SHARED) || lo >= hi)
			continue;
		vmspace_discard(vm, r->start + ((lo - r->obj_pgoff) << PAGE_SHIFT),
				r->start + ((hi - r->obj_pgoff) << PAGE_SHIFT));
	}
	mutex_unlock(&vm->lock);
}

int vm_unmap_object_range(struct vobject *obj, uint64_t first, uint64_t last)
{
	struct vm_list l;
	int err = collect_vms(&l);

	if (err)
		return err;
	for (int i = 0; i < l.n; i++)
		unmap_shared_in(l.vms[i], obj, first, last);
	release_vms(&l);
	return 0;
}

int vm_unmap_object_from(struct vobject *obj, uint64_t from)
{
	struct vm_list l;
	int err = collect_vms(&l);

	if (err)
		return err;
	for (int i = 0; i < l.n; i++)
		unmap_in(l.vms[i], obj, from);
	release_vms(&l);
	return 0;
}
