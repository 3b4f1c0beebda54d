/*
 * Sv39 pmap: the kernel page table.
 *
 * Page-table pages come from the pmm (state PAGE_PGTABLE) and are reached
 * through the direct map. Kernel leaves carry G (global: the same in every
 * address space), and A and D preset so the hardware never needs to update
 * them.
 */
#include "vm/pmap.h"
#include "vm/pmm.h"
#include "vm/vmstat.h"
#include "kern/board.h"
#include "vm/kmem.h"
#include "arch/riscv/cpu.h"
#include "arch/riscv/csr.h"
#include "arch/riscv/memlayout.h"
#include "arch/riscv/pte.h"
#include "arch/riscv/sbi.h"
#include "arch/riscv/smp.h"

extern pte_t boot_pagetable[PT_ENTRIES];

static pte_t *kernel_root;		/* the kernel's top-level table */
uint64_t kernel_satp;			/* read by secondary_entry in boot.S */
static struct spinlock kpt_lock = SPINLOCK_INIT("kernel page table");

static inline void sfence_vma_page(vaddr_t va)
{
	__asm__ volatile("sfence.vma %0, zero" :: "r"(va) : "memory");
}

static inline void sfence_vma_all(void)
{
	__asm__ volatile("sfence.vma" ::: "memory");
}

static uint64_t prot_to_pte(unsigned int prot)
{
	uint64_t bits = PTE_A | PTE_D | PTE_G;

	if (prot & VM_PROT_READ)
		bits |= PTE_R;
	if (prot & VM_PROT_WRITE)
		bits |= PTE_W | PTE_R;
	if (prot & VM_PROT_EXEC)
		bits |= PTE_X;
	return bits;
}

/* A zeroed page-table page, or NULL. */
static pte_t *pt_alloc(void)
{
	struct page *pg = pmm_alloc(PMM_ZERO);

	if (!pg)
		return NULL;
	pg->state = PAGE_PGTABLE;
	return page_to_virt(pg);
}

/*
 * Walk from the kernel root to the entry of va at `level`, creating missing
 * intermediate tables. Returns NULL if a table could not be allocated.
 * Panics if a larger leaf is in the way (a kernel layout bug).
 */
static pte_t *kwalk(vaddr_t va, int level)
{
	pte_t *table = kernel_root;

	for (int l = PT_LEVELS - 1; l > level; l--) {
		pte_t *pte = &table[pt_index(va, l)];

		if (!pte_valid(*pte)) {
			pte_t *next = pt_alloc();

			if (!next)
				return NULL;
			*pte = pte_make_table(virt_to_phys(next));
		} else if (pte_leaf(*pte)) {
			panic("pmap: %p already mapped by a level-%d leaf",
			      (void *)va, l);
		}
		table = phys_to_virt(pte_pa(*pte));
	}
	return &table[pt_index(va, level)];
}

/* Map [va, va + size) to pa with the largest leaves alignment allows. */
static void kmap_range(vaddr_t va, paddr_t pa, uint64_t size, unsigned int prot)
{
	uint64_t bits = prot_to_pte(prot);

	while (size) {
		int level = 0;

		for (int l = 2; l > 0; l--) {
			uint64_t s = pt_level_size(l);

			if (IS_ALIGNED(va, s) && IS_ALIGNED(pa, s) && size >= s) {
				level = l;
				break;
			}
		}
		pte_t *pte = kwalk(va, level);

		if (!pte)
			panic("pmap_bootstrap: out of memory for page tables");
		*pte = pte_make(pa, bits);
		va += pt_level_size(level);
		pa += pt_level_size(level);
		size -= pt_level_size(level);
	}
}

static void kmap_image(void)
{
	vaddr_t text = (vaddr_t)_text_start, rodata = (vaddr_t)_rodata_start;
	vaddr_t data = (vaddr_t)_data_start, end = (vaddr_t)_kernel_end;

	kmap_range(text, virt_to_phys(_text_start), (vaddr_t)_text_end - text,
		   VM_PROT_READ | VM_PROT_EXEC);
	kmap_range(rodata, virt_to_phys(_rodata_start),
		   (vaddr_t)_rodata_end - rodata, VM_PROT_READ);
	kmap_range(data, virt_to_phys(_data_start),
		   ALIGN_UP(end, PAGE_SIZE) - data, VM_PROT_READ | VM_PROT_WRITE);
}

void *pmap_map_device(paddr_t pa, uint64_t size)
{
	paddr_t start = ALIGN_DOWN(pa, PAGE_SIZE);
	paddr_t end = ALIGN_UP(pa + size, PAGE_SIZE);

	if (end > DMAP_SIZE)
		panic("pmap_map_device: %p is beyond the direct map", (void *)pa);
	kmap_range((vaddr_t)phys_to_virt(start), start, end - start,
		   VM_PROT_READ | VM_PROT_WRITE);
	if (kernel_satp)
		sfence_vma_all();
	return phys_to_virt(pa);
}

static void kmap_board_devices(const struct board *b)
{
	pmap_map_device(b->uart.base, b->uart.size);
	pmap_map_device(b->plic.base, b->plic.size);
	for (int i = 0; i < b->nvirtio; i++)
		pmap_map_device(b->virtio[i].base, b->virtio[i].size);
	if (b->test.base)
		pmap_map_device(b->test.base, b->test.size);
}

void pmap_bootstrap(const struct board *b)
{
	kernel_root = pt_alloc();
	if (!kernel_root)
		panic("pmap_bootstrap: no frame for the kernel root");
	kmap_image();
	for (int i = 0; i < b->nmem; i++) {
		paddr_t start = ALIGN_UP(b->mem[i].base, PAGE_SIZE);
		paddr_t end = ALIGN_DOWN(b->mem[i].base + b->mem[i].size, PAGE_SIZE);

		if (end > DMAP_SIZE)
			end = DMAP_SIZE;
		if (start < end)
			kmap_range((vaddr_t)phys_to_virt(start), start,
				   end - start, VM_PROT_READ | VM_PROT_WRITE);
	}
	kmap_board_devices(b);
	/* The kernel-stack gigabyte needs its table now: the root entry is shared. */
	if (!kwalk(KSTACK_BASE, 1))
		panic("pmap_bootstrap: out of memory for page tables");
	kernel_satp = SATP_MODE_SV39 | (virt_to_phys(kernel_root) >> PAGE_SHIFT);
	pmap_activate_kernel();
}

void pmap_activate_kernel(void)
{
	csr_write(satp, kernel_satp);
	sfence_vma_all();
}

void pmap_drop_identity(void)
{
	paddr_t kernel_pa = virt_to_phys(_kernel_start);

	boot_pagetable[pt_index(kernel_pa, 2)] = 0;
}

/* Count one remote fence request to the harts of mask (vm/vmstat.h). */
static void count_shootdown(unsigned long mask)
{
	vmstat_inc(VMSTAT_TLB_SHOOTDOWN_SENT);
	vmstat_add(VMSTAT_TLB_SHOOTDOWN_HARTS, __builtin_popcountl(mask));
}

/* Flush va from every online hart's TLB (kernel mappings are global). */
static void kflush_all_harts(vaddr_t va)
{
	unsigned long mask = smp_online_hart_mask() & ~(1UL << this_cpu()->hartid);

	sfence_vma_page(va);
	if (mask) {
		count_shootdown(mask);
		sbi_remote_sfence_vma(mask, 0, va, PAGE_SIZE);
	}
}

int pmap_kenter(vaddr_t va, paddr_t pa, unsigned int prot)
{
	unsigned long flags = spin_lock_irqsave(&kpt_lock);
	pte_t *pte = kwalk(va, 0);

	if (pte)
		*pte = pte_make(pa, prot_to_pte(prot));
	spin_unlock_irqrestore(&kpt_lock, flags);
	return pte ? 0 : -ENOMEM;
}

/* The level-0 entry of va, or NULL if no table holds it. */
static pte_t *klookup(vaddr_t va)
{
	pte_t *table = kernel_root;

	for (int l = PT_LEVELS - 1; l > 0; l--) {
		pte_t pte = table[pt_index(va, l)];

		if (!pte_valid(pte) || pte_leaf(pte))
			return NULL;
		table = phys_to_virt(pte_pa(pte));
	}
	return &table[pt_index(va, 0)];
}

paddr_t pmap_kremove(vaddr_t va)
{
	unsigned long flags = spin_lock_irqsave(&kpt_lock);
	pte_t *pte = klookup(va);
	paddr_t pa = 0;

	if (pte && pte_valid(*pte)) {
		pa = pte_pa(*pte);
		*pte = 0;
	}
	spin_unlock_irqrestore(&kpt_lock, flags);
	if (pa)
		kflush_all_harts(va);
	return pa;
}

paddr_t pmap_kextract(vaddr_t va)
{
	pte_t *table = kernel_root;

	for (int l = PT_LEVELS - 1; l >= 0; l--) {
		pte_t pte = table[pt_index(va, l)];

		if (!pte_valid(pte))
			return 0;
		if (pte_leaf(pte))
			return pte_pa(pte) + (va & (pt_level_size(l) - 1));
		table = phys_to_virt(pte_pa(pte));
	}
	return 0;
}

/*
 * ---- User address spaces ----
 *
 * Each pmap has its own root table; entries 256..511 (the kernel half) are
 * copied from the kernel root when it is created and never change, since
 * the kernel root's entries are all fixed at boot.
 *
 * ASIDs: each pmap gets an ASID tagged with a generation. When the ASIDs
 * of a generation run out, a new generation starts: every pmap gets a new
 * ASID the next time it is activated, and each hart flushes its whole TLB
 * the first time it activates anything in the new generation. Switching
 * address spaces therefore flushes nothing in the common case.
 *
 * Shootdowns: a pmap remembers the harts it has been active on since it got
 * its ASID (`harts`). Unmapping or protecting a page flushes it locally by
 * ASID and, through SBI remote fences, on the other harts in that set only.
 */
struct pmap {
	pte_t *root;
	uint64_t asid;			/* gen << 16 | asid, asid_lock */
	unsigned long harts;		/* hart-id bits that may cache it; atomic */
	uint64_t table_pages;		/* page-table frames, root included */
	uint64_t resident;		/* valid user leaves */
	struct spinlock lock;		/* guards the page tables */
};

#define ASID_MASK	0xffffUL
#define ASID_GEN_SHIFT	16

static struct spinlock asid_lock = SPINLOCK_INIT("asid");
static uint64_t asid_bits;		/* ASID width the hart supports */
static uint64_t asid_generation = 1;
static uint64_t asid_next = 1;		/* ASID 0 belongs to the kernel */
static uint64_t hart_generation[NCPU_MAX];	/* generation each hart has flushed to */

/* How many ASID bits satp holds on this hart (0 if none). */
static void asid_probe(void)
{
	uint64_t satp = csr_read(satp);

	csr_write(satp, satp | (ASID_MASK << SATP_ASID_SHIFT));
	asid_bits = __builtin_popcountl((csr_read(satp) >> SATP_ASID_SHIFT) & ASID_MASK);
	csr_write(satp, satp);
	sfence_vma_all();
}

static struct kmem_cache *pmap_cache;

struct pmap *pmap_create(void)
{
	struct pmap *pm;

	if (!pmap_cache) {
		asid_probe();
		pmap_cache = kmem_cache_create("pmap", sizeof(struct pmap), 0);
		if (!pmap_cache)
			return NULL;
	}
	pm = kmem_cache_alloc(pmap_cache, KM_ZERO);
	if (!pm)
		return NULL;
	pm->root = pt_alloc();
	if (!pm->root) {
		kmem_cache_free(pmap_cache, pm);
		return NULL;
	}
	memcpy(&pm->root[PT_ENTRIES / 2], &kernel_root[PT_ENTRIES / 2],
	       PT_ENTRIES / 2 * sizeof(pte_t));
	pm->table_pages = 1;
	spin_init(&pm->lock, "pmap");
	return pm;
}

/*
 * Free the user part of a table at `level` and everything below it; the
 * frames its leaf entries map lose one mapping each.
 */
static void pt_free_tree(pte_t *table, int level, int nentries)
{
	for (int i = 0; i < nentries; i++) {
		pte_t pte = table[i];

		if (!pte_valid(pte))
			continue;
		if (pte_leaf(pte))
			page_mapcount_add(pte_pa(pte), -1);
		else if (level > 0)
			pt_free_tree(phys_to_virt(pte_pa(pte)), level - 1, PT_ENTRIES);
	}
	pmm_free(virt_to_page(table));
}

/* Flush all of pm's translations on every hart that may hold them. */
static void pmap_flush_all(struct pmap *pm)
{
	uint64_t asid = pm->asid & ASID_MASK;
	unsigned long mask = __atomic_load_n(&pm->harts, __ATOMIC_ACQUIRE);
	unsigned long self = 1UL << this_cpu()->hartid;

	if (!mask)
		return;
	if (mask & self)
		__asm__ volatile("sfence.vma zero, %0" :: "r"(asid) : "memory");
	if (mask & ~self) {
		count_shootdown(mask & ~self);
		sbi_remote_sfence_vma_asid(mask & ~self, 0, 0, 0, asid);
	}
}

void pmap_destroy(struct pmap *pm)
{
	pmap_flush_all(pm);
	pt_free_tree(pm->root, PT_LEVELS - 1, PT_ENTRIES / 2);
	kmem_cache_free(pmap_cache, pm);
}

/* Give pm an ASID of the current generation (asid_lock held). */
static void asid_assign(struct pmap *pm)
{
	uint64_t max = asid_bits ? (1UL << asid_bits) - 1 : 0;

	if (asid_next > max) {
		asid_generation++;
		asid_next = 1;
	}
	pm->asid = asid_generation << ASID_GEN_SHIFT | (max ? asid_next++ : 0);
	pm->harts = 0;
}

void pmap_activate(struct pmap *pm)
{
	struct cpu *c = this_cpu();
	unsigned long flags;
	uint64_t satp;

	if (!pm) {
		csr_write(satp, kernel_satp);
		return;
	}
	flags = spin_lock_irqsave(&asid_lock);
	if ((pm->asid >> ASID_GEN_SHIFT) != asid_generation || !asid_bits)
		asid_assign(pm);
	bool flush = hart_generation[c->id] != asid_generation || !asid_bits;

	hart_generation[c->id] = asid_generation;
	__atomic_or_fetch(&pm->harts, 1UL << c->hartid, __ATOMIC_RELEASE);
	satp = SATP_MODE_SV39 | (pm->asid & ASID_MASK) << SATP_ASID_SHIFT |
	       virt_to_phys(pm->root) >> PAGE_SHIFT;
	spin_unlock_irqrestore(&asid_lock, flags);
	csr_write(satp, satp);
	if (flush)
		sfence_vma_all();
}

/* Flush one page of pm everywhere it may be cached. */
static void pmap_flush_page(struct pmap *pm, vaddr_t va)
{
	uint64_t asid = pm->asid & ASID_MASK;
	unsigned long mask = __atomic_load_n(&pm->harts, __ATOMIC_ACQUIRE);
	unsigned long self = 1UL << this_cpu()->hartid;

	if (mask & self)
		__asm__ volatile("sfence.vma %0, %1" :: "r"(va), "r"(asid) : "memory");
	if (mask & ~self) {
		count_shootdown(mask & ~self);
		sbi_remote_sfence_vma_asid(mask & ~self, 0, va, PAGE_SIZE, asid);
	}
}

/* Flush [start, end) of pm: page by page when short, the whole ASID if not. */
static void pmap_flush_range(struct pmap *pm, vaddr_t start, vaddr_t end)
{
	if (end - start > 64 * PAGE_SIZE) {
		pmap_flush_all(pm);
		return;
	}
	for (vaddr_t va = start; va < end; va += PAGE_SIZE)
		pmap_flush_page(pm, va);
}

/* The level-0 entry for va in pm, creating tables if `create`. */
static pte_t *uwalk(struct pmap *pm, vaddr_t va, bool create)
{
	pte_t *table = pm->root;

	for (int l = PT_LEVELS - 1; l > 0; l--) {
		pte_t *pte = &table[pt_index(va, l)];

		if (!pte_valid(*pte)) {
			pte_t *next;

			if (!create || !(next = pt_alloc()))
				return NULL;
			pm->table_pages++;
			*pte = pte_make_table(virt_to_phys(next));
		}
		table = phys_to_virt(pte_pa(*pte));
	}
	return &table[pt_index(va, 0)];
}

static uint64_t user_prot_to_pte(unsigned int prot)
{
	uint64_t bits = PTE_U | PTE_A;

	if (prot & VM_PROT_READ)
		bits |= PTE_R;
	if (prot & VM_PROT_WRITE)
		bits |= PTE_W | PTE_R | PTE_D;
	if (prot & VM_PROT_EXEC)
		bits |= PTE_X;
	return bits;
}

static unsigned int pte_to_prot(pte_t pte)
{
	return (pte & PTE_R ? VM_PROT_READ : 0) |
	       (pte & PTE_W ? VM_PROT_WRITE : 0) |
	       (pte & PTE_X ? VM_PROT_EXEC : 0);
}

int pmap_enter(struct pmap *pm, vaddr_t va, paddr_t pa, unsigned int prot)
{
	unsigned long flags = spin_lock_irqsave(&pm->lock);
	pte_t *pte = uwalk(pm, va, true);
	bool was_valid;

	if (!pte) {
		spin_unlock_irqrestore(&pm->lock, flags);
		return -ENOMEM;
	}
	was_valid = pte_valid(*pte);
	if (!was_valid)
		pm->resident++;
	else
		page_mapcount_add(pte_pa(*pte), -1);
	page_mapcount_add(pa, 1);
	*pte = pte_make(pa, user_prot_to_pte(prot));
	spin_unlock_irqrestore(&pm->lock, flags);
	if (was_valid)
		pmap_flush_page(pm, va);
	return 0;
}

/*
 * Free the level-0 table covering va if it maps nothing any more, and the
 * level-1 table above it likewise (pm->lock held). Returns true if a table
 * went: the caller must then flush the address space's translations, since
 * harts may cache the path through it.
 */
static bool pt_prune(struct pmap *pm, vaddr_t va)
{
	pte_t *l2e = &pm->root[pt_index(va, 2)], *l1e, *l1, *l0;
	bool pruned = false;

	if (!pte_valid(*l2e) || pte_leaf(*l2e))
		return false;
	l1 = phys_to_virt(pte_pa(*l2e));
	l1e = &l1[pt_index(va, 1)];
	if (!pte_valid(*l1e) || pte_leaf(*l1e))
		return false;
	l0 = phys_to_virt(pte_pa(*l1e));
	for (int i = 0; i < PT_ENTRIES; i++)
		if (l0[i])
			return false;
	*l1e = 0;
	pmm_free(virt_to_page(l0));
	pm->table_pages--;
	pruned = true;
	for (int i = 0; i < PT_ENTRIES; i++)
		if (l1[i])
			return pruned;
	*l2e = 0;
	pmm_free(virt_to_page(l1));
	pm->table_pages--;
	return pruned;
}

void pmap_remove(struct pmap *pm, vaddr_t start, vaddr_t end)
{
	bool pruned = false;

	for (vaddr_t va = start; va < end; va += PAGE_SIZE) {
		unsigned long flags = spin_lock_irqsave(&pm->lock);
		pte_t *pte = uwalk(pm, va, false);
		bool was_valid = pte && pte_valid(*pte);
		vaddr_t table_end = ALIGN_UP(va + 1, pt_level_size(1));

		if (was_valid) {
			page_mapcount_add(pte_pa(*pte), -1);
			*pte = 0;
			pm->resident--;
		}
		/* leaving a level-0 table (or the range): drop it if now empty */
		if (pte && (va + PAGE_SIZE == table_end || va + PAGE_SIZE >= end))
			pruned |= pt_prune(pm, va);
		spin_unlock_irqrestore(&pm->lock, flags);
		if (was_valid)
			pmap_flush_page(pm, va);
		else if (!pte)		/* no table here: skip to the next one */
			va = table_end - PAGE_SIZE;
	}
	if (pruned)
		pmap_flush_all(pm);	/* page-walk caches may hold the tables */
}

void pmap_protect(struct pmap *pm, vaddr_t start, vaddr_t end,
		  unsigned int prot)
{
	bool changed = false;

	for (vaddr_t va = start; va < end; ) {
		vaddr_t chunk_end = MIN(ALIGN_UP(va + 1, pt_level_size(1)), end);
		unsigned long flags = spin_lock_irqsave(&pm->lock);
		pte_t *t = uwalk(pm, va, false);

		for (size_t i = 0; t && va + i * PAGE_SIZE < chunk_end; i++) {
			pte_t old = t[i], new;
			unsigned int keep;

			if (!pte_valid(old))
				continue;
			keep = pte_to_prot(old) & prot;
			new = keep ? pte_make(pte_pa(old), user_prot_to_pte(keep)) : 0;
			if (!keep) {
				page_mapcount_add(pte_pa(old), -1);
				pm->resident--;
			}
			if (new != old) {
				t[i] = new;
				changed = true;
			}
		}
		spin_unlock_irqrestore(&pm->lock, flags);
		va = chunk_end;
	}
	if (changed)
		pmap_flush_range(pm, start, end);
}

/*
 * Copy the entries of [va, chunk_end) (inside one level-0 table) from src
 * to dst. Both locks held. Returns -ENOMEM, 1 if src lost write permission
 * somewhere, else 0.
 */
static int copy_chunk(struct pmap *dst, struct pmap *src, vaddr_t va,
		      vaddr_t chunk_end, unsigned int drop)
{
	pte_t *s0 = uwalk(src, va, false), *d0;
	int changed = 0;

	if (!s0)
		return 0;
	d0 = uwalk(dst, va, true);
	if (!d0)
		return -ENOMEM;
	for (size_t i = 0; va + i * PAGE_SIZE < chunk_end; i++) {
		pte_t e = s0[i];

		if (!pte_valid(e))
			continue;
		if ((drop & VM_PROT_WRITE) && (e & PTE_W)) {
			s0[i] = e & ~(PTE_W | PTE_D);
			changed = 1;
		}
		if (!pte_valid(d0[i]))
			dst->resident++;
		else
			page_mapcount_add(pte_pa(d0[i]), -1);
		page_mapcount_add(pte_pa(e), 1);
		d0[i] = pte_make(pte_pa(e), user_prot_to_pte(pte_to_prot(e) & ~drop));
	}
	return changed;
}

int pmap_copy(struct pmap *dst, struct pmap *src, vaddr_t start, vaddr_t end,
	      unsigned int drop)
{
	bool src_changed = false;
	int ret = 0;

	for (vaddr_t va = start; va < end && ret >= 0; ) {
		vaddr_t chunk_end = MIN(ALIGN_UP(va + 1, pt_level_size(1)), end);
		unsigned long flags = spin_lock_irqsave(&src->lock);

		spin_lock(&dst->lock);
		ret = copy_chunk(dst, src, va, chunk_end, drop);
		spin_unlock(&dst->lock);
		spin_unlock_irqrestore(&src->lock, flags);
		src_changed |= ret > 0;
		va = chunk_end;
	}
	if (src_changed)
		pmap_flush_range(src, start, end);
	return ret < 0 ? ret : 0;
}

bool pmap_extract(struct pmap *pm, vaddr_t va, paddr_t *pa, unsigned int *prot)
{
	unsigned long flags = spin_lock_irqsave(&pm->lock);
	pte_t *pte = uwalk(pm, va, false);
	bool mapped = pte && pte_valid(*pte);

	if (mapped) {
		if (pa)
			*pa = pte_pa(*pte);
		if (prot)
			*prot = pte_to_prot(*pte);
	}
	spin_unlock_irqrestore(&pm->lock, flags);
	return mapped;
}

/*
 * The state of a pmap_walk: entries are ordered by (va, level from the
 * top), which the key va | (2 - level) encodes (va is page aligned), so the
 * cursor is the key of the first entry not yet reported.
 */
struct walk {
	uint64_t cursor;
	struct pmap_entry *out;
	size_t max, n;
	bool full;
};

static void walk_table(struct walk *w, pte_t *table, int level, vaddr_t base,
		       unsigned int nentries)
{
	for (unsigned int i = 0; i < nentries && !w->full; i++) {
		pte_t pte = table[i];
		vaddr_t va = base + i * pt_level_size(level);
		uint64_t key = va | (uint64_t)(PT_LEVELS - 1 - level);

		if (!pte_valid(pte) || va + pt_level_size(level) <= (w->cursor & ~PAGE_MASK))
			continue;
		if (key >= w->cursor) {
			if (w->n == w->max) {
				w->cursor = key;
				w->full = true;
				return;
			}
			w->out[w->n++] = (struct pmap_entry){
				.va = va, .pa = pte_pa(pte), .level = level, .index = i,
				.prot = pte_leaf(pte) ? pte_to_prot(pte) : 0,
				.leaf = pte_leaf(pte), .user = pte & PTE_U,
				.global = pte & PTE_G, .accessed = pte & PTE_A,
				.dirty = pte & PTE_D,
			};
		}
		if (!pte_leaf(pte) && level > 0)
			walk_table(w, phys_to_virt(pte_pa(pte)), level - 1, va, PT_ENTRIES);
	}
}

size_t pmap_walk(struct pmap *pm, uint64_t *cursor, struct pmap_entry *out,
		 size_t max)
{
	struct walk w = { .cursor = *cursor, .out = out, .max = max };
	unsigned long flags = spin_lock_irqsave(&pm->lock);

	walk_table(&w, pm->root, PT_LEVELS - 1, 0, PT_ENTRIES / 2);
	spin_unlock_irqrestore(&pm->lock, flags);
	*cursor = w.full ? w.cursor : PMAP_WALK_DONE;
	return w.n;
}

paddr_t pmap_root_pa(const struct pmap *pm)
{
	return virt_to_phys(pm->root);
}

uint64_t pmap_table_pages(const struct pmap *pm)
{
	return pm->table_pages;
}

uint64_t pmap_resident(const struct pmap *pm)
{
	return pm->resident;
}
