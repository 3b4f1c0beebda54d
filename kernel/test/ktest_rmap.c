/*
 * The reverse map and the accessed/dirty bits, on the real Sv39 pmap.
 *
 * A test address space is built with the VM's own calls (vmspace_map,
 * vm_fault), then made this hart's user space with sstatus.SUM set, so
 * the kernel can touch its pages through the MMU with the fault probes:
 * those accesses set A and D in hardware exactly as a program's would.
 *
 * QEMU's MMU sets A and D itself (Svadu). A board with Svade raises a page
 * fault instead, which the fault path must resolve by setting the bit and
 * returning; QEMU 7.2 has no switch for that, so svade_fault_sets_the_bits
 * simulates it: it forces the software path on (pmap_set_svade: the boot
 * probe turns it off on QEMU), clears A and D on a live mapping and calls
 * vm_fault, the entry the trap handler uses, as such a fault would.
 */
#include "env.h"
#include "arch/riscv/csr.h"
#include "arch/riscv/probe.h"
#include "kern/ktest.h"
#include "vm/anon.h"
#include "vm/pmap.h"
#include "vm/pmm.h"
#include "vm/rmap.h"
#include "vm/vmspace.h"

#define RM_VA		0x100000UL
#define RM_PAGES	8

/* An address space with RM_PAGES of anonymous memory at RM_VA, all written. */
static struct vmspace *rm_space(void)
{
	struct vmspace *vm = vmspace_create();
	int err;

	if (!vm)
		return NULL;
	mutex_lock(&vm->lock);
	err = vmspace_map(vm, RM_VA, RM_PAGES * PAGE_SIZE,
			  VM_PROT_READ | VM_PROT_WRITE, VM_PROT_ALL, 0, NULL, 0, 0);
	mutex_unlock(&vm->lock);
	for (int i = 0; !err && i < RM_PAGES; i++)
		if (vm_fault(vm, RM_VA + i * PAGE_SIZE, VM_PROT_WRITE) != FAULT_OK)
			err = -ENOMEM;
	if (err) {
		vmspace_destroy(vm);
		return NULL;
	}
	return vm;
}

/* The frame the page at va maps, or NULL. */
static struct page *rm_page(struct vmspace *vm, vaddr_t va)
{
	paddr_t pa;

	return pmap_extract(vm->pmap, va, &pa, NULL) ? pa_to_page(pa) : NULL;
}

static vaddr_t rm_va(int i)
{
	return RM_VA + i * PAGE_SIZE;
}

/* Run with vm as this hart's user space and kernel access to it allowed. */
static void rm_enter(struct vmspace *vm)
{
	pmap_activate(vm->pmap);
	csr_set(sstatus, SSTATUS_SUM);
}

static void rm_leave(void)
{
	csr_clear(sstatus, SSTATUS_SUM);
	pmap_activate(NULL);
}

/* mprotect one page, as the system call does (vm->lock held). */
static int rm_protect(struct vmspace *vm, vaddr_t va, unsigned int prot)
{
	int err;

	mutex_lock(&vm->lock);
	err = vmspace_protect(vm, va, va + PAGE_SIZE, prot);
	mutex_unlock(&vm->lock);
	return err;
}

KTEST(svade_fault_sets_the_bits)
{
	struct vmspace *vm = rm_space();
	struct page *pg, *ro;
	uint64_t fixups, anons;
	bool was_svade;
	paddr_t pa;

	KT_CHECK(vm);
	if (!vm)
		return;
	was_svade = pmap_set_svade(true);
	pg = rm_page(vm, rm_va(0));
	KT_CHECK(rmap_managed(pg));
	/* what a Svade board's page table looks like before first use */
	pmap_clear_reference(pg);
	pmap_clear_modify(pg);
	KT_CHECK(!pmap_is_referenced(pg) && !pmap_is_modified(pg));
	fixups = pmap_fixup_count();
	anons = anon_count();
	/* the load faults: the fault entry only sets A */
	KT_CHECK_EQ(vm_fault(vm, rm_va(0) + 8, VM_PROT_READ), FAULT_OK);
	KT_CHECK_EQ(pmap_fixup_count(), fixups + 1);
	KT_CHECK(pmap_is_referenced(pg) && !pmap_is_modified(pg));
	/* the store faults: D too, and nothing else happens */
	KT_CHECK_EQ(vm_fault(vm, rm_va(0), VM_PROT_WRITE), FAULT_OK);
	KT_CHECK_EQ(pmap_fixup_count(), fixups + 2);
	KT_CHECK(pmap_is_modified(pg));
	KT_CHECK(rm_page(vm, rm_va(0)) == pg && anon_count() == anons);
	/* with both set a fault is a real one: no fixup */
	KT_CHECK_EQ(vm_fault(vm, rm_va(0), VM_PROT_WRITE), FAULT_OK);
	KT_CHECK_EQ(pmap_fixup_count(), fixups + 2);
	/* a write-protected page is never "fixed" into a writable one */
	KT_CHECK_EQ(rm_protect(vm, rm_va(1), VM_PROT_READ), 0);
	ro = rm_page(vm, rm_va(1));
	pmap_clear_reference(ro);
	KT_CHECK_EQ(vm_fault(vm, rm_va(1), VM_PROT_WRITE), FAULT_PROTECTION);
	KT_CHECK_EQ(pmap_fixup_count(), fixups + 2);
	/* and the retried accesses go through */
	rm_enter(vm);
	KT_CHECK_EQ(probe_load((void *)rm_va(0)), 0);
	KT_CHECK_EQ(probe_store((void *)rm_va(0)), 0);
	KT_CHECK_EQ(probe_load((void *)rm_va(1)), 0);
	KT_CHECK_EQ(probe_store((void *)rm_va(1)), -EFAULT);
	rm_leave();
	KT_CHECK(pmap_extract(vm->pmap, rm_va(0), &pa, NULL) && pa == page_to_pa(pg));
	/* with the path off (harts that set the bits) a fault never fixes */
	pmap_set_svade(false);
	pmap_clear_reference(pg);
	KT_CHECK_EQ(vm_fault(vm, rm_va(0), VM_PROT_READ), FAULT_OK);
	KT_CHECK_EQ(pmap_fixup_count(), fixups + 2);
	/* QEMU's harts set A and D: the boot probe must have seen it */
	KT_CHECK(!was_svade);
	pmap_set_svade(was_svade);
	vmspace_destroy(vm);
}

/*
 * After clearing, exactly the pages used are referenced (and exactly those
 * written, modified): through the MMU (loads and stores with SUM) and
 * through the kernel's direct-map path (vmspace_copyout). Every page was
 * in this hart's TLB with A and D set before the clear, so the clear's
 * flush is tested too.
 */
KTEST(rmap_sees_real_use)
{
	struct vmspace *vm = rm_space();
	struct page *pg[RM_PAGES];
	struct pmap_batch b;
	char byte = 7;
	int i;

	KT_CHECK(vm);
	if (!vm)
		return;
	for (i = 0; i < RM_PAGES; i++)
		pg[i] = rm_page(vm, rm_va(i));
	rm_enter(vm);
	for (i = 0; i < RM_PAGES; i++)
		KT_CHECK_EQ(probe_store((void *)rm_va(i)), 0);
	for (i = 0; i < RM_PAGES; i++)
		KT_CHECK(pmap_is_referenced(pg[i]) && pmap_is_modified(pg[i]));
	pmap_batch_init(&b);
	for (i = 0; i < RM_PAGES; i++) {
		KT_CHECK(pmap_clear_reference_batch(pg[i], &b));
		KT_CHECK(pmap_clear_modify(pg[i]));
	}
	pmap_batch_flush(&b);
	for (i = 0; i < RM_PAGES; i++)
		KT_CHECK(!pmap_is_referenced(pg[i]) && !pmap_is_modified(pg[i]));
	KT_CHECK_EQ(probe_load((void *)rm_va(1)), 0);
	KT_CHECK_EQ(probe_load((void *)rm_va(3)), 0);
	KT_CHECK_EQ(probe_store((void *)rm_va(5)), 0);
	rm_leave();
	KT_CHECK_EQ(vmspace_copyout(vm, rm_va(6) + 100, &byte, 1), 0);
	for (i = 0; i < RM_PAGES; i++) {
		bool used = i == 1 || i == 3 || i == 5 || i == 6;
		bool written = i == 5 || i == 6;

		KT_CHECK_EQ(pmap_is_referenced(pg[i]), used);
		KT_CHECK_EQ(pmap_is_modified(pg[i]), written);
	}
	/* clearing reports what it cleared, once */
	KT_CHECK(pmap_clear_reference(pg[3]));
	KT_CHECK(!pmap_clear_reference(pg[3]));
	KT_CHECK(!pmap_clear_reference(pg[2]));
	vmspace_destroy(vm);
}

/*
 * A private page shared by a parent and its child (fork) is write-protected
 * and then unmapped everywhere by pmap_page_protect; the dirty bit of the
 * mappings that went stays on the frame.
 */
KTEST(page_protect_reaches_every_mapping)
{
	struct vmspace *vm = rm_space(), *child;
	struct page *pg;
	unsigned int prot;

	KT_CHECK(vm);
	if (!vm)
		return;
	rm_enter(vm);				/* dirty it through the MMU */
	KT_CHECK_EQ(probe_store((void *)rm_va(2)), 0);
	rm_leave();
	child = vmspace_fork(vm);
	KT_CHECK(child);
	if (!child)
		goto out;
	pg = rm_page(vm, rm_va(2));
	KT_CHECK(pg && rm_page(child, rm_va(2)) == pg);
	KT_CHECK_EQ(page_mapcount(pg), 2);
	/* the child reads it: referenced through the child's mapping */
	rm_enter(child);
	KT_CHECK_EQ(probe_load((void *)rm_va(2)), 0);
	rm_leave();
	KT_CHECK(pmap_is_referenced(pg));
	pmap_page_protect(pg, VM_PROT_READ);
	KT_CHECK(pmap_extract(vm->pmap, rm_va(2), NULL, &prot) && prot == VM_PROT_READ);
	KT_CHECK(pmap_extract(child->pmap, rm_va(2), NULL, &prot) && prot == VM_PROT_READ);
	pmap_page_protect(pg, VM_PROT_NONE);
	KT_CHECK(!pmap_extract(vm->pmap, rm_va(2), NULL, NULL));
	KT_CHECK(!pmap_extract(child->pmap, rm_va(2), NULL, NULL));
	KT_CHECK_EQ(page_mapcount(pg), 0);
	KT_CHECK(pmap_is_referenced(pg));	/* kept on the frame */
	KT_CHECK(pmap_is_modified(pg));		/* the parent's store */
	rm_enter(child);			/* the child faults on it now */
	KT_CHECK_EQ(probe_load((void *)rm_va(2)), -EFAULT);
	rm_leave();
	KT_CHECK_EQ(vm_fault(child, rm_va(2), VM_PROT_READ), FAULT_OK);
	KT_CHECK(rm_page(child, rm_va(2)) == pg);
	vmspace_destroy(child);
out:
	vmspace_destroy(vm);
}
