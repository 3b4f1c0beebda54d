/*
 * The Sv39 page-table entry, declared once. Only pmap and the arch folder
 * include this file; everything else speaks VM_PROT_* through vm/pmap.h.
 *
 *  63      54 53        28 27        19 18        10 9 8 7 6 5 4 3 2 1 0
 * | reserved | PPN[2]     | PPN[1]     | PPN[0]     |RSW|D|A|G|U|X|W|R|V|
 *
 * A valid entry with R, W and X all clear points to the next level; any
 * other valid entry is a leaf (a 4 KiB page at level 0, 2 MiB at level 1,
 * 1 GiB at level 2). Three levels of 512 entries; VPN[i] is 9 bits of the
 * virtual address starting at bit 12 + 9 * i.
 */
#ifndef KILBURN_RISCV_PTE_H
#define KILBURN_RISCV_PTE_H

#include "types.h"

typedef uint64_t pte_t;

#define PTE_V		(1UL << 0)
#define PTE_R		(1UL << 1)
#define PTE_W		(1UL << 2)
#define PTE_X		(1UL << 3)
#define PTE_U		(1UL << 4)
#define PTE_G		(1UL << 5)
#define PTE_A		(1UL << 6)
#define PTE_D		(1UL << 7)
#define PTE_RSW_SHIFT	8		/* two bits for software */
#define PTE_COW		(1UL << 8)	/* software: copy-on-write */
#define PTE_PV		(1UL << 9)	/* software: on the frame's reverse map */
#define PTE_PPN_SHIFT	10
#define PTE_PPN_MASK	(((1UL << 44) - 1) << PTE_PPN_SHIFT)

#define PT_LEVELS	3
#define PT_ENTRIES	512
#define PT_INDEX_BITS	9

static inline bool pte_valid(pte_t pte)	{ return pte & PTE_V; }
static inline bool pte_leaf(pte_t pte)	{ return pte & (PTE_R | PTE_W | PTE_X); }
static inline bool pte_user(pte_t pte)	{ return pte & PTE_U; }

static inline paddr_t pte_pa(pte_t pte)
{
	return ((pte & PTE_PPN_MASK) >> PTE_PPN_SHIFT) << PAGE_SHIFT;
}

static inline pte_t pte_make(paddr_t pa, uint64_t bits)
{
	return ((pa >> PAGE_SHIFT) << PTE_PPN_SHIFT) | bits | PTE_V;
}

/* A pointer to the next-level table. */
static inline pte_t pte_make_table(paddr_t table_pa)
{
	return ((table_pa >> PAGE_SHIFT) << PTE_PPN_SHIFT) | PTE_V;
}

/* Index of va in the table of the given level (0 = leaf level). */
static inline unsigned int pt_index(uintptr_t va, int level)
{
	return (va >> (PAGE_SHIFT + PT_INDEX_BITS * level)) & (PT_ENTRIES - 1);
}

/* Bytes mapped by one leaf at a level: 4 KiB, 2 MiB, 1 GiB. */
static inline uint64_t pt_level_size(int level)
{
	return 1UL << (PAGE_SHIFT + PT_INDEX_BITS * level);
}

#endif
