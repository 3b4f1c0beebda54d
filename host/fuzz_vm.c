/*
 * fuzz_vm - random operation sequences against Kilburn's machine-independent
 * VM (the real kernel/vm sources, the host environment and the software
 * pmap), each checked against a reference model.
 *
 *	fuzz_vm [--seed S] [--ops N] [--episode E] [--verbose]
 *
 * The run is cut into episodes of EPISODE_OPS operations. An episode starts
 * with one empty address space and ends by destroying every address space
 * and object and checking that every frame came back. Its operations come
 * from a generator seeded by (seed, episode) and do not depend on the state:
 * an operation holds raw random numbers that are turned into addresses when
 * it runs (mostly landing on mapped pages). So any subset of an episode's
 * operations can be replayed, which is how a failure is shrunk.
 *
 * The address spaces (up to MAX_VMS, made by fork) see two windows of the
 * user half: WIN0_PAGES pages from PAGE_SIZE up to mmap_base (where mmap and
 * mremap place mappings, and the heap lives) and WIN1_PAGES pages ending at
 * USER_TOP. Nothing is ever mapped outside them.
 *
 * The model knows, for each address space and each page of the windows,
 * the region attributes the page has (protection, flags, object and page of
 * it, obj_limit, which amap), where regions begin, and what the page holds:
 * a private copy (a reference-counted buffer, shared after fork until one
 * side writes), else the object's page (the file's data, obj_limit cutting
 * it to zeros) or zeros. Objects (one file, any number of shared anonymous
 * ones) hold their own data. It replays the VM's own region rules (clip,
 * merge with the neighbours, amap presence), so it predicts the errno of
 * every call, where mappings are placed, which accesses fault and how, and
 * every byte a load returns.
 *
 * After every operation: the touched address spaces' region lists must
 * equal the model's, vmspace_check() and pmm_check() must pass. On a
 * divergence (or a panic, or a sanitizer report) the failing operation is
 * printed, then the episode is shrunk by delta debugging (each replay in a
 * child process, forked from the clean state) and the shortest failing
 * sequence found is printed as an operation list.
 */
#include "env.h"
#include "pmap_soft.h"
#include "lib/avl.h"
#include "vm/amap.h"
#include "vm/kmem.h"
#include "vm/pmm.h"
#include "vm/vmspace.h"
#include "vm/vobject.h"

#include <stdarg.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#define RAM_BASE	0x80000000UL
#define RAM_SIZE	(8UL << 20)

#define P		PAGE_SIZE
#define R_		VM_PROT_READ
#define W_		VM_PROT_WRITE
#define X_		VM_PROT_EXEC
#define RWX		(R_ | W_ | X_)

#define WIN0_PAGES	96
#define WIN1_PAGES	16
#define NPAGES		(WIN0_PAGES + WIN1_PAGES)
#define WIN0_BASE	PAGE_SIZE
#define WIN1_BASE	(USER_TOP - WIN1_PAGES * P)
#define MMAP_BASE	(WIN0_BASE + WIN0_PAGES * P)
#define HEAP_PAGE	40			/* heap_start: page 40 of window 0 */
#define HEAP_START	(WIN0_BASE + HEAP_PAGE * P)
#define MAX_VMS		6
#define EPISODE_OPS	2000

#define FILE_PAGES	24
#define FILE_SIZE	(FILE_PAGES * P - 700)	/* the last page is partly past EOF */

/* ------------------------------------------------------------ randomness */

static uint64_t mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static uint64_t rng_state;

static uint64_t rnd(void)
{
	return mix(rng_state++);
}

/* ------------------------------------------------------------ operations */

enum op_type {
	OP_MAP, OP_MAP_FREE, OP_UNMAP, OP_PROTECT, OP_REMAP, OP_BRK,
	OP_DISCARD, OP_FORK, OP_DESTROY, OP_READ, OP_WRITE, OP_EXEC,
};

/* Mapping kinds. */
enum { K_ANON, K_SHM, K_FILE_PRIVATE, K_FILE_SHARED, K_EXEC_FILE, K_KINDS };

static const char *const kind_name[K_KINDS] = {
	"anon private", "anon shared", "file private", "file shared",
	"file private (exec, obj_limit)",
};

/* An operation: raw random numbers, resolved when it runs. */
struct op {
	uint8_t type, vm, vm2, kind;
	uint32_t a, b, c, d;
};

static const unsigned int prots[] = { 0, R_, R_ | W_, R_ | X_, RWX, X_, R_ | W_, R_ | W_ };

static struct op op_random(void)
{
	static const struct { uint8_t type; int weight; } mixw[] = {
		{ OP_MAP, 10 }, { OP_MAP_FREE, 4 }, { OP_UNMAP, 5 },
		{ OP_PROTECT, 7 }, { OP_REMAP, 6 }, { OP_BRK, 4 },
		{ OP_DISCARD, 4 }, { OP_FORK, 2 }, { OP_DESTROY, 1 },
		{ OP_READ, 25 }, { OP_WRITE, 25 }, { OP_EXEC, 3 },
	};
	int total = 0, pick;
	struct op op;
	uint64_t r = rnd(), s = rnd();

	for (size_t i = 0; i < ARRAY_SIZE(mixw); i++)
		total += mixw[i].weight;
	pick = r % total;
	op.type = mixw[0].type;
	for (size_t i = 0; i < ARRAY_SIZE(mixw); i++) {
		if (pick < mixw[i].weight) {
			op.type = mixw[i].type;
			break;
		}
		pick -= mixw[i].weight;
	}
	op.vm = (r >> 32) % MAX_VMS;
	op.vm2 = (r >> 40) % MAX_VMS;
	op.kind = (r >> 48) % K_KINDS;
	op.a = s;
	op.b = s >> 32;
	op.c = rnd();
	op.d = rnd();
	return op;
}

/* ------------------------------------------------------------ coverage */

/* What the operations did, counted over the run (printed at the end). */
enum stat {
	S_MAP, S_MAP_FULL, S_UNMAP, S_PROTECT, S_PROTECT_HOLE, S_DISCARD,
	S_DISCARD_HOLE, S_REMAP_SHRINK, S_REMAP_GROW, S_REMAP_MOVE,
	S_REMAP_FIXED, S_REMAP_EFAULT, S_REMAP_ENOMEM, S_REMAP_EINVAL,
	S_BRK_MOVED, S_BRK_REFUSED, S_FORK, S_DESTROY, S_ACCESS_OK,
	S_NOT_MAPPED, S_PROTECTION, S_PAST_EOF, S_COW_COPY, S_PRIVATE_NEW,
	S_SHARED_WRITE, S_MERGE, S_STATS,
};

static const char *const stat_name[S_STATS] = {
	"maps", "maps with no room", "unmaps", "protects", "protects of holes",
	"discards", "discards of holes", "remap shrinks", "remap grows in place",
	"remap moves", "remap fixed moves", "remap EFAULT", "remap ENOMEM",
	"remap EINVAL", "brk moves", "brk refusals", "forks", "destroys",
	"accesses ok", "not mapped", "protection faults", "past EOF",
	"copy-on-write copies", "new private pages", "shared writes",
	"region merges",
};

static void count(enum stat s);

/* ------------------------------------------------------------ the model */

struct buf {
	int refs;
	uint8_t data[P];
};

struct mpage {
	bool mapped;
	bool rstart;		/* a region begins here */
	uint8_t prot;
	uint8_t flags;		/* REGION_* */
	int obj;		/* index in objs[], -1 for none */
	uint64_t objpg;		/* page of the object */
	uint64_t limit;		/* the region's obj_limit */
	uint32_t amap;		/* the region's amap, 0 for none */
	struct buf *priv;	/* private copy, or NULL */
};

struct mvm {
	struct vmspace *vm;	/* NULL: free slot */
	vaddr_t brk;
	struct mpage pg[NPAGES];
};

struct mobj {
	bool is_file;
	struct vobject *kobj;	/* the kernel's object */
	uint64_t size;
	uint64_t npages;	/* entries in data[] */
	struct buf **data;	/* NULL: zeros */
};

static struct mvm vms[MAX_VMS];
static struct mobj *objs;
static int nobjs, objs_cap;
static uint32_t next_amap;
static uint8_t zeros[P];

static struct buf *buf_new(const uint8_t *from)
{
	struct buf *b = malloc(sizeof(*b));

	if (!b)
		exit(3);
	b->refs = 1;
	memcpy(b->data, from, P);
	return b;
}

static void buf_put(struct buf *b)
{
	if (b && --b->refs == 0)
		free(b);
}

static vaddr_t page_va(int p)
{
	return p < WIN0_PAGES ? WIN0_BASE + (vaddr_t)p * P
			      : WIN1_BASE + (vaddr_t)(p - WIN0_PAGES) * P;
}

/* The model page of va, or -1 outside the windows. */
static int va_page(vaddr_t va)
{
	if (va >= WIN0_BASE && va < MMAP_BASE)
		return (va - WIN0_BASE) / P;
	if (va >= WIN1_BASE && va < USER_TOP)
		return WIN0_PAGES + (va - WIN1_BASE) / P;
	return -1;
}

static int win_start(int p) { return p < WIN0_PAGES ? 0 : WIN0_PAGES; }
static int win_end(int p) { return p < WIN0_PAGES ? WIN0_PAGES : NPAGES; }

/* The region holding page p (mapped): [*s, *e). */
static void reg_bounds(const struct mvm *m, int p, int *s, int *e)
{
	int i = p;

	while (!m->pg[i].rstart)
		i--;
	*s = i;
	for (i = p + 1; i < win_end(p) && m->pg[i].mapped && !m->pg[i].rstart; i++)
		;
	*e = i;
}

/* An object page's data (objects grow as pages are asked for). */
static struct buf **obj_slot(struct mobj *o, uint64_t pg)
{
	if (pg >= o->npages) {
		uint64_t n = MAX(pg + 1, o->npages * 2);

		o->data = realloc(o->data, n * sizeof(*o->data));
		if (!o->data)
			exit(3);
		memset(o->data + o->npages, 0, (n - o->npages) * sizeof(*o->data));
		o->npages = n;
	}
	return &o->data[pg];
}

static const uint8_t *obj_data(struct mobj *o, uint64_t pg)
{
	struct buf *b = *obj_slot(o, pg);

	return b ? b->data : zeros;
}

static bool past_eof(const struct mpage *pg)
{
	return (pg->flags & REGION_FILE) &&
	       pg->objpg * P >= ALIGN_UP(objs[pg->obj].size, P);
}

/* Bytes of the object a private page shows (obj_limit cuts the rest). */
static uint64_t private_valid(const struct mpage *pg)
{
	uint64_t off = pg->objpg * P;

	if (pg->obj < 0 || off >= pg->limit)
		return 0;
	return MIN(P, pg->limit - off);
}

/* What page p holds now, in scratch if it must be built. */
static const uint8_t *page_content(struct mpage *pg, uint8_t *scratch)
{
	uint64_t valid;

	if (pg->flags & REGION_SHARED)
		return obj_data(&objs[pg->obj], pg->objpg);
	if (pg->priv)
		return pg->priv->data;
	valid = private_valid(pg);
	if (valid == P)
		return obj_data(&objs[pg->obj], pg->objpg);
	if (valid == 0)
		return zeros;
	memcpy(scratch, obj_data(&objs[pg->obj], pg->objpg), valid);
	memset(scratch + valid, 0, P - valid);
	return scratch;
}

static void set_amap(struct mvm *m, int s, int e, uint32_t id)
{
	for (int i = s; i < e; i++)
		m->pg[i].amap = id;
}

/* region_mergeable() on the last page of one region and the first of the next. */
static bool m_mergeable(const struct mpage *a, const struct mpage *b)
{
	return a->prot == b->prot && a->flags == b->flags && a->obj == b->obj &&
	       a->limit == b->limit &&
	       (a->obj < 0 || a->objpg + 1 == b->objpg) &&
	       (!a->amap || !b->amap || a->amap == b->amap);
}

/* Fold [b, e) into the region [s, b) (region_absorb). */
static void m_absorb(struct mvm *m, int s, int b, int e)
{
	if (!m->pg[s].amap && m->pg[b].amap)
		set_amap(m, s, b, m->pg[b].amap);
	else
		set_amap(m, b, e, m->pg[s].amap);
	m->pg[b].rstart = false;
	count(S_MERGE);
}

/* region_try_merge(): the region at page s with its next, then its previous. */
static void m_try_merge(struct mvm *m, int s)
{
	int e, s2, e2;

	reg_bounds(m, s, &s, &e);
	if (e < win_end(s) && m->pg[e].mapped &&
	    m_mergeable(&m->pg[e - 1], &m->pg[e])) {
		reg_bounds(m, e, &s2, &e2);
		m_absorb(m, s, e, e2);
		e = e2;
	}
	if (s > win_start(s) && m->pg[s - 1].mapped &&
	    m_mergeable(&m->pg[s - 1], &m->pg[s])) {
		reg_bounds(m, s - 1, &s2, &e2);
		m_absorb(m, s2, s, e);
	}
}

static void m_clip(struct mvm *m, int p)
{
	if (p < NPAGES && p != win_start(p) && m->pg[p].mapped)
		m->pg[p].rstart = true;
}

static void m_unmap(struct mvm *m, int a, int b)
{
	m_clip(m, a);
	m_clip(m, b);
	for (int i = a; i < b; i++) {
		buf_put(m->pg[i].priv);
		m->pg[i] = (struct mpage){ .obj = -1 };
	}
}

static void m_map(struct mvm *m, int a, int n, struct mpage attr)
{
	if (!(attr.flags & REGION_SHARED) && (attr.prot & W_))
		attr.flags |= REGION_ACCOUNT;	/* vm/commit.h */
	m_unmap(m, a, a + n);
	for (int i = 0; i < n; i++) {
		m->pg[a + i] = attr;
		m->pg[a + i].mapped = true;
		m->pg[a + i].rstart = i == 0;
		m->pg[a + i].objpg = attr.objpg + i;
		m->pg[a + i].amap = 0;
		m->pg[a + i].priv = NULL;
	}
	m_try_merge(m, a);
}

static bool m_hole(const struct mvm *m, int a, int b)
{
	for (int i = a; i < b; i++)
		if (!m->pg[i].mapped)
			return true;
	return false;
}

static bool m_free(const struct mvm *m, int a, int b)
{
	for (int i = a; i < b; i++)
		if (m->pg[i].mapped)
			return false;
	return true;
}

/* vmspace_find_free in window 0: the highest run of n free pages, or -1. */
static int m_find_free(const struct mvm *m, int n)
{
	int run = 0;

	for (int i = WIN0_PAGES - 1; i >= 0; i--) {
		run = m->pg[i].mapped ? 0 : run + 1;
		if (run == n)
			return i;
	}
	return -1;
}

static void m_drop_vm(struct mvm *m)
{
	for (int i = 0; i < NPAGES; i++)
		buf_put(m->pg[i].priv);
	memset(m, 0, sizeof(*m));
}

/* ------------------------------------------------------------ the fake file */

/*
 * A file of FILE_SIZE bytes of a pattern: each page is read in (a frame
 * allocated and filled, zeros past the end) on its first get_page.
 */
struct fake_file {
	struct vobject obj;
	struct page *pages[FILE_PAGES];
};

static uint8_t file_byte(uint64_t off)
{
	return off < FILE_SIZE ? (uint8_t)(1 + mix(off / 8) % 255) : 0;
}

static int fake_get_page(struct vobject *obj, uint64_t idx, struct page **pg)
{
	struct fake_file *f = container_of(obj, struct fake_file, obj);

	if (idx >= FILE_PAGES)
		return -EFAULT;
	if (!f->pages[idx]) {
		struct page *p = pmm_alloc(0);
		uint8_t *data;

		if (!p)
			return -ENOMEM;
		p->state = PAGE_FILE;
		data = page_to_virt(p);
		for (size_t i = 0; i < P; i++)
			data[i] = file_byte(idx * P + i);
		f->pages[idx] = p;
	}
	*pg = f->pages[idx];
	page_ref_inc(*pg);	/* the caller's (vobject.h) */
	return 0;
}

static void fake_release(struct vobject *obj)
{
	struct fake_file *f = container_of(obj, struct fake_file, obj);

	for (int i = 0; i < FILE_PAGES; i++)
		if (f->pages[i])
			pmm_free(f->pages[i]);
	free(f);
}

static const struct vobject_ops fake_ops = {
	.get_page = fake_get_page,
	.release = fake_release,
};

static int obj_add(bool is_file, struct vobject *kobj, uint64_t size)
{
	if (nobjs == objs_cap) {
		objs_cap = objs_cap ? objs_cap * 2 : 64;
		objs = realloc(objs, objs_cap * sizeof(*objs));
		if (!objs)
			exit(3);
	}
	objs[nobjs] = (struct mobj){ .is_file = is_file, .kobj = kobj, .size = size };
	return nobjs++;
}

static void file_create(void)
{
	struct fake_file *f = calloc(1, sizeof(*f));
	struct mobj *o;
	uint8_t data[P];
	int idx;

	if (!f)
		exit(3);
	f->obj.ops = &fake_ops;
	f->obj.refs = 1;
	f->obj.size = FILE_SIZE;
	idx = obj_add(true, &f->obj, FILE_SIZE);
	o = &objs[idx];
	for (uint64_t pg = 0; pg < FILE_PAGES; pg++) {
		for (size_t i = 0; i < P; i++)
			data[i] = file_byte(pg * P + i);
		*obj_slot(o, pg) = buf_new(data);
	}
}

/* ------------------------------------------------------------ running an op */

static bool verbose;
static char desc[512];		/* the running operation, resolved */
static char why[1024];		/* what went wrong */

static void say(const char *fmt, ...) __printf(1, 2);
static void say(const char *fmt, ...)
{
	size_t len = strlen(desc);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(desc + len, sizeof(desc) - len, fmt, ap);
	va_end(ap);
}

static bool diverge(const char *fmt, ...) __printf(1, 2);
static bool diverge(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	return false;
}

static const char *prot_str(unsigned int prot)
{
	static char s[4][4];
	static int k;
	char *b = s[k++ % 4];

	b[0] = prot & R_ ? 'r' : '-';
	b[1] = prot & W_ ? 'w' : '-';
	b[2] = prot & X_ ? 'x' : '-';
	b[3] = 0;
	return b;
}

static const char *const fault_name[] = {
	"ok", "not mapped", "protection", "oom", "io", "past eof",
};

/*
 * A page for an op: r picks a page; 3 times in 4 it moves on to the first
 * mapped page from there (so dropping an unrelated operation seldom
 * changes what a later one touches).
 */
static int pick_page(const struct mvm *m, uint32_t r)
{
	int p = (r / 4) % NPAGES;

	for (int i = 0; r % 4 != 0 && i < NPAGES; i++)
		if (m->pg[(p + i) % NPAGES].mapped)
			return (p + i) % NPAGES;
	return p;
}

/* A range [*a, *a + n) in one window: n from 1 to max, cut at the window. */
static int pick_range(const struct mvm *m, uint32_t r, uint32_t nr, int max)
{
	int a = pick_page(m, r);
	int n = 1 + nr % max;

	return MIN(n, win_end(a) - a) | a << 16;
}

static int lock_map(struct vmspace *vm, vaddr_t at, uint64_t len,
		    unsigned int prot, unsigned int flags, struct vobject *obj,
		    uint64_t off, uint64_t limit)
{
	int err;

	mutex_lock(&vm->lock);
	err = vmspace_map(vm, at, len, prot, VM_PROT_ALL, flags, obj, off, limit);
	mutex_unlock(&vm->lock);
	return err;
}

/* The attributes a new mapping of kind gets; makes the shm object. */
static struct mpage new_attr(int kind, unsigned int prot, const struct op *op,
			     int npages, struct vobject **kobj)
{
	struct mpage a = { .prot = prot, .obj = -1 };
	struct vobject *shm;

	switch (kind) {
	case K_SHM:
		shm = shmem_create(npages * P);
		if (!shm)
			exit(3);
		a.obj = obj_add(false, shm, npages * P);
		a.flags = REGION_SHARED;
		a.limit = npages * P;
		break;
	case K_FILE_PRIVATE:
	case K_FILE_SHARED:
		a.obj = 0;
		a.flags = REGION_FILE | (kind == K_FILE_SHARED ? REGION_SHARED : 0);
		a.objpg = op->c % (FILE_PAGES + 4);
		a.limit = UINT64_MAX;
		break;
	case K_EXEC_FILE:
		a.obj = 0;
		a.objpg = op->c % FILE_PAGES;
		a.limit = op->d % (FILE_SIZE + 1);
		break;
	}
	*kobj = a.obj >= 0 ? objs[a.obj].kobj : NULL;
	return a;
}

static bool run_map(struct mvm *m, const struct op *op, bool fixed)
{
	unsigned int prot = prots[op->b % ARRAY_SIZE(prots)];
	int ra = pick_range(m, op->a, op->b >> 8, 12), a = ra >> 16, n = ra & 0xffff;
	struct vobject *kobj;
	struct mpage attr;
	vaddr_t at;
	int err, want = 0;

	if (!fixed) {
		n = 1 + (op->b >> 8) % 12;
		a = m_find_free(m, n);
		mutex_lock(&m->vm->lock);
		at = vmspace_find_free(m->vm, n * P, PAGE_SIZE, m->vm->mmap_base);
		mutex_unlock(&m->vm->lock);
		say("map %s %s %d pages, free placement: at %lx", prot_str(prot),
		    kind_name[op->kind], n, (unsigned long)at);
		if (at != (a < 0 ? 0 : page_va(a)))
			return diverge("placed at %lx, model %lx", (unsigned long)at,
				       a < 0 ? 0UL : (unsigned long)page_va(a));
		if (a < 0) {
			count(S_MAP_FULL);
			return true;	/* mmap would say ENOMEM */
		}
	} else {
		say("map %lx-%lx %s %s", (unsigned long)page_va(a),
		    (unsigned long)page_va(a) + n * P, prot_str(prot),
		    kind_name[op->kind]);
	}
	attr = new_attr(op->kind, prot, op, n, &kobj);
	if (attr.obj >= 0)
		say(" +%lu", (unsigned long)attr.objpg);
	if (op->kind == K_EXEC_FILE)
		say(" limit %lu", (unsigned long)attr.limit);
	err = lock_map(m->vm, page_va(a), n * P, prot, attr.flags, kobj,
		       attr.objpg * P, attr.obj >= 0 ? attr.limit : 0);
	if (op->kind == K_SHM)
		vobject_unref(kobj);	/* the region holds its own reference */
	say(" -> %d", err);
	if (err != want)
		return diverge("vmspace_map returned %d, model %d", err, want);
	count(S_MAP);
	m_map(m, a, n, attr);
	return true;
}

static bool run_unmap(struct mvm *m, const struct op *op)
{
	int ra = pick_range(m, op->a, op->b, 16), a = ra >> 16, n = ra & 0xffff;
	int err;

	say("unmap %lx-%lx", (unsigned long)page_va(a),
	    (unsigned long)page_va(a) + n * P);
	mutex_lock(&m->vm->lock);
	err = vmspace_unmap(m->vm, page_va(a), page_va(a) + n * P);
	mutex_unlock(&m->vm->lock);
	say(" -> %d", err);
	if (err != 0)
		return diverge("vmspace_unmap returned %d", err);
	count(S_UNMAP);
	m_unmap(m, a, a + n);
	return true;
}

/*
 * A page's region gets prot: made writable, a private region is charged
 * (REGION_ACCOUNT); made read-only, an anonymous one that never had a page
 * gives the charge back (vm/commit.h).
 */
static void m_protect_page(struct mpage *pg, unsigned int prot)
{
	pg->prot = prot;
	if (!(pg->flags & REGION_SHARED) && (prot & W_))
		pg->flags |= REGION_ACCOUNT;
	else if (!(prot & W_) && pg->obj < 0 && !pg->amap)
		pg->flags &= ~REGION_ACCOUNT;
}

static bool run_protect(struct mvm *m, const struct op *op)
{
	unsigned int prot = prots[op->c % ARRAY_SIZE(prots)];
	int ra = pick_range(m, op->a, op->b, 16), a = ra >> 16, n = ra & 0xffff;
	int err, want = m_hole(m, a, a + n) ? -ENOMEM : 0;

	say("protect %lx-%lx %s", (unsigned long)page_va(a),
	    (unsigned long)page_va(a) + n * P, prot_str(prot));
	mutex_lock(&m->vm->lock);
	err = vmspace_protect(m->vm, page_va(a), page_va(a) + n * P, prot);
	mutex_unlock(&m->vm->lock);
	say(" -> %d", err);
	if (err != want)
		return diverge("vmspace_protect returned %d, model %d", err, want);
	count(err ? S_PROTECT_HOLE : S_PROTECT);
	if (err)
		return true;
	m_clip(m, a);
	m_clip(m, a + n);
	for (int va = a, s, e; va < a + n; va = e) {	/* as vmspace_protect */
		reg_bounds(m, va, &s, &e);
		for (int i = s; i < e; i++)
			m_protect_page(&m->pg[i], prot);
		m_try_merge(m, s);
	}
	return true;
}

static bool run_discard(struct mvm *m, const struct op *op)
{
	int ra = pick_range(m, op->a, op->b, 16), a = ra >> 16, n = ra & 0xffff;
	int err, want = m_hole(m, a, a + n) ? -ENOMEM : 0;

	say("discard %lx-%lx", (unsigned long)page_va(a),
	    (unsigned long)page_va(a) + n * P);
	mutex_lock(&m->vm->lock);
	err = vmspace_discard(m->vm, page_va(a), page_va(a) + n * P);
	mutex_unlock(&m->vm->lock);
	say(" -> %d", err);
	if (err != want)
		return diverge("vmspace_discard returned %d, model %d", err, want);
	count(err ? S_DISCARD_HOLE : S_DISCARD);
	for (int i = a; i < a + n; i++) {
		if (m->pg[i].mapped && !(m->pg[i].flags & REGION_SHARED)) {
			buf_put(m->pg[i].priv);
			m->pg[i].priv = NULL;
		}
	}
	return true;
}

/*
 * The model of vmspace_remap: the new address or a negative errno. The
 * caller has checked the arguments against the windows.
 */
static long m_remap(struct mvm *m, int o, int osz, int nsz, bool may_move,
		    int fixed)
{
	int s, e, to, keep = MIN(osz, nsz);
	struct mpage attr;
	struct buf *moved[NPAGES];

	if (!m->pg[o].mapped)
		return -EFAULT;
	reg_bounds(m, o, &s, &e);
	if (o + osz > e)
		return -EFAULT;
	if (nsz <= osz && fixed < 0) {
		if (nsz < osz)
			m_unmap(m, o + nsz, o + osz);
		return page_va(o);
	}
	if (fixed < 0 && o + osz == e && o + nsz <= win_end(o) &&
	    m_free(m, e, o + nsz)) {
		for (int i = e; i < o + nsz; i++) {
			m->pg[i] = m->pg[e - 1];
			m->pg[i].rstart = false;
			m->pg[i].priv = NULL;
			m->pg[i].objpg = m->pg[e - 1].objpg + (i - e + 1);
		}
		m_try_merge(m, s);
		return page_va(o);
	}
	if (!may_move)
		return -ENOMEM;
	if (fixed >= 0) {
		if (page_va(fixed) < page_va(o) + osz * P &&
		    page_va(o) < page_va(fixed) + nsz * P)
			return -EINVAL;
		to = fixed;
		m_unmap(m, to, to + nsz);
	} else {
		to = m_find_free(m, nsz);
		if (to < 0)
			return -ENOMEM;
	}
	reg_bounds(m, o, &s, &e);
	attr = m->pg[o];
	attr.flags &= ~(REGION_HEAP | REGION_GROWSDOWN);
	attr.amap = m->pg[o].amap ? ++next_amap : 0;
	for (int i = 0; i < keep; i++) {
		moved[i] = m->pg[o + i].priv;
		m->pg[o + i].priv = NULL;
	}
	m_unmap(m, o, o + osz);
	for (int i = 0; i < nsz; i++) {
		m->pg[to + i] = attr;
		m->pg[to + i].rstart = i == 0;
		m->pg[to + i].objpg = attr.objpg + i;
		m->pg[to + i].priv = i < keep ? moved[i] : NULL;
	}
	m_clip(m, to + nsz);
	m_try_merge(m, to);
	return page_va(to);
}

static bool run_remap(struct mvm *m, const struct op *op)
{
	int o = pick_page(m, op->a), s = o, e = o + 1, osz, nsz, fixed = -1;
	bool may_move = op->c & 1;
	long got, want;

	if (m->pg[o].mapped)
		reg_bounds(m, o, &s, &e);
	/* mostly a piece of the region that ends where it does */
	osz = op->b % 8 == 0 ? 1 + op->b / 8 % (win_end(o) - o)
			     : 1 + op->b / 8 % (e - o);
	if (op->b % 8 > 3 && m->pg[o].mapped)
		osz = e - o;
	nsz = 1 + op->d % (o < WIN0_PAGES ? WIN0_PAGES - o : WIN1_PAGES + 4);
	if (o >= WIN0_PAGES)
		nsz = MIN(nsz, WIN0_PAGES / 2);		/* may move to window 0 */
	if (may_move && op->c % 4 == 1) {		/* MREMAP_FIXED */
		fixed = (op->c >> 8) % NPAGES;
		nsz = MIN(nsz, win_end(fixed) - fixed);
	}
	say("remap %lx %d pages to %d pages%s", (unsigned long)page_va(o), osz,
	    nsz, may_move ? " may move" : "");
	if (fixed >= 0)
		say(" fixed %lx", (unsigned long)page_va(fixed));
	mutex_lock(&m->vm->lock);
	got = vmspace_remap(m->vm, page_va(o), osz * P, nsz * P, may_move,
			    fixed >= 0 ? page_va(fixed) : 0);
	mutex_unlock(&m->vm->lock);
	want = m_remap(m, o, osz, nsz, may_move, fixed);
	say(" -> %lx", (unsigned long)got);
	if (got != want)
		return diverge("vmspace_remap returned %ld (%lx), model %ld (%lx)",
			       got, (unsigned long)got, want, (unsigned long)want);
	count(got == -EFAULT ? S_REMAP_EFAULT : got == -ENOMEM ? S_REMAP_ENOMEM :
	      got == -EINVAL ? S_REMAP_EINVAL : fixed >= 0 ? S_REMAP_FIXED :
	      got != (long)page_va(o) ? S_REMAP_MOVE :
	      nsz <= osz ? S_REMAP_SHRINK : S_REMAP_GROW);
	return true;
}

/* brk as sys_brk does it, on the VM calls. */
static vaddr_t do_brk(struct vmspace *vm, vaddr_t new)
{
	vaddr_t old = vm->brk, old_end, new_end;
	struct region *next;

	if (new < vm->heap_start || new >= vm->mmap_base)
		return old;
	old_end = ALIGN_UP(old, P);
	new_end = ALIGN_UP(new, P);
	mutex_lock(&vm->lock);
	if (new_end > old_end) {
		next = vmspace_next(vm, old_end);
		if ((next && next->start < new_end) ||
		    vmspace_map(vm, old_end, new_end - old_end, R_ | W_, VM_PROT_ALL,
				REGION_HEAP, NULL, 0, 0) < 0)
			new = old;
	} else if (new_end < old_end && vmspace_unmap(vm, new_end, old_end) < 0) {
		new = old;
	}
	vm->brk = new;
	mutex_unlock(&vm->lock);
	return new;
}

static bool run_brk(struct mvm *m, const struct op *op)
{
	vaddr_t new = HEAP_START - 2 * P + op->a % ((WIN0_PAGES - HEAP_PAGE + 4) * P);
	vaddr_t got, want = m->brk;
	int oe, ne;

	if (op->b % 2)		/* often whole pages */
		new = ALIGN_DOWN(new, P);
	oe = (ALIGN_UP(m->brk, P) - WIN0_BASE) / P;
	ne = (ALIGN_UP(new, P) - WIN0_BASE) / P;
	say("brk %lx (was %lx)", (unsigned long)new, (unsigned long)m->brk);
	got = do_brk(m->vm, new);
	if (new >= HEAP_START && new < MMAP_BASE) {
		if (ne > oe && m_free(m, oe, ne)) {
			m_map(m, oe, ne - oe, (struct mpage){ .prot = R_ | W_,
				.flags = REGION_HEAP, .obj = -1 });
			want = new;
		} else if (ne < oe) {
			m_unmap(m, ne, oe);
			want = new;
		} else if (ne == oe) {
			want = new;
		}
	}
	m->brk = want;
	say(" -> %lx", (unsigned long)got);
	if (got != want)
		return diverge("brk returned %lx, model %lx", (unsigned long)got,
			       (unsigned long)want);
	count(got == new ? S_BRK_MOVED : S_BRK_REFUSED);
	return true;
}

static bool run_fork(struct mvm *m, struct mvm *child)
{
	say("fork vm%d -> vm%d", (int)(m - vms), (int)(child - vms));
	if (child->vm) {
		vmspace_destroy(child->vm);
		m_drop_vm(child);
	}
	child->vm = vmspace_fork(m->vm);
	if (!child->vm)
		return diverge("vmspace_fork returned NULL");
	child->brk = m->brk;
	count(S_FORK);
	for (int i = 0; i < NPAGES; i++) {
		child->pg[i] = m->pg[i];
		if (child->pg[i].priv)
			child->pg[i].priv->refs++;
	}
	/* each private region with an amap gets a copy of its own */
	for (int i = 0, s, e; i < NPAGES; i = e) {
		if (!child->pg[i].mapped) {
			e = i + 1;
			continue;
		}
		reg_bounds(child, i, &s, &e);
		if (child->pg[s].amap)
			set_amap(child, s, e, ++next_amap);
	}
	return true;
}

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

static uint8_t *user_ptr(struct vmspace *vm, vaddr_t va)
{
	paddr_t pa;

	if (!pmap_extract(vm->pmap, va, &pa, NULL))
		return NULL;
	return (uint8_t *)phys_to_virt(pa) + (va & PAGE_MASK);
}

static enum fault_result m_fault(const struct mpage *pg, unsigned int access)
{
	if (!pg->mapped)
		return FAULT_NOT_MAPPED;
	if (!(pg->prot & access))
		return FAULT_PROTECTION;
	if (past_eof(pg) && !pg->priv)
		return FAULT_PAST_EOF;
	return FAULT_OK;
}

/* Page p of m after an access the VM let through: private copies made. */
static void m_touch(struct mvm *m, int p, unsigned int access)
{
	struct mpage *pg = &m->pg[p];
	uint8_t scratch[P];
	uint64_t valid;
	int s, e;

	if (pg->flags & REGION_SHARED)
		return;
	valid = private_valid(pg);
	if (access == W_ && pg->priv && pg->priv->refs > 1) {
		struct buf *copy = buf_new(pg->priv->data);

		count(S_COW_COPY);
		buf_put(pg->priv);
		pg->priv = copy;
	} else if (!pg->priv && (access == W_ || (valid && valid < P))) {
		pg->priv = buf_new(page_content(pg, scratch));
		count(S_PRIVATE_NEW);
	}
	if (pg->priv && !pg->amap) {
		reg_bounds(m, p, &s, &e);
		set_amap(m, s, e, ++next_amap);
	}
}

static bool run_access(struct mvm *m, const struct op *op, unsigned int access,
		       uint64_t opno)
{
	int p = pick_page(m, op->a);
	vaddr_t va = page_va(p) + (op->b % P & ~7UL);
	enum fault_result got = FAULT_OK, want = m_fault(&m->pg[p], access);
	uint8_t scratch[P], *host;
	const uint8_t *expect;
	uint64_t v = mix(opno << 40 ^ va) | 1;

	say("%s %lx", access == R_ ? "read" : access == W_ ? "write" : "exec",
	    (unsigned long)va);
	if (!pmap_allows(m->vm, va, access))
		got = vm_fault(m->vm, va, access);
	say(" -> %s", fault_name[got]);
	count(got == FAULT_OK ? S_ACCESS_OK : got == FAULT_NOT_MAPPED ? S_NOT_MAPPED :
	      got == FAULT_PROTECTION ? S_PROTECTION : S_PAST_EOF);
	if (got != want)
		return diverge("the access gave \"%s\", model \"%s\"",
			       fault_name[got], fault_name[want]);
	if (got != FAULT_OK)
		return true;
	if (!pmap_allows(m->vm, va, access))
		return diverge("vm_fault said ok but the pmap refuses the access");
	m_touch(m, p, access);
	host = user_ptr(m->vm, va);
	if (access == W_) {
		memcpy(host, &v, 8);
		if (m->pg[p].flags & REGION_SHARED) {
			struct mobj *o = &objs[m->pg[p].obj];
			struct buf **b = obj_slot(o, m->pg[p].objpg);

			count(S_SHARED_WRITE);
			if (!*b)
				*b = buf_new(zeros);
			memcpy((*b)->data + (va & PAGE_MASK), &v, 8);
		} else {
			memcpy(m->pg[p].priv->data + (va & PAGE_MASK), &v, 8);
		}
		say(" (wrote %016lx)", (unsigned long)v);
	}
	expect = page_content(&m->pg[p], scratch);
	host = user_ptr(m->vm, page_va(p));
	if (memcmp(host, expect, P) != 0) {
		size_t i = 0;

		while (host[i] == expect[i])
			i++;
		return diverge("byte %zu of the page reads 0x%02x, model 0x%02x",
			       i, host[i], expect[i]);
	}
	return true;
}

/* ------------------------------------------------------------ checks */

/* The VM's region list of m equals the model's. */
static bool check_layout(struct mvm *m)
{
	struct { uint32_t id; struct amap *am; } pairs[NPAGES];
	int npairs = 0, p = 0;

	for (struct avl_node *n = avl_first(&m->vm->regions); n; n = avl_next(n)) {
		struct region *r = avl_entry(n, struct region, node);
		int s = va_page(r->start), e;
		const struct mpage *pg;

		while (p < NPAGES && !m->pg[p].mapped)
			p++;
		if (s < 0 || va_page(r->end - 1) != s + (int)((r->end - r->start) / P) - 1)
			return diverge("vm%d has region %lx-%lx outside the windows",
				       (int)(m - vms), (unsigned long)r->start,
				       (unsigned long)r->end);
		if (p != s)
			return diverge("vm%d: region at %lx, model has one at %lx",
				       (int)(m - vms), (unsigned long)r->start,
				       p < NPAGES ? (unsigned long)page_va(p) : 0UL);
		reg_bounds(m, p, &s, &e);
		pg = &m->pg[s];
		if (page_va(e - 1) + P != r->end)
			return diverge("vm%d: region %lx-%lx, model ends it at %lx",
				       (int)(m - vms), (unsigned long)r->start,
				       (unsigned long)r->end,
				       (unsigned long)page_va(e - 1) + P);
		if (r->prot != pg->prot || r->flags != pg->flags ||
		    r->obj != (pg->obj >= 0 ? objs[pg->obj].kobj : NULL) ||
		    (r->obj && (r->obj_pgoff != pg->objpg || r->obj_limit != pg->limit)) ||
		    !r->amap != !pg->amap)
			return diverge("vm%d: region %lx-%lx is %s flags %x obj %s+%lu "
				       "limit %lx amap %s, model %s flags %x obj %d+%lu "
				       "limit %lx amap %u", (int)(m - vms),
				       (unsigned long)r->start, (unsigned long)r->end,
				       prot_str(r->prot), r->flags, r->obj ? "yes" : "no",
				       (unsigned long)r->obj_pgoff,
				       (unsigned long)r->obj_limit, r->amap ? "yes" : "no",
				       prot_str(pg->prot), pg->flags, pg->obj,
				       (unsigned long)pg->objpg, (unsigned long)pg->limit,
				       pg->amap);
		for (int i = 0; pg->amap && i <= npairs; i++) {
			if (i == npairs) {
				pairs[npairs].id = pg->amap;
				pairs[npairs++].am = r->amap;
				break;
			}
			if ((pairs[i].id == pg->amap) != (pairs[i].am == r->amap))
				return diverge("vm%d: region %lx shares an amap where the "
					       "model does not (or the other way)",
					       (int)(m - vms), (unsigned long)r->start);
			if (pairs[i].id == pg->amap)
				break;
		}
		p = e;
	}
	while (p < NPAGES && !m->pg[p].mapped)
		p++;
	if (p < NPAGES)
		return diverge("vm%d: the model has a region at %lx, the VM not",
			       (int)(m - vms), (unsigned long)page_va(p));
	return true;
}

static bool check_vm(struct mvm *m)
{
	mutex_lock(&m->vm->lock);
	vmspace_check(m->vm);
	mutex_unlock(&m->vm->lock);
	return check_layout(m);
}

/* ------------------------------------------------------------ episodes */

static uint64_t frames_at_start;

static void episode_begin(uint64_t seed)
{
	rng_state = seed;
	nobjs = 0;
	next_amap = 0;
	memset(vms, 0, sizeof(vms));
	file_create();
	kmem_reclaim();
	frames_at_start = pmm_free_frames();
}

static struct vmspace *new_vm(void)
{
	struct vmspace *vm = vmspace_create();

	if (!vm)
		exit(3);
	vm->mmap_base = MMAP_BASE;
	vm->heap_start = vm->brk = HEAP_START;
	return vm;
}

/* Run one operation; false on a divergence (why says what). */
static bool op_run(const struct op *op, uint64_t opno)
{
	struct mvm *m = &vms[op->vm];

	desc[0] = 0;
	if (!m->vm) {
		if (op->type != OP_MAP && op->type != OP_MAP_FREE)
			return true;		/* nothing there: skip */
		m->vm = new_vm();
		m->brk = HEAP_START;
		say("vm%d = new; ", op->vm);
	}
	say("vm%d: ", op->vm);
	switch (op->type) {
	case OP_MAP:		return run_map(m, op, true) && check_vm(m);
	case OP_MAP_FREE:	return run_map(m, op, false) && check_vm(m);
	case OP_UNMAP:		return run_unmap(m, op) && check_vm(m);
	case OP_PROTECT:	return run_protect(m, op) && check_vm(m);
	case OP_REMAP:		return run_remap(m, op) && check_vm(m);
	case OP_BRK:		return run_brk(m, op) && check_vm(m);
	case OP_DISCARD:	return run_discard(m, op) && check_vm(m);
	case OP_READ:		return run_access(m, op, R_, opno) && check_vm(m);
	case OP_WRITE:		return run_access(m, op, W_, opno) && check_vm(m);
	case OP_EXEC:		return run_access(m, op, X_, opno) && check_vm(m);
	case OP_FORK:
		if (op->vm2 == op->vm) {
			desc[0] = 0;
			return true;
		}
		return run_fork(m, &vms[op->vm2]) && check_vm(m) &&
		       check_vm(&vms[op->vm2]);
	case OP_DESTROY:
		say("destroy");
		count(S_DESTROY);
		vmspace_destroy(m->vm);
		m_drop_vm(m);
		return true;
	}
	return true;
}

/* Destroy everything and check that every frame came back. */
static bool episode_end(void)
{
	for (int i = 0; i < MAX_VMS; i++) {
		if (vms[i].vm)
			vmspace_destroy(vms[i].vm);
		m_drop_vm(&vms[i]);
	}
	vobject_unref(objs[0].kobj);
	for (int i = 0; i < nobjs; i++) {
		for (uint64_t pg = 0; pg < objs[i].npages; pg++)
			buf_put(objs[i].data[pg]);
		free(objs[i].data);
	}
	desc[0] = 0;
	say("end of episode: destroy every address space and object");
	kmem_reclaim();
	if (pmm_free_frames() != frames_at_start)
		return diverge("%ld frames leaked",
			       (long)(frames_at_start - pmm_free_frames()));
	if (pmap_soft_live() != 0)
		return diverge("%ld pmaps left", pmap_soft_live());
	return true;
}

/* Where a run is, in memory shared with the parent (it may die abruptly). */
struct progress {
	uint64_t episode;
	int64_t op;			/* -1: the end of the episode */
	uint64_t ops_done;
	uint64_t stats[S_STATS];
	bool failed;
	char desc[512], why[1024];
	char sig[256];			/* why, without its numbers */
};
static struct progress *progress;

static void count(enum stat s)
{
	progress->stats[s]++;
}

static uint64_t episode_seed(uint64_t seed, uint64_t episode)
{
	return mix(seed ^ mix(episode + 0x5eed));
}

static void gen_ops(uint64_t seed, struct op *ops, int n)
{
	rng_state = seed;
	for (int i = 0; i < n; i++)
		ops[i] = op_random();
}

/*
 * The kind of a failure: its message without the words that hold digits
 * (addresses, counts), so shrinking keeps to the same failure.
 */
static void signature(const char *msg, char *sig, size_t size)
{
	size_t len = 0;

	while (*msg && len + 1 < size) {
		size_t w = strcspn(msg, " ");
		bool digits = false;

		for (size_t i = 0; i < w; i++)
			digits |= msg[i] >= '0' && msg[i] <= '9';
		if (!digits && len + w + 1 < size) {
			memcpy(sig + len, msg, w);
			len += w;
			sig[len++] = ' ';
		}
		msg += w + (msg[w] == ' ');
	}
	sig[len] = 0;
}

/*
 * Run the operations of an episode whose bit is set in keep (NULL: all),
 * up to and including op `upto`. Returns false on the first divergence
 * (progress says where), true if they all agree.
 */
static bool episode_run(uint64_t seed, const bool *keep, int upto)
{
	static struct op ops[EPISODE_OPS];
	jmp_buf jb;
	volatile int i = 0;

	gen_ops(seed, ops, EPISODE_OPS);
	episode_begin(seed);
	if (setjmp(jb) != 0) {
		snprintf(why, sizeof(why), "panic: %s", host_panic_msg);
		goto fail;
	}
	for (; i <= upto && i < EPISODE_OPS; i++) {
		if (keep && !keep[i])
			continue;
		progress->op = i;
		host_panic_jmp = &jb;
		if (!op_run(&ops[i], i))
			goto fail;
		host_panic_jmp = NULL;
		pmm_check();
		progress->ops_done++;
		if (verbose && desc[0])
			printf("  #%d %s\n", i, desc);
	}
	progress->op = -1;
	host_panic_jmp = &jb;
	if (!episode_end())
		goto fail;
	host_panic_jmp = NULL;
	return true;
fail:
	host_panic_jmp = NULL;
	if (verbose)
		printf("  #%ld %s\n", (long)progress->op, desc);
	snprintf(progress->desc, sizeof(progress->desc), "%s", desc);
	snprintf(progress->why, sizeof(progress->why), "%s", why);
	signature(why, progress->sig, sizeof(progress->sig));
	progress->failed = true;
	return false;
}

/* ------------------------------------------------------------ processes */

static void setup(void)
{
	struct pmm_range r = { RAM_BASE, RAM_SIZE };
	struct vmspace *vm;

	host_fake_ram(RAM_BASE, RAM_SIZE);
	host_cpu_id = 0;
	if (pmm_init(&r, 1, NULL, 0) != 0)
		exit(3);
	kmem_init();
	vm_init();
	/* warm up: the amap caches come with the first private page */
	vm = new_vm();
	if (lock_map(vm, WIN0_BASE, P, R_ | W_, 0, NULL, 0, 0) != 0 ||
	    vm_fault(vm, WIN0_BASE, W_) != FAULT_OK)
		exit(3);
	vmspace_destroy(vm);
	progress = mmap(NULL, sizeof(*progress), PROT_READ | PROT_WRITE,
			MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (progress == MAP_FAILED)
		exit(3);
}

/*
 * Run fn(arg) in a child forked from this clean state, its output thrown
 * away unless loud. Returns true if the child ran to the end without a
 * divergence.
 */
static bool in_child(bool (*fn)(void *), void *arg, bool loud)
{
	pid_t pid;
	int status;

	fflush(stdout);
	fflush(stderr);
	memset(progress, 0, sizeof(*progress));
	pid = fork();
	if (pid < 0) {
		perror("fork");
		exit(3);
	}
	if (pid == 0) {
		if (!loud && (!freopen("/dev/null", "w", stdout) ||
			      !freopen("/dev/null", "w", stderr)))
			_exit(3);
		_exit(fn(arg) ? 0 : 1);
	}
	if (waitpid(pid, &status, 0) < 0) {
		perror("waitpid");
		exit(3);
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return true;
	if (!progress->failed) {	/* died: a sanitizer report or a signal */
		snprintf(progress->why, sizeof(progress->why),
			 "the process died (%s %d)",
			 WIFEXITED(status) ? "exit status" : "signal",
			 WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
		snprintf(progress->sig, sizeof(progress->sig), "died");
	}
	return false;
}

struct run_args {
	uint64_t seed;
	uint64_t ops;
	int64_t only_episode;	/* -1: all */
};

static bool run_all(void *p)
{
	struct run_args *a = p;

	for (uint64_t ep = a->only_episode >= 0 ? a->only_episode : 0;
	     progress->ops_done < a->ops; ep++) {
		progress->episode = ep;
		if (!episode_run(episode_seed(a->seed, ep), NULL, EPISODE_OPS))
			return false;
		if (a->only_episode >= 0)
			break;
	}
	return true;
}

struct replay_args {
	uint64_t seed;
	const bool *keep;
	int upto;
};

static bool replay(void *p)
{
	struct replay_args *a = p;

	return episode_run(a->seed, a->keep, a->upto);
}

static int replays;
static char target_sig[256];	/* the failure being shrunk */

/* Does the episode still fail the same way with only the ops in keep? */
static bool fails(uint64_t seed, const bool *keep, int upto)
{
	struct replay_args a = { seed, keep, upto };

	replays++;
	return !in_child(replay, &a, false) && !strcmp(progress->sig, target_sig);
}

/*
 * Delta debugging: drop chunks of the kept operations while the episode
 * still fails, halving the chunks down to single operations, then drop
 * single operations until none can go.
 */
static void shrink(uint64_t seed, bool *keep, int upto)
{
	int idx[EPISODE_OPS], n = 0, chunks = 2;

	for (int i = 0; i <= upto; i++)
		if (keep[i])
			idx[n++] = i;
	while (n >= 2 && replays < 4000) {
		bool dropped = false;
		int size = (n + chunks - 1) / chunks;

		for (int c = 0; c * size < n && !dropped; c++) {
			int lo = c * size, hi = MIN(n, lo + size);

			for (int i = lo; i < hi; i++)
				keep[idx[i]] = false;
			if (fails(seed, keep, upto)) {
				memmove(idx + lo, idx + hi, (n - hi) * sizeof(*idx));
				n -= hi - lo;
				chunks = MAX(chunks - 1, 2);
				dropped = true;
			} else {
				for (int i = lo; i < hi; i++)
					keep[idx[i]] = true;
			}
		}
		if (!dropped) {
			if (size == 1)
				break;
			chunks = MIN(chunks * 2, n);
		}
	}
	for (bool again = true; again && replays < 6000; ) {
		again = false;
		for (int i = 0; i <= upto; i++) {
			if (!keep[i])
				continue;
			keep[i] = false;
			if (fails(seed, keep, upto))
				again = true;
			else
				keep[i] = true;
		}
	}
}

static double now(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return tv.tv_sec + tv.tv_usec / 1e6;
}

static void report_failure(uint64_t seed)
{
	static bool keep[EPISODE_OPS];
	uint64_t ep = progress->episode, es = episode_seed(seed, ep);
	int upto = progress->op < 0 ? EPISODE_OPS - 1 : (int)progress->op;
	struct replay_args a = { es, keep, upto };
	int kept = 0;

	printf("DIVERGENCE in episode %lu, operation %d:\n  %s\n  %s\n",
	       (unsigned long)ep, (int)progress->op, progress->desc, progress->why);
	printf("reproduce: build/host/fuzz_vm --seed %lu --episode %lu --verbose\n",
	       (unsigned long)seed, (unsigned long)ep);
	printf("shrinking the episode ...\n");
	snprintf(target_sig, sizeof(target_sig), "%s", progress->sig);
	for (int i = 0; i < EPISODE_OPS; i++)
		keep[i] = true;
	shrink(es, keep, upto);
	for (int i = 0; i <= upto; i++)
		kept += keep[i];
	printf("shortest failing sequence found (%d operations of %d, %d replays):\n",
	       kept, upto + 1, replays);
	verbose = true;
	in_child(replay, &a, true);
	printf("  => %s\n", progress->why);
}

int main(int argc, char **argv)
{
	struct run_args a = { .ops = 1000000, .only_episode = -1 };
	bool seeded = false;
	double t0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--seed") && i + 1 < argc && argv[i + 1][0]) {
			a.seed = strtoull(argv[++i], NULL, 0);
			seeded = true;
		} else if (!strcmp(argv[i], "--ops") && i + 1 < argc) {
			a.ops = strtoull(argv[++i], NULL, 0);
		} else if (!strcmp(argv[i], "--episode") && i + 1 < argc) {
			a.only_episode = strtoll(argv[++i], NULL, 0);
		} else if (!strcmp(argv[i], "--verbose")) {
			verbose = true;
		} else if (!strcmp(argv[i], "--seed") && i + 1 < argc) {
			i++;		/* empty: a random seed */
		} else {
			fprintf(stderr, "usage: %s [--seed S] [--ops N] "
				"[--episode E] [--verbose]\n", argv[0]);
			return 2;
		}
	}
	if (!seeded)
		a.seed = mix(now() * 1e6) ^ getpid();
	setup();
	printf("fuzz_vm: seed %lu, %lu operations in episodes of %d\n",
	       (unsigned long)a.seed, (unsigned long)a.ops, EPISODE_OPS);
	t0 = now();
	if (!in_child(run_all, &a, true)) {
		report_failure(a.seed);
		printf("FAIL fuzz_vm (seed %lu)\n", (unsigned long)a.seed);
		return 1;
	}
	printf("fuzz_vm: %lu operations agree with the model, %.0f per second\n",
	       (unsigned long)progress->ops_done,
	       progress->ops_done / (now() - t0));
	for (int i = 0; i < S_STATS; i++)
		printf("%s%s %lu", i % 6 ? ", " : i ? "\n  " : "  ", stat_name[i],
		       (unsigned long)progress->stats[i]);
	printf("\nPASS fuzz_vm\n");
	return 0;
}
