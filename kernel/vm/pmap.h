/*
 * pmap — the machine-dependent layer of the VM, and the only code that knows
 * the page-table format, satp and TLB fences. The implementation for Sv39 is
 * kernel/arch/riscv/pmap.c.
 *
 * The kernel half is built once at boot and its top-level entries are shared
 * by every address space, so kernel mappings made later (kernel stacks) are
 * seen everywhere without copying.
 */
#ifndef KILBURN_PMAP_H
#define KILBURN_PMAP_H

#include "env.h"

#define VM_PROT_NONE	0x0
#define VM_PROT_READ	0x1
#define VM_PROT_WRITE	0x2
#define VM_PROT_EXEC	0x4

struct board;

/*
 * pmap_bootstrap - build the kernel page table: the kernel image with W^X
 * permissions, a direct map of every RAM range (RW, never executable) and
 * the device registers the board lists. Switches this hart to it; the
 * boot-time identity map is no longer used. Needs the pmm. Panics if out
 * of memory (the machine cannot run).
 */
void pmap_bootstrap(const struct board *b);

/* Switch this hart to the kernel page table (secondary harts at start). */
void pmap_activate_kernel(void);

/* Forget the boot page table's identity map once no hart needs it. */
void pmap_drop_identity(void);

/*
 * pmap_kenter - map the 4 KiB page at va (in the kernel half, outside the
 * direct map and the image) to pa with prot. Returns 0 or -ENOMEM.
 */
int pmap_kenter(vaddr_t va, paddr_t pa, unsigned int prot);

/*
 * pmap_kremove - unmap a page entered with pmap_kenter and flush it from
 * every hart's TLB. Returns the physical address it mapped, or 0 if none.
 */
paddr_t pmap_kremove(vaddr_t va);

/* The physical address va maps to in the kernel table, or 0 if unmapped. */
paddr_t pmap_kextract(vaddr_t va);

/*
 * pmap_map_device - map device registers [pa, pa + size) read-write, not
 * executable, at phys_to_virt(pa), and return that address. Boot time only.
 */
void *pmap_map_device(paddr_t pa, uint64_t size);

/* ---- user address spaces ---- */

struct pmap;

/*
 * pmap_create - an empty user page table whose kernel half is the shared
 * kernel one. Returns NULL if out of memory.
 */
struct pmap *pmap_create(void);

/*
 * pmap_destroy - free a pmap and its page-table pages (not the frames it
 * maps), after flushing its translations from every hart that may cache
 * them. It must not be active on any hart.
 */
void pmap_destroy(struct pmap *pm);

/* Make pm this hart's user address space (NULL: none, kernel only). */
void pmap_activate(struct pmap *pm);

/*
 * pmap_enter - map the user page at va to pa with prot (VM_PROT_*),
 * replacing any previous mapping (which is flushed). Returns 0 or -ENOMEM.
 */
int pmap_enter(struct pmap *pm, vaddr_t va, paddr_t pa, unsigned int prot);

/* Unmap [start, end) (page aligned) and flush it from the TLBs. */
void pmap_remove(struct pmap *pm, vaddr_t start, vaddr_t end);

/*
 * Lower the protection of the mapped pages in [start, end) to prot (a page
 * keeps no permission it did not have) and flush them.
 */
void pmap_protect(struct pmap *pm, vaddr_t start, vaddr_t end,
		  unsigned int prot);

/*
 * pmap_copy - for fork: enter in dst every page src maps in [start, end),
 * with the same frame and protection minus `drop` (VM_PROT_WRITE for
 * private memory, which also loses write permission in src). Returns 0 or
 * -ENOMEM (dst then holds part of the range; that is harmless, since
 * entries are only a cache of what the regions say).
 */
int pmap_copy(struct pmap *dst, struct pmap *src, vaddr_t start, vaddr_t end,
	      unsigned int drop);

/*
 * pmap_extract - the frame and protection of the page at va. Returns false
 * if va is not mapped.
 */
bool pmap_extract(struct pmap *pm, vaddr_t va, paddr_t *pa, unsigned int *prot);

/* One valid entry of a user page table, as pmap_walk reports it. */
struct pmap_entry {
	vaddr_t va;		/* the first address it covers */
	paddr_t pa;		/* its frame, or the next-level table */
	int level;		/* 2: the root table, 1, 0: the last level */
	unsigned int index;	/* its slot in its table */
	unsigned int prot;	/* VM_PROT_* of a leaf; 0 for a table pointer */
	bool leaf, user, global, accessed, dirty;
};

/*
 * pmap_walk - the valid entries of pm's user half in address order, each
 * table pointer before the entries below it: up to max of them into out,
 * from *cursor on (0 at the start). Returns how many; *cursor is then where
 * to go on (PMAP_WALK_DONE when the walk is complete). Takes pm's lock.
 */
#define PMAP_WALK_DONE	(~0UL)
size_t pmap_walk(struct pmap *pm, uint64_t *cursor, struct pmap_entry *out,
		 size_t max);

/* The physical address of pm's root table. */
paddr_t pmap_root_pa(const struct pmap *pm);

/* Page-table pages (frames) currently used by pm, the root included. */
uint64_t pmap_table_pages(const struct pmap *pm);

/* User pages currently mapped by pm (its resident set). */
uint64_t pmap_resident(const struct pmap *pm);

#endif
