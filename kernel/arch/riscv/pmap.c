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
#include "kern/board.h"
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

/* Flush va from every online hart's TLB (kernel mappings are global). */
static void kflush_all_harts(vaddr_t va)
{
	unsigned long mask = smp_online_hart_mask() & ~(1UL << this_cpu()->hartid);

	sfence_vma_page(va);
	if (mask)
		sbi_remote_sfence_vma(mask, 0, va, PAGE_SIZE);
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
