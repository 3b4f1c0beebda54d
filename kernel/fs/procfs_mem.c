/*
 * /proc/<pid>/smaps and smaps_rollup: the memory of each region, in Linux's
 * format (man 5 proc). The VM counts (vm/vmspace_pages.h); this file writes.
 *
 * Also /proc/<pid>/pagetable (Kilburn's own, below) and the binary files
 * pagemap, kpagecount and kpageflags.
 *
 * Kilburn has no huge pages, KSM, lazy-free, mlock or hugetlb: those lines
 * are 0. Swap and SwapPss are 0 until anonymous pages can be swapped out.
 */
#include "fs/procfs_gen.h"
#include "vm/vmspace.h"
#include "vm/vmspace_pages.h"
#include "kern/files.h"
#include "kern/uaccess.h"
#include "vm/kmem.h"
#include "vm/pmm.h"
#include "vm/pmap.h"

#define MAPS_PATH_COLUMN 73	/* where Linux starts the path in maps */

/* "Name:" in 16 columns, then bytes as kB in 8. */
static void smaps_kb(struct sbuf *sb, const char *name, uint64_t bytes)
{
	char label[24];

	ksnprintf(label, sizeof(label), "%s:", name);
	sbuf_printf(sb, "%-16s%8lu kB\n", label, bytes >> 10);
}

/* The lines from Rss to Locked (rollup: with Pss_Anon, _File, _Shmem). */
static void smaps_usage(struct sbuf *sb, const struct region_usage *u, bool rollup)
{
	smaps_kb(sb, "Rss", u->rss);
	smaps_kb(sb, "Pss", u->pss >> PSS_SHIFT);
	smaps_kb(sb, "Pss_Dirty", u->pss_dirty >> PSS_SHIFT);
	if (rollup) {
		smaps_kb(sb, "Pss_Anon", u->pss_anon >> PSS_SHIFT);
		smaps_kb(sb, "Pss_File", u->pss_file >> PSS_SHIFT);
		smaps_kb(sb, "Pss_Shmem", u->pss_shmem >> PSS_SHIFT);
	}
	smaps_kb(sb, "Shared_Clean", u->shared_clean);
	smaps_kb(sb, "Shared_Dirty", u->shared_dirty);
	smaps_kb(sb, "Private_Clean", u->private_clean);
	smaps_kb(sb, "Private_Dirty", u->private_dirty);
	smaps_kb(sb, "Referenced", u->referenced);
	smaps_kb(sb, "Anonymous", u->anonymous);
	smaps_kb(sb, "KSM", 0);
	smaps_kb(sb, "LazyFree", 0);
	smaps_kb(sb, "AnonHugePages", 0);
	smaps_kb(sb, "ShmemPmdMapped", 0);
	smaps_kb(sb, "FilePmdMapped", 0);
	smaps_kb(sb, "Shared_Hugetlb", 0);
	smaps_kb(sb, "Private_Hugetlb", 0);
	smaps_kb(sb, "Swap", u->swap);
	smaps_kb(sb, "SwapPss", u->swap);
	smaps_kb(sb, "Locked", 0);
}

/* VmFlags: Linux's two-letter names, in the order of its flag bits. */
static void smaps_vmflags(struct sbuf *sb, const struct region *r)
{
	bool shared = r->flags & REGION_SHARED;
	const struct { bool on; const char *name; } f[] = {
		{ r->prot & VM_PROT_READ, "rd" }, { r->prot & VM_PROT_WRITE, "wr" },
		{ r->prot & VM_PROT_EXEC, "ex" },
		{ shared && (r->maxprot & VM_PROT_WRITE), "sh" },
		{ r->maxprot & VM_PROT_READ, "mr" }, { r->maxprot & VM_PROT_WRITE, "mw" },
		{ r->maxprot & VM_PROT_EXEC, "me" }, { shared, "ms" },
		{ r->flags & REGION_GROWSDOWN, "gd" }, { r->flags & REGION_ACCOUNT, "ac" },
		{ r->flags & REGION_NORESERVE, "nr" }, { true, "sd" },
	};

	sbuf_printf(sb, "VmFlags:");
	for (size_t i = 0; i < ARRAY_SIZE(f); i++)
		if (f[i].on)
			sbuf_printf(sb, " %s", f[i].name);
	sbuf_printf(sb, " \n");
}

static void smaps_region(struct sbuf *sb, struct vmspace *vm, const struct region *r)
{
	struct region_usage u = { 0 };

	vmspace_region_usage(vm, r, &u);
	procfs_maps_line(sb, r);
	smaps_kb(sb, "Size", r->end - r->start);
	smaps_kb(sb, "KernelPageSize", PAGE_SIZE);
	smaps_kb(sb, "MMUPageSize", PAGE_SIZE);
	smaps_usage(sb, &u, false);
	sbuf_printf(sb, "THPeligible:    %8d\n", 0);
	smaps_vmflags(sb, r);
}

void procfs_gen_smaps(struct sbuf *sb, int pid)
{
	struct vmspace *vm = procfs_pid_vm(pid);

	if (!vm)
		return;
	mutex_lock(&vm->lock);
	for (struct region *r = vmspace_next(vm, 0); r; r = r->next)
		smaps_region(sb, vm, r);
	mutex_unlock(&vm->lock);
	vmspace_put(vm);
}

/* smaps_rollup: one header for the whole span, then the sums. */
void procfs_gen_smaps_rollup(struct sbuf *sb, int pid)
{
	struct vmspace *vm = procfs_pid_vm(pid);
	struct region_usage u = { 0 };
	vaddr_t lo = 0, hi = 0;
	size_t start_len = sb->len, col;

	if (!vm)
		return;
	mutex_lock(&vm->lock);
	for (struct region *r = vmspace_next(vm, 0); r; r = r->next) {
		if (!hi)
			lo = r->start;
		hi = r->end;
		vmspace_region_usage(vm, r, &u);
	}
	mutex_unlock(&vm->lock);
	vmspace_put(vm);
	sbuf_printf(sb, "%08lx-%08lx ---p 00000000 00:00 0", lo, hi);
	col = sb->len - start_len;
	sbuf_printf(sb, "%*s[rollup]\n", col < MAPS_PATH_COLUMN ?
		    (int)(MAPS_PATH_COLUMN - col) : 1, "");
	smaps_usage(sb, &u, true);
}

/*
 * Files of 64-bit words, read at any 8-byte aligned offset and length
 * (EINVAL otherwise, as Linux): word i of pagemap is the page at virtual
 * address i * PAGE_SIZE; of kpagecount and kpageflags, frame number i.
 * Words are made a page's worth at a time; pagemap takes vm->lock for
 * each batch and copies out without it.
 */
#define WORDS_BATCH	(PAGE_SIZE / 8)

/* Fill w[0..n) with the words from index first. */
static void words_fill(struct words_file *wf, uint64_t *w, uint64_t first, size_t n)
{
	if (wf->kind == WORDS_PAGEMAP) {
		mutex_lock(&wf->vm->lock);
		for (size_t i = 0; i < n; i++)
			w[i] = vmspace_pagemap_entry(wf->vm, (first + i) << PAGE_SHIFT);
		mutex_unlock(&wf->vm->lock);
		return;
	}
	for (size_t i = 0; i < n; i++)
		w[i] = wf->kind == WORDS_KPAGECOUNT ? vm_kpagecount(first + i) :
						      vm_kpageflags(first + i);
}

/* How many words the file has. */
static uint64_t words_count(const struct words_file *wf)
{
	return wf->kind == WORDS_PAGEMAP ? USER_TOP >> PAGE_SHIFT : pmm_max_pfn();
}

static long words_pread(struct file *f, uint64_t ubuf, size_t len, uint64_t off)
{
	struct words_file *wf = f->priv;
	uint64_t first = off / 8, end = words_count(wf), done = 0;
	uint64_t *w;

	if (off % 8 || len % 8)
		return -EINVAL;
	if (first >= end || len == 0)
		return 0;
	len = MIN(len, (end - first) * 8);
	w = kmalloc(PAGE_SIZE, 0);
	if (!w)
		return -ENOMEM;
	while (done < len) {
		size_t n = MIN((len - done) / 8, WORDS_BATCH);

		words_fill(wf, w, first + done / 8, n);
		if (copy_to_user(ubuf + done, w, n * 8)) {
			kfree(w);
			return done ? (long)done : -EFAULT;
		}
		done += n * 8;
	}
	kfree(w);
	return done;
}

static long words_read(struct file *f, uint64_t ubuf, size_t len)
{
	long n;

	mutex_lock(&f->pos_lock);
	n = words_pread(f, ubuf, len, f->off);
	if (n > 0)
		f->off += n;
	mutex_unlock(&f->pos_lock);
	return n;
}

static void words_release(struct file *f)
{
	struct words_file *wf = f->priv;

	if (wf->vm)
		vmspace_put(wf->vm);
	kfree(wf);
}

const struct file_ops procfs_words_ops = {
	.read = words_read,
	.pread = words_pread,
	.release = words_release,
};

/*
 * /proc/<pid>/pagetable: the Sv39 tree of the process's user half as it is,
 * one valid entry a line, indented by level, in address order:
 *
 *   L2[000] 0x0000000000000000-0x000000003fffffff table pfn 0x80a3d
 *     L1[000] 0x0000000000000000-0x00000000001fffff table pfn 0x80a3e
 *       L0[010] 0x0000000000010000-0x0000000000010fff r-x u - a - pfn 0x80400 file maps 2
 *
 * A leaf shows its permissions (r w x), user (u), global (g), accessed (a)
 * and dirty (d) bits, its frame number, what the frame is (anon, file,
 * shmem, zero, pgtable, kernel, ...) and how many page-table entries map
 * it. Kilburn's own format; readable by the owner only (mode 0400).
 */
#define PT_BATCH	64

/* What the frame at pa is, in a word. */
static const char *frame_kind(paddr_t pa)
{
	static const char *const names[PMM_NSTATES] = {
		[PAGE_RESERVED] = "reserved", [PAGE_FREE] = "free",
		[PAGE_KERNEL] = "kernel", [PAGE_SLAB] = "slab",
		[PAGE_PGTABLE] = "pgtable", [PAGE_KSTACK] = "kstack",
		[PAGE_ANON] = "anon", [PAGE_FILE] = "file",
	};
	struct page *pg = pa_to_page(pa);

	if (!pg)
		return "device";
	if (pg == vm_zero_page())
		return "zero";
	if (pg->state == PAGE_FILE &&
	    (__atomic_load_n(&pg->flags, __ATOMIC_RELAXED) & PG_SWAPBACKED))
		return "shmem";
	return pg->state < PMM_NSTATES ? names[pg->state] : "?";
}

static void pagetable_line(struct sbuf *sb, const struct pmap_entry *e)
{
	uint64_t size = 1UL << (PAGE_SHIFT + 9 * e->level);
	struct page *pg = pa_to_page(e->pa);

	sbuf_printf(sb, "%*sL%d[%03u] 0x%016lx-0x%016lx ", 2 * (2 - e->level), "",
		    e->level, e->index, e->va, e->va + size - 1);
	if (!e->leaf) {
		sbuf_printf(sb, "table pfn 0x%lx\n", e->pa >> PAGE_SHIFT);
		return;
	}
	sbuf_printf(sb, "%c%c%c %c %c %c %c pfn 0x%lx %s maps %u\n",
		    e->prot & VM_PROT_READ ? 'r' : '-', e->prot & VM_PROT_WRITE ? 'w' : '-',
		    e->prot & VM_PROT_EXEC ? 'x' : '-', e->user ? 'u' : '-',
		    e->global ? 'g' : '-', e->accessed ? 'a' : '-', e->dirty ? 'd' : '-',
		    e->pa >> PAGE_SHIFT, frame_kind(e->pa), pg ? page_mapcount(pg) : 0);
}

void procfs_gen_pagetable(struct sbuf *sb, int pid)
{
	struct vmspace *vm = procfs_pid_vm(pid);
	struct pmap_entry *e;
	uint64_t cursor = 0;

	if (!vm)
		return;
	e = kmalloc(PT_BATCH * sizeof(*e), 0);
	if (!e) {
		sb->failed = true;
		vmspace_put(vm);
		return;
	}
	sbuf_printf(sb, "# Sv39 user page table of pid %d: root table pfn 0x%lx\n", pid,
		    pmap_root_pa(vm->pmap) >> PAGE_SHIFT);
	while (cursor != PMAP_WALK_DONE && !sb->failed) {
		size_t n = pmap_walk(vm->pmap, &cursor, e, PT_BATCH);

		for (size_t i = 0; i < n; i++)
			pagetable_line(sb, &e[i]);
	}
	kfree(e);
	vmspace_put(vm);
}
