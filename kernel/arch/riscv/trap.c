/*
 * Trap dispatch for traps taken in S-mode.
 *
 * Interrupts go to their handlers (timer, PLIC, IPI). An exception in kernel
 * code is a kernel bug unless the faulting instruction has an entry in the
 * exception-fixup table (the probes and, later, the user-copy helpers), in
 * which case it resumes at the fixup with a0 = -EFAULT. Anything else panics
 * with the hart, the cause by name, sepc, stval and a backtrace.
 */
#include "env.h"
#include "arch/riscv/backtrace.h"
#include "arch/riscv/cpu.h"
#include "arch/riscv/csr.h"
#include "arch/riscv/smp.h"
#include "arch/riscv/timer.h"
#include "arch/riscv/trap.h"
#include "dev/plic.h"

extern const struct ex_entry __ex_table_start[], __ex_table_end[];

static const char *const exception_names[] = {
	[EXC_INST_MISALIGNED] = "instruction address misaligned",
	[EXC_INST_ACCESS] = "instruction access fault",
	[EXC_ILLEGAL_INST] = "illegal instruction",
	[EXC_BREAKPOINT] = "breakpoint",
	[EXC_LOAD_MISALIGNED] = "load address misaligned",
	[EXC_LOAD_ACCESS] = "load access fault",
	[EXC_STORE_MISALIGNED] = "store address misaligned",
	[EXC_STORE_ACCESS] = "store access fault",
	[EXC_ECALL_U] = "environment call from U-mode",
	[EXC_ECALL_S] = "environment call from S-mode",
	[EXC_INST_PAGE_FAULT] = "instruction page fault",
	[EXC_LOAD_PAGE_FAULT] = "load page fault",
	[EXC_STORE_PAGE_FAULT] = "store page fault",
};

const char *trap_cause_name(uint64_t scause)
{
	if (scause & SCAUSE_INTERRUPT) {
		switch (scause & ~SCAUSE_INTERRUPT) {
		case IRQ_S_SOFT: return "supervisor software interrupt";
		case IRQ_S_TIMER: return "supervisor timer interrupt";
		case IRQ_S_EXT: return "supervisor external interrupt";
		}
		return "unknown interrupt";
	}
	if (scause < ARRAY_SIZE(exception_names) && exception_names[scause])
		return exception_names[scause];
	return "unknown exception";
}

static void interrupt_dispatch(uint64_t irq)
{
	switch (irq) {
	case IRQ_S_TIMER:
		timer_interrupt();
		break;
	case IRQ_S_EXT:
		plic_interrupt();
		break;
	case IRQ_S_SOFT:
		smp_ipi_interrupt();
		break;
	default:
		panic("trap: unexpected interrupt %lu on hart %u", irq,
		      this_cpu()->hartid);
	}
}

/* Resume a faulting instruction at its fixup, if it has one. */
static bool fixup_exception(struct trapframe *tf)
{
	for (const struct ex_entry *e = __ex_table_start; e < __ex_table_end; e++) {
		if (e->insn == tf->sepc) {
			this_cpu()->probe_cause = tf->scause;
			this_cpu()->probe_addr = tf->stval;
			tf->sepc = e->fixup;
			tf->a0 = (uint64_t)-EFAULT;
			return true;
		}
	}
	return false;
}

/*
 * A probed call into a non-executable address faults before the callee
 * runs a single instruction, so returning to ra resumes the caller.
 */
static bool fixup_exec_probe(struct trapframe *tf)
{
	struct cpu *c = this_cpu();

	if (!c->probe_exec || (tf->scause != EXC_INST_PAGE_FAULT &&
			       tf->scause != EXC_INST_ACCESS))
		return false;
	c->probe_exec = 0;
	c->probe_cause = tf->scause;
	c->probe_addr = tf->stval;
	tf->sepc = tf->ra;
	tf->a0 = (uint64_t)-EFAULT;
	return true;
}

void trap_kernel(struct trapframe *tf)
{
	if (tf->scause & SCAUSE_INTERRUPT) {
		interrupt_dispatch(tf->scause & ~SCAUSE_INTERRUPT);
		return;
	}
	if (fixup_exception(tf) || fixup_exec_probe(tf))
		return;
	kprintf("\nkernel trap on hart %u: %s (scause %#lx)\n"
		"  sepc %p  stval %p  sp %p  ra %p\n",
		this_cpu()->hartid, trap_cause_name(tf->scause), tf->scause,
		(void *)tf->sepc, (void *)tf->stval, (void *)tf->sp,
		(void *)tf->ra);
	backtrace_print(tf->sepc, tf->s0, tf->ra);
	panic("kernel trap: %s at %p", trap_cause_name(tf->scause),
	      (void *)tf->sepc);
}
