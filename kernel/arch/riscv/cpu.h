/*
 * Per-hart state. The boot hart is always cpu 0; the others are numbered in
 * device-tree order. While a hart runs kernel code, tp points at its
 * struct cpu (never changed by compiled code: GCC does not allocate tp).
 */
#ifndef KILBURN_RISCV_CPU_H
#define KILBURN_RISCV_CPU_H

#define NCPU_MAX	8

/* Offsets used by trap.S; checked against the struct in cpu.c. */
#define CPU_SCRATCH0	0
#define CPU_SCRATCH1	8
#define CPU_OVERFLOW_SP	16
#define CPU_KSTACK_TOP	24

#ifndef __ASSEMBLY__
#include "types.h"
#include "arch/riscv/context.h"
#include "arch/riscv/csr.h"

struct proc;

struct cpu {
	uint64_t scratch[2];		/* trap entry spills registers here */
	uintptr_t overflow_sp;		/* emergency stack for stack overflow */
	uintptr_t kstack_top;		/* this hart's idle/boot kernel stack */
	int id;				/* index in cpus[] */
	uint32_t hartid;		/* the hart's id in the device tree/SBI */
	volatile int online;		/* set by the hart once it runs */
	uint64_t ticks;			/* timer interrupts taken */
	/* where the ticks found the hart (/proc/stat), and switches to a process */
	uint64_t user_ticks, system_ticks, idle_ticks, ctxt;
	uint64_t interrupts;		/* interrupts of every kind taken (/proc/stat intr) */

	/* scheduling: guarded by interrupts being off on this hart */
	struct proc *proc;		/* the process running here, or NULL */
	struct context sched_ctx;	/* swtch() here to enter scheduler() */
	volatile int need_resched;	/* the running process used its slice */

	/* smp_call_all(): work posted to this hart, run from its idle loop */
	void (*call_fn)(void *arg);
	void *call_arg;
	volatile int call_pending;

	/* fault probes of the self-tests (see arch/riscv/probe.h) */
	volatile int probe_exec;	/* an instruction fault returns to ra */
	uint64_t probe_cause;		/* scause of the caught fault */
	uint64_t probe_addr;		/* stval of the caught fault */
};

extern struct cpu cpus[NCPU_MAX];
extern int ncpus;			/* harts in the device tree (<= NCPU_MAX) */

static inline struct cpu *this_cpu(void)
{
	struct cpu *c;

	__asm__ volatile("mv %0, tp" : "=r"(c));
	return c;
}

static inline int this_cpu_id(void)
{
	return this_cpu()->id;
}

/* Disable interrupts on this hart; returns the previous state for irq_restore. */
static inline unsigned long irq_save(void)
{
	return csr_read_clear(sstatus, SSTATUS_SIE) & SSTATUS_SIE;
}

static inline void irq_restore(unsigned long flags)
{
	if (flags)
		csr_set(sstatus, SSTATUS_SIE);
	else
		csr_clear(sstatus, SSTATUS_SIE);
}

static inline void irq_enable(void)
{
	csr_set(sstatus, SSTATUS_SIE);
}

static inline bool irq_enabled(void)
{
	return csr_read(sstatus) & SSTATUS_SIE;
}

/* Serve the TLB shootdowns posted to this hart (arch/riscv/tlb.h). */
void tlb_poll(void);

/* What a hart does on each turn of a spin-wait: see kern/spinlock.h. */
static inline void spin_wait_poll(void)
{
	tlb_poll();
}

/* Find the cpu index of a hart id; -1 if unknown. */
int cpu_index_of_hart(uint32_t hartid);
#endif

#endif
