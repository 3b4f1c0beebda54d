/*
 * swap_area_drain for swapoff: bring every page that area a holds back into
 * memory (see swapon.h for the contract).
 *
 * A page on swap is an anon holding a slot, and every anon is in the amap
 * of some region of some address space. So, as Linux's try_to_unuse walks
 * the page tables, the drain walks every process's regions, notes the
 * anons whose slot is in a (a batch at a time, with a reference each,
 * under the address space's lock), and without that lock reads each page
 * in (anon_page_in) and then gives its slot up (anon_dirty): the page is
 * resident and its only copy is in memory. The area is disabled first, so
 * page-out takes no new slot of it; a page evicted again meanwhile (its
 * slot was still a good copy) is found on the next pass. When memory runs
 * out the drain stops with -ENOMEM: nothing is lost, the pages not yet
 * read stay on the area, which swapoff enables again. Shared anonymous
 * memory keeps its swapped pages in its page cache: each such object a
 * region maps reads its own back (its swap_drain op). The files of tmpfs
 * keep theirs in their page caches too, mapped or not: the file system
 * registers a drainer that reads back those of every file.
 */
#include "vm/swapon.h"
#include "vm/pageout.h"
#include "kern/proc.h"
#include "vm/amap.h"
#include "vm/anon.h"
#include "vm/kmem.h"
#include "vm/vmspace.h"
#include "vm/vobject.h"

#define DRAIN_BATCH	256
#define DRAIN_PASSES	16

static int (*drainers[2])(int area);
static int ndrainers;

void swap_register_drainer(int (*drain)(int area))
{
	if (ndrainers == (int)ARRAY_SIZE(drainers))
		panic("swap_register_drainer: too many");
	drainers[ndrainers++] = drain;
}

/* Each registered drainer in turn. Returns 0 or the first error. */
static int drain_registered(int area)
{
	int err = 0;

	for (int i = 0; i < ndrainers && !err; i++)
		err = drainers[i](area);
	return err;
}

struct drain_batch {
	int area;
	unsigned int n;
	struct anon *an[DRAIN_BATCH];	/* referenced */
};

/* amap_foreach: note an if its page is on the area (vm->lock held). */
static void note_anon(struct anon *an, void *arg)
{
	struct drain_batch *b = arg;
	swap_entry_t e = { READ_ONCE(an->swap) };

	if (b->n < DRAIN_BATCH && !swap_entry_is_none(e) &&
	    (int)swap_entry_area(e) == b->area) {
		anon_ref(an);
		b->an[b->n++] = an;
	}
}

/* Fill b with anons of vm on b->area. */
static void collect(struct vmspace *vm, struct drain_batch *b)
{
	b->n = 0;
	mutex_lock(&vm->lock);
	for (struct region *r = vmspace_next(vm, 0); r && b->n < DRAIN_BATCH; r = r->next)
		if (r->amap)
			amap_foreach(r->amap, r->amap_pgoff,
				     r->amap_pgoff + ((r->end - r->start) >> PAGE_SHIFT),
				     note_anon, b);
	mutex_unlock(&vm->lock);
}

/* Bring an's page in and drop its slot on area. Returns 0 or -errno. */
static int bring_back(struct anon *an, int area)
{
	int err = anon_page_in(an);
	swap_entry_t e;

	if (err < 0)
		return err;
	anon_lock(an);
	e = (swap_entry_t){ an->swap };
	if (an->page && !(an->flags & ANON_BUSY) && !swap_entry_is_none(e) &&
	    (int)swap_entry_area(e) == area)
		anon_dirty(an);
	anon_unlock(an);
	return 0;
}

/*
 * Drain the shared objects vm maps (shared anonymous memory), each once
 * per call: an object's own swap_drain reads its pages back.
 */
static int drain_objects(struct vmspace *vm, int area)
{
	struct vobject *objs[16];
	unsigned int n = 0;
	vaddr_t from = 0;
	int err = 0;

	for (;;) {
		mutex_lock(&vm->lock);
		n = 0;
		for (struct region *r = vmspace_next(vm, from); r && n < 16; r = r->next) {
			from = r->end;
			if (r->obj && r->obj->ops->swap_drain) {
				vobject_ref(r->obj);
				objs[n++] = r->obj;
			}
		}
		mutex_unlock(&vm->lock);
		for (unsigned int i = 0; i < n; i++) {
			if (!err)
				err = objs[i]->ops->swap_drain(objs[i], area);
			vobject_unref(objs[i]);
		}
		if (n < 16 || err)
			return err;
	}
}

/* Drain vm's pages on b->area. */
static int drain_space(struct vmspace *vm, struct drain_batch *b)
{
	int err = drain_objects(vm, b->area);

	if (err)
		return err;

	for (int pass = 0; !err && pass < DRAIN_PASSES * 64; pass++) {
		collect(vm, b);
		if (!b->n)
			return 0;
		for (unsigned int i = 0; i < b->n; i++) {
			if (!err)
				err = bring_back(b->an[i], b->area);
			anon_put(b->an[i]);
		}
	}
	return err ? err : -ENOMEM;
}

struct space_list {
	unsigned int n, max;
	struct vmspace **vm;	/* referenced */
};

static int note_space(struct proc *p, void *arg)
{
	struct space_list *l = arg;

	if (p->vm && l->n < l->max) {
		vmspace_get(p->vm);
		l->vm[l->n++] = p->vm;
	}
	return 0;
}

int swap_area_drain(struct swap_area *a)
{
	struct drain_batch *b = kmalloc(sizeof(*b), 0);
	struct space_list l = { 0 };
	int err = 0;

	if (!b)
		return -ENOMEM;
	b->area = a->index;
	for (int pass = 0; !err && swap_area_inuse(a) && pass < DRAIN_PASSES; pass++) {
		pageout_quiesce();	/* objects only a page-out batch still holds */
		if (!swap_area_inuse(a))
			break;
		err = drain_registered(b->area);
		if (err)
			break;
		l.n = 0;
		l.max = proc_count() + 16;
		l.vm = kmalloc(l.max * sizeof(*l.vm), 0);
		if (!l.vm) {
			err = -ENOMEM;
			break;
		}
		proc_for_each(note_space, &l);
		for (unsigned int i = 0; i < l.n; i++) {
			if (!err)
				err = drain_space(l.vm[i], b);
			vmspace_put(l.vm[i]);
		}
		kfree(l.vm);
	}
	kfree(b);
	if (!err && swap_area_inuse(a))
		err = -ENOMEM;
	return err;
}
