/*
 * pmap — the machine-dependent layer of the VM, and the only code that knows
 * the page-table format, satp and TLB fences. The implementation for Sv39 is
 * kernel/arch/riscv/pmap.c.
 *
 * The kernel half is built once at boot and its top-level entries are shared
 * by every address space, so kernel mappings made later (kernel stacks) are
 * seen everywhere without copying.
 *
 * User mappings of managed frames (PAGE_ANON, PAGE_FILE) are also recorded
 * on the frame's reverse map (vm/rmap.h), so that a frame can be unmapped
 * or write-protected everywhere and its use observed (pmap_page_protect,
 * pmap_is_referenced ... below). Entries are made without the accessed and
 * dirty bits: the MMU sets them on use (or raises a page fault that
 * pmap_fault_fixup resolves, on boards that do not update them).
 *
 * Lock order: a pmap's lock -> a frame's rmap lock (rmap_lock_of). The
 * frame-wide calls take only rmap locks: the entries an rmap lists cannot
 * vanish while its lock is held, so they change those entries with atomic
 * operations without taking the pmap's lock; range calls take the pmap's
 * lock, then each frame's rmap lock for the entry they add or remove.
 */
#ifndef KILBURN_PMAP_H
#define KILBURN_PMAP_H

#include "env.h"

#define VM_PROT_NONE	0x0
#define VM_PROT_READ	0x1
#define VM_PROT_WRITE	0x2
#define VM_PROT_EXEC	0x4

struct board;
struct page;

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

/* Set up the user half: ASIDs, the pmap cache (boot, from vm_init). */
void pmap_init(void);

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
 * pmap_asid_exhaust - for the self-tests: use up the current ASID
 * generation, so the next pmap that needs an ASID starts a new one.
 */
void pmap_asid_exhaust(void);

/*
 * pmap_enter - map the user page at va to pa with prot (VM_PROT_*),
 * replacing any previous mapping (which is flushed). Returns 0 or -ENOMEM.
 */
int pmap_enter(struct pmap *pm, vaddr_t va, paddr_t pa, unsigned int prot);

/*
 * Unmap [start, end) (page aligned) and flush it from the TLBs. Page-table
 * pages left mapping nothing are freed (after the flush).
 */
void pmap_remove(struct pmap *pm, vaddr_t start, vaddr_t end);

/*
 * pmap_trim - free every page-table page of pm's user half that maps
 * nothing (a table whose pages all went to swap, say), after flushing pm's
 * translations. Returns the number of table pages freed. Takes pm's lock
 * (one table at a time); needs no address-space lock: a fault that needs a
 * freed table makes it again. The caller keeps pm alive.
 */
uint64_t pmap_trim(struct pmap *pm);

/*
 * pmap_shrink_pv - give back the chunks of pm's pv entries (its reverse-map
 * records, vm/rmap.h) that hold none in use: pv_pool_shrink under pm's
 * lock. Returns the frames freed. The caller keeps pm alive.
 */
unsigned int pmap_shrink_pv(struct pmap *pm);

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

/*
 * pmap_fault_fixup - the cheap part of a page fault: if the entry for va
 * is valid and allows `access` (VM_PROT_*) but lacks the accessed bit (or
 * the dirty bit, for a write), set it and return true: the access can be
 * retried. This is how an MMU that raises a fault instead of updating the
 * bits itself (Svade) gets them set. Returns false if the fault needs the
 * full handler. Takes pm's lock only when it changes something.
 */
bool pmap_fault_fixup(struct pmap *pm, vaddr_t va, unsigned int access);

/* Faults resolved by pmap_fault_fixup since boot. */
uint64_t pmap_fixup_count(void);

/*
 * pmap_svade - whether pmap_fault_fixup does anything: true on harts that
 * fault instead of setting A and D (probed at boot by pmap_init); on the
 * others it returns false at once. pmap_set_svade forces the answer, for
 * tests that simulate such a board on one that is not; it returns the old
 * value.
 */
bool pmap_svade(void);
bool pmap_set_svade(bool on);

/*
 * pmap_access - for the kernel touching a user page through another
 * mapping (the direct map): if the entry for va allows `access`, mark it
 * referenced (and modified, for VM_PROT_WRITE) as the MMU would, store its
 * frame in *pa, take a reference on the frame (a frame of RAM: the caller
 * drops it with page_put once done with the frame, so page-out cannot free
 * it meanwhile) and return true; else return false.
 */
bool pmap_access(struct pmap *pm, vaddr_t va, unsigned int access, paddr_t *pa);

/*
 * pmap_rmap_check - for vmspace_check: is the entry at va (which must be
 * valid) on its frame's reverse map exactly when the frame is managed, and
 * do the frame's mapcount and rmap agree? Returns true if so.
 */
bool pmap_rmap_check(struct pmap *pm, vaddr_t va);
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

/* ---- frames: every mapping of one managed frame, through the reverse map ---- */

/*
 * pmap_page_protect - lower every mapping of pg to prot: VM_PROT_NONE
 * removes them all, VM_PROT_READ (or READ|EXEC) write-protects them. Each
 * changed entry is flushed from the harts that may cache it before this
 * returns. The accessed and dirty bits of removed entries are kept on the
 * frame (pmap_is_referenced/modified still see them). Callers keep new
 * mappings of pg from appearing meanwhile (the owner's lock); any context
 * that may spin.
 */
void pmap_page_protect(struct page *pg, unsigned int prot);

/* Has pg been accessed (through any mapping, or one now gone) since last cleared? */
bool pmap_is_referenced(struct page *pg);

/* Has pg been written through a mapping since last cleared? */
bool pmap_is_modified(struct page *pg);

/*
 * pmap_clear_modify - clear pg's dirty bits (its entries' and the saved
 * one) and flush the changed entries, so that the next write sets them
 * again. Returns whether any was set.
 */
bool pmap_clear_modify(struct page *pg);

/*
 * A batch of TLB flushes owed for entries changed by a scan over many
 * frames: each pmap is flushed once at the end (a page, or its whole ASID
 * if several of its pages changed). The batch holds a reference on each
 * pmap it names, so the pmaps may be destroyed meanwhile. When full, it
 * flushes what it holds and starts again.
 */
#define PMAP_BATCH_MAX	16
struct pmap_batch {
	unsigned int n;
	struct {
		struct pmap *pm;
		vaddr_t va;		/* the one page, or PMAP_BATCH_ALL */
	} e[PMAP_BATCH_MAX];
};
#define PMAP_BATCH_ALL	((vaddr_t)-1)

static inline void pmap_batch_init(struct pmap_batch *b)
{
	b->n = 0;
}

/* Do every flush the batch owes and empty it. */
void pmap_batch_flush(struct pmap_batch *b);

/*
 * pmap_clear_reference_batch - clear the accessed bits of pg's entries
 * (and the saved one); the flushes this owes go into b. Returns whether
 * any was set. The bits are only reliably clear once b is flushed.
 */
bool pmap_clear_reference_batch(struct page *pg, struct pmap_batch *b);

/*
 * pmap_page_protect_batch - pmap_page_protect with the TLB flushes it owes
 * put in b: the entries are changed at once, but other harts may use the
 * old ones until b is flushed (page-out unmaps a batch of frames, then
 * flushes once before writing them).
 */
void pmap_page_protect_batch(struct page *pg, unsigned int prot,
			     struct pmap_batch *b);

/* pmap_clear_reference - the same for one frame, flushed before returning. */
bool pmap_clear_reference(struct page *pg);

#endif
