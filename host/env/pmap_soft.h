/*
 * pmap_soft — a software pmap for host tests of the machine-independent VM.
 *
 * host/env/pmap_soft.c implements the user half of kernel/vm/pmap.h
 * (pmap_create ... pmap_resident) with a sorted array of va -> (pa, prot)
 * per address space and no hardware behind it. It keeps the rules of the
 * Sv39 pmap that callers can observe: a writable page is also readable,
 * protecting a page to nothing unmaps it, page-table pages are counted as
 * the real tables would be (root, one per 1 GiB, one per 2 MiB touched,
 * never freed before pmap_destroy), and every change to a valid entry
 * requests a TLB flush. Bad arguments (unaligned, outside the user half,
 * an empty protection) panic, since the hardware pmap would build a broken
 * page table from them.
 *
 * The functions below exist so tests can look inside.
 */
#ifndef KILBURN_HOST_PMAP_SOFT_H
#define KILBURN_HOST_PMAP_SOFT_H

#include "env.h"
#include "vm/pmap.h"

/* The top of the user half (Sv39: 256 GiB). */
#define PMAP_SOFT_USER_TOP	(1UL << 38)

/* Mappings of pm (the same number pmap_resident() gives). */
uint64_t pmap_soft_count(const struct pmap *pm);

/*
 * Call fn for each mapping of pm in increasing va order, under pm's lock:
 * fn must not call the pmap.
 */
typedef void (*pmap_soft_fn)(vaddr_t va, paddr_t pa, unsigned int prot, void *arg);
void pmap_soft_foreach(const struct pmap *pm, pmap_soft_fn fn, void *arg);

/*
 * TLB flushes pm has requested so far: one per page whose valid entry
 * changed, one per range for pmap_copy (which flushes the range at once).
 */
uint64_t pmap_soft_flushes(const struct pmap *pm);

/* The pmap last made active by pmap_activate (NULL: none). */
struct pmap *pmap_soft_active(void);

/* Pmaps created and not yet destroyed, over all tests. */
long pmap_soft_live(void);

/*
 * The software MMU's loads and stores: len bytes at va (within one page)
 * copied to or from the frame pm maps there, translated and copied under
 * pm's lock, so atomic with every change to the mapping; they set the
 * accessed (and dirty) bit as pmap_access does. Return false, copying
 * nothing, if the entry does not allow the access (the hardware would
 * fault).
 */
bool pmap_soft_load(struct pmap *pm, vaddr_t va, void *dst, size_t len);
bool pmap_soft_store(struct pmap *pm, vaddr_t va, const void *src, size_t len);

/* Make the next n calls of pmap_enter fail with -ENOMEM (0 stops it). */
void pmap_soft_fail_enters(unsigned int n);

#endif
