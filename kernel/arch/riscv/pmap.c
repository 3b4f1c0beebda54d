/*
 * Sv39 pmap: the kernel page table and user address spaces.
 *
 * Page-table pages come from the pmm (state PAGE_PGTABLE) and are reached
 * through the direct map. Kernel leaves carry G (global: the same in every
 * address space), and A and D preset so the hardware never needs to update
 * them. User leaves start without A and D (see "Reverse map" below).
 *
 * Lock order (the whole file):
 *   pm->lock (a user page table)
 *     -> the rmap lock of one frame (vm/rmap.h; never two at once)
 *       -> pmm (a chunk of pv entries)
 *   pmap_copy takes src->lock, then dst->lock (a parent before its child).
 *   The frame-wide calls (pmap_page_protect, pmap_*_reference/modify) take
 *   an rmap lock alone; kpt_lock and asid_lock are leaves.
 */
#include "vm/pmap.h"
#include "vm/pmm.h"
#include "vm/rmap.h"
#include "vm/vmstat.h"
#include "kern/board.h"
#include "vm/kmem.h"
#include "arch/riscv/cpu.h"
#include "arch/riscv/csr.h"
#include "arch/riscv/memlayout.h"
#include "arch/riscv/probe.h"
#include "arch/riscv/pte.h"
#include "arch/riscv/tlb.h"

extern pte_t boot_pagetable[PT_ENTRIES];

static pte_t *kernel_root;		/* the kernel's top-level table */
uint64_t kernel_satp;			/* read by secondary_entry in boot.S */
static struct spinlock kpt_lock = SPINLOCK_INIT("kernel page table");

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
		tlb_shootdown_kernel(va);	/* kernel leaves are global */
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
 * A roll-over does not stop the harts that run a pmap at that moment: they
 * go on under its old ASID until they next activate something, while a hart
 * that activates it now runs it under the new one. Threads make this the
 * common case (one pmap running on several harts). Hence the contract of
 * `harts` (the cpus, by index, that may cache the pmap's translations
 * under any ASID):
 *   - a hart enters `harts` (under asid_lock, before its satp names the
 *     pmap) each time it activates the pmap;
 *   - it leaves only when the pmap gets a new ASID and the hart has flushed
 *     its whole TLB since the roll-over (its hart_generation is the new
 *     one): it cannot have run the pmap since, as that would have needed
 *     the new ASID being assigned now. Every other hart stays, the ones
 *     still running the old ASID among them.
 * A shootdown target flushes the ASID in its own satp (tlb.c), so a hart
 * still on the old ASID flushes the right entries.
 *
 * Shootdowns (tlb.c): unmapping or protecting flushes the range locally and
 * interrupts the harts of `harts` that run the pmap now; the rest are
 * marked in `stale` and flush its ASID when they next activate it. A range
 * longer than TLB_RANGE_MAX_PAGES is flushed as the whole ASID, and a
 * batch of changes is flushed once (pmap_remove: at the end; the frame-wide
 * calls: through a pmap_batch).
 *
 * Reverse map and accessed/dirty bits (vm/rmap.h): a leaf for a managed
 * frame carries PTE_PV and is listed on the frame's rmap; the entry is
 * written and the rmap changed in one critical section of the frame's rmap
 * lock. Leaves are made without A and D. While the rmap lists an entry,
 * it stays valid and maps that frame, so its tables stay too (only empty
 * tables are freed): the frame-wide calls walk to it under the rmap lock
 * alone and change it with atomic operations (the MMU sets A and D
 * atomically too). The only change they make without the pmap's lock is to
 * clear bits or the whole entry, so range code that reads an entry under
 * the pmap's lock re-reads it under the rmap lock before removing it, and
 * lowers permissions with atomic ANDs that keep bits set meanwhile.
 *
 * Lock order: pm->lock -> rmap lock (one at a time) -> pmm (pv chunks).
 */
struct pmap {
	pte_t *root;
	uint64_t asid;			/* gen << 16 | asid, asid_lock */
	unsigned long harts;		/* cpus that may cache it (above); atomic */
	unsigned long stale;		/* cpus to flush it on activation; atomic */
	uint64_t table_pages;		/* page-table frames, root included; lock */
	uint64_t resident;		/* valid user leaves; atomic */
	uint32_t refs;			/* creator + flush batches; atomic */
	struct spinlock lock;		/* guards the page tables */
	struct pv_pool pv;		/* pv entries of its mappings (rmap.h) */
};

#define ASID_MASK	0xffffUL
#define ASID_GEN_SHIFT	16

static struct spinlock asid_lock = SPINLOCK_INIT("asid");
static uint64_t asid_bits;		/* ASID width the hart supports */
static uint64_t asid_generation = 1;
static uint64_t asid_next = 1;		/* ASID 0 belongs to the kernel */
static uint64_t hart_generation[NCPU_MAX];	/* generation each hart has flushed to */
static uint64_t fixups;			/* pmap_fault_fixup successes; atomic */
static bool svade;			/* the MMU faults instead of setting A/D */

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
static void svade_probe(void);

void pmap_init(void)
{
	asid_probe();
	pmap_cache = kmem_cache_create("pmap", sizeof(struct pmap), 0);
	if (!pmap_cache)
		panic("pmap_init: out of memory");
	svade_probe();
}

struct pmap *pmap_create(void)
{
	struct pmap *pm;

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
	pm->refs = 1;
	spin_init(&pm->lock, "pmap");
	pv_pool_init(&pm->pv);
	return pm;
}

static void pmap_ref(struct pmap *pm)
{
	__atomic_add_fetch(&pm->refs, 1, __ATOMIC_RELAXED);
}

/* Drop a reference; the last one frees the (already emptied) pmap. */
static void pmap_unref(struct pmap *pm)
{
	if (__atomic_sub_fetch(&pm->refs, 1, __ATOMIC_ACQ_REL) == 0)
		kmem_cache_free(pmap_cache, pm);
}

static void resident_add(struct pmap *pm, int delta)
{
	__atomic_add_fetch(&pm->resident, delta, __ATOMIC_RELAXED);
}

/* The RMAP_SAVED_* bits an entry's A and D stand for. */
static uint32_t pte_saved_bits(pte_t pte)
{
	return (pte & PTE_A ? RMAP_SAVED_REF : 0) | (pte & PTE_D ? RMAP_SAVED_MOD : 0);
}

/*
 * Clear the leaf *pte of va in pm (pm->lock held), if it is still valid:
 * its frame loses the mapping and, if managed, the rmap entry, keeping the
 * entry's A and D. Returns true if it cleared a valid entry (the caller
 * flushes it).
 */
static bool pte_clear(struct pmap *pm, pte_t *pte, vaddr_t va)
{
	pte_t old = READ_ONCE(*pte);
	struct page *pg;
	struct spinlock *l;

	if (!pte_valid(old))
		return false;
	pg = pa_to_page(pte_pa(old));
	if (!(old & PTE_PV)) {
		WRITE_ONCE(*pte, 0);
		page_mapcount_add(pte_pa(old), -1);
		resident_add(pm, -1);
		return true;
	}
	l = rmap_lock_of(pg);
	spin_lock(l);
	old = __atomic_exchange_n(pte, 0, __ATOMIC_ACQ_REL);
	if (pte_valid(old)) {		/* else pmap_page_protect took it */
		rmap_save(pg, pte_saved_bits(old));
		rmap_remove(pg, pm, va, &pm->pv);
		__atomic_sub_fetch(&pg->mapcount, 1, __ATOMIC_RELAXED);
		resident_add(pm, -1);
	}
	spin_unlock(l);
	return pte_valid(old);
}

/*
 * Make the invalid leaf *pte of va in pm (pm->lock held) map pa with bits,
 * putting it on the frame's rmap if the frame is managed. Returns 0 or
 * -ENOMEM (no pv entry; *pte stays invalid).
 */
static int pte_install(struct pmap *pm, pte_t *pte, vaddr_t va, paddr_t pa,
		       uint64_t bits)
{
	struct page *pg = pa_to_page(pa);
	struct spinlock *l;
	int err;

	if (!rmap_managed(pg)) {
		page_mapcount_add(pa, 1);
		resident_add(pm, 1);
		__atomic_store_n(pte, pte_make(pa, bits), __ATOMIC_RELEASE);
		return 0;
	}
	l = rmap_lock_of(pg);
	spin_lock(l);
	err = rmap_add(pg, pm, va, &pm->pv);
	if (!err) {
		__atomic_add_fetch(&pg->mapcount, 1, __ATOMIC_RELAXED);
		resident_add(pm, 1);
		__atomic_store_n(pte, pte_make(pa, bits | PTE_PV), __ATOMIC_RELEASE);
	}
	spin_unlock(l);
	return err;
}

/*
 * Free the user part of a table at `level` (mapping from va) and everything
 * below it; its leaves are cleared as pmap_remove would. pm is being
 * destroyed: nothing else uses its lock, so a table's leaves are cleared
 * with interrupts off instead (the rmap locks need it).
 */
static void pt_free_tree(struct pmap *pm, pte_t *table, int level,
			 int nentries, vaddr_t va)
{
	unsigned long flags = irq_save();

	for (int i = 0; i < nentries; i++) {
		pte_t pte = table[i];
		vaddr_t at = va + i * pt_level_size(level);

		if (!pte_valid(pte))
			continue;
		if (pte_leaf(pte)) {
			pte_clear(pm, &table[i], at);
		} else if (level > 0) {
			irq_restore(flags);
			pt_free_tree(pm, phys_to_virt(pte_pa(pte)), level - 1,
				     PT_ENTRIES, at);
			flags = irq_save();
		}
	}
	irq_restore(flags);
	pmm_free(virt_to_page(table));
}

/* Flush [start, end) of pm from every hart that may cache it (tlb.h). */
static void pmap_flush_range(struct pmap *pm, vaddr_t start, vaddr_t end)
{
	tlb_shootdown_user(pm, &pm->stale, &pm->harts, start, end);
}

/* Flush all of pm's translations on every hart that may hold them. */
static void pmap_flush_all(struct pmap *pm)
{
	pmap_flush_range(pm, 0, TLB_RANGE_ALL);
}

/* Flush one page of pm everywhere it may be cached. */
static void pmap_flush_page(struct pmap *pm, vaddr_t va)
{
	pmap_flush_range(pm, va, va + PAGE_SIZE);
}

void pmap_destroy(struct pmap *pm)
{
	pmap_flush_all(pm);
	pt_free_tree(pm, pm->root, PT_LEVELS - 1, PT_ENTRIES / 2, 0);
	pv_pool_destroy(&pm->pv);	/* every entry is off its frame's rmap */
	pmap_unref(pm);
}

/*
 * Give pm an ASID of the current generation, starting a new generation if
 * this one has none left (asid_lock held). pm->harts keeps every hart that
 * has not flushed its TLB since the roll-over (see "ASIDs" above).
 */
static void asid_assign(struct pmap *pm)
{
	uint64_t max = asid_bits ? (1UL << asid_bits) - 1 : 0;
	unsigned long keep = 0;

	if (asid_next > max) {
		asid_generation++;
		asid_next = 1;
	}
	pm->asid = asid_generation << ASID_GEN_SHIFT | (max ? asid_next++ : 0);
	for (int i = 0; i < ncpus; i++)
		if (hart_generation[i] != asid_generation)
			keep |= 1UL << i;
	__atomic_and_fetch(&pm->harts, keep, __ATOMIC_SEQ_CST);
}

void pmap_asid_exhaust(void)
{
	unsigned long flags = spin_lock_irqsave(&asid_lock);

	asid_next = asid_bits ? 1UL << asid_bits : 1;
	spin_unlock_irqrestore(&asid_lock, flags);
}

/*
 * Run pm on this hart (NULL: kernel mappings only). Order (tlb.c): join
 * pm->harts, write satp, then publish pm as this hart's active space and
 * flush if a shootdown marked it stale meanwhile, all with interrupts off.
 */
void pmap_activate(struct pmap *pm)
{
	struct cpu *c = this_cpu();
	unsigned long flags = irq_save();
	bool flush_all, stale;
	uint64_t satp;

	if (!pm) {
		csr_write(satp, kernel_satp);
		tlb_activate(NULL, NULL);
		irq_restore(flags);
		return;
	}
	spin_lock(&asid_lock);
	if ((pm->asid >> ASID_GEN_SHIFT) != asid_generation)
		asid_assign(pm);
	flush_all = hart_generation[c->id] != asid_generation || !asid_bits;
	hart_generation[c->id] = asid_generation;
	__atomic_or_fetch(&pm->harts, 1UL << c->id, __ATOMIC_SEQ_CST);
	satp = SATP_MODE_SV39 | (pm->asid & ASID_MASK) << SATP_ASID_SHIFT |
	       virt_to_phys(pm->root) >> PAGE_SHIFT;
	spin_unlock(&asid_lock);
	csr_write(satp, satp);
	stale = tlb_activate(pm, &pm->stale);
	if (flush_all)
		sfence_vma_all();
	else if (stale)
		tlb_flush_local_user(0, TLB_RANGE_ALL);
	irq_restore(flags);
}

/* Flush one page of pm from this hart's TLB (pm runs here). */
static void pmap_flush_local(struct pmap *pm, vaddr_t va)
{
	(void)pm;
	tlb_flush_local_user(va, va + PAGE_SIZE);
}

/* uwalk's slow path: the level-0 entry for va, making missing tables. */
static __attribute__((noinline)) pte_t *uwalk_create(struct pmap *pm, vaddr_t va)
{
	pte_t *table = pm->root;

	for (int l = PT_LEVELS - 1; l > 0; l--) {
		pte_t *pte = &table[pt_index(va, l)];

		if (!pte_valid(*pte)) {
			pte_t *next = pt_alloc();

			if (!next)
				return NULL;
			pm->table_pages++;
			*pte = pte_make_table(virt_to_phys(next));
		}
		table = phys_to_virt(pte_pa(*pte));
	}
	return &table[pt_index(va, 0)];
}

/*
 * The level-0 entry for va in pm, creating tables if `create`. Inline: when
 * the tables are there (nearly every fault) it is two loads.
 */
static inline pte_t *uwalk(struct pmap *pm, vaddr_t va, bool create)
{
	pte_t *table = pm->root;

	for (int l = PT_LEVELS - 1; l > 0; l--) {
		pte_t pte = table[pt_index(va, l)];

		if (!pte_valid(pte))
			return create ? uwalk_create(pm, va) : NULL;
		table = phys_to_virt(pte_pa(pte));
	}
	return &table[pt_index(va, 0)];
}

/* Leaf permission bits for prot; A and D are left for the MMU to set. */
static uint64_t user_prot_to_pte(unsigned int prot)
{
	uint64_t bits = PTE_U;

	if (prot & VM_PROT_READ)
		bits |= PTE_R;
	if (prot & VM_PROT_WRITE)
		bits |= PTE_W | PTE_R;
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

/* Does the user leaf pte let `access` (one VM_PROT_* bit) through? */
static bool pte_allows(pte_t pte, unsigned int access)
{
	if (!pte_valid(pte) || !pte_user(pte))
		return false;
	if (access == VM_PROT_WRITE)
		return pte & PTE_W;
	if (access == VM_PROT_EXEC)
		return pte & PTE_X;
	return pte & PTE_R;
}

/*
 * The AND mask that lowers the valid leaf pte to prot (keeping A, D and
 * the rest), or 0 if nothing would be left (the entry must go).
 */
static pte_t pte_lower_mask(pte_t pte, unsigned int prot)
{
	unsigned int keep = pte_to_prot(pte) & prot;

	if (!keep)
		return 0;
	return ~((PTE_R | PTE_W | PTE_X) & ~user_prot_to_pte(keep));
}

/*
 * The same frame entered again (an upgrade after copy-on-write, say): set
 * the new permissions, keeping A, D and PTE_PV, atomically against the MMU.
 */
static void pte_reprotect(pte_t *pte, uint64_t bits)
{
	pte_t old = __atomic_load_n(pte, __ATOMIC_RELAXED), new;

	do {
		new = (old & ~(PTE_R | PTE_W | PTE_X)) | bits;
	} while (!__atomic_compare_exchange_n(pte, &old, new, false,
					      __ATOMIC_ACQ_REL, __ATOMIC_RELAXED));
}

int pmap_enter(struct pmap *pm, vaddr_t va, paddr_t pa, unsigned int prot)
{
	unsigned long flags = spin_lock_irqsave(&pm->lock);
	pte_t *pte = uwalk(pm, va, true);
	bool flush = false;
	int err = -ENOMEM;

	if (pte) {
		pte_t old = READ_ONCE(*pte);

		if (pte_valid(old) && pte_pa(old) == pa) {
			pte_reprotect(pte, user_prot_to_pte(prot));
			flush = true;
			err = 0;
		} else {
			flush = pte_valid(old) && pte_clear(pm, pte, va);
			err = pte_install(pm, pte, va, pa, user_prot_to_pte(prot));
		}
	}
	spin_unlock_irqrestore(&pm->lock, flags);
	if (flush)
		pmap_flush_page(pm, va);
	return err;
}

/*
 * Unlink the level-0 table covering va if it maps nothing any more, and the
 * level-1 table above it likewise (pm->lock held). The unlinked tables go
 * on `dead` (through their descriptors' link), not back to the allocator:
 * until the caller has flushed the address space's translations another
 * hart may still walk through them (pt_free_dead). Returns the number of
 * tables unlinked.
 */
static unsigned int pt_prune(struct pmap *pm, vaddr_t va, struct list_node *dead)
{
	pte_t *l2e = &pm->root[pt_index(va, 2)], *l1e, *l1, *l0;

	if (!pte_valid(*l2e) || pte_leaf(*l2e))
		return 0;
	l1 = phys_to_virt(pte_pa(*l2e));
	l1e = &l1[pt_index(va, 1)];
	if (!pte_valid(*l1e) || pte_leaf(*l1e))
		return 0;
	l0 = phys_to_virt(pte_pa(*l1e));
	for (int i = 0; i < PT_ENTRIES; i++)
		if (READ_ONCE(l0[i]))
			return 0;
	WRITE_ONCE(*l1e, 0);
	list_append(dead, &virt_to_page(l0)->link);
	pm->table_pages--;
	for (int i = 0; i < PT_ENTRIES; i++)
		if (l1[i])
			return 1;
	WRITE_ONCE(*l2e, 0);
	list_append(dead, &virt_to_page(l1)->link);
	pm->table_pages--;
	return 2;
}

/* Free the tables pt_prune unlinked, once their translations are flushed. */
static void pt_free_dead(struct list_node *dead)
{
	struct page *pg;

	while ((pg = list_first(dead, struct page, link))) {
		list_remove(&pg->link);
		pmm_free(pg);
	}
}

/*
 * One level-0 table at a time, under one hold of pm->lock each: the
 * entries of a table are cleared in a row, and a range with no table (the
 * unused part of a thread's stack given back with MADV_DONTNEED) costs one
 * walk per 2 MiB, not one per page.
 */
void pmap_remove(struct pmap *pm, vaddr_t start, vaddr_t end)
{
	vaddr_t lo = end, hi = start;	/* the pages that were mapped */
	struct list_node dead = LIST_HEAD_INIT(dead);

	for (vaddr_t va = start; va < end; ) {
		vaddr_t chunk_end = MIN(ALIGN_UP(va + 1, pt_level_size(1)), end);
		unsigned long flags = spin_lock_irqsave(&pm->lock);
		pte_t *t = uwalk(pm, va, false);

		for (size_t i = 0; t && va + i * PAGE_SIZE < chunk_end; i++) {
			vaddr_t pva = va + i * PAGE_SIZE;

			if (pte_valid(READ_ONCE(t[i])) && pte_clear(pm, &t[i], pva)) {
				lo = MIN(lo, pva);
				hi = pva + PAGE_SIZE;
			}
		}
		if (t)			/* drop the table if now empty */
			pt_prune(pm, va, &dead);
		spin_unlock_irqrestore(&pm->lock, flags);
		va = chunk_end;
	}
	if (!list_empty(&dead)) {
		pmap_flush_all(pm);	/* page-walk caches may hold the tables */
		pt_free_dead(&dead);
	} else if (lo < hi) {
		pmap_flush_range(pm, lo, hi);
	}
}

/*
 * One level-0 table per hold of pm->lock, as pmap_remove; the level-1
 * entries are read without the lock to find the tables (a table made
 * meanwhile is simply not looked at, one freed meanwhile is found empty of
 * a table under the lock by pt_prune).
 */
uint64_t pmap_trim(struct pmap *pm)
{
	struct list_node dead = LIST_HEAD_INIT(dead);
	uint64_t freed = 0;

	for (vaddr_t va = 0; va < USER_TOP; ) {
		pte_t l2e = READ_ONCE(pm->root[pt_index(va, 2)]);
		pte_t *l1;

		if (!pte_valid(l2e) || pte_leaf(l2e)) {
			va = ALIGN_DOWN(va, pt_level_size(2)) + pt_level_size(2);
			continue;
		}
		l1 = phys_to_virt(pte_pa(l2e));
		if (!pte_valid(READ_ONCE(l1[pt_index(va, 1)]))) {
			va += pt_level_size(1);
			continue;
		}
		unsigned long flags = spin_lock_irqsave(&pm->lock);

		freed += pt_prune(pm, va, &dead);
		spin_unlock_irqrestore(&pm->lock, flags);
		va += pt_level_size(1);
	}
	if (freed) {
		pmap_flush_all(pm);
		pt_free_dead(&dead);
	}
	return freed;
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
			pte_t old = READ_ONCE(t[i]), mask;

			if (!pte_valid(old))
				continue;
			mask = pte_lower_mask(old, prot);
			if (!mask)
				changed |= pte_clear(pm, &t[i], va + i * PAGE_SIZE);
			else if (old & ~mask) {
				__atomic_and_fetch(&t[i], mask, __ATOMIC_ACQ_REL);
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
 * Copy the leaf *s (va in src) to the invalid *d of dst, both locks held,
 * write-protecting *s if `drop` says so. For a managed frame this happens
 * under its rmap lock, after reading *s again (pmap_page_protect may have
 * taken it). Returns -ENOMEM, 1 if *s lost write permission, else 0.
 */
static int copy_pte(struct pmap *dst, pte_t *d, struct pmap *src, pte_t *s,
		    vaddr_t va, unsigned int drop)
{
	pte_t e = READ_ONCE(*s);
	struct page *pg = pa_to_page(pte_pa(e));
	struct spinlock *l = NULL;
	int changed = 0;

	if (e & PTE_PV) {
		l = rmap_lock_of(pg);
		spin_lock(l);
		e = READ_ONCE(*s);
		if (!pte_valid(e))
			goto out;
		if (rmap_add(pg, dst, va, &dst->pv) < 0) {
			spin_unlock(l);
			return -ENOMEM;
		}
	}
	if ((drop & VM_PROT_WRITE) && (e & PTE_W)) {
		__atomic_and_fetch(s, ~PTE_W, __ATOMIC_ACQ_REL);
		changed = 1;
	}
	if (l)
		__atomic_add_fetch(&pg->mapcount, 1, __ATOMIC_RELAXED);
	else
		page_mapcount_add(pte_pa(e), 1);
	resident_add(dst, 1);
	__atomic_store_n(d, pte_make(pte_pa(e), (e & PTE_PV) |
			 user_prot_to_pte(pte_to_prot(e) & ~drop)), __ATOMIC_RELEASE);
out:
	if (l)
		spin_unlock(l);
	return changed;
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
		vaddr_t at = va + i * PAGE_SIZE;
		int ret;

		if (!pte_valid(READ_ONCE(s0[i])))
			continue;
		pte_clear(dst, &d0[i], at);	/* dst is not active: no flush */
		ret = copy_pte(dst, &d0[i], src, &s0[i], at, drop);
		if (ret < 0)
			return ret;
		changed |= ret;
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
	pte_t e = pte ? READ_ONCE(*pte) : 0;
	bool mapped = pte_valid(e);

	if (mapped) {
		if (pa)
			*pa = pte_pa(e);
		if (prot)
			*prot = pte_to_prot(e);
	}
	spin_unlock_irqrestore(&pm->lock, flags);
	return mapped;
}

bool pmap_access(struct pmap *pm, vaddr_t va, unsigned int access, paddr_t *pa)
{
	unsigned long flags = spin_lock_irqsave(&pm->lock);
	pte_t *pte = uwalk(pm, va, false);
	pte_t e = pte ? READ_ONCE(*pte) : 0;
	struct page *pg = pte_valid(e) ? pa_to_page(pte_pa(e)) : NULL;
	bool ok;

	/*
	 * Under the frame's rmap lock, pmap_page_protect cannot take the
	 * entry away between the look and the pin: either the pin comes
	 * first (page-out sees it and keeps the frame) or the entry is gone.
	 */
	if (pg)
		spin_lock(rmap_lock_of(pg));
	e = pte ? READ_ONCE(*pte) : 0;
	ok = pte_allows(e, access) && (!pg || pte_pa(e) == page_to_pa(pg));
	if (ok) {
		__atomic_or_fetch(pte, PTE_A | (access == VM_PROT_WRITE ? PTE_D : 0),
				  __ATOMIC_ACQ_REL);
		*pa = pte_pa(e);
		if (pg)
			page_ref_inc(pg);
	}
	if (pg)
		spin_unlock(rmap_lock_of(pg));
	spin_unlock_irqrestore(&pm->lock, flags);
	return ok;
}

/*
 * The level-0 entry of va in pm without the lock, for a quick look only:
 * NULL if a table on the way is missing. Tables may be freed meanwhile;
 * reading one through the direct map is harmless, and the caller checks
 * again under the lock before changing anything.
 */
static inline pte_t *uwalk_peek(struct pmap *pm, vaddr_t va)
{
	pte_t *table = pm->root;

	for (int l = PT_LEVELS - 1; l > 0; l--) {
		pte_t pte = READ_ONCE(table[pt_index(va, l)]);

		if (!pte_valid(pte) || pte_leaf(pte) || pte_pa(pte) >= DMAP_SIZE)
			return NULL;
		table = phys_to_virt(pte_pa(pte));
	}
	return &table[pt_index(va, 0)];
}

/* The A (and, for a write, D) bits an access needs. */
static pte_t access_bits(unsigned int access)
{
	return PTE_A | (access == VM_PROT_WRITE ? PTE_D : 0);
}

/* pmap_fault_fixup's part under the lock, once the quick look says so. */
static __attribute__((noinline)) bool fixup_locked(struct pmap *pm, vaddr_t va,
						   unsigned int access, pte_t need)
{
	unsigned long flags;
	bool fixed = false;
	pte_t *pte;

	flags = spin_lock_irqsave(&pm->lock);
	pte = uwalk(pm, va, false);
	if (pte && pte_allows(READ_ONCE(*pte), access)) {
		__atomic_or_fetch(pte, need, __ATOMIC_ACQ_REL);
		pmap_flush_local(pm, ALIGN_DOWN(va, PAGE_SIZE));
		fixed = true;
	}
	spin_unlock_irqrestore(&pm->lock, flags);
	if (fixed)
		__atomic_add_fetch(&fixups, 1, __ATOMIC_RELAXED);
	return fixed;
}

struct pv_pool *pmap_pv_pool(struct pmap *pm)
{
	return &pm->pv;
}

unsigned int pmap_shrink_pv(struct pmap *pm)
{
	unsigned long flags = spin_lock_irqsave(&pm->lock);
	unsigned int n = pv_pool_shrink(&pm->pv);

	spin_unlock_irqrestore(&pm->lock, flags);
	return n;
}

bool pmap_fault_fixup(struct pmap *pm, vaddr_t va, unsigned int access)
{
	pte_t need, *pte, e;

	if (!svade)
		return false;	/* the MMU sets the bits: never this fault */
	need = access_bits(access);
	pte = uwalk_peek(pm, va);
	if (!pte)
		return false;
	e = READ_ONCE(*pte);
	if (!pte_allows(e, access) || (e & need) == need)
		return false;
	return fixup_locked(pm, va, access, need);
}

bool pmap_svade(void)
{
	return svade;
}

bool pmap_set_svade(bool on)
{
	bool old = svade;

	svade = on;
	return old;
}

#define SVADE_PROBE_VA	0x1000UL	/* any user address: a throwaway pmap */

/*
 * Does this hart set A itself? Map a kernel frame without A in a throwaway
 * address space and load from it with the fault probe: a hart that updates
 * the bits sets A and the load succeeds; one with Svade faults. Boot only,
 * before any process exists (a fault here is never a user fault). The
 * harts of a board are taken to be alike.
 */
static void svade_probe(void)
{
	struct pmap *pm = pmap_create();
	struct page *pg = pmm_alloc(PMM_ZERO);
	pte_t *pte = pm && pg ? uwalk(pm, SVADE_PROBE_VA, true) : NULL;
	unsigned long flags;
	long faulted;

	if (!pte)
		panic("pmap_init: out of memory");
	*pte = pte_make(page_to_pa(pg), PTE_U | PTE_R);
	flags = irq_save();
	pmap_activate(pm);
	csr_set(sstatus, SSTATUS_SUM);
	faulted = probe_load((void *)SVADE_PROBE_VA);
	csr_clear(sstatus, SSTATUS_SUM);
	pmap_activate(NULL);
	irq_restore(flags);
	svade = faulted || !(READ_ONCE(*pte) & PTE_A);
	*pte = 0;
	pmap_flush_all(pm);
	pmm_free(pg);
	pmap_destroy(pm);
}

uint64_t pmap_fixup_count(void)
{
	return __atomic_load_n(&fixups, __ATOMIC_RELAXED);
}

bool pmap_rmap_check(struct pmap *pm, vaddr_t va)
{
	unsigned long flags = spin_lock_irqsave(&pm->lock);
	pte_t *pte = uwalk(pm, va, false);
	pte_t e = pte ? READ_ONCE(*pte) : 0;
	struct page *pg = pa_to_page(pte_pa(e));
	bool ok = pte_valid(e);

	if (ok && (e & PTE_PV)) {
		struct spinlock *l = rmap_lock_of(pg);

		spin_lock(l);
		ok = rmap_managed(pg) && rmap_contains(pg, pm, va) &&
		     page_mapcount(pg) >= rmap_count(pg);
		spin_unlock(l);
	} else if (ok) {
		ok = !rmap_managed(pg);
	}
	spin_unlock_irqrestore(&pm->lock, flags);
	return ok;
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
	vaddr_t from = w->cursor & ~PAGE_MASK;
	unsigned int first = 0;

	/* entries wholly below the cursor were reported by an earlier call */
	if (from > base)
		first = MIN((from - base) / pt_level_size(level), (vaddr_t)nentries);
	for (unsigned int i = first; i < nentries && !w->full; i++) {
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
	return __atomic_load_n(&pm->resident, __ATOMIC_RELAXED);
}

/*
 * ---- Frames: through the reverse map ----
 *
 * Each call holds the frame's rmap lock while it looks at the frame's
 * entries; the flushes it owes are batched and done after the lock is
 * dropped (the batch holds a reference on each pmap).
 */

/* Note that (pm, va) must be flushed. */
static void batch_add(struct pmap_batch *b, struct pmap *pm, vaddr_t va)
{
	for (unsigned int i = 0; i < b->n; i++) {
		if (b->e[i].pm == pm) {
			if (b->e[i].va != va)
				b->e[i].va = PMAP_BATCH_ALL;
			return;
		}
	}
	if (b->n == PMAP_BATCH_MAX)
		pmap_batch_flush(b);
	pmap_ref(pm);
	b->e[b->n].pm = pm;
	b->e[b->n].va = va;
	b->n++;
}

void pmap_batch_flush(struct pmap_batch *b)
{
	for (unsigned int i = 0; i < b->n; i++) {
		if (b->e[i].va == PMAP_BATCH_ALL)
			pmap_flush_all(b->e[i].pm);
		else
			pmap_flush_page(b->e[i].pm, b->e[i].va);
		pmap_unref(b->e[i].pm);
	}
	b->n = 0;
}

/* rmap_pte's check failed: the reverse map and the page tables disagree. */
static __attribute__((noinline, cold, noreturn)) void
rmap_pte_wrong(const struct page *pg, vaddr_t va)
{
	panic("pmap: the rmap of frame 0x%lx lists 0x%lx, which does not map it",
	      (unsigned long)page_to_pa(pg), (unsigned long)va);
}

/*
 * The entry of (pm, va), which pg's rmap lists (its lock held). Inline,
 * with the failed check out of line: page-out looks up two or three
 * entries per page it evicts.
 */
static inline pte_t *rmap_pte(const struct page *pg, struct pmap *pm, vaddr_t va)
{
	pte_t *pte = uwalk(pm, va, false);

	if (unlikely(!pte || !pte_valid(*pte) || pte_pa(*pte) != page_to_pa(pg)))
		rmap_pte_wrong(pg, va);
	return pte;
}

/*
 * Remove the entry (pm, va) of pg (rmap lock held) and owe its flush. The
 * entry is cleared last: until then pmap_destroy, which skips invalid
 * entries without the rmap lock, waits for this lock on it, so pm, its
 * tables and its pv pool outlive every step here.
 */
static void rmap_unmap_one(struct page *pg, struct pmap *pm, vaddr_t va,
			   struct pmap_batch *b)
{
	pte_t *pte = rmap_pte(pg, pm, va), old;

	batch_add(b, pm, va);
	rmap_remove(pg, pm, va, &pm->pv);
	resident_add(pm, -1);
	old = __atomic_exchange_n(pte, 0, __ATOMIC_ACQ_REL);
	rmap_save(pg, pte_saved_bits(old));
	__atomic_sub_fetch(&pg->mapcount, 1, __ATOMIC_RELAXED);
}

struct lower_ctx {
	struct page *pg;
	unsigned int prot;
	struct pmap_batch *b;
	struct pmap *gone_pm;		/* an entry that must go entirely */
	vaddr_t gone_va;
};

static void lower_one(struct pmap *pm, vaddr_t va, void *arg)
{
	struct lower_ctx *c = arg;
	pte_t *pte = rmap_pte(c->pg, pm, va);
	pte_t mask = pte_lower_mask(READ_ONCE(*pte), c->prot);

	if (!mask) {
		c->gone_pm = pm;
		c->gone_va = va;
	} else if (READ_ONCE(*pte) & ~mask) {
		__atomic_and_fetch(pte, mask, __ATOMIC_ACQ_REL);
		batch_add(c->b, pm, va);
	}
}

void pmap_page_protect_batch(struct page *pg, unsigned int prot,
			     struct pmap_batch *b)
{
	struct spinlock *l = rmap_lock_of(pg);
	struct lower_ctx c = { .pg = pg, .prot = prot, .b = b };
	unsigned long flags;
	struct pmap *pm;
	vaddr_t va;

	flags = spin_lock_irqsave(l);
	if (prot == VM_PROT_NONE) {
		while (rmap_first(pg, &pm, &va))
			rmap_unmap_one(pg, pm, va, b);
	} else {
		do {
			c.gone_pm = NULL;
			rmap_foreach(pg, lower_one, &c);
			if (c.gone_pm)
				rmap_unmap_one(pg, c.gone_pm, c.gone_va, b);
		} while (c.gone_pm);
	}
	spin_unlock_irqrestore(l, flags);
}

void pmap_page_protect(struct page *pg, unsigned int prot)
{
	struct pmap_batch b;

	pmap_batch_init(&b);
	pmap_page_protect_batch(pg, prot, &b);
	pmap_batch_flush(&b);
}

struct bits_ctx {
	struct page *pg;
	pte_t bits;
	pte_t seen;
	struct pmap_batch *b;		/* NULL: look only */
};

static void bits_one(struct pmap *pm, vaddr_t va, void *arg)
{
	struct bits_ctx *c = arg;
	pte_t *pte = rmap_pte(c->pg, pm, va);
	pte_t old;

	if (!c->b) {
		c->seen |= READ_ONCE(*pte) & c->bits;
		return;
	}
	old = __atomic_fetch_and(pte, ~c->bits, __ATOMIC_ACQ_REL);
	if (old & c->bits) {
		c->seen |= old & c->bits;
		batch_add(c->b, pm, va);
	}
}

/*
 * Look at (b NULL) or clear (into b) the bits (PTE_A or PTE_D) of pg's
 * entries and the saved one; returns whether any was set.
 */
static bool page_bits(struct page *pg, pte_t bits, struct pmap_batch *b)
{
	struct spinlock *l = rmap_lock_of(pg);
	struct bits_ctx c = { .pg = pg, .bits = bits, .b = b };
	uint32_t saved = bits == PTE_A ? RMAP_SAVED_REF : RMAP_SAVED_MOD;
	unsigned long flags = spin_lock_irqsave(l);
	bool set = rmap_saved(pg) & saved;

	if (b)
		rmap_unsave(pg, saved);
	if (!set || b)
		rmap_foreach(pg, bits_one, &c);
	spin_unlock_irqrestore(l, flags);
	return set || c.seen;
}

bool pmap_is_referenced(struct page *pg)
{
	return page_bits(pg, PTE_A, NULL);
}

bool pmap_is_modified(struct page *pg)
{
	return page_bits(pg, PTE_D, NULL);
}

bool pmap_clear_reference_batch(struct page *pg, struct pmap_batch *b)
{
	return page_bits(pg, PTE_A, b);
}

bool pmap_clear_reference(struct page *pg)
{
	struct pmap_batch b;
	bool set;

	pmap_batch_init(&b);
	set = page_bits(pg, PTE_A, &b);
	pmap_batch_flush(&b);
	return set;
}

bool pmap_clear_modify(struct page *pg)
{
	struct pmap_batch b;
	bool set;

	pmap_batch_init(&b);
	set = page_bits(pg, PTE_D, &b);
	pmap_batch_flush(&b);
	return set;
}
