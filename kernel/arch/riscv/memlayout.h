/*
 * The kernel half of every address space (Sv39, upper 256 GiB):
 *
 *   0xffffffc000000000  DMAP_BASE    direct map of physical memory: all RAM
 *                                    RW- and device registers, at pa + DMAP_BASE
 *   0xffffffd000000000  KSTACK_BASE  kernel stacks, each KSTACK_SIZE with an
 *                                    unmapped guard below it (one KSTACK_SLOT each)
 *   0xffffffff80200000  KERNEL_VMA   the kernel image: text R-X, rodata R--,
 *                                    data and bss RW-
 *
 * The user half is 0 .. USER_TOP (256 GiB).
 */
#ifndef KILBURN_RISCV_MEMLAYOUT_H
#define KILBURN_RISCV_MEMLAYOUT_H

#ifdef __ASSEMBLY__
#define _UL(x)		x
#else
#define _UL(x)		x##UL
#endif

#define DMAP_BASE	_UL(0xffffffc000000000)
#define DMAP_SIZE	_UL(0x0000001000000000)	/* 64 GiB of physical space */
#define KSTACK_BASE	_UL(0xffffffd000000000)
#define KSTACK_AREA	_UL(0x0000000040000000)	/* 1 GiB: 32768 slots */
#define KSTACK_SIZE	_UL(0x4000)		/* 16 KiB of stack ... */
#define KSTACK_SLOT	_UL(0x8000)		/* ... above 16 KiB of guard */
#define KERNEL_VMA	_UL(0xffffffff80200000)
#define KERNEL_PMA	_UL(0x80200000)
#define KERNEL_VOFFSET	_UL(0xffffffff00000000)	/* KERNEL_VMA - KERNEL_PMA */
#define USER_TOP	_UL(0x0000004000000000)

#ifndef __ASSEMBLY__
#include "types.h"

static inline void *phys_to_virt(paddr_t pa)
{
	return (void *)(uintptr_t)(pa + DMAP_BASE);
}

/* Only for direct-map and kernel-image addresses. */
static inline paddr_t virt_to_phys(const void *va)
{
	uintptr_t v = (uintptr_t)va;

	if (v >= KERNEL_VMA)
		return v - KERNEL_VOFFSET;
	return v - DMAP_BASE;
}

/* Linker-script symbols of the kernel image. */
extern char _kernel_start[], _text_start[], _text_end[], _rodata_start[],
	_rodata_end[], _data_start[], _bss_start[], _bss_end[], _kernel_end[];
#endif

#endif
