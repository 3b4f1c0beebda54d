/*
 * TLB shootdowns: Kilburn's own, by inter-hart interrupt (see tlb.c for the
 * protocol and its ordering contract). Only pmap.c and the IPI and lock
 * paths use this; the rest of the kernel flushes through the pmap calls.
 */
#ifndef KILBURN_RISCV_TLB_H
#define KILBURN_RISCV_TLB_H

#include "types.h"

#define TLB_RANGE_ALL	((vaddr_t)-1)	/* as an end: the whole space */

/* Ranges longer than this are flushed as a whole address space. */
#define TLB_RANGE_MAX_PAGES	32

/*
 * tlb_flush_local_user - flush [start, end) of the user address space this
 * hart runs now (the ASID in satp), or all of it if end is TLB_RANGE_ALL
 * or the range is long. Interrupts off, or the caller pinned otherwise.
 */
void tlb_flush_local_user(vaddr_t start, vaddr_t end);

/*
 * tlb_activate - this hart is about to run the user address space `space`
 * (an opaque key: the pmap), whose stale mask is *stale. Records it as the
 * hart's active space and returns whether the hart must flush the space's
 * ASID before using it (a shootdown marked it stale while it did not run
 * it). Interrupts off, satp already switched to the space and the hart's
 * bit already in the space's `harts`; the caller flushes afterwards.
 * space NULL: the hart runs kernel mappings only from now on (after satp
 * has been switched away).
 */
bool tlb_activate(const void *space, unsigned long *stale);

/*
 * tlb_shootdown_user - flush [start, end) (end TLB_RANGE_ALL: everything)
 * of `space` from every hart of *harts (cpu-index bits, read after a fence
 * that follows the caller's page-table stores) that may cache it,
 * this one included, and return when each has done so. Harts that do not
 * run the space now are only marked in *stale, and flush when they next
 * activate it; the others are interrupted. The caller has already changed
 * the page-table entries. Any context; interrupts may be on or off and
 * spinlocks may be held: the wait serves requests aimed at this hart.
 */
void tlb_shootdown_user(const void *space, unsigned long *stale,
			const unsigned long *harts, vaddr_t start, vaddr_t end);

/*
 * tlb_shootdown_kernel - flush the kernel mapping of va from every online
 * hart (kernel leaves are global), returning when all have done so.
 */
void tlb_shootdown_kernel(vaddr_t va);

/*
 * tlb_poll - serve the shootdown requests posted to this hart. Called from
 * the IPI handler, from the wait of a shootdown and from spin loops that
 * run with interrupts off (spin_lock), so that no hart waits forever for
 * one that waits for it. Cheap when nothing is posted.
 */
void tlb_poll(void);

#endif
