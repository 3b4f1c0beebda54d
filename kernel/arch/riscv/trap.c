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
#include "kern/proc.h"
#include "kern/sched.h"
#include "kern/signal.h"
#include "kern/sleep.h"
#include "kern/syscall.h"
#include "arch/riscv/memlayout.h"
#include "vm/vmspace.h"

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

static void interrupt_dispatch(uint64_t irq, bool from_user)
{
	this_cpu()->interrupts++;
	switch (irq) {
	case IRQ_S_TIMER:
		timer_interrupt();
		sched_tick(from_user);
		if (this_cpu_id() == 0)
			sleep_tick();
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

static const struct ex_entry *fixup_find(uintptr_t pc)
{
	for (const struct ex_entry *e = __ex_table_start; e < __ex_table_end; e++)
		if (e->insn == pc)
			return e;
	return NULL;
}

/* The access a page-fault cause stands for. */
static unsigned int fault_access(uint64_t scause)
{
	if (scause == EXC_STORE_PAGE_FAULT)
		return VM_PROT_WRITE;
	if (scause == EXC_INST_PAGE_FAULT)
		return VM_PROT_EXEC;
	return VM_PROT_READ;
}

static bool is_page_fault(uint64_t scause)
{
	return scause == EXC_LOAD_PAGE_FAULT || scause == EXC_STORE_PAGE_FAULT ||
	       scause == EXC_INST_PAGE_FAULT;
}

/*
 * A user-copy helper faulted on a user address: let the fault handler make
 * the page present (lazy, copy-on-write). Interrupts come back on if they
 * were on, since the handler may sleep.
 */
static bool fixup_user_page(struct trapframe *tf)
{
	struct proc *p = current();
	enum fault_result res;

	if (!p || !p->vm || !is_page_fault(tf->scause) || tf->stval >= USER_TOP ||
	    !fixup_find(tf->sepc))
		return false;
	if (tf->sstatus & SSTATUS_SPIE)
		irq_enable();
	res = vm_fault(p->vm, tf->stval, fault_access(tf->scause));
	irq_save();
	return res == FAULT_OK;		/* retry the instruction */
}

/* Resume a faulting instruction at its fixup, if it has one. */
static bool fixup_exception(struct trapframe *tf)
{
	const struct ex_entry *e = fixup_find(tf->sepc);

	if (!e)
		return false;
	this_cpu()->probe_cause = tf->scause;
	this_cpu()->probe_addr = tf->stval;
	tf->sepc = e->fixup;
	tf->a0 = (uint64_t)-EFAULT;
	return true;
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
		interrupt_dispatch(tf->scause & ~SCAUSE_INTERRUPT, false);
		return;
	}
	if (fixup_user_page(tf) || fixup_exception(tf) || fixup_exec_probe(tf))
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

/* The word a fault message uses for the access. */
static const char *access_word(unsigned int access)
{
	return access == VM_PROT_WRITE ? "store" :
	       access == VM_PROT_EXEC ? "exec" : "load";
}

/*
 * A user page fault the VM could not resolve, or an exception the program
 * caused: send the process the signal, with the code and address Linux
 * gives (page faults: the faulting address; other exceptions: the pc).
 * Unless a handler will run, log one line: the signal kills.
 */
static void user_fault_kill(struct trapframe *tf, int sig, int code, uint64_t addr,
			    const char *what)
{
	struct ksiginfo info = { .si_signo = sig, .si_code = code };
	struct proc *p = current();

	info.fault.addr = addr;
	if (!signal_has_handler(sig))
		kprintf("pid %d (%s): %s at 0x%lx pc 0x%lx (%s)\n", p->pid, p->name,
			sig == SIGSEGV ? "segfault" : sig == SIGBUS ? "bus error" :
			sig == SIGILL ? "illegal instruction" : "trap",
			tf->stval, tf->sepc, what);
	signal_force_info(&info);
}

static void user_page_fault(struct trapframe *tf)
{
	unsigned int access = fault_access(tf->scause);
	enum fault_result res;
	char why[64];

	if (tf->stval >= USER_TOP) {
		ksnprintf(why, sizeof(why), "%s, kernel address", access_word(access));
		user_fault_kill(tf, SIGSEGV, SEGV_MAPERR, tf->stval, why);
		return;
	}
	res = vm_fault(current()->vm, tf->stval, access);
	if (res == FAULT_OK)
		return;
	/* no memory to be had: the OOM killer chose us (or found no one else) */
	if (res == FAULT_OOM) {
		kprintf("pid %d (%s): out of memory at 0x%lx pc 0x%lx: killed\n",
			current()->pid, current()->name, tf->stval, tf->sepc);
		signal_force(SIGKILL);
		return;
	}
	ksnprintf(why, sizeof(why), "%s, %s", access_word(access),
		  vm_fault_reason(res, access));
	if (res == FAULT_IO || res == FAULT_PAST_EOF)
		user_fault_kill(tf, SIGBUS, BUS_ADRERR, tf->stval, why);
	else
		user_fault_kill(tf, SIGSEGV, res == FAULT_PROTECTION ? SEGV_ACCERR : SEGV_MAPERR,
				tf->stval, why);
}

void trap_user(struct trapframe *tf)
{
	uint64_t cause = tf->scause;

	if (cause & SCAUSE_INTERRUPT) {
		interrupt_dispatch(cause & ~SCAUSE_INTERRUPT, true);
	} else if (cause == EXC_ECALL_U) {
		tf->sepc += 4;
		irq_enable();
		syscall_dispatch(tf);
	} else if (is_page_fault(cause)) {
		irq_enable();
		user_page_fault(tf);
	} else {
		irq_enable();
		switch (cause) {
		case EXC_ILLEGAL_INST:
			user_fault_kill(tf, SIGILL, ILL_ILLOPC, tf->sepc, "illegal instruction");
			break;
		case EXC_BREAKPOINT:
			user_fault_kill(tf, SIGTRAP, TRAP_BRKPT, tf->sepc, "breakpoint");
			break;
		case EXC_INST_MISALIGNED:
		case EXC_LOAD_MISALIGNED:
		case EXC_STORE_MISALIGNED:
			user_fault_kill(tf, SIGBUS, BUS_ADRALN, tf->sepc, trap_cause_name(cause));
			break;
		default:
			user_fault_kill(tf, SIGSEGV, SEGV_ACCERR, tf->sepc, trap_cause_name(cause));
		}
	}
	trap_user_exit();
}

void trap_user_exit(void)
{
	irq_enable();
	signal_deliver();
	if (this_cpu()->need_resched)
		sched_yield();
	irq_save();
}
