/*
 * TLB shootdowns by inter-hart interrupt.
 *
 * A hart that changed page-table entries other harts may cache posts one
 * request (an address space and a range, or everything) in its own mailbox,
 * marks the targets in their inboxes, interrupts them with one SBI IPI and
 * waits until each has acknowledged. A target flushes locally and clears
 * its bit in the initiator's `waiting` mask. Nothing is done in the
 * firmware: the SBI remote fences this replaces kept every hart inside
 * OpenSBI under heavy churn and cost one synchronous M-mode round trip per
 * page.
 *
 * Deadlock freedom. A hart waiting for acknowledgements serves the requests
 * posted to it meanwhile (tlb_poll), and so does a hart spinning for a lock
 * (spin_lock calls smp_spin_poll). So two harts that shoot at each other
 * with interrupts off, or a target spinning on a lock the initiator holds,
 * all make progress. Serving a request only executes sfence.vma and stores
 * an acknowledgement: it takes no lock and may run anywhere. A hart has at
 * most one request of its own outstanding: interrupts are off from posting
 * to the last acknowledgement, so an interrupt handler on the same hart
 * cannot start a second one over it.
 *
 * User address spaces: only harts that run the space now are interrupted.
 * Each hart publishes the space it runs (`active`); a space keeps a `stale`
 * mask of harts that must flush its ASID before they run it again. The
 * initiator sets the stale bits of all the space's other harts, then reads
 * their `active`; an activating hart stores `active`, then reads and clears
 * its stale bit. With a full fence between the two steps on both sides (the
 * store-buffer pattern), at least one side sees the other: a hart either is
 * interrupted or flushes when it activates the space. Both may happen;
 * that costs a flush, never a stale entry.
 *
 * A target flushes the ASID its satp holds, not one carried in the request:
 * after an ASID generation roll-over a hart may still run a space under its
 * old ASID while another hart runs it under the new one (pmap.c, "ASIDs").
 * So a hart writes satp before it publishes `active` on activation, and
 * publishes the kernel (NULL) only after leaving the space's satp; while
 * `active` names a space, satp holds that space's ASID. (A hart that left
 * meanwhile may flush the wrong ASID; its stale bit covers it.)
 *
 * Ordering: the initiator's page-table stores come before its posting
 * (release), a target's flush after it reads its inbox (acquire), and the
 * initiator returns after it has read every acknowledgement (acquire), so
 * a frame the caller frees afterwards is reachable through no TLB.
 */
#include "env.h"
#include "arch/riscv/cpu.h"
#include "arch/riscv/csr.h"
#include "arch/riscv/sbi.h"
#include "arch/riscv/smp.h"
#include "arch/riscv/tlb.h"
#include "vm/vmstat.h"

struct tlb_request {
	const void *space;		/* user space, or NULL: kernel (global) */
	vaddr_t start, end;		/* end TLB_RANGE_ALL: everything */
};

/* One hart's shootdown state; a cache line each, written by other harts. */
struct tlb_mailbox {
	struct tlb_request req;		/* this hart's request; owner writes */
	unsigned long waiting;		/* harts yet to acknowledge req; atomic */
	unsigned long inbox;		/* harts whose req this one must serve; atomic */
	const void *active;		/* the user space this hart runs; owner writes */
} __attribute__((aligned(64)));

static struct tlb_mailbox mailbox[NCPU_MAX];

static inline unsigned long cpu_bit(int id)
{
	return 1UL << id;
}

static bool range_is_long(vaddr_t start, vaddr_t end)
{
	return end == TLB_RANGE_ALL || end - start > TLB_RANGE_MAX_PAGES * PAGE_SIZE;
}

/* The ASID this hart runs under now. */
static uint64_t current_asid(void)
{
	return (csr_read(satp) >> SATP_ASID_SHIFT) & 0xffff;
}

void tlb_flush_local_user(vaddr_t start, vaddr_t end)
{
	uint64_t asid = current_asid();

	if (range_is_long(start, end)) {
		__asm__ volatile("sfence.vma zero, %0" :: "r"(asid) : "memory");
		return;
	}
	for (vaddr_t va = start; va < end; va += PAGE_SIZE)
		__asm__ volatile("sfence.vma %0, %1" :: "r"(va), "r"(asid) : "memory");
}

/* Flush kernel (global) mappings of [start, end) from this hart. */
static void flush_local_kernel(vaddr_t start, vaddr_t end)
{
	if (range_is_long(start, end)) {
		__asm__ volatile("sfence.vma" ::: "memory");
		return;
	}
	for (vaddr_t va = start; va < end; va += PAGE_SIZE)
		__asm__ volatile("sfence.vma %0, zero" :: "r"(va) : "memory");
}

/* Carry out r on this hart (whose mailbox is me). */
static void serve(const struct tlb_mailbox *me, const struct tlb_request *r)
{
	if (!r->space)
		flush_local_kernel(r->start, r->end);
	else if (me->active == r->space)
		tlb_flush_local_user(r->start, r->end);
	/* else: not running it; its stale bit makes it flush on activation */
}

void tlb_poll(void)
{
	int self = this_cpu_id();
	struct tlb_mailbox *me = &mailbox[self];
	unsigned long in;

	if (!__atomic_load_n(&me->inbox, __ATOMIC_RELAXED))
		return;
	in = __atomic_exchange_n(&me->inbox, 0, __ATOMIC_ACQUIRE);
	while (in) {
		int from = __builtin_ctzl(in);

		in &= in - 1;
		serve(me, &mailbox[from].req);
		__atomic_and_fetch(&mailbox[from].waiting, ~cpu_bit(self),
				   __ATOMIC_RELEASE);
	}
}

/* The SBI hart mask of the cpu-index mask cpus. */
static unsigned long hart_mask_of(unsigned long cpus_mask)
{
	unsigned long mask = 0;

	for (; cpus_mask; cpus_mask &= cpus_mask - 1)
		mask |= 1UL << cpus[__builtin_ctzl(cpus_mask)].hartid;
	return mask;
}

/*
 * Post r to the harts of targets (not this one), interrupt them and wait
 * for every acknowledgement, serving requests to this hart meanwhile.
 * Interrupts off (the caller's one outstanding request is r).
 */
static void post_and_wait(struct tlb_mailbox *me, int self, unsigned long targets,
			  const struct tlb_request *r)
{
	me->req = *r;
	__atomic_store_n(&me->waiting, targets, __ATOMIC_RELEASE);
	for (unsigned long t = targets; t; t &= t - 1)
		__atomic_or_fetch(&mailbox[__builtin_ctzl(t)].inbox, cpu_bit(self),
				  __ATOMIC_RELEASE);
	vmstat_inc(VMSTAT_TLB_SHOOTDOWN_SENT);
	vmstat_add(VMSTAT_TLB_SHOOTDOWN_HARTS, __builtin_popcountl(targets));
	sbi_send_ipi(hart_mask_of(targets), 0);
	while (__atomic_load_n(&me->waiting, __ATOMIC_ACQUIRE))
		tlb_poll();
}

bool tlb_activate(const void *space, unsigned long *stale)
{
	int self = this_cpu_id();

	/*
	 * satp already holds the new space's ASID: from the moment `active`
	 * names it, a request served here flushes the right one.
	 */

	__atomic_store_n(&mailbox[self].active, space, __ATOMIC_RELAXED);
	if (!space)
		return false;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);	/* active, then stale */
	if (!(__atomic_load_n(stale, __ATOMIC_RELAXED) & cpu_bit(self)))
		return false;
	__atomic_and_fetch(stale, ~cpu_bit(self), __ATOMIC_RELAXED);
	return true;
}

/* The harts of others (cpu bits) that run space now; marks all stale first. */
static unsigned long running_harts(const void *space, unsigned long *stale,
				   unsigned long others)
{
	unsigned long running = 0;

	__atomic_or_fetch(stale, others, __ATOMIC_SEQ_CST);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);	/* stale, then active */
	for (unsigned long t = others; t; t &= t - 1) {
		int id = __builtin_ctzl(t);

		if (__atomic_load_n(&mailbox[id].active, __ATOMIC_RELAXED) == space)
			running |= cpu_bit(id);
	}
	return running;
}

void tlb_shootdown_user(const void *space, unsigned long *stale,
			const unsigned long *harts_p, vaddr_t start, vaddr_t end)
{
	struct tlb_request r = { .space = space, .start = start, .end = end };
	unsigned long flags = irq_save();
	int self = this_cpu_id();
	struct tlb_mailbox *me = &mailbox[self];
	unsigned long harts, others, targets = 0;

	__atomic_thread_fence(__ATOMIC_SEQ_CST);	/* the entries, then harts */
	harts = __atomic_load_n(harts_p, __ATOMIC_RELAXED);
	others = harts & ~cpu_bit(self);
	if (others) {
		targets = running_harts(space, stale, others);
		vmstat_add(VMSTAT_TLB_SHOOTDOWN_DEFERRED,
			   __builtin_popcountl(others & ~targets));
	}
	if (me->active == space)
		tlb_flush_local_user(start, end);
	else if (harts & cpu_bit(self))
		__atomic_or_fetch(stale, cpu_bit(self), __ATOMIC_RELAXED);
	if (targets)
		post_and_wait(me, self, targets, &r);
	irq_restore(flags);
}

void tlb_shootdown_kernel(vaddr_t va)
{
	struct tlb_request r = { .space = NULL, .start = va, .end = va + PAGE_SIZE };
	unsigned long flags = irq_save();
	int self = this_cpu_id();
	unsigned long targets = 0;

	for (int i = 0; i < ncpus; i++)
		if (i != self && __atomic_load_n(&cpus[i].online, __ATOMIC_ACQUIRE))
			targets |= cpu_bit(i);
	flush_local_kernel(r.start, r.end);
	if (targets)
		post_and_wait(&mailbox[self], self, targets, &r);
	irq_restore(flags);
}
