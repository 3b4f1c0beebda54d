/*
 * Self-tests of the kernel address space: every part of the kernel image and
 * the direct map has exactly the permissions it should, the boot-time
 * identity map is gone, and stack guards are unmapped. Each access that must
 * fail is made through a probe, which catches the fault and reports it.
 */
#include "env.h"
#include "arch/riscv/cpu.h"
#include "arch/riscv/csr.h"
#include "arch/riscv/memlayout.h"
#include "arch/riscv/probe.h"
#include "kern/kstack.h"
#include "vm/kmem.h"
#include "kern/ktest.h"
#include "vm/pmm.h"

static const char rodata_probe[] = "read-only";
static volatile int data_probe = 1;

/* The access faulted with a page fault of the given cause. */
static bool faulted(long ret, uint64_t cause)
{
	return ret == -EFAULT && this_cpu()->probe_cause == cause;
}

KTEST(kernel_text_is_not_writable)
{
	KT_CHECK_EQ(probe_load((void *)probe_target), 0);
	KT_CHECK(faulted(probe_store((void *)probe_target), EXC_STORE_PAGE_FAULT));
	KT_CHECK_EQ(this_cpu()->probe_addr, (uintptr_t)probe_target);
}

KTEST(kernel_rodata_is_read_only)
{
	KT_CHECK_EQ(probe_load(rodata_probe), 0);
	KT_CHECK(faulted(probe_store((void *)rodata_probe), EXC_STORE_PAGE_FAULT));
}

KTEST(kernel_text_is_executable)
{
	KT_CHECK_EQ(probe_exec((void *)probe_target), 0);
}

KTEST(kernel_data_is_writable_not_executable)
{
	KT_CHECK_EQ(probe_store((void *)&data_probe), 0);
	KT_CHECK(faulted(probe_exec((void *)&data_probe), EXC_INST_PAGE_FAULT));
}

KTEST(direct_map_is_not_executable)
{
	void *alias = phys_to_virt(virt_to_phys((void *)probe_target));

	KT_CHECK_EQ(probe_load(alias), 0);
	KT_CHECK(faulted(probe_exec(alias), EXC_INST_PAGE_FAULT));
	KT_CHECK_EQ(this_cpu()->probe_addr, (uintptr_t)alias);
}

KTEST(direct_map_frames_are_writable)
{
	struct page *pg = pmm_alloc(0);

	KT_CHECK(pg != NULL);
	if (pg) {
		KT_CHECK_EQ(probe_store(page_to_virt(pg)), 0);
		pmm_free(pg);
	}
}

KTEST(identity_map_is_gone)
{
	paddr_t pa = virt_to_phys((void *)probe_target);

	KT_CHECK(faulted(probe_load((void *)pa), EXC_LOAD_PAGE_FAULT));
	KT_CHECK(faulted(probe_exec((void *)pa), EXC_INST_PAGE_FAULT));
}

KTEST(user_half_is_unmapped_for_the_kernel)
{
	KT_CHECK(faulted(probe_load((void *)0), EXC_LOAD_PAGE_FAULT));
	KT_CHECK(faulted(probe_load((void *)0x10000), EXC_LOAD_PAGE_FAULT));
	KT_CHECK(faulted(probe_store((void *)(USER_TOP - 8)), EXC_LOAD_PAGE_FAULT));
}

KTEST(kernel_stack_guard_is_unmapped)
{
	vaddr_t top = kstack_alloc();

	KT_CHECK(top != 0);
	if (!top)
		return;
	KT_CHECK_EQ(probe_store((void *)(top - 8)), 0);
	KT_CHECK_EQ(probe_store((void *)(top - KSTACK_SIZE)), 0);
	KT_CHECK(faulted(probe_load((void *)(top - KSTACK_SIZE - 1)),
			 EXC_LOAD_PAGE_FAULT));
	KT_CHECK(faulted(probe_load((void *)(top - KSTACK_SLOT)),
			 EXC_LOAD_PAGE_FAULT));
	kstack_free(top);
	kmem_reclaim();		/* a freed stack stays mapped for reuse until this */
	KT_CHECK(faulted(probe_load((void *)(top - 8)), EXC_LOAD_PAGE_FAULT));
}
