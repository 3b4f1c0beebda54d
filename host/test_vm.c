/*
 * Host tests of the machine-independent VM: the region set (vmspace.c), the
 * fault decisions (fault.c), private pages (amap.c) and shared anonymous
 * memory (shmem.c), on the real pmm and kmem over 32 MiB of fake RAM and a
 * software pmap (host/env/pmap_soft.c) standing in for Sv39.
 *
 * Expected layouts are written the way /proc/<pid>/maps would list them,
 * one bracket per region:
 *
 *	[10000-13000 r-x file A+0] [13000-14000 rw- anon]
 *
 * "file A+2" is a private mapping of object A from its page 2, "shared A+0"
 * a shared one, "anon" private anonymous memory; "stack" marks a region
 * that grows down. Pictures above the tests draw the same thing.
 *
 * User memory is touched through a small software MMU (user_read and
 * user_write): it looks the page up in the pmap and calls vm_fault() only
 * when the pmap does not allow the access, as the hardware would.
 *
 * Every test ends with vm_check() on each address space it used (region
 * and pmap invariants) and a leak check: once every address space and
 * object is gone, the pmm has every frame it had when the test started.
 */
#include "test.h"
#include "pmap_soft.h"
#include "lib/avl.h"
#include "vm/amap.h"
#include "vm/anon.h"
#include "vm/kmem.h"
#include "vm/pmm.h"
#include "vm/rmap.h"
#include "vm/vmspace.h"
#include "vm/vobject.h"
#include "vm/vmstat.h"

#define RAM_BASE	0x80000000UL
#define RAM_SIZE	(32UL << 20)

#define P		PAGE_SIZE
#define R_		VM_PROT_READ
#define W_		VM_PROT_WRITE
#define X_		VM_PROT_EXEC
#define RW		(VM_PROT_READ | VM_PROT_WRITE)
#define RX		(VM_PROT_READ | VM_PROT_EXEC)

static uint8_t *ram;
static uint64_t frames_at_start;	/* free frames when the test began */
static paddr_t zero_pa;			/* the shared zero frame */

/* ------------------------------------------------------------ helpers */

/* Map or unmap with vm->lock held, as the system calls do. */
static int map(struct vmspace *vm, vaddr_t start, uint64_t len,
	       unsigned int prot, unsigned int flags, struct vobject *obj,
	       uint64_t off, uint64_t limit)
{
	int err;

	mutex_lock(&vm->lock);
	err = vmspace_map(vm, start, len, prot, VM_PROT_ALL, flags, obj, off, limit);
	mutex_unlock(&vm->lock);
	return err;
}

static int map_anon(struct vmspace *vm, vaddr_t start, uint64_t len,
		    unsigned int prot)
{
	return map(vm, start, len, prot, 0, NULL, 0, 0);
}

static int unmap(struct vmspace *vm, vaddr_t start, vaddr_t end)
{
	int err;

	mutex_lock(&vm->lock);
	err = vmspace_unmap(vm, start, end);
	mutex_unlock(&vm->lock);
	return err;
}

static int protect(struct vmspace *vm, vaddr_t start, vaddr_t end,
		   unsigned int prot)
{
	int err;

	mutex_lock(&vm->lock);
	err = vmspace_protect(vm, start, end, prot);
	mutex_unlock(&vm->lock);
	return err;
}

static int discard(struct vmspace *vm, vaddr_t start, vaddr_t end)
{
	int err;

	mutex_lock(&vm->lock);
	err = vmspace_discard(vm, start, end);
	mutex_unlock(&vm->lock);
	return err;
}

static struct region *find(struct vmspace *vm, vaddr_t va)
{
	struct region *r;

	mutex_lock(&vm->lock);
	r = vmspace_find(vm, va);
	mutex_unlock(&vm->lock);
	return r;
}

static struct region *next(struct vmspace *vm, vaddr_t va)
{
	struct region *r;

	mutex_lock(&vm->lock);
	r = vmspace_next(vm, va);
	mutex_unlock(&vm->lock);
	return r;
}

static vaddr_t find_free(struct vmspace *vm, uint64_t len, vaddr_t above,
			 vaddr_t below)
{
	vaddr_t va;

	mutex_lock(&vm->lock);
	va = vmspace_find_free(vm, len, above, below);
	mutex_unlock(&vm->lock);
	return va;
}

/* An object's path, or "shm" for shared anonymous memory (or one without a path). */
static const char *obj_name(struct vobject *obj)
{
	const char *name = obj->ops->path ? obj->ops->path(obj) : NULL;

	return name && strcmp(name, "/dev/zero (deleted)") != 0 ? name : "shm";
}

/* The region set as one line, e.g. "[10000-13000 r-x file A+0] [...]". */
static const char *layout(struct vmspace *vm)
{
	static char buf[4096];
	size_t len = 0;

	buf[0] = 0;
	for (struct avl_node *n = avl_first(&vm->regions); n; n = avl_next(n)) {
		struct region *r = avl_entry(n, struct region, node);
		char what[64];

		if (r->obj)
			snprintf(what, sizeof(what), "%s %s+%lu",
				 r->flags & REGION_SHARED ? "shared" : "file",
				 obj_name(r->obj), (unsigned long)r->obj_pgoff);
		else
			snprintf(what, sizeof(what), "anon");
		len += snprintf(buf + len, sizeof(buf) - len,
				"%s[%lx-%lx %c%c%c %s%s]", len ? " " : "",
				(unsigned long)r->start, (unsigned long)r->end,
				r->prot & R_ ? 'r' : '-', r->prot & W_ ? 'w' : '-',
				r->prot & X_ ? 'x' : '-', what,
				r->flags & REGION_GROWSDOWN ? " stack" : "");
		if (len >= sizeof(buf))
			break;
	}
	return buf;
}

/* Compare the layout with what the test expects; print both if they differ. */
#define CHECK_LAYOUT(vm, want)						\
	do {								\
		const char *_got = layout(vm);				\
		if (strcmp(_got, (want)) != 0) {			\
			printf("  layout: %s\n  wanted: %s\n", _got, (want)); \
			test_fail(__FILE__, __LINE__, "layout of " #vm); \
		}							\
	} while (0)

static int region_cmp(const struct avl_node *a, const struct avl_node *b)
{
	vaddr_t x = avl_entry(a, struct region, node)->start;
	vaddr_t y = avl_entry(b, struct region, node)->start;

	return x < y ? -1 : x > y;
}

static size_t region_count(struct vmspace *vm)
{
	return vm->regions.count;
}

/* ------------------------------------------------------------ invariants */

struct check_ctx {
	struct vmspace *vm;
	int bad;
};

static void check_fail(struct check_ctx *c, const char *fmt, vaddr_t va)
{
	if (c->bad++ < 4) {
		printf("  vm_check: ");
		printf(fmt, (unsigned long)va);
		printf("\n");
	}
}

/* One pmap entry: inside a region, within its protection, a live frame,
 * and for private regions writable only when the page is the region's own. */
static void check_pte(vaddr_t va, paddr_t pa, unsigned int prot, void *arg)
{
	struct check_ctx *c = arg;
	struct region *r = vmspace_find(c->vm, va);
	struct page *pg = pa_to_page(pa), *ap;
	struct anon *an;
	unsigned int allowed;

	if (!r) {
		check_fail(c, "page 0x%lx is mapped outside every region", va);
		return;
	}
	allowed = r->prot & W_ ? r->prot | R_ : r->prot;
	if (prot & ~allowed)
		check_fail(c, "page 0x%lx is mapped with more than its region allows", va);
	if (!pg || pg->state == PAGE_FREE || pg->refcount == 0) {
		check_fail(c, "page 0x%lx maps a free frame", va);
		return;
	}
	if (r->flags & REGION_SHARED)
		return;
	an = r->amap ? amap_lookup(r->amap, r->amap_pgoff +
				   ((va - r->start) >> PAGE_SHIFT)) : NULL;
	ap = an ? an->page : NULL;
	if (an && ap != pg)
		check_fail(c, "page 0x%lx maps a frame other than its private page", va);
	if (ap && ap->owner != an)
		check_fail(c, "the private frame at 0x%lx does not name its anon", va);
	if ((prot & W_) && (!an || anon_refs(an) != 1))
		check_fail(c, "page 0x%lx is writable but not a private unshared page", va);
	if (pa == zero_pa && (prot & W_))
		check_fail(c, "the zero frame is writable at 0x%lx", va);
}

/* Private pages r's amap holds for r's own range. */
static uint64_t amap_slots_used(const struct region *r)
{
	uint64_t n = 0;

	for (vaddr_t va = r->start; va < r->end; va += P)
		n += amap_lookup(r->amap, r->amap_pgoff +
				 ((va - r->start) >> PAGE_SHIFT)) != NULL;
	return n;
}

/* Does every node's gap summary agree with its subtree? Returns the nodes that do not. */
static int summary_errors(struct avl_node *n, vaddr_t *lo, vaddr_t *hi, uint64_t *gap)
{
	struct region *r;
	vaddr_t llo, lhi, rlo, rhi;
	uint64_t lgap = 0, rgap = 0, g = 0;
	int bad;

	if (!n)
		return 0;
	r = avl_entry(n, struct region, node);
	bad = summary_errors(n->left, &llo, &lhi, &lgap) +
	      summary_errors(n->right, &rlo, &rhi, &rgap);
	*lo = n->left ? llo : r->start;
	*hi = n->right ? rhi : r->end;
	if (n->left)
		g = MAX(lgap, r->start - lhi);
	if (n->right)
		g = MAX(g, MAX(rgap, rlo - r->end));
	*gap = g;
	return bad + (r->sub_start != *lo || r->sub_end != *hi || r->sub_gap != g);
}

/*
 * vm_check - the region set is sorted, disjoint, page aligned and a valid
 * AVL tree whose gap summaries agree with the regions; a private region's amap is indexed by virtual page number
 * (amap_pgoff == start >> PAGE_SHIFT); each amap's refs counts the regions
 * using it and it holds no page outside them; every pmap entry passes
 * check_pte; the lock is free.
 */
static bool vm_check(struct vmspace *vm)
{
	struct check_ctx c = { .vm = vm };
	struct region *prev = NULL;

	if (vm->lock.locked)
		check_fail(&c, "the lock is held (%lx)", 0);
	mutex_lock(&vm->lock);
	if (avl_check(&vm->regions, region_cmp) != 0)
		check_fail(&c, "the region tree is broken (%lx)", 0);
	{
		vaddr_t lo, hi;
		uint64_t gap;

		avl_refresh(&vm->regions);
		if (summary_errors(vm->regions.root, &lo, &hi, &gap))
			check_fail(&c, "the tree's gap summaries are stale (%lx)", 0);
	}
	for (struct avl_node *n = avl_first(&vm->regions); n; n = avl_next(n)) {
		struct region *r = avl_entry(n, struct region, node);
		int users = 0;

		if (r->start >= r->end || !IS_ALIGNED(r->start, P) ||
		    !IS_ALIGNED(r->end, P))
			check_fail(&c, "region at 0x%lx is empty or unaligned", r->start);
		if (prev && prev->end > r->start)
			check_fail(&c, "region at 0x%lx overlaps the one before", r->start);
		if (r->amap && r->amap_pgoff != r->start >> PAGE_SHIFT)
			check_fail(&c, "region at 0x%lx: amap_pgoff is not its page number",
				   r->start);
		if (r->amap) {
			uint64_t held = 0;
			bool first = true;

			for (struct avl_node *m = avl_first(&vm->regions); m; m = avl_next(m)) {
				struct region *u = avl_entry(m, struct region, node);

				if (u->amap != r->amap)
					continue;
				first &= u->start >= r->start;
				users++;
				held += amap_slots_used(u);
			}
			if (users != r->amap->refs)
				check_fail(&c, "region at 0x%lx: amap refs disagree with its users",
					   r->start);
			if (first && held != r->amap->npages)
				check_fail(&c, "region at 0x%lx: its amap holds pages no region maps",
					   r->start);
		}
		prev = r;
	}
	if (vmspace_check(vm) != 0)
		check_fail(&c, "vmspace_check failed (%lx)", 0);
	if (pmap_resident(vm->pmap) != pmap_soft_count(vm->pmap))
		check_fail(&c, "resident count is off (%lx)", 0);
	pmap_soft_foreach(vm->pmap, check_pte, &c);
	mutex_unlock(&vm->lock);
	return c.bad == 0;
}

/* ------------------------------------------------------------ software MMU */

/* Does the pmap let `access` through at va? */
static bool pmap_allows(struct vmspace *vm, vaddr_t va, unsigned int access)
{
	paddr_t pa;

	/* as an MMU that updates them: a permitted access sets A (and D) */
	if (!pmap_access(vm->pmap, ALIGN_DOWN(va, PAGE_SIZE), access, &pa))
		return false;
	if (pa_to_page(pa))
		page_put(pa_to_page(pa));	/* pmap_access's pin */
	return true;
}

/*
 * Make va accessible the way the hardware would: fault only if the pmap
 * refuses the access. Returns the fault's result; a fault that claims
 * success but leaves the access refused is a test failure.
 */
static enum fault_result touch(struct vmspace *vm, vaddr_t va,
			       unsigned int access)
{
	enum fault_result res;

	if (pmap_allows(vm, va, access))
		return FAULT_OK;
	res = vm_fault(vm, va, access);
	if (res == FAULT_OK && !pmap_allows(vm, va, access))
		test_fail(__FILE__, __LINE__, "vm_fault returned OK but the pmap refuses");
	return res;
}

/* The host address of user address va, or NULL if not mapped. */
static uint8_t *user_ptr(struct vmspace *vm, vaddr_t va)
{
	paddr_t pa;

	if (!pmap_extract(vm->pmap, va, &pa, NULL))
		return NULL;
	return (uint8_t *)phys_to_virt(pa) + (va & PAGE_MASK);
}

/* The byte at va as a load sees it, or -1 if the load faults. */
static int user_read(struct vmspace *vm, vaddr_t va)
{
	if (touch(vm, va, R_) != FAULT_OK)
		return -1;
	return *user_ptr(vm, va);
}

/* Store a byte at va; returns the fault result. */
static enum fault_result user_write(struct vmspace *vm, vaddr_t va, uint8_t v)
{
	enum fault_result res = touch(vm, va, W_);

	if (res == FAULT_OK)
		*user_ptr(vm, va) = v;
	return res;
}

/* Fill the page at va with v through stores. */
static enum fault_result user_fill(struct vmspace *vm, vaddr_t va, uint8_t v)
{
	enum fault_result res = user_write(vm, va, v);

	if (res == FAULT_OK)
		memset(user_ptr(vm, ALIGN_DOWN(va, P)), v, P);
	return res;
}

/* Does every byte of the page at va read as v? */
static bool user_page_is(struct vmspace *vm, vaddr_t va, uint8_t v)
{
	uint8_t *p;

	if (user_read(vm, va) < 0)
		return false;
	p = user_ptr(vm, ALIGN_DOWN(va, P));
	for (size_t i = 0; i < P; i++)
		if (p[i] != v)
			return false;
	return true;
}

/* The frame mapped at va, or 0. */
static paddr_t mapped_pa(struct vmspace *vm, vaddr_t va)
{
	paddr_t pa = 0;

	pmap_extract(vm->pmap, va, &pa, NULL);
	return pa;
}

/* The protection va is mapped with, or -1 if not mapped. */
static int mapped_prot(struct vmspace *vm, vaddr_t va)
{
	unsigned int prot;

	return pmap_extract(vm->pmap, va, NULL, &prot) ? (int)prot : -1;
}

/* The anon of the region at va for va, or NULL. */
static struct anon *private_anon(struct vmspace *vm, vaddr_t va)
{
	struct region *r = find(vm, va);

	if (!r || !r->amap)
		return NULL;
	return amap_lookup(r->amap, r->amap_pgoff + ((va - r->start) >> PAGE_SHIFT));
}

/* The frame of the private page of the region at va for va, or NULL. */
static struct page *private_page(struct vmspace *vm, vaddr_t va)
{
	struct anon *an = private_anon(vm, va);

	return an ? an->page : NULL;
}

/* The start of the region at va, or 0 if none. */
static vaddr_t start_of(struct vmspace *vm, vaddr_t va)
{
	struct region *r = find(vm, va);

	return r ? r->start : 0;
}

/* Pages in the amap of the region at va, or -1 if it has no amap. */
static long amap_pages(struct vmspace *vm, vaddr_t va)
{
	struct region *r = find(vm, va);

	return r && r->amap ? (long)r->amap->npages : -1;
}

/* Regions sharing the amap of the region at va, or -1 if it has no amap. */
static long amap_refs(struct vmspace *vm, vaddr_t va)
{
	struct region *r = find(vm, va);

	return r && r->amap ? r->amap->refs : -1;
}

/*
 * How many amaps share the private page at va (its anon's references), or
 * -1 if there is none.
 */
static long page_refs(struct vmspace *vm, vaddr_t va)
{
	struct anon *an = private_anon(vm, va);

	return an ? (long)anon_refs(an) : -1;
}

/* The reference count of the frame at pa, or -1 if pa is not RAM. */
static long frame_refs(paddr_t pa)
{
	struct page *pg = pa_to_page(pa);

	return pg ? (long)pg->refcount : -1;
}

/* How many amaps share the private frame at pa (its anon's references), or -1. */
static long frame_sharers(paddr_t pa)
{
	struct page *pg = pa_to_page(pa);

	if (!pg || pg->state != PAGE_ANON || !pg->owner)
		return -1;
	return anon_refs(pg->owner);
}

/* ------------------------------------------------------------ fake files */

/*
 * A file-like object: npages pages of a recognisable pattern, each read in
 * (a frame allocated and filled) on its first get_page. Counts its
 * get_page calls; fail makes get_page return that error.
 */
struct fake_obj {
	struct vobject obj;
	char name[8];
	uint64_t npages;
	struct page **pages;
	int gets;
	int fail;
	bool reads_in;		/* a first get_page says VOBJECT_READ_IN */
};

static int fake_released;		/* fake objects released so far */

static uint8_t pattern(const struct fake_obj *fo, uint64_t idx, size_t byte)
{
	return (uint8_t)(1 + (fo->name[0] * 13 + idx * 31 + byte) % 251);
}

static int fake_get_page(struct vobject *obj, uint64_t idx, struct page **pg)
{
	struct fake_obj *fo = container_of(obj, struct fake_obj, obj);

	fo->gets++;
	if (fo->fail)
		return fo->fail;
	if (idx >= fo->npages)
		return -EFAULT;
	if (!fo->pages[idx]) {
		struct page *p = pmm_alloc(0);
		uint8_t *data;

		if (!p)
			return -ENOMEM;
		p->state = PAGE_FILE;
		data = page_to_virt(p);
		for (size_t i = 0; i < P; i++)
			data[i] = pattern(fo, idx, i);
		fo->pages[idx] = p;
		if (fo->reads_in) {
			*pg = p;
			page_ref_inc(p);
			return VOBJECT_READ_IN;	/* as if read from a disk */
		}
	}
	*pg = fo->pages[idx];
	page_ref_inc(*pg);	/* the caller's */
	return 0;
}

static void fake_release(struct vobject *obj)
{
	struct fake_obj *fo = container_of(obj, struct fake_obj, obj);

	for (uint64_t i = 0; i < fo->npages; i++)
		if (fo->pages[i])
			pmm_free(fo->pages[i]);
	free(fo->pages);
	free(fo);
	fake_released++;
}

static const char *fake_path(struct vobject *obj)
{
	return container_of(obj, struct fake_obj, obj)->name;
}

static const struct vobject_ops fake_ops = {
	.get_page = fake_get_page,
	.release = fake_release,
	.path = fake_path,
};

/* A new fake object named name of npages pages; the caller holds one reference. */
static struct fake_obj *fake_create(const char *name, uint64_t npages)
{
	struct fake_obj *fo = calloc(1, sizeof(*fo));

	if (!fo || !(fo->pages = calloc(npages, sizeof(*fo->pages))))
		exit(2);
	snprintf(fo->name, sizeof(fo->name), "%s", name);
	fo->npages = npages;
	fo->obj.ops = &fake_ops;
	fo->obj.refs = 1;
	fo->obj.size = npages * P;
	return fo;
}

/* The frame holding page idx of fo (reading it in if needed). */
static paddr_t fake_pa(struct fake_obj *fo, uint64_t idx)
{
	struct page *pg;

	if (fake_get_page(&fo->obj, idx, &pg) != 0)
		return 0;
	page_put(pg);		/* the object keeps it */
	return page_to_pa(pg);
}

/* Does the page at va hold page idx of fo, bytes [0, valid), and zeros after? */
static bool user_page_is_file(struct vmspace *vm, vaddr_t va,
			      struct fake_obj *fo, uint64_t idx, size_t valid)
{
	uint8_t *p;

	if (user_read(vm, va) < 0)
		return false;
	p = user_ptr(vm, ALIGN_DOWN(va, P));
	for (size_t i = 0; i < P; i++)
		if (p[i] != (i < valid ? pattern(fo, idx, i) : 0))
			return false;
	return true;
}

/* ------------------------------------------------------------ setup */

/*
 * The pmm, kmem and the VM's caches and zero frame are set up once for the
 * whole run (the VM keeps its caches in static variables). Each test then
 * records the free frames it starts with.
 */
static void setup(void)
{
	static bool ready;

	if (!ready) {
		struct pmm_range r = { RAM_BASE, RAM_SIZE };
		struct vmspace *vm;

		ram = host_fake_ram(RAM_BASE, RAM_SIZE);
		if (pmm_init(&r, 1, NULL, 0) != 0)
			exit(2);
		kmem_init();
		vm_init();
		/* Warm up: the zero frame and the amap caches come on first use. */
		vm = vmspace_create();
		if (!vm || map_anon(vm, 0x10000, P, RW) != 0 ||
		    vm_fault(vm, 0x10000, R_) != FAULT_OK)
			exit(2);
		zero_pa = mapped_pa(vm, 0x10000);
		if (vm_fault(vm, 0x10000, W_) != FAULT_OK)
			exit(2);
		vmspace_destroy(vm);
		ready = true;
	}
	host_cpu_id = 0;
	fake_released = 0;
	kmem_reclaim();
	frames_at_start = pmm_free_frames();
}

/* Every frame back (after the caches give back their empty slabs), no pmap left. */
static bool no_frame_leaked(void)
{
	kmem_reclaim();
	if (pmm_free_frames() != frames_at_start)
		printf("  %ld frames leaked\n",
		       (long)(frames_at_start - pmm_free_frames()));
	if (anon_count() != 0)
		printf("  %lu anons leaked\n", (unsigned long)anon_count());
	return pmm_free_frames() == frames_at_start && pmm_check() == 0 &&
	       pmap_soft_live() == 0 && anon_count() == 0;
}

static struct vmspace *new_vm(void)
{
	struct vmspace *vm = vmspace_create();

	if (!vm)
		exit(2);
	return vm;
}

/* ------------------------------------------------------------ the region set */

/*
 *   10000      13000      20000      24000
 *   |  anon rw |          | file r-x |
 */
TEST(map_keeps_regions_sorted_and_disjoint)
{
	struct vmspace *vm;
	struct fake_obj *a;

	setup();
	vm = new_vm();
	a = fake_create("A", 8);
	CHECK_EQ(map(vm, 0x20000, 4 * P, RX, 0, &a->obj, 0, 4 * P), 0);
	CHECK_EQ(map_anon(vm, 0x10000, 3 * P, RW), 0);
	CHECK_EQ(map(vm, 0x30000, P, R_, REGION_SHARED, &a->obj, 2 * P, 8 * P), 0);
	CHECK_LAYOUT(vm, "[10000-13000 rw- anon] [20000-24000 r-x file A+0] "
			 "[30000-31000 r-- shared A+2]");
	CHECK_EQ(a->obj.refs, 3);		/* the test's and two regions' */
	CHECK_EQ(vmspace_virtual_size(vm), 8 * P);
	CHECK(vm_check(vm));
	vobject_unref(&a->obj);
	vmspace_destroy(vm);
	CHECK_EQ(fake_released, 1);
	CHECK(no_frame_leaked());
}

/*
 *   before:  10000 [========= anon rw ==========] 20000
 *   unmap         13000 [xxxxx] 15000
 *   after:   10000 [=====] 13000    15000 [=====] 20000
 */
TEST(unmap_of_the_middle_splits_a_region)
{
	struct vmspace *vm;

	setup();
	vm = new_vm();
	CHECK_EQ(map_anon(vm, 0x10000, 0x10000, RW), 0);
	CHECK_EQ(unmap(vm, 0x13000, 0x15000), 0);
	CHECK_LAYOUT(vm, "[10000-13000 rw- anon] [15000-20000 rw- anon]");
	CHECK_EQ(vmspace_virtual_size(vm), 0xe000);
	/* the edges: unmapping the first and last pages trims */
	CHECK_EQ(unmap(vm, 0x10000, 0x11000), 0);
	CHECK_EQ(unmap(vm, 0x1f000, 0x20000), 0);
	CHECK_LAYOUT(vm, "[11000-13000 rw- anon] [15000-1f000 rw- anon]");
	/* unmapping holes, or across holes, is fine */
	CHECK_EQ(unmap(vm, 0x40000, 0x50000), 0);
	CHECK_EQ(unmap(vm, 0x12000, 0x16000), 0);
	CHECK_LAYOUT(vm, "[11000-12000 rw- anon] [16000-1f000 rw- anon]");
	CHECK_EQ(unmap(vm, 0, 0x100000), 0);
	CHECK_LAYOUT(vm, "");
	CHECK_EQ(vmspace_virtual_size(vm), 0);
	CHECK(vm_check(vm));
	vmspace_destroy(vm);
	CHECK(no_frame_leaked());
}

/*
 *   before:  10000 [============ rw- ============] 20000
 *   protect        14000 [ r-- ] 16000
 *   after:   10000 [ rw- ] 14000 [ r-- ] 16000 [ rw- ] 20000
 *   protect back: one region again
 */
TEST(protect_of_the_middle_splits_and_protecting_back_merges)
{
	struct vmspace *vm;

	setup();
	vm = new_vm();
	CHECK_EQ(map_anon(vm, 0x10000, 0x10000, RW), 0);
	CHECK_EQ(protect(vm, 0x14000, 0x16000, R_), 0);
	CHECK_LAYOUT(vm, "[10000-14000 rw- anon] [14000-16000 r-- anon] "
			 "[16000-20000 rw- anon]");
	CHECK(vm_check(vm));
	CHECK_EQ(protect(vm, 0x14000, 0x16000, RW), 0);
	CHECK_LAYOUT(vm, "[10000-20000 rw- anon]");
	/* the same with pages present: the amap is shared, then whole again */
	for (vaddr_t va = 0x10000; va < 0x20000; va += P)
		CHECK_EQ(user_fill(vm, va, (uint8_t)(va >> 12)), FAULT_OK);
	CHECK_EQ(protect(vm, 0x14000, 0x16000, R_), 0);
	CHECK(vm_check(vm));
	CHECK_EQ(find(vm, 0x10000)->amap, find(vm, 0x15000)->amap);
	CHECK_EQ(amap_refs(vm, 0x10000), 3);
	CHECK_EQ(mapped_prot(vm, 0x14000), R_);	/* lowered in the pmap too */
	CHECK_EQ(mapped_prot(vm, 0x13000), RW);
	CHECK_EQ(user_write(vm, 0x14000, 1), FAULT_PROTECTION);
	CHECK_EQ(protect(vm, 0x10000, 0x20000, RW), 0);
	CHECK_LAYOUT(vm, "[10000-20000 rw- anon]");
	CHECK_EQ(amap_refs(vm, 0x10000), 1);
	for (vaddr_t va = 0x10000; va < 0x20000; va += P)
		CHECK(user_page_is(vm, va, (uint8_t)(va >> 12)));
	CHECK(vm_check(vm));
	vmspace_destroy(vm);
	CHECK(no_frame_leaked());
}

/*
 *   10000 [ rw- ] 12000 [ rw- ] 14000      ->  10000 [    rw-    ] 14000
 *   20000 [ A+0 ] 22000 [ A+2 ] 24000      ->  20000 [    A+0    ] 24000
 */
TEST(adjacent_compatible_mappings_merge)
{
	struct vmspace *vm;
	struct fake_obj *a;

	setup();
	vm = new_vm();
	a = fake_create("A", 8);
	CHECK_EQ(map_anon(vm, 0x10000, 2 * P, RW), 0);
	CHECK_EQ(map_anon(vm, 0x12000, 2 * P, RW), 0);
	CHECK_EQ(map(vm, 0x22000, 2 * P, R_, 0, &a->obj, 2 * P, 8 * P), 0);
	CHECK_EQ(map(vm, 0x20000, 2 * P, R_, 0, &a->obj, 0, 8 * P), 0);
	CHECK_LAYOUT(vm, "[10000-14000 rw- anon] [20000-24000 r-- file A+0]");
	/* filling a hole between two compatible regions makes one */
	CHECK_EQ(map_anon(vm, 0x15000, P, RW), 0);
	CHECK_EQ(map_anon(vm, 0x14000, P, RW), 0);
	CHECK_LAYOUT(vm, "[10000-16000 rw- anon] [20000-24000 r-- file A+0]");
	/* protect can merge with a neighbour that already has the protection */
	CHECK_EQ(map_anon(vm, 0x16000, 2 * P, R_), 0);
	CHECK_EQ(protect(vm, 0x14000, 0x16000, R_), 0);
	CHECK_LAYOUT(vm, "[10000-14000 rw- anon] [14000-18000 r-- anon] "
			 "[20000-24000 r-- file A+0]");
	CHECK_EQ(a->obj.refs, 2);		/* merging dropped a reference */
	CHECK(vm_check(vm));
	vmspace_destroy(vm);
	vobject_unref(&a->obj);
	CHECK_EQ(fake_released, 1);
	CHECK(no_frame_leaked());
}

TEST(incompatible_neighbours_do_not_merge)
{
	struct vmspace *vm;
	struct fake_obj *a, *b;

	setup();
	vm = new_vm();
	a = fake_create("A", 16);
	b = fake_create("B", 16);
	/* different protection */
	CHECK_EQ(map_anon(vm, 0x10000, P, RW), 0);
	CHECK_EQ(map_anon(vm, 0x11000, P, R_), 0);
	/* different objects */
	CHECK_EQ(map(vm, 0x20000, P, R_, 0, &a->obj, 0, 16 * P), 0);
	CHECK_EQ(map(vm, 0x21000, P, R_, 0, &b->obj, P, 16 * P), 0);
	/* same object, offsets not contiguous */
	CHECK_EQ(map(vm, 0x30000, P, R_, 0, &a->obj, 0, 16 * P), 0);
	CHECK_EQ(map(vm, 0x31000, P, R_, 0, &a->obj, 5 * P, 16 * P), 0);
	/* private and shared views of one object */
	CHECK_EQ(map(vm, 0x40000, P, R_, 0, &a->obj, 0, 16 * P), 0);
	CHECK_EQ(map(vm, 0x41000, P, R_, REGION_SHARED, &a->obj, P, 16 * P), 0);
	/* anonymous next to a file */
	CHECK_EQ(map(vm, 0x50000, P, R_, 0, &a->obj, 0, 16 * P), 0);
	CHECK_EQ(map_anon(vm, 0x51000, P, R_), 0);
	/* the same file with a different zero-fill limit (data vs bss) */
	CHECK_EQ(map(vm, 0x60000, P, RW, 0, &a->obj, 0, 16 * P), 0);
	CHECK_EQ(map(vm, 0x61000, P, RW, 0, &a->obj, P, P + 0x80), 0);
	CHECK_LAYOUT(vm,
		"[10000-11000 rw- anon] [11000-12000 r-- anon] "
		"[20000-21000 r-- file A+0] [21000-22000 r-- file B+1] "
		"[30000-31000 r-- file A+0] [31000-32000 r-- file A+5] "
		"[40000-41000 r-- file A+0] [41000-42000 r-- shared A+1] "
		"[50000-51000 r-- file A+0] [51000-52000 r-- anon] "
		"[60000-61000 rw- file A+0] [61000-62000 rw- file A+1]");
	CHECK(vm_check(vm));
	vmspace_destroy(vm);
	vobject_unref(&a->obj);
	vobject_unref(&b->obj);
	CHECK_EQ(fake_released, 2);
	CHECK(no_frame_leaked());
}

/*
 *   before:  10000 [ anon ] 14000 [ A r-x ] 18000 [ anon r-- ] 1c000
 *   MAP_FIXED         12000 [======= B rw- ========] 1a000
 *   after:   10000 [anon] 12000 [===== B+0 =====] 1a000 [anon] 1c000
 */
TEST(map_fixed_replaces_parts_of_several_regions)
{
	struct vmspace *vm;
	struct fake_obj *a, *b;
	struct page *gone[2];

	setup();
	vm = new_vm();
	a = fake_create("A", 4);
	b = fake_create("B", 8);
	CHECK_EQ(map_anon(vm, 0x10000, 4 * P, RW), 0);
	CHECK_EQ(map(vm, 0x14000, 4 * P, RX, 0, &a->obj, 0, 4 * P), 0);
	CHECK_EQ(map_anon(vm, 0x18000, 4 * P, R_), 0);
	for (vaddr_t va = 0x10000; va < 0x14000; va += P)
		CHECK_EQ(user_fill(vm, va, 0x55), FAULT_OK);
	for (vaddr_t va = 0x14000; va < 0x1c000; va += P)
		CHECK(user_read(vm, va) >= 0);
	gone[0] = private_page(vm, 0x12000);
	gone[1] = private_page(vm, 0x13000);
	CHECK(gone[0] && gone[1]);
	CHECK_EQ(map(vm, 0x12000, 8 * P, RW, 0, &b->obj, 0, 8 * P), 0);
	CHECK_LAYOUT(vm, "[10000-12000 rw- anon] [12000-1a000 rw- file B+0] "
			 "[1a000-1c000 r-- anon]");
	/* the replaced pages are gone from the pmap and their frames freed */
	for (vaddr_t va = 0x12000; va < 0x1a000; va += P)
		CHECK_EQ(mapped_prot(vm, va), -1);
	CHECK_EQ(pmap_resident(vm->pmap), 4);
	CHECK(gone[0] && gone[0]->state == PAGE_FREE);
	CHECK(gone[1] && gone[1]->state == PAGE_FREE);
	CHECK_EQ(amap_pages(vm, 0x10000), 2);
	CHECK_EQ(a->obj.refs, 1);		/* no region maps A any more */
	/* the parts kept still hold their pages */
	CHECK(user_page_is(vm, 0x11000, 0x55));
	CHECK(user_page_is_file(vm, 0x12000, b, 0, P));
	CHECK(vm_check(vm));
	vmspace_destroy(vm);
	vobject_unref(&a->obj);
	vobject_unref(&b->obj);
	CHECK_EQ(fake_released, 2);
	CHECK(no_frame_leaked());
}

/*
 *   10000 [ r1 ] 12000      20000 [ r2 ] 21000 [ r3 ] 23000
 */
TEST(find_and_next_at_the_edges)
{
	struct vmspace *vm;

	setup();
	vm = new_vm();
	CHECK(find(vm, 0x10000) == NULL);
	CHECK(next(vm, 0) == NULL);
	CHECK_EQ(map_anon(vm, 0x10000, 2 * P, RW), 0);
	CHECK_EQ(map_anon(vm, 0x20000, P, RW), 0);
	CHECK_EQ(map_anon(vm, 0x21000, 2 * P, R_), 0);

	CHECK(find(vm, 0xffff) == NULL);
	CHECK_EQ(start_of(vm, 0x10000), 0x10000);
	CHECK_EQ(start_of(vm, 0x11fff), 0x10000);
	CHECK(find(vm, 0x12000) == NULL);
	CHECK(find(vm, 0x1ffff) == NULL);
	CHECK_EQ(start_of(vm, 0x20fff), 0x20000);
	CHECK_EQ(start_of(vm, 0x21000), 0x21000);
	CHECK_EQ(start_of(vm, 0x22fff), 0x21000);
	CHECK(find(vm, 0x23000) == NULL);

	CHECK_EQ(next(vm, 0)->start, 0x10000);
	CHECK_EQ(next(vm, 0x10000)->start, 0x10000);	/* contains it */
	CHECK_EQ(next(vm, 0x11fff)->start, 0x10000);
	CHECK_EQ(next(vm, 0x12000)->start, 0x20000);	/* ends at it: next */
	CHECK_EQ(next(vm, 0x1ffff)->start, 0x20000);
	CHECK_EQ(next(vm, 0x21000)->start, 0x21000);
	CHECK_EQ(next(vm, 0x22fff)->start, 0x21000);
	CHECK(next(vm, 0x23000) == NULL);
	CHECK(next(vm, ~0UL) == NULL);
	vmspace_destroy(vm);
	CHECK(no_frame_leaked());
}

/*
 *   10000 .. 100000 free   [100000 A 200000)   gap 1 MiB   [300000 B 380000)
 *   gap 512 KiB   [400000 C 500000)   free above
 */
TEST(find_free_searches_top_down_through_the_gaps)
{
	struct vmspace *vm;

	setup();
	vm = new_vm();
	CHECK_EQ(find_free(vm, 0x10000, 0x10000, 0x800000), 0x7f0000);
	CHECK_EQ(map_anon(vm, 0x100000, 0x100000, RW), 0);
	CHECK_EQ(map_anon(vm, 0x300000, 0x80000, RW), 0);
	CHECK_EQ(map_anon(vm, 0x400000, 0x100000, R_), 0);

	/* the highest gap that fits, ending as high as possible */
	CHECK_EQ(find_free(vm, 0x80000, 0x10000, 0x400000), 0x380000);
	CHECK_EQ(find_free(vm, 0x81000, 0x10000, 0x400000), 0x27f000);
	CHECK_EQ(find_free(vm, 0x100000, 0x10000, 0x400000), 0x200000);
	CHECK_EQ(find_free(vm, 0xf0000, 0x10000, 0x400000), 0x210000);
	/* `below` inside a region: the search starts under it */
	CHECK_EQ(find_free(vm, 0x80000, 0x10000, 0x480000), 0x380000);
	/* `below` in a gap: the gap is cut there */
	CHECK_EQ(find_free(vm, 0x100000, 0x10000, 0x600000), 0x500000);
	CHECK_EQ(find_free(vm, 0x100000, 0x10000, 0x5ff000), 0x200000);
	/* the lowest gap, bounded by `above` */
	CHECK_EQ(find_free(vm, 0xf0000, 0x10000, 0x150000), 0x10000);
	CHECK_EQ(find_free(vm, 0x100001, 0x10000, 0x300000), 0);
	CHECK_EQ(find_free(vm, 0x80000, 0x390000, 0x400000), 0);
	CHECK_EQ(find_free(vm, 0x200000, 0x10000, 0x500000), 0);
	CHECK_EQ(vmspace_virtual_size(vm), 0x280000);
	vmspace_destroy(vm);
	CHECK(no_frame_leaked());
}

/* The highest fit, by walking every gap from the top (the reference). */
static vaddr_t find_free_by_scan(struct vmspace *vm, uint64_t len, vaddr_t above,
				 vaddr_t below)
{
	vaddr_t top = below;

	for (struct avl_node *n = avl_last(&vm->regions); n; n = avl_prev(n)) {
		struct region *r = avl_entry(n, struct region, node);

		if (r->start >= top)
			continue;
		if (r->end <= top && top - r->end >= len && top - len >= above)
			return top - len;
		top = MIN(top, r->start);
	}
	return top >= above + len ? top - len : 0;
}

/* The augmented tree finds what a scan of every gap finds, whatever the layout. */
TEST(find_free_agrees_with_a_scan_of_every_gap)
{
	struct vmspace *vm;
	uint64_t seed = 0x9e3779b97f4a7c15UL;
	const vaddr_t base = 0x100000, span = 0x400 * P;
	int disagree = 0, found = 0;

	setup();
	vm = new_vm();
	for (int op = 0; op < 3000; op++) {
		vaddr_t at = base + (test_xorshift(&seed) % 0x400) * P;
		uint64_t len = (1 + test_xorshift(&seed) % 8) * P;

		if (at + len > base + span)
			continue;
		if (test_xorshift(&seed) % 3)
			map_anon(vm, at, len, test_xorshift(&seed) & 1 ? RW : R_);
		else
			unmap(vm, at, at + len);
		for (int q = 0; q < 4; q++) {
			uint64_t want = (1 + test_xorshift(&seed) % 16) * P;
			vaddr_t above = base - 4 * P + (test_xorshift(&seed) % 0x100) * P;
			vaddr_t below = above + (test_xorshift(&seed) % 0x500) * P;
			vaddr_t got = find_free(vm, want, above, below);

			disagree += got != find_free_by_scan(vm, want, above, below);
			found += got != 0;
		}
	}
	CHECK_EQ(disagree, 0);
	CHECK(found > 1000);		/* the queries were not all hopeless */
	CHECK(vm_check(vm));
	vmspace_destroy(vm);
	CHECK(no_frame_leaked());
}

/*
 * vm_max_map_count: a map is refused once the count is past the limit, and
 * a split (munmap or mprotect of the middle) once it is at the limit, as on
 * Linux; nothing changes when a call is refused.
 */
TEST(the_region_count_is_limited_by_max_map_count)
{
	struct vmspace *vm;
	int saved = vm_max_map_count;

	setup();
	vm = new_vm();
	vm_max_map_count = 4;
	for (int i = 0; i < 5; i++)	/* separate regions: 1 .. 5 (> 4 after) */
		CHECK_EQ(map_anon(vm, 0x100000 + i * 0x10000, 4 * P, RW), 0);
	CHECK_EQ(region_count(vm), 5);
	CHECK_EQ(map_anon(vm, 0x200000, P, RW), -ENOMEM);
	CHECK_EQ(unmap(vm, 0x101000, 0x102000), -ENOMEM);	/* would split */
	CHECK_EQ(protect(vm, 0x101000, 0x102000, R_), -ENOMEM);
	CHECK_EQ(region_count(vm), 5);
	CHECK_EQ(find(vm, 0x101000)->prot, RW);
	/* whole regions can still go, and then a split fits again */
	CHECK_EQ(unmap(vm, 0x100000, 0x104000), 0);
	CHECK_EQ(unmap(vm, 0x110000, 0x114000), 0);
	CHECK_EQ(unmap(vm, 0x120000, 0x124000), 0);
	CHECK_EQ(protect(vm, 0x131000, 0x132000, R_), 0);	/* two splits: 2 -> 4 */
	CHECK_EQ(region_count(vm), 4);
	vm_max_map_count = saved;
	CHECK(vm_check(vm));
	vmspace_destroy(vm);
	CHECK(no_frame_leaked());
}

/*
 * maxprot is part of the mapping: a read-only shared file view next to an
 * anonymous region of the same protection stays a region of its own, and
 * the neighbour keeps its own maxprot.
 */
TEST(regions_with_different_maxprot_do_not_merge)
{
	struct vmspace *vm;

	setup();
	vm = new_vm();
	mutex_lock(&vm->lock);
	CHECK_EQ(vmspace_map(vm, 0x10000, P, R_, VM_PROT_ALL, 0, NULL, 0, 0), 0);
	CHECK_EQ(vmspace_map(vm, 0x11000, P, R_, R_ | X_, 0, NULL, 0, 0), 0);
	CHECK_EQ(vmspace_map(vm, 0x12000, P, R_, VM_PROT_ALL, 0, NULL, 0, 0), 0);
	mutex_unlock(&vm->lock);
	CHECK_EQ(region_count(vm), 3);
	CHECK_EQ(find(vm, 0x10000)->maxprot, VM_PROT_ALL);
	CHECK_EQ(protect(vm, 0x10000, 0x11000, RW), 0);
	CHECK_EQ(protect(vm, 0x11000, 0x12000, RW), -EACCES);
	CHECK_EQ(protect(vm, 0x12000, 0x13000, RW), 0);
	CHECK(vm_check(vm));
	vmspace_destroy(vm);
	CHECK(no_frame_leaked());
}

TEST(protect_needs_the_whole_range_mapped_and_allowed)
{
	struct vmspace *vm;

	setup();
	vm = new_vm();
	CHECK_EQ(map_anon(vm, 0x10000, 2 * P, RW), 0);
	CHECK_EQ(map_anon(vm, 0x13000, 2 * P, RW), 0);
	CHECK_EQ(protect(vm, 0x10000, 0x15000, R_), -ENOMEM);	/* hole at 12000 */
	CHECK_EQ(protect(vm, 0x8000, 0x11000, R_), -ENOMEM);
	CHECK_LAYOUT(vm, "[10000-12000 rw- anon] [13000-15000 rw- anon]");
	find(vm, 0x13000)->maxprot = RW;		/* as for a read-write file */
	CHECK_EQ(protect(vm, 0x13000, 0x14000, RX), -EACCES);
	CHECK_EQ(protect(vm, 0x13000, 0x14000, R_), 0);
	CHECK_LAYOUT(vm, "[10000-12000 rw- anon] [13000-14000 r-- anon] "
			 "[14000-15000 rw- anon]");
	CHECK_EQ(protect(vm, 0x10000, 0x12000, VM_PROT_NONE), 0);
	CHECK_LAYOUT(vm, "[10000-12000 --- anon] [13000-14000 r-- anon] "
			 "[14000-15000 rw- anon]");
	CHECK(vm_check(vm));
	vmspace_destroy(vm);
	CHECK(no_frame_leaked());
}

/*
 * 10,000 one-page regions side by side, alternating rw-/r-- so that none
 * merge: every lookup finds its region and the tree keeps the AVL bound.
 */
#define MANY		10000
#define MANY_BASE	0x10000000UL

TEST(ten_thousand_regions_stay_balanced_and_findable)
{
	struct vmspace *vm;
	bool found = true;
	int height;

	setup();
	vm = new_vm();
	for (int i = 0; i < MANY; i++)
		CHECK_EQ(map_anon(vm, MANY_BASE + i * P, P, i & 1 ? R_ : RW), 0);
	CHECK_EQ(region_count(vm), MANY);
	CHECK_EQ(avl_check(&vm->regions, region_cmp), 0);
	height = vm->regions.root->rank;	/* the height: nothing was removed */
	CHECK(height <= 19);			/* 1.44 log2(10002) */
	for (int i = 0; i < MANY; i++) {
		vaddr_t va = MANY_BASE + i * P;
		struct region *r = find(vm, va + (i % P));

		found &= r && r->start == va && r->end == va + P &&
			 r->prot == (i & 1 ? R_ : RW);
	}
	CHECK(found);
	CHECK(find(vm, MANY_BASE - 1) == NULL);
	CHECK(find(vm, MANY_BASE + MANY * P) == NULL);
	CHECK_EQ(vmspace_virtual_size(vm), MANY * P);

	/* punch out every other region: lookups in the holes find nothing */
	for (int i = 0; i < MANY; i += 2)
		CHECK_EQ(unmap(vm, MANY_BASE + i * P, MANY_BASE + (i + 1) * P), 0);
	CHECK_EQ(region_count(vm), MANY / 2);
	CHECK_EQ(avl_check(&vm->regions, region_cmp), 0);
	found = true;
	for (int i = 0; i < MANY; i++) {
		vaddr_t va = MANY_BASE + i * P;
		struct region *r = find(vm, va + 0x800), *n = next(vm, va);

		if (i & 1)
			found &= r && r->start == va && n == r;
		else
			found &= !r && n && n->start == va + P;
	}
	CHECK(found);
	/* fill them again with r-- pages: everything merges into one region */
	for (int i = 0; i < MANY; i += 2)
		CHECK_EQ(map_anon(vm, MANY_BASE + i * P, P, R_), 0);
	CHECK_EQ(region_count(vm), 1);
	CHECK(vm_check(vm));
	vmspace_destroy(vm);
	CHECK(no_frame_leaked());
}

/* ------------------------------------------------------------ faults */

TEST(anonymous_read_maps_the_zero_frame_then_a_write_allocates)
{
	struct vmspace *vm, *other;
	uint64_t before;
	struct page *pg;
	paddr_t pa;

	setup();
	vm = new_vm();
	other = new_vm();
	CHECK_EQ(map_anon(vm, 0x10000, 4 * P, RW), 0);
	CHECK_EQ(map_anon(other, 0x40000, P, RX), 0);
	before = pmm_free_frames();
	CHECK_EQ(vm_fault(vm, 0x10123, R_), FAULT_OK);
	CHECK_EQ(vm_fault(vm, 0x12000, R_), FAULT_OK);
	CHECK_EQ(vm_fault(other, 0x40000, X_), FAULT_OK);
	/* one zero frame, read-only everywhere, and no frame allocated */
	CHECK_EQ(mapped_pa(vm, 0x10000), zero_pa);
	CHECK_EQ(mapped_pa(vm, 0x12000), zero_pa);
	CHECK_EQ(mapped_pa(other, 0x40000), zero_pa);
	CHECK_EQ(mapped_prot(vm, 0x10000), R_);
	CHECK_EQ(mapped_prot(other, 0x40000), RX);
	CHECK_EQ(pmm_free_frames(), before);
	CHECK(find(vm, 0x10000)->amap == NULL);
	CHECK(user_page_is(vm, 0x10000, 0));

	/* the write fault replaces it with a zeroed frame of the region's own */
	CHECK_EQ(vm_fault(vm, 0x10008, W_), FAULT_OK);
	pa = mapped_pa(vm, 0x10000);
	pg = pa_to_page(pa);
	CHECK(pa != zero_pa);
	CHECK_EQ(mapped_prot(vm, 0x10000), RW);
	CHECK(pg && pg->state == PAGE_ANON && pg->refcount == 1);
	CHECK(private_page(vm, 0x10000) == pg);
	CHECK(pmm_free_frames() < before);
	CHECK(user_page_is(vm, 0x10000, 0));
	CHECK_EQ(user_write(vm, 0x10008, 0xab), FAULT_OK);
	CHECK_EQ(user_read(vm, 0x10008), 0xab);
	/* the zero frame itself stayed zero, and the other page still maps it */
	CHECK(user_page_is(vm, 0x12000, 0));
	CHECK_EQ(mapped_pa(vm, 0x12000), zero_pa);
	CHECK_EQ(pmap_resident(vm->pmap), 2);
	CHECK(vm_check(vm));
	CHECK(vm_check(other));
	vmspace_destroy(vm);
	vmspace_destroy(other);
	CHECK(no_frame_leaked());
}

TEST(anonymous_write_first_allocates_directly)
{
	struct vmspace *vm;
	uint64_t flushes;

	setup();
	vm = new_vm();
	CHECK_EQ(map_anon(vm, 0x10000, P, RW), 0);
	CHECK_EQ(vm_fault(vm, 0x10000, W_), FAULT_OK);
	CHECK(mapped_pa(vm, 0x10000) != zero_pa);
	CHECK_EQ(mapped_prot(vm, 0x10000), RW);
	CHECK_EQ(amap_pages(vm, 0x10000), 1);
	CHECK(user_page_is(vm, 0x10000, 0));
	/* a first mapping replaces nothing, so nothing needs flushing */
	flushes = pmap_soft_flushes(vm->pmap);
	CHECK_EQ(flushes, 0);
	CHECK(vm_check(vm));
	vmspace_destroy(vm);
	CHECK(no_frame_leaked());
}

/*
 *   20000 [ text r-x  A+0 ] 22000 [ data rw- A+2 ] 24000
 */
TEST(private_file_read_maps_the_object_page_and_a_write_copies_it)
{
	struct vmspace *vm;
	struct fake_obj *a;
	paddr_t pa;

	setup();
	vm = new_vm();
	a = fake_create("A", 4);
	CHECK_EQ(map(vm, 0x20000, 2 * P, RX, 0, &a->obj, 0, 4 * P), 0);
	CHECK_EQ(map(vm, 0x22000, 2 * P, RW, 0, &a->obj, 2 * P, 4 * P), 0);
	CHECK_LAYOUT(vm, "[20000-22000 r-x file A+0] [22000-24000 rw- file A+2]");

	/* text: the object's own frame, never writable */
	CHECK_EQ(vm_fault(vm, 0x20000, X_), FAULT_OK);
	CHECK_EQ(mapped_pa(vm, 0x20000), fake_pa(a, 0));
	CHECK_EQ(mapped_prot(vm, 0x20000), RX);
	CHECK_EQ(user_write(vm, 0x20000, 1), FAULT_PROTECTION);
	CHECK(user_page_is_file(vm, 0x21000, a, 1, P));

	/* data: read maps the object's frame read-only ... */
	CHECK(user_page_is_file(vm, 0x22000, a, 2, P));
	CHECK_EQ(mapped_pa(vm, 0x22000), fake_pa(a, 2));
	CHECK_EQ(mapped_prot(vm, 0x22000), R_);
	CHECK(find(vm, 0x22000)->amap == NULL);
	/* ... and the write makes a private copy, leaving the object alone */
	CHECK_EQ(user_write(vm, 0x22010, 0), FAULT_OK);
	pa = mapped_pa(vm, 0x22000);
	CHECK(pa != fake_pa(a, 2));
	CHECK_EQ(mapped_prot(vm, 0x22000), RW);
	CHECK(private_page(vm, 0x22000) == pa_to_page(pa));
	CHECK(pa_to_page(pa) && pa_to_page(pa)->state == PAGE_ANON);
	CHECK_EQ(user_read(vm, 0x22010), 0);
	CHECK_EQ(user_read(vm, 0x22011), pattern(a, 2, 0x11));
	CHECK(memcmp(user_ptr(vm, 0x22000), phys_to_virt(fake_pa(a, 2)), 0x10) == 0);
	CHECK_EQ(*(uint8_t *)phys_to_virt(fake_pa(a, 2) + 0x10), pattern(a, 2, 0x10));
	/* write-first on a file page copies straight away */
	CHECK_EQ(vm_fault(vm, 0x23000, W_), FAULT_OK);
	CHECK(mapped_pa(vm, 0x23000) != fake_pa(a, 3));
	CHECK(user_page_is_file(vm, 0x23000, a, 3, P));
	CHECK(vm_check(vm));
	vmspace_destroy(vm);
	CHECK_EQ(fake_released, 0);
	vobject_unref(&a->obj);
	CHECK_EQ(fake_released, 1);
	CHECK(no_frame_leaked());
}

/*
 * Each resolved fault counts once: a major one when the object had to read
 * the page in, else a minor one; failed faults are not counted.
 *
 *   10000 [ anon rw- ] 12000 ... 20000 [ file r-- M+0 ] 22000
 */
TEST(faults_are_counted_once_minor_or_major)
{
	struct vmspace *vm, *other;
	struct fake_obj *m;
	uint64_t pgfault = vmstat_read(VMSTAT_PGFAULT),
		 pgmajfault = vmstat_read(VMSTAT_PGMAJFAULT);

	setup();
	vm = new_vm();
	other = new_vm();
	m = fake_create("M", 2);
	m->reads_in = true;
	CHECK_EQ(map_anon(vm, 0x10000, 2 * P, RW), 0);
	CHECK_EQ(map(vm, 0x20000, 2 * P, R_, 0, &m->obj, 0, 2 * P), 0);
	CHECK_EQ(map(other, 0x20000, 2 * P, R_, 0, &m->obj, 0, 2 * P), 0);
	CHECK_EQ(vm_fault(vm, 0x10000, R_), FAULT_OK);		/* zero page */
	CHECK_EQ(vm_fault(vm, 0x10000, W_), FAULT_OK);		/* its own page */
	CHECK_EQ(vm_fault(vm, 0x20000, R_), FAULT_OK);		/* read in: major */
	CHECK_EQ(vm_fault(vm, 0x21000, R_), FAULT_OK);		/* major */
	CHECK_EQ(vm_fault(other, 0x20000, R_), FAULT_OK);	/* cached: minor */
	CHECK_EQ(vm_fault(vm, 0x50000, R_), FAULT_NOT_MAPPED);
	CHECK_EQ(vm_fault(vm, 0x20000, W_), FAULT_PROTECTION);
	CHECK_EQ(vm->min_flt, 2);
	CHECK_EQ(vm->maj_flt, 2);
	CHECK_EQ(other->min_flt, 1);
	CHECK_EQ(other->maj_flt, 0);
	CHECK_EQ(vmstat_read(VMSTAT_PGFAULT) - pgfault, 5);
	CHECK_EQ(vmstat_read(VMSTAT_PGMAJFAULT) - pgmajfault, 2);
	vmspace_destroy(vm);
	vmspace_destroy(other);
	vobject_unref(&m->obj);
	CHECK(no_frame_leaked());
}

/*
 * An ELF data segment: file A holds 3 pages, the segment maps 4 pages of it
 * with obj_limit at 0x1800, so the data ends half-way through page 1 and
 * bss follows.
 *
 *   30000 [ data | data.. bss | bss | bss ] 34000
 *         page 0   page 1       page 2 page 3 (past A's end too)
 */
TEST(obj_limit_makes_the_bss_read_as_zeros)
{
	struct vmspace *vm;
	struct fake_obj *a;
	uint64_t before;
	int gets;

	setup();
	vm = new_vm();
	a = fake_create("A", 3);
	CHECK_EQ(map(vm, 0x30000, 4 * P, RW, 0, &a->obj, 0, 0x1800), 0);
	/* page 0 is all file data: the object's frame, read-only */
	CHECK(user_page_is_file(vm, 0x30000, a, 0, P));
	CHECK_EQ(mapped_pa(vm, 0x30000), fake_pa(a, 0));
	CHECK_EQ(mapped_prot(vm, 0x30000), R_);
	/* page 1 straddles the limit: even a read gets a private copy with zeros */
	CHECK(user_page_is_file(vm, 0x31000, a, 1, 0x800));
	CHECK(mapped_pa(vm, 0x31000) != fake_pa(a, 1));
	CHECK(private_page(vm, 0x31000) != NULL);
	CHECK_EQ(*(uint8_t *)phys_to_virt(fake_pa(a, 1) + 0x800), pattern(a, 1, 0x800));
	/* pages 2 and 3 are past it: anonymous, the object is not asked */
	gets = a->gets;
	before = pmm_free_frames();
	CHECK(user_page_is(vm, 0x32000, 0));
	CHECK(user_page_is(vm, 0x33000, 0));
	CHECK_EQ(mapped_pa(vm, 0x32000), zero_pa);
	CHECK_EQ(mapped_pa(vm, 0x33000), zero_pa);
	CHECK_EQ(pmm_free_frames(), before);
	CHECK_EQ(user_write(vm, 0x33000, 5), FAULT_OK);
	CHECK(user_page_is(vm, 0x32000, 0));
	CHECK_EQ(user_read(vm, 0x33000), 5);
	CHECK_EQ(user_read(vm, 0x33001), 0);
	CHECK_EQ(a->gets, gets);
	/* a write to the data page copies it whole */
	CHECK_EQ(user_write(vm, 0x30000, 0), FAULT_OK);
	CHECK_EQ(user_read(vm, 0x30fff), pattern(a, 0, 0xfff));
	CHECK(vm_check(vm));
	vmspace_destroy(vm);
	vobject_unref(&a->obj);
	CHECK(no_frame_leaked());
}

/* The same with the segment starting at a page of the file other than 0. */
TEST(obj_limit_counts_from_the_start_of_the_object)
{
	struct vmspace *vm;
	struct fake_obj *a;

	setup();
	vm = new_vm();
	a = fake_create("A", 4);
	/* maps A's pages 2.. at 40000; data ends at A's byte 0x2100 */
	CHECK_EQ(map(vm, 0x40000, 3 * P, RW, 0, &a->obj, 2 * P, 0x2100), 0);
	CHECK(user_page_is_file(vm, 0x40000, a, 2, 0x100));
	CHECK(user_page_is(vm, 0x41000, 0));
	CHECK(vm_check(vm));
	vmspace_destroy(vm);
	vobject_unref(&a->obj);
	CHECK(no_frame_leaked());
}

TEST(shared_mapping_maps_the_object_page_with_full_protection)
{
	struct vmspace *vm;
	struct fake_obj *a;

	setup();
	vm = new_vm();
	a = fake_create("A", 4);
	CHECK_EQ(map(vm, 0x50000, 4 * P, RW, REGION_SHARED, &a->obj, 0, 4 * P), 0);
	/* a read maps the object's frame writable at once: no copy-on-write */
	CHECK(user_page_is_file(vm, 0x50000, a, 0, P));
	CHECK_EQ(mapped_pa(vm, 0x50000), fake_pa(a, 0));
	CHECK_EQ(mapped_prot(vm, 0x50000), RW);
	CHECK_EQ(user_write(vm, 0x51004, 0xee), FAULT_OK);
	CHECK_EQ(mapped_pa(vm, 0x51000), fake_pa(a, 1));
	CHECK_EQ(*(uint8_t *)phys_to_virt(fake_pa(a, 1) + 4), 0xee);	/* in the object */
	CHECK(find(vm, 0x50000)->amap == NULL);
	/* a read-only shared view maps it read-only */
	CHECK_EQ(protect(vm, 0x52000, 0x54000, R_), 0);
	CHECK_EQ(vm_fault(vm, 0x52000, R_), FAULT_OK);
	CHECK_EQ(mapped_prot(vm, 0x52000), R_);
	CHECK_EQ(user_write(vm, 0x52000, 1), FAULT_PROTECTION);
	CHECK(vm_check(vm));
	vmspace_destroy(vm);
	vobject_unref(&a->obj);
	CHECK_EQ(fake_released, 1);
	CHECK(no_frame_leaked());
}

/*
 * mmap of a file of 0x1800 bytes, three pages long, private and shared:
 *
 *   10000 [ data | tail | past EOF ] 13000    20000 [ data | tail | past EOF ] 23000
 *
 * The tail page is the file's own page; the page wholly past the end is a
 * SIGBUS, until the file grows.
 */
TEST(file_mappings_fault_past_the_end_of_the_file)
{
	struct vmspace *vm;
	struct fake_obj *a;

	setup();
	vm = new_vm();
	a = fake_create("A", 3);
	a->obj.size = 0x1800;
	CHECK_EQ(map(vm, 0x10000, 3 * P, RW, REGION_FILE, &a->obj, 0, UINT64_MAX), 0);
	CHECK_EQ(map(vm, 0x20000, 3 * P, RW, REGION_FILE | REGION_SHARED, &a->obj,
		     0, UINT64_MAX), 0);
	CHECK(user_page_is_file(vm, 0x11000, a, 1, P));
	CHECK_EQ(mapped_pa(vm, 0x11000), fake_pa(a, 1));
	CHECK_EQ(user_write(vm, 0x21000, 1), FAULT_OK);
	CHECK_EQ(mapped_pa(vm, 0x21000), fake_pa(a, 1));
	CHECK_EQ(vm_fault(vm, 0x12000, R_), FAULT_PAST_EOF);
	CHECK_EQ(vm_fault(vm, 0x12000, W_), FAULT_PAST_EOF);
	CHECK_EQ(vm_fault(vm, 0x22000, R_), FAULT_PAST_EOF);
	CHECK_EQ(vm_fault(vm, 0x22000, W_), FAULT_PAST_EOF);
	CHECK_EQ(mapped_prot(vm, 0x12000), -1);
	CHECK(strcmp(vm_fault_reason(FAULT_PAST_EOF, R_), "past the end of the file") == 0);
	a->obj.size = 3 * P;			/* the file grows */
	CHECK(user_page_is_file(vm, 0x12000, a, 2, P));
	CHECK_EQ(user_write(vm, 0x22000, 2), FAULT_OK);
	CHECK(vm_check(vm));
	vmspace_destroy(vm);
	vobject_unref(&a->obj);
	CHECK(no_frame_leaked());
}

/*
 *   10000 [ r-- ] 11000 [ --x ] 12000 [ --- ] 13000   hole   20000 [ rw- ] 21000
 */
TEST(wrong_accesses_are_protection_faults_and_holes_are_not_mapped)
{
	struct vmspace *vm;

	setup();
	vm = new_vm();
	CHECK_EQ(map_anon(vm, 0x10000, P, R_), 0);
	CHECK_EQ(map_anon(vm, 0x11000, P, X_), 0);
	CHECK_EQ(map_anon(vm, 0x12000, P, VM_PROT_NONE), 0);
	CHECK_EQ(map_anon(vm, 0x20000, P, RW), 0);
	CHECK_EQ(vm_fault(vm, 0x10000, W_), FAULT_PROTECTION);
	CHECK_EQ(vm_fault(vm, 0x10000, X_), FAULT_PROTECTION);
	CHECK_EQ(vm_fault(vm, 0x20000, X_), FAULT_PROTECTION);
	CHECK_EQ(vm_fault(vm, 0x12000, R_), FAULT_PROTECTION);
	CHECK_EQ(vm_fault(vm, 0x12000, W_), FAULT_PROTECTION);
	CHECK_EQ(vm_fault(vm, 0x12000, X_), FAULT_PROTECTION);
	CHECK_EQ(vm_fault(vm, 0x11000, X_), FAULT_OK);
	CHECK_EQ(vm_fault(vm, 0x10000, R_), FAULT_OK);
	CHECK_EQ(vm_fault(vm, 0, R_), FAULT_NOT_MAPPED);		/* page 0 */
	CHECK_EQ(vm_fault(vm, 0xfff, W_), FAULT_NOT_MAPPED);
	CHECK_EQ(vm_fault(vm, 0x13000, R_), FAULT_NOT_MAPPED);
	CHECK_EQ(vm_fault(vm, 0x1ffff, R_), FAULT_NOT_MAPPED);
	CHECK_EQ(vm_fault(vm, 0x21000, R_), FAULT_NOT_MAPPED);
	CHECK_EQ(vm_fault(vm, PMAP_SOFT_USER_TOP - 1, R_), FAULT_NOT_MAPPED);
	/* a refused access maps nothing */
	CHECK_EQ(mapped_prot(vm, 0x12000), -1);
	CHECK_EQ(pmap_resident(vm->pmap), 2);
	/* the words a fault message uses */
	CHECK(strcmp(vm_fault_reason(FAULT_PROTECTION, W_), "write to read-only") == 0);
	CHECK(strcmp(vm_fault_reason(FAULT_PROTECTION, X_), "execute of non-executable") == 0);
	CHECK(strcmp(vm_fault_reason(FAULT_PROTECTION, R_), "read of unreadable") == 0);
	CHECK(strcmp(vm_fault_reason(FAULT_NOT_MAPPED, R_), "not mapped") == 0);
	/* after mprotect the same page faults the other way */
	CHECK_EQ(protect(vm, 0x10000, 0x11000, VM_PROT_NONE), 0);
	CHECK_EQ(mapped_prot(vm, 0x10000), -1);		/* unmapped in the pmap */
	CHECK_EQ(vm_fault(vm, 0x10000, R_), FAULT_PROTECTION);
	CHECK(vm_check(vm));
	vmspace_destroy(vm);
	CHECK(no_frame_leaked());
}

TEST(failures_of_the_object_and_the_pmap_are_reported)
{
	struct vmspace *vm;
	struct fake_obj *a;

	setup();
	vm = new_vm();
	a = fake_create("A", 2);
	CHECK_EQ(map(vm, 0x10000, 4 * P, RW, 0, &a->obj, 0, 4 * P), 0);
	CHECK_EQ(map(vm, 0x20000, P, RW, REGION_SHARED, &a->obj, 0, 2 * P), 0);
	CHECK_EQ(map_anon(vm, 0x30000, P, RW), 0);
	a->fail = -EIO;
	CHECK_EQ(vm_fault(vm, 0x10000, R_), FAULT_IO);
	CHECK_EQ(vm_fault(vm, 0x20000, W_), FAULT_IO);
	a->fail = -ENOMEM;
	CHECK_EQ(vm_fault(vm, 0x10000, W_), FAULT_OOM);
	CHECK_EQ(vm_fault(vm, 0x20000, R_), FAULT_OOM);
	a->fail = 0;
	/* inside obj_limit but past the object's end: the object says -EFAULT */
	CHECK_EQ(vm_fault(vm, 0x12000, R_), FAULT_IO);
	CHECK_EQ(mapped_prot(vm, 0x10000), -1);
	/* a pmap out of page tables */
	pmap_soft_fail_enters(1);
	CHECK_EQ(vm_fault(vm, 0x30000, W_), FAULT_OOM);
	CHECK_EQ(mapped_prot(vm, 0x30000), -1);
	CHECK_EQ(user_write(vm, 0x30000, 3), FAULT_OK);	/* the retry works */
	CHECK_EQ(user_read(vm, 0x30000), 3);
	CHECK(strcmp(vm_fault_reason(FAULT_OOM, R_), "out of memory") == 0);
	CHECK(vm_check(vm));
	vmspace_destroy(vm);
	vobject_unref(&a->obj);
	CHECK(no_frame_leaked());
}

/* ------------------------------------------------------------ stack growth */

/*
 *   heap 100000 [ rw- ] 110000        stack 1f0000 [ rw- stack ] 1f2000 = top
 *   stack limit 16 pages: the stack may reach down to 1e2000
 */
TEST(the_stack_grows_down_to_its_limit)
{
	struct vmspace *vm;

	setup();
	vm = new_vm();
	vm->stack_limit = 16 * P;
	CHECK_EQ(map_anon(vm, 0x100000, 0x10000, RW), 0);
	CHECK_EQ(map(vm, 0x1f0000, 2 * P, RW, REGION_GROWSDOWN, NULL, 0, 0), 0);
	CHECK_EQ(user_write(vm, 0x1f1ff8, 0x5a), FAULT_OK);
	/* just below: the region grows by a page */
	CHECK_EQ(user_write(vm, 0x1effff, 0x11), FAULT_OK);
	CHECK_LAYOUT(vm, "[100000-110000 rw- anon] [1ef000-1f2000 rw- anon stack]");
	/* further down within the limit: it grows to cover the address */
	CHECK_EQ(user_read(vm, 0x1e8010), 0);
	CHECK_LAYOUT(vm, "[100000-110000 rw- anon] [1e8000-1f2000 rw- anon stack]");
	/* the last page the limit allows, and one past it */
	CHECK_EQ(vm_fault(vm, 0x1e2000, W_), FAULT_OK);
	CHECK_EQ(vm_fault(vm, 0x1e1fff, W_), FAULT_NOT_MAPPED);
	CHECK_EQ(vm_fault(vm, 0x1c0000, R_), FAULT_NOT_MAPPED);
	CHECK_LAYOUT(vm, "[100000-110000 rw- anon] [1e2000-1f2000 rw- anon stack]");
	/* what was written before the growth is still there */
	CHECK_EQ(user_read(vm, 0x1f1ff8), 0x5a);
	CHECK_EQ(user_read(vm, 0x1effff), 0x11);
	/* an ordinary region does not grow */
	CHECK_EQ(vm_fault(vm, 0xff000, W_), FAULT_NOT_MAPPED);
	CHECK(vm_check(vm));
	vmspace_destroy(vm);
	CHECK(no_frame_leaked());
}

/*
 *   mmap 100000 [ rw- ] 1c0000 | guard 40000 | 200000 ... [ stack ] 206000
 */
TEST(the_stack_does_not_grow_into_the_guard_gap)
{
	struct vmspace *vm;

	setup();
	vm = new_vm();
	CHECK_EQ(VM_STACK_GUARD, 0x40000);
	CHECK_EQ(map_anon(vm, 0x100000, 0xc0000, RW), 0);
	CHECK_EQ(map(vm, 0x204000, 2 * P, RW, REGION_GROWSDOWN, NULL, 0, 0), 0);
	CHECK_EQ(vm_fault(vm, 0x1ff000, W_), FAULT_NOT_MAPPED);
	CHECK_EQ(vm_fault(vm, 0x1c0000, W_), FAULT_NOT_MAPPED);
	CHECK_LAYOUT(vm, "[100000-1c0000 rw- anon] [204000-206000 rw- anon stack]");
	CHECK_EQ(vm_fault(vm, 0x200000, W_), FAULT_OK);	/* leaves exactly the gap */
	CHECK_LAYOUT(vm, "[100000-1c0000 rw- anon] [200000-206000 rw- anon stack]");
	CHECK_EQ(vm_fault(vm, 0x1fffff, R_), FAULT_NOT_MAPPED);
	CHECK(vm_check(vm));
	vmspace_destroy(vm);
	CHECK(no_frame_leaked());
}

/* ------------------------------------------------------------ fork */

/*
 *   parent  10000 [ anon rw-: pages 10 11 12 13 ] 14000   20000 [ A+0 rw- ] 22000
 *   child   the same regions; the private pages shared copy-on-write
 */
TEST(fork_shares_private_pages_copy_on_write)
{
	struct vmspace *parent, *child;
	struct fake_obj *a;
	paddr_t orig[4], pa;
	uint64_t flushes, before;
	bool shared = true;

	setup();
	parent = new_vm();
	a = fake_create("A", 2);
	CHECK_EQ(map_anon(parent, 0x10000, 4 * P, RW), 0);
	CHECK_EQ(map(parent, 0x20000, 2 * P, RW, 0, &a->obj, 0, 2 * P), 0);
	for (int i = 0; i < 4; i++) {
		CHECK_EQ(user_fill(parent, 0x10000 + i * P, 0x10 + i), FAULT_OK);
		orig[i] = mapped_pa(parent, 0x10000 + i * P);
	}
	CHECK_EQ(user_write(parent, 0x20000, 0x77), FAULT_OK);	/* a private copy */
	CHECK(user_read(parent, 0x21000) >= 0);			/* A's own page */
	flushes = pmap_soft_flushes(parent->pmap);

	child = vmspace_fork(parent);
	CHECK(child != NULL);
	CHECK(strcmp(layout(parent), layout(child)) == 0);
	CHECK_LAYOUT(child, "[10000-14000 rw- anon] [20000-22000 rw- file A+0]");
	CHECK_EQ(a->obj.refs, 3);
	for (int i = 0; i < 4; i++) {
		vaddr_t va = 0x10000 + i * P;

		/* the child may map them at once or fault them in later,
		 * but only the shared frame, and read-only */
		shared &= private_page(parent, va) == private_page(child, va) &&
			  page_refs(child, va) == 2 &&
			  mapped_prot(parent, va) == R_ &&
			  (mapped_prot(child, va) == -1 ||
			   (mapped_prot(child, va) == R_ &&
			    mapped_pa(child, va) == orig[i]));
	}
	CHECK(shared);
	CHECK_EQ(mapped_prot(parent, 0x20000), R_);
	CHECK(pmap_soft_flushes(parent->pmap) > flushes);	/* and told the TLBs */

	/* the child reads the parent's frames */
	CHECK(user_page_is(child, 0x10000, 0x10));
	CHECK_EQ(mapped_pa(child, 0x10000), orig[0]);
	CHECK_EQ(mapped_prot(child, 0x10000), R_);
	CHECK_EQ(user_read(child, 0x20000), 0x77);
	CHECK(user_page_is_file(child, 0x21000, a, 1, P));
	CHECK_EQ(mapped_pa(child, 0x21000), fake_pa(a, 1));

	/* the child writes: it gets a copy, and nobody shares any more */
	CHECK_EQ(user_write(child, 0x10001, 0xcc), FAULT_OK);
	pa = mapped_pa(child, 0x10000);
	CHECK(pa != orig[0]);
	CHECK_EQ(frame_refs(pa), 1);
	CHECK_EQ(frame_refs(orig[0]), 1);
	CHECK_EQ(user_read(child, 0x10000), 0x10);
	CHECK_EQ(user_read(child, 0x10001), 0xcc);
	CHECK(user_page_is(parent, 0x10000, 0x10));
	/* then the parent writes: it takes its frame back, copying nothing */
	before = pmm_free_frames();
	CHECK_EQ(user_write(parent, 0x10002, 0xdd), FAULT_OK);
	CHECK_EQ(mapped_pa(parent, 0x10000), orig[0]);
	CHECK_EQ(mapped_prot(parent, 0x10000), RW);
	CHECK_EQ(pmm_free_frames(), before);
	CHECK_EQ(user_read(child, 0x10002), 0x10);

	/* the other way round: parent first copies, child takes over */
	CHECK_EQ(user_write(parent, 0x11000, 0xee), FAULT_OK);
	CHECK(mapped_pa(parent, 0x11000) != orig[1]);
	CHECK_EQ(user_write(child, 0x11000, 0xff), FAULT_OK);
	CHECK_EQ(mapped_pa(child, 0x11000), orig[1]);
	CHECK_EQ(user_read(parent, 0x11000), 0xee);
	CHECK_EQ(user_read(parent, 0x11001), 0x11);
	CHECK_EQ(user_read(child, 0x11000), 0xff);

	/* the file page's private copy is copy-on-write too */
	CHECK_EQ(user_write(child, 0x20000, 0x78), FAULT_OK);
	CHECK_EQ(user_read(parent, 0x20000), 0x77);
	CHECK(vm_check(parent));
	CHECK(vm_check(child));
	vmspace_destroy(parent);
	CHECK(user_page_is(child, 0x12000, 0x12));	/* survives the parent */
	CHECK_EQ(page_refs(child, 0x12000), 1);
	vmspace_destroy(child);
	vobject_unref(&a->obj);
	CHECK_EQ(fake_released, 1);
	CHECK(no_frame_leaked());
}

/*
 * A private page keeps one identity, its anon, across fork: parent and
 * child hold the same anon until one writes, and the writer gets an anon of
 * its own while the other keeps the original (and its frame).
 */
TEST(fork_shares_anons_and_a_write_gives_the_writer_its_own)
{
	struct vmspace *p, *c;
	struct anon *orig;

	setup();
	p = new_vm();
	CHECK_EQ(map_anon(p, 0x10000, P, RW), 0);
	CHECK_EQ(user_fill(p, 0x10000, 'x'), FAULT_OK);
	orig = private_anon(p, 0x10000);
	CHECK(orig && orig->page == private_page(p, 0x10000));
	CHECK(orig->page->owner == orig && orig->page->state == PAGE_ANON);
	CHECK_EQ(anon_count(), 1);
	c = vmspace_fork(p);
	CHECK(private_anon(c, 0x10000) == orig);
	CHECK_EQ(anon_refs(orig), 2);
	CHECK_EQ(anon_count(), 1);
	CHECK_EQ(user_write(c, 0x10000, 'c'), FAULT_OK);
	CHECK(private_anon(c, 0x10000) != orig);
	CHECK(private_anon(p, 0x10000) == orig);
	CHECK_EQ(anon_refs(orig), 1);
	CHECK_EQ(anon_refs(private_anon(c, 0x10000)), 1);
	CHECK_EQ(anon_count(), 2);
	CHECK_EQ(user_read(p, 0x10000), 'x');
	CHECK(vm_check(p) && vm_check(c));
	vmspace_destroy(c);
	vmspace_destroy(p);
	CHECK(no_frame_leaked());
}

TEST(fork_three_generations)
{
	struct vmspace *p, *c, *g;
	paddr_t orig;

	setup();
	p = new_vm();
	CHECK_EQ(map_anon(p, 0x10000, 2 * P, RW), 0);
	CHECK_EQ(user_fill(p, 0x10000, 'a'), FAULT_OK);
	CHECK_EQ(user_fill(p, 0x11000, 'b'), FAULT_OK);
	orig = mapped_pa(p, 0x10000);
	c = vmspace_fork(p);
	CHECK_EQ(user_read(c, 0x10000), 'a');	/* c maps it (read-only) */
	g = vmspace_fork(c);
	CHECK_EQ(page_refs(p, 0x10000), 3);
	CHECK_EQ(mapped_prot(c, 0x10000), R_);
	CHECK_EQ(user_read(g, 0x11000), 'b');
	CHECK_EQ(mapped_pa(g, 0x11000), mapped_pa(p, 0x11000));

	CHECK_EQ(user_write(g, 0x10000, 'g'), FAULT_OK);
	CHECK_EQ(frame_sharers(orig), 2);
	CHECK_EQ(user_write(c, 0x10000, 'c'), FAULT_OK);
	CHECK_EQ(frame_sharers(orig), 1);
	CHECK(mapped_pa(c, 0x10000) != orig && mapped_pa(g, 0x10000) != orig);
	CHECK(mapped_pa(c, 0x10000) != mapped_pa(g, 0x10000));
	CHECK_EQ(user_write(p, 0x10000, 'p'), FAULT_OK);
	CHECK_EQ(mapped_pa(p, 0x10000), orig);
	CHECK_EQ(user_read(p, 0x10000), 'p');
	CHECK_EQ(user_read(c, 0x10000), 'c');
	CHECK_EQ(user_read(g, 0x10000), 'g');
	CHECK_EQ(user_read(p, 0x10001), 'a');
	CHECK_EQ(user_read(g, 0x10001), 'a');

	/* the middle generation goes away; the others keep page b */
	vmspace_destroy(c);
	CHECK_EQ(page_refs(p, 0x11000), 2);
	CHECK(user_page_is(p, 0x11000, 'b'));
	CHECK(user_page_is(g, 0x11000, 'b'));
	CHECK(vm_check(p));
	CHECK(vm_check(g));
	vmspace_destroy(g);
	CHECK_EQ(page_refs(p, 0x11000), 1);
	vmspace_destroy(p);
	CHECK(no_frame_leaked());
}

/*
 *   30000 [ shared shm rw- ] 32000    40000 [ shared A+0 rw- ] 42000
 */
TEST(fork_keeps_shared_regions_shared)
{
	struct vmspace *parent, *child;
	struct vobject *shm;
	struct fake_obj *a;

	setup();
	parent = new_vm();
	shm = shmem_create(2 * P);
	a = fake_create("A", 2);
	CHECK(shm != NULL);
	CHECK_EQ(map(parent, 0x30000, 2 * P, RW, REGION_SHARED, shm, 0, 2 * P), 0);
	CHECK_EQ(map(parent, 0x40000, 2 * P, RW, REGION_SHARED, &a->obj, 0, 2 * P), 0);
	vobject_unref(shm);			/* the region holds it now */
	CHECK_EQ(user_write(parent, 0x30000, 1), FAULT_OK);
	CHECK_EQ(user_read(parent, 0x30001), 0);	/* shmem starts zeroed */
	CHECK_EQ(user_write(parent, 0x40000, 2), FAULT_OK);

	child = vmspace_fork(parent);
	CHECK_EQ(shm->refs, 2);
	CHECK_EQ(mapped_prot(parent, 0x30000), RW);	/* not write-protected */
	CHECK_EQ(user_read(child, 0x30000), 1);
	CHECK_EQ(mapped_pa(child, 0x30000), mapped_pa(parent, 0x30000));
	CHECK_EQ(mapped_prot(child, 0x30000), RW);
	CHECK_EQ(user_write(child, 0x31000, 3), FAULT_OK);
	CHECK_EQ(user_read(parent, 0x31000), 3);
	CHECK_EQ(mapped_pa(child, 0x31000), mapped_pa(parent, 0x31000));
	CHECK_EQ(user_read(child, 0x40000), 2);
	CHECK_EQ(user_write(child, 0x41000, 4), FAULT_OK);
	CHECK_EQ(user_read(parent, 0x41000), 4);
	CHECK_EQ(mapped_pa(child, 0x41000), fake_pa(a, 1));
	CHECK(vm_check(parent));
	CHECK(vm_check(child));

	/* the parent unmaps: the child's view and the object live on */
	CHECK_EQ(unmap(parent, 0x30000, 0x50000), 0);
	CHECK_LAYOUT(parent, "");
	CHECK_EQ(shm->refs, 1);
	CHECK_EQ(user_read(child, 0x30000), 1);
	CHECK_EQ(user_read(child, 0x31000), 3);
	vmspace_destroy(child);		/* frees the shared memory */
	vmspace_destroy(parent);
	CHECK_EQ(fake_released, 0);
	vobject_unref(&a->obj);
	CHECK(no_frame_leaked());
}

TEST(unmap_in_one_side_of_a_fork_leaves_the_other_alone)
{
	struct vmspace *parent, *child;
	paddr_t pa;

	setup();
	parent = new_vm();
	CHECK_EQ(map_anon(parent, 0x10000, 4 * P, RW), 0);
	for (int i = 0; i < 4; i++)
		CHECK_EQ(user_fill(parent, 0x10000 + i * P, 0x40 + i), FAULT_OK);
	child = vmspace_fork(parent);
	CHECK_EQ(unmap(child, 0x11000, 0x13000), 0);
	CHECK_LAYOUT(child, "[10000-11000 rw- anon] [13000-14000 rw- anon]");
	CHECK_LAYOUT(parent, "[10000-14000 rw- anon]");
	CHECK_EQ(page_refs(parent, 0x11000), 1);
	CHECK_EQ(page_refs(parent, 0x10000), 2);
	CHECK(user_page_is(parent, 0x11000, 0x41));
	CHECK(user_page_is(parent, 0x12000, 0x42));
	/* no longer shared: the parent's write keeps its frame */
	pa = mapped_pa(parent, 0x12000);
	CHECK_EQ(user_write(parent, 0x12000, 0), FAULT_OK);
	CHECK_EQ(mapped_pa(parent, 0x12000), pa);
	CHECK_EQ(vm_fault(child, 0x12000, R_), FAULT_NOT_MAPPED);
	/* the parent unmaps: the child still has its pages */
	CHECK_EQ(unmap(parent, 0x10000, 0x14000), 0);
	CHECK(user_page_is(child, 0x10000, 0x40));
	CHECK(user_page_is(child, 0x13000, 0x43));
	CHECK_EQ(page_refs(child, 0x13000), 1);
	CHECK(vm_check(parent));
	CHECK(vm_check(child));
	vmspace_destroy(parent);
	vmspace_destroy(child);
	CHECK(no_frame_leaked());
}

/*
 * The child's page-table entries are only a cache: when they cannot all be
 * made (no memory for the child's tables), the fork still succeeds, the
 * child faults its pages in later, and the parent's private entries lose
 * write permission all the same, so neither side sees the other's writes.
 */
TEST(a_fork_whose_table_copy_fails_still_shares_right)
{
	struct vmspace *parent, *child;

	setup();
	parent = new_vm();
	CHECK_EQ(map_anon(parent, 0x10000, 2 * P, RW), 0);
	CHECK_EQ(map_anon(parent, 0x20000, 2 * P, R_), 0);
	CHECK_EQ(user_fill(parent, 0x10000, 0x61), FAULT_OK);
	CHECK_EQ(user_fill(parent, 0x11000, 0x62), FAULT_OK);
	pmap_soft_fail_enters(1);		/* the child's page table fills up */
	child = vmspace_fork(parent);
	pmap_soft_fail_enters(0);
	CHECK(child != NULL);
	if (!child)
		return;
	CHECK_EQ(page_refs(parent, 0x10000), 2);	/* shared by the two */
	CHECK_EQ(user_fill(parent, 0x11000, 0x71), FAULT_OK);	/* a copy */
	CHECK(user_page_is(child, 0x10000, 0x61));	/* faulted in */
	CHECK(user_page_is(child, 0x11000, 0x62));	/* not the parent's write */
	CHECK(user_page_is(parent, 0x11000, 0x71));
	CHECK(vm_check(parent));
	CHECK(vm_check(child));
	vmspace_destroy(child);
	vmspace_destroy(parent);
	CHECK(no_frame_leaked());
}

/* ------------------------------------------------------------ split regions keep their pages */

/*
 *   10000 [ 10 | 11 | 12 | 13 | 14 | 15 | 16 | 17 ] 18000   (each page holds its number)
 *   mprotect 12000-14000 r--:
 *   10000 [ 10 | 11 ] 12000 [ 12 | 13 ] 14000 [ 14 | 15 | 16 | 17 ] 18000
 */
static struct vmspace *numbered_pages_split_in_three(void)
{
	struct vmspace *vm = new_vm();

	CHECK_EQ(map_anon(vm, 0x10000, 8 * P, RW), 0);
	for (vaddr_t va = 0x10000; va < 0x18000; va += P)
		CHECK_EQ(user_fill(vm, va, (uint8_t)(va >> PAGE_SHIFT)), FAULT_OK);
	CHECK_EQ(protect(vm, 0x12000, 0x14000, R_), 0);
	CHECK_LAYOUT(vm, "[10000-12000 rw- anon] [12000-14000 r-- anon] "
			 "[14000-18000 rw- anon]");
	return vm;
}

static bool pages_hold_their_numbers(struct vmspace *vm, vaddr_t from, vaddr_t to)
{
	bool ok = true;

	for (vaddr_t va = from; va < to; va += P)
		ok &= user_page_is(vm, va, (uint8_t)(va >> PAGE_SHIFT));
	return ok;
}

TEST(a_fork_after_a_split_copies_every_piece_right)
{
	struct vmspace *parent, *child;

	setup();
	parent = numbered_pages_split_in_three();
	CHECK(vm_check(parent));
	child = vmspace_fork(parent);
	CHECK(pages_hold_their_numbers(child, 0x10000, 0x18000));
	CHECK(pages_hold_their_numbers(parent, 0x10000, 0x18000));
	CHECK(vm_check(child));
	vmspace_destroy(parent);
	vmspace_destroy(child);
	CHECK(no_frame_leaked());
}

TEST(unmapping_the_tail_of_a_split_region_keeps_the_rest)
{
	struct vmspace *vm;

	setup();
	vm = numbered_pages_split_in_three();
	CHECK_EQ(unmap(vm, 0x14000, 0x18000), 0);
	CHECK(vm_check(vm));			/* no page maps a freed frame */
	CHECK(pages_hold_their_numbers(vm, 0x10000, 0x14000));
	CHECK_EQ(amap_pages(vm, 0x10000), 4);
	vmspace_destroy(vm);
	CHECK(no_frame_leaked());
}

/* A JIT's pattern: write code, mprotect it r-x, run it. */
TEST(refaulting_a_split_piece_finds_its_own_pages)
{
	struct vmspace *vm;

	setup();
	vm = numbered_pages_split_in_three();
	CHECK_EQ(protect(vm, 0x14000, 0x18000, RX), 0);
	for (vaddr_t va = 0x14000; va < 0x18000; va += P)
		CHECK_EQ(touch(vm, va, X_), FAULT_OK);
	CHECK(pages_hold_their_numbers(vm, 0x10000, 0x18000));
	CHECK(vm_check(vm));
	vmspace_destroy(vm);
	CHECK(no_frame_leaked());
}

/* ------------------------------------------------------------ the edges of the user half */

/*
 *   1000 [ rw- ] 2000  ...  3fffffe000 [ rw- stack ] 4000000000 = top of the user half
 */
TEST(pages_at_both_ends_of_the_user_half)
{
	struct vmspace *vm, *child;
	vaddr_t top = PMAP_SOFT_USER_TOP;

	setup();
	vm = new_vm();
	CHECK_EQ(map_anon(vm, P, P, RW), 0);
	CHECK_EQ(map(vm, top - 2 * P, 2 * P, RW, REGION_GROWSDOWN, NULL, 0, 0), 0);
	CHECK_EQ(user_write(vm, P, 1), FAULT_OK);
	CHECK_EQ(user_write(vm, top - 1, 2), FAULT_OK);
	CHECK_EQ(user_write(vm, top - 3 * P, 3), FAULT_OK);	/* grows */
	CHECK_LAYOUT(vm, "[1000-2000 rw- anon] [3fffffd000-4000000000 rw- anon stack]");
	CHECK_EQ(vm_fault(vm, top, R_), FAULT_NOT_MAPPED);
	CHECK_EQ(vm_fault(vm, ~0UL, R_), FAULT_NOT_MAPPED);
	CHECK_EQ(vm_fault(vm, 0, R_), FAULT_NOT_MAPPED);
	CHECK_EQ(find_free(vm, P, P, top), top - 4 * P);
	child = vmspace_fork(vm);
	CHECK_EQ(user_read(child, top - 1), 2);
	CHECK_EQ(user_read(child, P), 1);
	CHECK_EQ(user_write(child, top - 3 * P, 4), FAULT_OK);
	CHECK_EQ(user_read(vm, top - 3 * P), 3);
	CHECK(vm_check(vm));
	CHECK(vm_check(child));
	vmspace_destroy(child);
	vmspace_destroy(vm);
	CHECK(no_frame_leaked());
}

/* ------------------------------------------------------------ out of memory */

/* Take every free frame; returns how many (their list in *held). */
static size_t hog_frames(struct page ***held)
{
	size_t n = 0, cap = pmm_free_frames() + 64;
	struct page *pg;

	*held = malloc(cap * sizeof(**held));
	if (!*held)
		exit(2);
	while (n < cap && (pg = pmm_alloc(0)) != NULL)
		(*held)[n++] = pg;
	return n;
}

static void release_frames(struct page **held, size_t n)
{
	while (n > 0)
		pmm_free(held[--n]);
	free(held);
}

/*
 * With no free frame, faults that need one fail with FAULT_OOM, the region
 * set operations either work or fail with -ENOMEM leaving a consistent
 * address space, and everything works again once memory is back.
 */
TEST(out_of_memory_is_reported_and_nothing_breaks)
{
	struct vmspace *vm, *child;
	struct fake_obj *a;
	struct page **held;
	size_t nheld;
	int err = 0, nregions;

	setup();
	vm = new_vm();
	a = fake_create("A", 2);
	CHECK_EQ(map_anon(vm, 0x10000, 8 * P, RW), 0);
	CHECK_EQ(map(vm, 0x30000, 2 * P, RW, 0, &a->obj, 0, 2 * P), 0);
	CHECK_EQ(user_fill(vm, 0x10000, 0x71), FAULT_OK);
	CHECK_EQ(user_fill(vm, 0x11000, 0x72), FAULT_OK);
	nheld = hog_frames(&held);
	CHECK(nheld > 0);
	CHECK_EQ(pmm_free_frames(), 0);

	CHECK_EQ(vm_fault(vm, 0x12000, W_), FAULT_OOM);	/* a fresh page */
	CHECK_EQ(mapped_prot(vm, 0x12000), -1);
	CHECK_EQ(vm_fault(vm, 0x13000, R_), FAULT_OK);	/* the zero frame is free */
	CHECK_EQ(vm_fault(vm, 0x30000, R_), FAULT_OOM);	/* the file cannot read in */
	CHECK_EQ(user_read(vm, 0x11000), 0x72);
	child = vmspace_fork(vm);
	if (child) {			/* the slabs had room: copying needs frames */
		CHECK_EQ(user_write(child, 0x10000, 1), FAULT_OOM);
		CHECK_EQ(user_write(vm, 0x10000, 1), FAULT_OOM);
		CHECK(vm_check(child));
	}
	/* one-page regions until the region cache needs a frame it cannot get */
	for (nregions = 0; nregions < 10000 && !err; nregions++)
		err = map_anon(vm, 0x1000000 + nregions * 2 * P, P, RW);
	CHECK_EQ(err, -ENOMEM);
	CHECK_EQ(unmap(vm, 0x14000, 0x15000), -ENOMEM);	/* a split */
	CHECK_EQ(protect(vm, 0x14000, 0x15000, R_), -ENOMEM);
	CHECK_EQ(region_count(vm), 2 + nregions - 1);
	{
		const char *want = "[10000-18000 rw- anon] [30000-32000 rw- file A+0] "
				   "[1000000-1001000 rw- anon]";

		CHECK(strncmp(layout(vm), want, strlen(want)) == 0);
	}
	CHECK(vm_check(vm));

	release_frames(held, nheld);
	CHECK_EQ(unmap(vm, 0x14000, 0x15000), 0);
	CHECK_EQ(user_write(vm, 0x12000, 9), FAULT_OK);
	CHECK(user_page_is_file(vm, 0x30000, a, 0, P));
	CHECK(user_page_is(vm, 0x10000, 0x71));
	if (child) {
		CHECK_EQ(user_write(child, 0x10000, 1), FAULT_OK);
		CHECK(user_page_is(vm, 0x10000, 0x71));
		vmspace_destroy(child);
	}
	CHECK(vm_check(vm));
	vmspace_destroy(vm);
	vobject_unref(&a->obj);
	CHECK(no_frame_leaked());
}

/* ------------------------------------------------------------ vmspace_copyout */

/*
 * A new stack, never active, filled the way exec fills it:
 *
 *   1f0000 [ stack rw, grows down ] 1f5000
 *             ^ 1f0ffa .. 1f3006: 8 KiB across four pages, the fifth untouched
 *
 * Each page is faulted in for a write and written through the direct map;
 * a second copy to the same pages writes in place, allocating nothing.
 */
TEST(copyout_fills_lazy_pages_of_an_inactive_space)
{
	size_t len = 0x200c;
	uint8_t *src = malloc(len);
	struct vmspace *vm;
	uint64_t before;

	setup();
	vm = new_vm();
	CHECK_EQ(map(vm, 0x1f0000, 5 * P, RW, REGION_GROWSDOWN, NULL, 0, 0), 0);
	for (size_t i = 0; i < len; i++)
		src[i] = (uint8_t)(i * 7 + 1);
	CHECK_EQ(vmspace_copyout(vm, 0x1f0ffa, src, len), 0);
	CHECK(pmap_soft_active() != vm->pmap);
	for (vaddr_t va = 0x1f0000; va < 0x1f5000; va += P)
		CHECK_EQ(mapped_prot(vm, va), va < 0x1f4000 ? RW : -1);
	for (size_t i = 0; i < len; i++)
		if (*user_ptr(vm, 0x1f0ffa + i) != src[i]) {
			CHECK(!"copied byte differs");
			break;
		}
	CHECK_EQ(user_read(vm, 0x1f0ff9), 0);		/* around it: zeros */
	CHECK_EQ(user_read(vm, 0x1f0ffa + len), 0);
	before = pmm_free_frames();
	CHECK_EQ(vmspace_copyout(vm, 0x1f1000, src, P), 0);
	CHECK_EQ(pmm_free_frames(), before);
	CHECK(memcmp(user_ptr(vm, 0x1f1000), src, P) == 0);
	CHECK_EQ(vmspace_copyout(vm, 0x1f2000, src, 0), 0);
	CHECK(vm_check(vm));
	vmspace_destroy(vm);
	free(src);
	CHECK(no_frame_leaked());
}

/*
 * Copyout obeys the regions as a store would: copy-on-write pages are
 * copied (the file keeps its bytes), a zero-frame mapping is replaced, and
 * a read-only region, a hole or a range past the user half is -EFAULT.
 */
TEST(copyout_copies_on_write_and_refuses_what_a_store_cannot_do)
{
	static const char msg[] = "written by copyout";
	struct vmspace *vm;
	struct fake_obj *a;

	setup();
	vm = new_vm();
	a = fake_create("A", 2);
	CHECK_EQ(map(vm, 0x20000, 2 * P, RW, 0, &a->obj, 0, 2 * P), 0);
	CHECK_EQ(map(vm, 0x30000, P, R_, 0, NULL, 0, 0), 0);
	CHECK_EQ(map_anon(vm, 0x40000, P, RW), 0);

	CHECK(user_page_is_file(vm, 0x20000, a, 0, P));	/* file frame, read-only */
	CHECK_EQ(vmspace_copyout(vm, 0x20100, msg, sizeof(msg)), 0);
	CHECK(mapped_pa(vm, 0x20000) != fake_pa(a, 0));
	CHECK(memcmp(user_ptr(vm, 0x20100), msg, sizeof(msg)) == 0);
	CHECK_EQ(user_read(vm, 0x20000), pattern(a, 0, 0));
	CHECK_EQ(*(uint8_t *)phys_to_virt(fake_pa(a, 0) + 0x100), pattern(a, 0, 0x100));

	CHECK_EQ(user_read(vm, 0x40000), 0);		/* the zero frame ... */
	CHECK_EQ(mapped_pa(vm, 0x40000), zero_pa);
	CHECK_EQ(vmspace_copyout(vm, 0x40000, msg, sizeof(msg)), 0);
	CHECK(mapped_pa(vm, 0x40000) != zero_pa);	/* ... is left alone */
	CHECK(user_page_is(vm, 0x30000, 0));
	CHECK_EQ(*(uint8_t *)phys_to_virt(zero_pa), 0);

	CHECK_EQ(vmspace_copyout(vm, 0x30000, msg, 1), -EFAULT);	/* read-only */
	CHECK_EQ(vmspace_copyout(vm, 0x50000, msg, 1), -EFAULT);	/* a hole */
	CHECK_EQ(vmspace_copyout(vm, 0x40ff0, msg, sizeof(msg)), -EFAULT); /* runs off */
	CHECK(memcmp(user_ptr(vm, 0x40ff0), msg, 0x10) == 0);	/* the first part went */
	CHECK_EQ(vmspace_copyout(vm, USER_TOP - 4, msg, 8), -EFAULT);
	CHECK_EQ(vmspace_copyout(vm, ~0UL - 2, msg, 8), -EFAULT);
	CHECK(vm_check(vm));
	vmspace_destroy(vm);
	vobject_unref(&a->obj);
	CHECK(no_frame_leaked());
}

/* With no free frame copyout is -ENOMEM; with memory back it works. */
TEST(copyout_without_a_free_frame_is_enomem)
{
	struct vmspace *vm;
	struct page **held;
	size_t nheld;
	char c = 'k';

	setup();
	vm = new_vm();
	CHECK_EQ(map_anon(vm, 0x10000, 2 * P, RW), 0);
	CHECK_EQ(user_write(vm, 0x10000, 1), FAULT_OK);
	nheld = hog_frames(&held);
	CHECK_EQ(vmspace_copyout(vm, 0x10fff, "ab", 2), -ENOMEM);
	CHECK_EQ(user_read(vm, 0x10fff), 'a');		/* the page it had */
	release_frames(held, nheld);
	CHECK_EQ(vmspace_copyout(vm, 0x11000, &c, 1), 0);
	CHECK_EQ(user_read(vm, 0x11000), 'k');
	CHECK(vm_check(vm));
	vmspace_destroy(vm);
	CHECK(no_frame_leaked());
}

/* ------------------------------------------------------------ mremap */

static long remap(struct vmspace *vm, vaddr_t old, uint64_t old_size,
		  uint64_t new_size, bool may_move, vaddr_t fixed)
{
	long ret;

	mutex_lock(&vm->lock);
	ret = vmspace_remap(vm, old, old_size, new_size, may_move, fixed);
	mutex_unlock(&vm->lock);
	return ret;
}

/*
 *   100000 [ a0 a1 a2 a3 ] 104000
 *   shrink to 3 pages, grow to 5 in place, then move to the mmap area
 *   (pages move by reference), then to a fixed address.
 */
TEST(remap_shrinks_grows_and_moves_pages_without_copying)
{
	struct vmspace *vm;
	struct fake_obj *a;
	paddr_t pa[4];
	struct page *cut;
	vaddr_t to;

	setup();
	vm = new_vm();
	a = fake_create("A", 4);
	vm->mmap_base = 0x10000000;
	CHECK_EQ(map_anon(vm, 0x100000, 4 * P, RW), 0);
	for (int i = 0; i < 4; i++) {
		CHECK_EQ(user_fill(vm, 0x100000 + i * P, 0xa0 + i), FAULT_OK);
		pa[i] = mapped_pa(vm, 0x100000 + i * P);
	}
	cut = private_page(vm, 0x103000);
	CHECK_EQ(remap(vm, 0x100000, 4 * P, 3 * P, false, 0), 0x100000);
	CHECK_LAYOUT(vm, "[100000-103000 rw- anon]");
	CHECK(cut && cut->state == PAGE_FREE);
	CHECK_EQ(remap(vm, 0x100000, 3 * P, 5 * P, false, 0), 0x100000);
	CHECK_LAYOUT(vm, "[100000-105000 rw- anon]");
	CHECK(user_page_is(vm, 0x103000, 0));		/* new, not the old page */
	CHECK(user_page_is(vm, 0x102000, 0xa2));
	CHECK_EQ(map_anon(vm, 0x105000, P, R_), 0);
	CHECK_EQ(remap(vm, 0x100000, 5 * P, 6 * P, false, 0), -ENOMEM);

	to = remap(vm, 0x100000, 5 * P, 8 * P, true, 0);
	CHECK_EQ(to, 0x10000000 - 8 * P);
	CHECK_LAYOUT(vm, "[105000-106000 r-- anon] [fff8000-10000000 rw- anon]");
	for (int i = 0; i < 3; i++) {
		CHECK(user_page_is(vm, to + i * P, 0xa0 + i));
		CHECK_EQ(mapped_pa(vm, to + i * P), pa[i]);
		CHECK_EQ(page_refs(vm, to + i * P), 1);
	}
	CHECK(user_page_is(vm, to + 7 * P, 0));
	CHECK_EQ(vm_fault(vm, 0x100000, R_), FAULT_NOT_MAPPED);

	CHECK_EQ(remap(vm, to, 8 * P, 8 * P, true, 0x200000), 0x200000);
	CHECK(user_page_is(vm, 0x201000, 0xa1));
	CHECK_EQ(remap(vm, 0x200000, 2 * P, 2 * P, true, 0x201000), -EINVAL);
	CHECK_EQ(remap(vm, 0x900000, P, 2 * P, true, 0), -EFAULT);
	CHECK_EQ(remap(vm, 0x207000, 2 * P, 3 * P, true, 0), -EFAULT);
	/* MREMAP_FIXED moves even when shrinking, and takes only what fits */
	CHECK_EQ(remap(vm, 0x200000, 8 * P, 2 * P, true, 0x500000), 0x500000);
	CHECK(user_page_is(vm, 0x501000, 0xa1));
	CHECK_EQ(amap_pages(vm, 0x500000), 2);
	CHECK_EQ(remap(vm, 0x500000, 2 * P, 8 * P, true, 0x200000), 0x200000);
	CHECK(user_page_is(vm, 0x202000, 0));

	/* a piece of a file mapping keeps its place in the file */
	CHECK_EQ(map(vm, 0x300000, 4 * P, R_, 0, &a->obj, 0, 4 * P), 0);
	CHECK_EQ(remap(vm, 0x302000, 2 * P, 2 * P, true, 0x400000), 0x400000);
	CHECK_LAYOUT(vm, "[105000-106000 r-- anon] [200000-208000 rw- anon] "
			 "[300000-302000 r-- file A+0] [400000-402000 r-- file A+2]");
	CHECK(user_page_is_file(vm, 0x401000, a, 3, P));
	CHECK(vm_check(vm));
	vmspace_destroy(vm);
	vobject_unref(&a->obj);
	CHECK(no_frame_leaked());
}

/*
 * mremap to the same size changes nothing: it used to split the region at
 * the end of the range (an unmap of the empty range clipped it).
 */
TEST(remap_to_the_same_size_leaves_the_region_whole)
{
	struct vmspace *vm;

	setup();
	vm = new_vm();
	CHECK_EQ(map_anon(vm, 0x100000, 4 * P, RW), 0);
	CHECK_EQ(remap(vm, 0x101000, P, P, false, 0), 0x101000);
	CHECK_EQ(remap(vm, 0x101000, 2 * P, 2 * P, true, 0), 0x101000);
	CHECK_EQ(unmap(vm, 0x102000, 0x102000), 0);
	CHECK_LAYOUT(vm, "[100000-104000 rw- anon]");
	CHECK(vm_check(vm));
	vmspace_destroy(vm);
	CHECK(no_frame_leaked());
}

/*
 *   100000 [ a a ] . [ b ] 104000      200000 [ c ]
 *   grow a in place up to b, then move c (written: it has private pages)
 *   right after: one region, as a map of the same memory there would
 *   have left it.
 */
TEST(remap_merges_what_it_grows_or_moves_next_to)
{
	struct vmspace *vm;

	setup();
	vm = new_vm();
	CHECK_EQ(map_anon(vm, 0x100000, 2 * P, RW), 0);
	CHECK_EQ(map_anon(vm, 0x103000, P, RW), 0);
	CHECK_EQ(map_anon(vm, 0x200000, P, RW), 0);
	CHECK_EQ(user_fill(vm, 0x200000, 0xc1), FAULT_OK);
	CHECK_EQ(remap(vm, 0x100000, 2 * P, 3 * P, false, 0), 0x100000);
	CHECK_LAYOUT(vm, "[100000-104000 rw- anon] [200000-201000 rw- anon]");
	CHECK_EQ(remap(vm, 0x200000, P, P, true, 0x104000), 0x104000);
	CHECK_LAYOUT(vm, "[100000-105000 rw- anon]");
	CHECK(user_page_is(vm, 0x100000, 0));
	CHECK(user_page_is(vm, 0x104000, 0xc1));
	CHECK(user_page_is(vm, 0x103000, 0));
	CHECK(vm_check(vm));
	vmspace_destroy(vm);
	CHECK(no_frame_leaked());
}

/* ------------------------------------------------------------ madvise */

TEST(discard_drops_pages_and_anonymous_memory_reads_zero_again)
{
	struct vmspace *vm;
	struct fake_obj *a;
	struct vobject *shm;
	struct page *dropped;

	setup();
	vm = new_vm();
	a = fake_create("A", 2);
	shm = shmem_create(P);
	CHECK_EQ(map_anon(vm, 0x10000, 4 * P, RW), 0);
	CHECK_EQ(map(vm, 0x20000, 2 * P, RW, 0, &a->obj, 0, 2 * P), 0);
	CHECK_EQ(map(vm, 0x30000, P, RW, REGION_SHARED, shm, 0, P), 0);
	vobject_unref(shm);
	for (int i = 0; i < 4; i++)
		CHECK_EQ(user_fill(vm, 0x10000 + i * P, 0x33), FAULT_OK);
	CHECK_EQ(user_fill(vm, 0x20000, 0x44), FAULT_OK);
	CHECK_EQ(user_fill(vm, 0x30000, 0x55), FAULT_OK);
	dropped = private_page(vm, 0x11000);

	/* anonymous: the frames go back, the pages read as zeros */
	CHECK_EQ(discard(vm, 0x11000, 0x13000), 0);
	CHECK(dropped && dropped->state == PAGE_FREE);
	CHECK_EQ(mapped_prot(vm, 0x11000), -1);
	CHECK_EQ(amap_pages(vm, 0x10000), 2);
	CHECK(user_page_is(vm, 0x11000, 0));
	CHECK(user_page_is(vm, 0x12000, 0));
	CHECK_EQ(mapped_pa(vm, 0x12000), zero_pa);
	CHECK(user_page_is(vm, 0x10000, 0x33));
	CHECK(user_page_is(vm, 0x13000, 0x33));
	CHECK_LAYOUT(vm, "[10000-14000 rw- anon] [20000-22000 rw- file A+0] "
			 "[30000-31000 rw- shared shm+0]");
	/* private file: the copy goes, the file shows through again */
	CHECK_EQ(discard(vm, 0x20000, 0x22000), 0);
	CHECK(user_page_is_file(vm, 0x20000, a, 0, P));
	CHECK_EQ(mapped_pa(vm, 0x20000), fake_pa(a, 0));
	/* shared: the data stays in the object */
	CHECK_EQ(discard(vm, 0x30000, 0x31000), 0);
	CHECK(user_page_is(vm, 0x30000, 0x55));
	/* a hole in the range is reported, the mapped parts are still dropped */
	CHECK_EQ(user_fill(vm, 0x13000, 0x66), FAULT_OK);
	CHECK_EQ(discard(vm, 0x13000, 0x21000), -ENOMEM);
	CHECK(user_page_is(vm, 0x13000, 0));
	CHECK(vm_check(vm));
	vmspace_destroy(vm);
	vobject_unref(&a->obj);
	CHECK(no_frame_leaked());
}

/* ------------------------------------------------------------ against a model */

/*
 * Random maps (anonymous or private views of file A, where model page i
 * maps A's page i), unmaps, mprotects, discards, forks, loads and stores
 * over 48 pages in up to three address spaces, each checked against a
 * model that knows per page: mapped or not, the protection, and what a
 * load sees: the byte the last store filled the page with, else A's page
 * (file) or zeros (anonymous).
 */
#define MODEL_PAGES	48
#define MODEL_BASE	0x100000UL
#define MODEL_VMS	3
#define MODEL_STEPS	4000

struct model_page {
	bool mapped;
	bool file;		/* a private view of A (else anonymous) */
	bool written;		/* stored to since mapped or discarded */
	unsigned int prot;
	uint8_t val;		/* every byte, once written */
};

struct model {
	struct vmspace *vm;
	struct model_page pg[MODEL_PAGES];
};

static uint64_t rng_state;
static uint64_t rng(void)
{
	return test_xorshift(&rng_state);
}

static const unsigned int model_prots[] = { VM_PROT_NONE, R_, RW, RX, RW };
static char model_op[256];		/* the last operation, for failure reports */

/* Is any page of [a, a + n) unmapped in the model? */
static bool model_hole(const struct model *m, int a, int n)
{
	for (int i = a; i < a + n; i++)
		if (!m->pg[i].mapped)
			return true;
	return false;
}

/* One load or store of page a; false if the VM and the model disagree. */
static bool model_access(struct model *m, struct fake_obj *file, int a)
{
	struct model_page *pg = &m->pg[a];
	vaddr_t va = MODEL_BASE + a * P;
	bool store = rng() & 1;
	unsigned int need = store ? W_ : R_;
	enum fault_result want = !pg->mapped ? FAULT_NOT_MAPPED :
				 !(pg->prot & need) ? FAULT_PROTECTION : FAULT_OK;

	snprintf(model_op + strlen(model_op), sizeof(model_op) - strlen(model_op),
		 ": %s, model %s%s%s prot %u val %u",
		 store ? "store" : "load", pg->mapped ? "mapped" : "unmapped",
		 pg->file ? " file" : "", pg->written ? " written" : "",
		 pg->prot, pg->val);
	if (store) {
		uint8_t v = (uint8_t)rng();

		if (user_fill(m->vm, va, v) != want)
			return false;
		if (want == FAULT_OK) {
			pg->written = true;
			pg->val = v;
		}
		return true;
	}
	if (want != FAULT_OK)
		return touch(m->vm, va, R_) == want;
	if (pg->file && !pg->written)
		return user_page_is_file(m->vm, va, file, a, P);
	return user_page_is(m->vm, va, pg->written ? pg->val : 0);
}

/* One random operation on m; false if the VM and the model disagree. */
static bool model_step(struct model *ms, int *nvm, struct model *m,
		       struct fake_obj *file)
{
	int a = rng() % MODEL_PAGES, n = 1 + rng() % 8, op = rng() % 12;
	unsigned int prot = model_prots[rng() % ARRAY_SIZE(model_prots)];
	vaddr_t va, end;
	int want, got = 0;

	n = MIN(n, MODEL_PAGES - a);
	va = MODEL_BASE + a * P;
	end = va + n * P;
	snprintf(model_op, sizeof(model_op), "vm %d op %d at %lx-%lx prot %u",
		 (int)(m - ms), op, (unsigned long)va, (unsigned long)end, prot);
	switch (op) {
	case 0:
	case 1: {
		bool is_file = op == 1;

		got = is_file ? map(m->vm, va, n * P, prot, 0, &file->obj, a * P,
				    MODEL_PAGES * P)
			      : map_anon(m->vm, va, n * P, prot);
		for (int i = a; i < a + n; i++)
			m->pg[i] = (struct model_page){ true, is_file, false, prot, 0 };
		return got == 0;
	}
	case 2:
		for (int i = a; i < a + n; i++)
			m->pg[i].mapped = false;
		return unmap(m->vm, va, end) == 0;
	case 3:
		want = model_hole(m, a, n) ? -ENOMEM : 0;
		got = protect(m->vm, va, end, prot);
		for (int i = a; i < a + n && !want; i++)
			m->pg[i].prot = prot;
		return got == want;
	case 4:
		want = model_hole(m, a, n) ? -ENOMEM : 0;
		got = discard(m->vm, va, end);
		for (int i = a; i < a + n; i++)
			m->pg[i].written = false;
		return got == want;
	case 5:
		if (*nvm == MODEL_VMS) {	/* make room: drop the last one */
			if (m == &ms[MODEL_VMS - 1])
				return true;
			vmspace_destroy(ms[--*nvm].vm);
		}
		ms[*nvm] = *m;
		ms[*nvm].vm = vmspace_fork(m->vm);
		(*nvm)++;
		return ms[*nvm - 1].vm != NULL;
	default:
		return model_access(m, file, a);
	}
}

TEST(random_operations_agree_with_a_model)
{
	static struct model ms[MODEL_VMS];
	struct fake_obj *file;
	int nvm = 1;
	bool ok = true;

	setup();
	rng_state = 0x2545f4914f6cdd1dULL;
	file = fake_create("A", MODEL_PAGES);
	memset(ms, 0, sizeof(ms));
	ms[0].vm = new_vm();
	for (int step = 0; step < MODEL_STEPS && ok; step++) {
		struct model *m = &ms[rng() % nvm];

		if (!model_step(ms, &nvm, m, file)) {
			printf("  step %d: the VM and the model disagree: %s\n",
			       step, model_op);
			printf("  layout: %s\n", layout(m->vm));
			ok = false;
		}
		for (int i = 0; i < nvm && (step % 50 == 0 || !ok); i++)
			ok &= vm_check(ms[i].vm);
	}
	CHECK(ok);
	for (int i = 0; i < nvm; i++) {
		CHECK(vm_check(ms[i].vm));
		vmspace_destroy(ms[i].vm);
	}
	vobject_unref(&file->obj);
	CHECK_EQ(fake_released, 1);
	CHECK(no_frame_leaked());
}

/* ------------------------------------------------------------ lifetime */

TEST(references_and_activation)
{
	struct vmspace *vm;

	setup();
	vm = new_vm();
	CHECK_EQ(map_anon(vm, 0x10000, P, RW), 0);
	CHECK_EQ(user_write(vm, 0x10000, 1), FAULT_OK);
	vmspace_activate(vm);
	CHECK(pmap_soft_active() == vm->pmap);
	vmspace_activate(NULL);
	CHECK(pmap_soft_active() == NULL);
	vmspace_get(vm);
	CHECK_EQ(vm->refs, 2);
	vmspace_put(vm);
	CHECK_EQ(pmap_soft_live(), 1);		/* still there */
	vmspace_put(vm);			/* the last reference frees it */
	CHECK_EQ(pmap_soft_live(), 0);
	CHECK(no_frame_leaked());
}

/* ------------------------------------------------------------ the reverse map */

static struct page *mapped_page(struct vmspace *vm, vaddr_t va)
{
	return pa_to_page(mapped_pa(vm, va));
}

/*
 * One private page shared by a parent and two forked children (all three
 * have read it, so all three map it): pmap_page_protect write-protects it
 * everywhere, then removes all three mappings; the rmap stays consistent
 * through fork, mprotect, munmap, mremap and exit (vm_check runs
 * vmspace_check, which checks every entry against its frame's rmap).
 */
TEST(page_protect_removes_every_mapping_of_a_shared_page)
{
	struct vmspace *p, *c1, *c2;
	struct page *pg;

	setup();
	p = new_vm();
	CHECK_EQ(map_anon(p, 0x10000, 4 * P, RW), 0);
	for (int i = 0; i < 4; i++)
		CHECK_EQ(user_fill(p, 0x10000 + i * P, 0x30 + i), FAULT_OK);
	c1 = vmspace_fork(p);
	c2 = vmspace_fork(p);
	CHECK(c1 && c2);
	CHECK(user_page_is(c1, 0x11000, 0x31) && user_page_is(c2, 0x11000, 0x31));
	pg = mapped_page(p, 0x11000);
	CHECK(mapped_page(c1, 0x11000) == pg && mapped_page(c2, 0x11000) == pg);
	CHECK_EQ(page_mapcount(pg), 3);
	CHECK(vm_check(p) && vm_check(c1) && vm_check(c2));

	pmap_page_protect(pg, VM_PROT_READ);
	CHECK_EQ(mapped_prot(p, 0x11000), R_);
	CHECK_EQ(page_mapcount(pg), 3);
	pmap_page_protect(pg, VM_PROT_NONE);
	CHECK_EQ(mapped_prot(p, 0x11000), -1);
	CHECK_EQ(mapped_prot(c1, 0x11000), -1);
	CHECK_EQ(mapped_prot(c2, 0x11000), -1);
	CHECK_EQ(page_mapcount(pg), 0);
	CHECK(pmap_is_modified(pg));		/* the parent's fill, kept */
	CHECK(vm_check(p) && vm_check(c1) && vm_check(c2));
	/* the next use faults it back in, the same frame */
	CHECK(user_page_is(c2, 0x11000, 0x31));
	CHECK(mapped_page(c2, 0x11000) == pg);

	/* the rmap follows mprotect, munmap, mremap and exit */
	CHECK_EQ(protect(c1, 0x10000, 0x12000, R_), 0);
	CHECK_EQ(unmap(c2, 0x12000, 0x13000), 0);
	mutex_lock(&p->lock);
	CHECK_EQ(vmspace_remap(p, 0x13000, P, P, true, 0x40000), 0x40000);
	mutex_unlock(&p->lock);
	CHECK(vm_check(p) && vm_check(c1) && vm_check(c2));
	vmspace_destroy(c1);
	CHECK(vm_check(p) && vm_check(c2));
	vmspace_destroy(c2);
	CHECK(vm_check(p));
	vmspace_destroy(p);
	CHECK_EQ(rmap_pv_count(), 0);
	CHECK(no_frame_leaked());
}

/*
 * The reverse map after a fork's child is gone: the parent's mappings take
 * their frames' inline places again, its pv entries are all free, and
 * pv_pool_shrink gives their chunks back (exactly the frames they took).
 */
TEST(pv_entries_go_back_inline_and_their_chunks_are_given_back)
{
	struct vmspace *p, *c;
	uint64_t free0, free1;

	setup();
	p = new_vm();
	CHECK_EQ(map_anon(p, 0x10000, 200 * P, RW), 0);
	for (int i = 0; i < 200; i++)
		CHECK_EQ(user_fill(p, 0x10000 + i * P, 0x40 + i % 64), FAULT_OK);
	free0 = pmm_free_frames();
	c = vmspace_fork(p);
	CHECK(c != NULL);
	CHECK_EQ(rmap_pv_count(), 200);		/* the child's, from its pool */
	vmspace_destroy(p);			/* the parent goes first: its */
	CHECK_EQ(rmap_pv_count(), 0);		/* inline places taken over */
	CHECK(vm_check(c));
	/* the child, now the only mapper, forks again and outlives its child */
	p = vmspace_fork(c);
	CHECK(p != NULL);
	CHECK(user_page_is(p, 0x10000 + 7 * P, 0x47));
	vmspace_destroy(p);
	CHECK_EQ(rmap_pv_count(), 0);
	free1 = pmm_free_frames();
	/* c's pool kept the chunks of its 200 entries: given back now */
	CHECK(pmap_shrink_pv(c->pmap) >= 1);
	CHECK(pmm_free_frames() > free1);
	CHECK_EQ(pmap_shrink_pv(c->pmap), 0);
	CHECK(user_page_is(c, 0x10000 + 199 * P, 0x40 + 199 % 64));
	CHECK(vm_check(c));
	vmspace_destroy(c);
	CHECK(pmm_free_frames() >= free0);
	CHECK(no_frame_leaked());
}

/*
 * The software MMU sets the referenced and modified bits: after clearing,
 * exactly the pages read are referenced and exactly those written are
 * modified; clearing reports whether they were set.
 */
TEST(referenced_and_modified_follow_reads_and_writes)
{
	struct vmspace *vm;
	struct page *pg[4];
	struct pmap_batch b;

	setup();
	vm = new_vm();
	CHECK_EQ(map_anon(vm, 0x10000, 4 * P, RW), 0);
	for (int i = 0; i < 4; i++) {
		CHECK_EQ(user_fill(vm, 0x10000 + i * P, 1), FAULT_OK);
		pg[i] = mapped_page(vm, 0x10000 + i * P);
		CHECK(pmap_is_referenced(pg[i]) && pmap_is_modified(pg[i]));
	}
	pmap_batch_init(&b);
	for (int i = 0; i < 4; i++) {
		CHECK(pmap_clear_reference_batch(pg[i], &b));
		CHECK(pmap_clear_modify(pg[i]));
	}
	pmap_batch_flush(&b);
	CHECK(user_read(vm, 0x11000) == 1);
	CHECK_EQ(user_write(vm, 0x13000, 2), FAULT_OK);
	for (int i = 0; i < 4; i++) {
		CHECK_EQ(pmap_is_referenced(pg[i]), i == 1 || i == 3);
		CHECK_EQ(pmap_is_modified(pg[i]), i == 3);
	}
	CHECK(pmap_clear_reference(pg[1]));
	CHECK(!pmap_clear_reference(pg[1]));
	/* a mapping that goes keeps its bits on the frame */
	CHECK_EQ(unmap(vm, 0x13000, 0x14000), 0);
	CHECK(vm_check(vm));
	vmspace_destroy(vm);
	CHECK(no_frame_leaked());
}

/*
 * Page-out leaves empty page tables behind (the reverse map removes the
 * entries, not the tables); pmap_trim frees exactly those that map nothing,
 * and a later fault makes its table again and finds the page.
 */
TEST(trim_frees_only_the_tables_that_map_nothing)
{
	const vaddr_t base = 0x40000000, step = 2UL << 20;	/* one table each */
	struct vmspace *vm;
	struct page *pg[4];
	uint64_t tables;

	setup();
	vm = new_vm();
	CHECK_EQ(map_anon(vm, base, 4 * step, RW), 0);
	for (int i = 0; i < 4; i++) {
		CHECK_EQ(user_fill(vm, base + i * step, 0x50 + i), FAULT_OK);
		pg[i] = mapped_page(vm, base + i * step);
	}
	tables = pmap_table_pages(vm->pmap);
	CHECK_EQ(pmap_trim(vm->pmap), 0);	/* nothing empty yet */
	CHECK_EQ(pmap_table_pages(vm->pmap), tables);

	/* as page-out does: unmap three pages everywhere, keep the frames */
	for (int i = 0; i < 3; i++)
		pmap_page_protect(pg[i], VM_PROT_NONE);
	CHECK_EQ(pmap_table_pages(vm->pmap), tables);	/* left behind */
	CHECK_EQ(pmap_trim(vm->pmap), 3);
	CHECK_EQ(pmap_table_pages(vm->pmap), tables - 3);
	CHECK_EQ(mapped_prot(vm, base + 3 * step), RW);	/* the fourth stays */
	CHECK(vm_check(vm));

	/* the last one too: its level-0 table and the level-1 above go */
	pmap_page_protect(pg[3], VM_PROT_NONE);
	CHECK_EQ(pmap_trim(vm->pmap), 2);
	CHECK_EQ(pmap_table_pages(vm->pmap), 1);	/* the root */
	CHECK_EQ(pmap_resident(vm->pmap), 0);

	/* faults make the tables again and find the same pages */
	for (int i = 0; i < 4; i++) {
		CHECK(user_page_is(vm, base + i * step, 0x50 + i));
		CHECK(mapped_page(vm, base + i * step) == pg[i]);
	}
	CHECK_EQ(pmap_table_pages(vm->pmap), tables);
	CHECK(vm_check(vm));
	vmspace_destroy(vm);
	CHECK_EQ(rmap_pv_count(), 0);
	CHECK(no_frame_leaked());
}

/* mlock or munlock [start, end) of vm, as the system calls do (no fill). */
static void lock_range(struct vmspace *vm, vaddr_t start, vaddr_t end, bool lock)
{
	mutex_lock(&vm->lock);
	vmspace_set_flags(vm, start, end, lock ? REGION_LOCKED : 0,
			  lock ? 0 : REGION_LOCKED);
	vmspace_mlock_pages(vm, start, end, lock);
	mutex_unlock(&vm->lock);
}

static bool anon_locked(const struct anon *an)
{
	return an->flags & ANON_MLOCKED;
}

/*
 * A private page that two address spaces share after fork (vm/mlock.h):
 * the child does not inherit the lock, so the parent's munlock unlocks it;
 * locked by both, it stays locked until the last lets go, by munlock or
 * by exit. The mapping's mark on the reverse map says who holds it.
 */
TEST(a_page_locked_by_two_stays_locked_until_the_last_lets_go)
{
	struct vmspace *p, *c;
	struct anon *an;

	setup();
	p = new_vm();
	CHECK_EQ(map_anon(p, 0x10000, 2 * P, RW), 0);
	CHECK_EQ(user_fill(p, 0x10000, 0x42), FAULT_OK);
	lock_range(p, 0x10000, 0x12000, true);
	an = private_anon(p, 0x10000);
	CHECK(anon_locked(an));
	CHECK(rmap_page_locked(an->page));
	/* a page faulted in a locked region is locked by the fault */
	CHECK_EQ(user_fill(p, 0x11000, 0x43), FAULT_OK);
	CHECK(anon_locked(private_anon(p, 0x11000)));
	CHECK(rmap_page_locked(private_page(p, 0x11000)));

	c = vmspace_fork(p);
	CHECK(c != NULL);
	CHECK(!(find(c, 0x10000)->flags & REGION_LOCKED));
	CHECK_EQ(user_read(c, 0x10000), 0x42);
	CHECK_EQ(private_anon(c, 0x10000), an);
	/* the child maps it unlocked: the parent's munlock lets it go */
	lock_range(p, 0x10000, 0x11000, false);
	CHECK(!anon_locked(an));
	CHECK(!rmap_page_locked(an->page));

	/* both lock it: one munlock leaves it locked, in either order */
	lock_range(p, 0x10000, 0x11000, true);
	lock_range(c, 0x10000, 0x11000, true);
	CHECK(anon_locked(an));
	lock_range(p, 0x10000, 0x11000, false);
	CHECK(anon_locked(an));
	CHECK(rmap_page_locked(an->page));
	lock_range(p, 0x10000, 0x11000, true);
	lock_range(c, 0x10000, 0x11000, false);
	CHECK(anon_locked(an));
	/* the last one's exit lets go */
	lock_range(c, 0x10000, 0x11000, true);
	lock_range(p, 0x10000, 0x11000, false);
	vmspace_destroy(c);
	CHECK(!anon_locked(an));
	CHECK(!rmap_page_locked(an->page));
	/* munmap of a locked region: the other's lock holds it */
	an = private_anon(p, 0x11000);
	c = vmspace_fork(p);
	CHECK(c != NULL);
	CHECK_EQ(user_read(c, 0x11000), 0x43);
	lock_range(c, 0x11000, 0x12000, true);
	CHECK_EQ(unmap(p, 0x11000, 0x12000), 0);
	CHECK(anon_locked(an));
	CHECK_EQ(unmap(c, 0x11000, 0x12000), 0);
	CHECK(vm_check(p));
	CHECK(vm_check(c));
	vmspace_destroy(c);
	vmspace_destroy(p);
	CHECK(no_frame_leaked());
}
