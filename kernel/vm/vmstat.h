/*
 * vmstat — the VM's event counters since boot (/proc/vmstat, /proc/stat).
 *
 * One enum, one name table: a counter is declared by adding an entry to
 * VMSTAT_EVENTS below (its enum name and the name /proc/vmstat shows), and
 * counted with vmstat_inc() or vmstat_add() where the event happens. Names
 * that Linux has keep Linux's name; Kilburn's own start with "kilburn_".
 * Counters of parts not yet built (swap in and out, the page scanner) are
 * declared here so /proc/vmstat shows them, and read 0 until those parts
 * count them.
 *
 * The counters are 64-bit and updated with relaxed atomic adds: any hart,
 * any context, no lock. A reader sees each counter exact, not a snapshot of
 * all at one instant.
 *
 * Machine-independent: compiles on the host.
 */
#ifndef KILBURN_VMSTAT_H
#define KILBURN_VMSTAT_H

#include "env.h"

/* X(enum suffix, name in /proc/vmstat) */
#define VMSTAT_EVENTS(X)						\
	X(PGALLOC_NORMAL, "pgalloc_normal")	/* frames allocated */	\
	X(PGFREE, "pgfree")			/* frames freed */	\
	X(PGFAULT, "pgfault")			/* faults resolved */	\
	X(PGMAJFAULT, "pgmajfault")		/* ... that read a disk */ \
	X(PSWPIN, "pswpin")			/* pages read from swap */ \
	X(PSWPOUT, "pswpout")			/* pages written to swap */ \
	X(PGSCAN_KSWAPD, "pgscan_kswapd")	/* scanned in background */ \
	X(PGSCAN_DIRECT, "pgscan_direct")	/* scanned by an allocation */ \
	X(PGSTEAL_KSWAPD, "pgsteal_kswapd")	/* reclaimed in background */ \
	X(PGSTEAL_DIRECT, "pgsteal_direct")	/* reclaimed by an allocation */ \
	X(PGSCAN_ANON, "pgscan_anon")		/* scanned: anonymous pages */ \
	X(PGSCAN_FILE, "pgscan_file")		/* ... page-cache pages */ \
	X(PGSTEAL_ANON, "pgsteal_anon")		/* reclaimed: anonymous pages */ \
	X(PGSTEAL_FILE, "pgsteal_file")		/* ... page-cache pages (to swap or dropped) */ \
	X(COW_COPY, "kilburn_cow_copies")	/* write to a shared anon: copied */ \
	X(COW_TAKEOVER, "kilburn_cow_takeovers") /* ... last holder: made writable */ \
	X(COW_FILE_COPY, "kilburn_cow_file_copies") /* private write to a file page */ \
	X(ZERO_FILL, "kilburn_zero_fills")	/* write to untouched anon: zeroed frame */ \
	X(ZERO_PAGE_MAP, "kilburn_zero_page_maps") /* read of untouched anon: zero page */ \
	X(STACK_GROWTH, "kilburn_stack_growths") /* faults that grew a stack */ \
	X(TLB_SHOOTDOWN_SENT, "kilburn_tlb_shootdowns_sent") /* shootdown IPIs sent */ \
	X(TLB_SHOOTDOWN_HARTS, "kilburn_tlb_shootdowns_received") /* harts they reached */ \
	X(TLB_SHOOTDOWN_DEFERRED, "kilburn_tlb_shootdowns_deferred") /* harts left to flush on activation */ \
	X(KSWAPD_WAKEUPS, "kswapd_wakeups")	/* page-out daemon woken */ \
	X(PT_TRIMMED, "kilburn_pgtable_trimmed") /* empty page-table pages it freed */ \
	X(PV_TRIMMED, "kilburn_pv_chunks_trimmed") /* unused pv-entry chunks given back */ \
	X(OOM_KILL, "oom_kill")			/* processes the OOM killer ended */ \
	X(SWAP_WRITE_REQUESTS, "kilburn_swap_write_requests") /* disk requests of pswpout */ \
	X(SWAP_READ_REQUESTS, "kilburn_swap_read_requests") /* disk requests of pswpin */ \
	X(SWAPOUT_CPU_INSTR, "kilburn_swapout_cpu_instructions") /* page-out's CPU work ... */ \
	X(SWAPOUT_CPU_PAGES, "kilburn_swapout_cpu_pages") /* ... for this many pages */ \
	X(SWAPIN_CPU_INSTR, "kilburn_swapin_cpu_instructions") /* page-in's, disk waits out ... */ \
	X(SWAPIN_CPU_PAGES, "kilburn_swapin_cpu_pages")	/* ... for this many pages */ \
	X(SWAP_RA, "swap_ra")			/* pages read ahead of a swap-in fault */ \
	X(SWAP_RA_HIT, "swap_ra_hit")		/* ... that a fault then used */ \
	X(SWAP_RA_UNUSED, "kilburn_swap_ra_unused") /* ... evicted or freed unused */ \
	X(SWAP_RA_MAPPED, "kilburn_swap_ra_mapped") /* ... mapped by a fault next to them (fault-around) */ \
	X(SWAP_CLEAN_EVICT, "kilburn_swap_clean_evictions") /* evicted with no write: the slot held a good copy */ \
	X(SWAPOUT_CACHE_KEPT, "kilburn_swapout_cache_kept") /* cache pages written out but kept: found meanwhile, or the owner's lock busy */ \
	X(MLOCK_CULLED, "unevictable_pgs_culled") /* page-out found a page mapped locked: kept */ \
	X(FILE_FLOOR_KEPT, "kilburn_file_floor_kept") /* file page kept: at the floor, thrashing */ \
	X(WORKINGSET_REFAULT_FILE, "workingset_refault_file") /* dropped file page read back soon */ \
	X(FILE_RA, "kilburn_file_ra")		/* pages of a disk's file read ahead */ \
	X(FILE_RA_HIT, "kilburn_file_ra_hit")	/* ... that were then used */ \
	X(FILE_RA_UNUSED, "kilburn_file_ra_unused") /* ... dropped unused */

#define VMSTAT_ENUM(e, name) VMSTAT_##e,
enum vmstat_event {
	VMSTAT_EVENTS(VMSTAT_ENUM)
	VMSTAT_NR
};
#undef VMSTAT_ENUM

extern uint64_t vmstat_events[VMSTAT_NR];

/* The name /proc/vmstat shows for counter e. */
const char *vmstat_name(enum vmstat_event e);

/* Count n events of kind e. */
static inline void vmstat_add(enum vmstat_event e, uint64_t n)
{
	__atomic_add_fetch(&vmstat_events[e], n, __ATOMIC_RELAXED);
}

static inline void vmstat_inc(enum vmstat_event e)
{
	vmstat_add(e, 1);
}

/* The count of events of kind e since boot. */
static inline uint64_t vmstat_read(enum vmstat_event e)
{
	return __atomic_load_n(&vmstat_events[e], __ATOMIC_RELAXED);
}

#endif
