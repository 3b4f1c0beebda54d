/*
 * TLB shootdowns, seen from every hart. Each hart activates one user page
 * table and writes a user page through it, so the translation (writable)
 * sits in its TLB. Then the boot hart write-protects the page, and every
 * hart's next write must fault; then it unmaps it, and every hart's next
 * read must fault. The other harts keep the page table active throughout
 * (they sit idle between the steps), so only the remote fences that
 * pmap_protect and pmap_remove send can make them forget the old entry.
 * sstatus.SUM (kernel access to user pages) stays set from the first step
 * to the last: QEMU empties a hart's TLB whenever SUM changes, which would
 * hide a missing fence.
 *
 * The second test does the same across an ASID generation roll-over: the
 * other harts keep running the page table under its old ASID while the
 * boot hart activates it again and so gives it a new one. A shootdown must
 * still reach them (pmap.c, "ASIDs": no hart that may cache translations
 * leaves the pmap's set of harts).
 */
#include "env.h"
#include "arch/riscv/cpu.h"
#include "arch/riscv/csr.h"
#include "arch/riscv/probe.h"
#include "arch/riscv/smp.h"
#include "kern/ktest.h"
#include "vm/pmap.h"
#include "vm/pmm.h"

#define TLB_TEST_VA	0x10000UL

struct tlb_test {
	struct pmap *pm;
	long result[NCPU_MAX];
	int step;
};

/* One hart's part of a step: touch the page as the step says. */
static void tlb_step(void *arg)
{
	struct tlb_test *t = arg;
	void *va = (void *)TLB_TEST_VA;
	long r;

	if (t->step == 0) {
		pmap_activate(t->pm);
		csr_set(sstatus, SSTATUS_SUM);
	}
	r = t->step == 2 ? probe_load(va) : probe_store(va);
	t->result[this_cpu_id()] = r;
	if (t->step == 3) {
		csr_clear(sstatus, SSTATUS_SUM);
		pmap_activate(NULL);
	}
}

static void run_step(struct tlb_test *t, int step)
{
	t->step = step;
	for (int i = 0; i < ncpus; i++)
		t->result[i] = 1;
	smp_call_all(tlb_step, t);
}

KTEST(tlb_shootdown_reaches_every_hart)
{
	struct tlb_test t = { .pm = pmap_create() };
	struct page *pg = pmm_alloc(PMM_ZERO);

	KT_CHECK(t.pm && pg);
	if (!t.pm || !pg)
		goto out;
	KT_CHECK_EQ(pmap_enter(t.pm, TLB_TEST_VA, page_to_pa(pg),
			       VM_PROT_READ | VM_PROT_WRITE), 0);
	run_step(&t, 0);		/* every hart caches a writable entry */
	for (int i = 0; i < ncpus; i++)
		KT_CHECK_EQ(t.result[i], 0);
	pmap_protect(t.pm, TLB_TEST_VA, TLB_TEST_VA + PAGE_SIZE, VM_PROT_READ);
	run_step(&t, 1);		/* ... so each write now must fault */
	for (int i = 0; i < ncpus; i++)
		KT_CHECK_EQ(t.result[i], -EFAULT);
	pmap_remove(t.pm, TLB_TEST_VA, TLB_TEST_VA + PAGE_SIZE);
	run_step(&t, 2);		/* and after the unmap, each read */
	for (int i = 0; i < ncpus; i++)
		KT_CHECK_EQ(t.result[i], -EFAULT);
	run_step(&t, 3);		/* every hart leaves the page table */
out:
	if (t.pm)
		pmap_destroy(t.pm);
	if (pg)
		pmm_free(pg);
}

KTEST(tlb_shootdown_survives_asid_rollover)
{
	struct tlb_test t = { .pm = pmap_create() };
	struct pmap *other = pmap_create();
	struct page *pg = pmm_alloc(PMM_ZERO);

	KT_CHECK(t.pm && other && pg);
	if (!t.pm || !other || !pg)
		goto out;
	KT_CHECK_EQ(pmap_enter(t.pm, TLB_TEST_VA, page_to_pa(pg),
			       VM_PROT_READ | VM_PROT_WRITE), 0);
	run_step(&t, 0);		/* every hart caches a writable entry */
	for (int i = 0; i < ncpus; i++)
		KT_CHECK_EQ(t.result[i], 0);
	pmap_asid_exhaust();
	pmap_activate(other);		/* needs an ASID: a new generation */
	pmap_activate(t.pm);		/* a new ASID here; the old one elsewhere */
	pmap_protect(t.pm, TLB_TEST_VA, TLB_TEST_VA + PAGE_SIZE, VM_PROT_READ);
	run_step(&t, 1);		/* every hart's write must fault */
	for (int i = 0; i < ncpus; i++)
		KT_CHECK_EQ(t.result[i], -EFAULT);
	pmap_remove(t.pm, TLB_TEST_VA, TLB_TEST_VA + PAGE_SIZE);
	run_step(&t, 2);		/* and every read after the unmap */
	for (int i = 0; i < ncpus; i++)
		KT_CHECK_EQ(t.result[i], -EFAULT);
	run_step(&t, 3);
out:
	if (t.pm)
		pmap_destroy(t.pm);
	if (other)
		pmap_destroy(other);
	if (pg)
		pmm_free(pg);
}
