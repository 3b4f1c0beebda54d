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

#endif
