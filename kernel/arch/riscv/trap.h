/*
 * Trap frames and trap entry. trap.S saves every register into a struct
 * trapframe on the kernel stack and calls trap_kernel() (a trap taken in
 * S-mode) or trap_user() (from U-mode).
 */
#ifndef KILBURN_RISCV_TRAP_H
#define KILBURN_RISCV_TRAP_H

#define TF_SIZE		288
#define TF_SEPC		248
#define TF_SSTATUS	256
#define TF_SCAUSE	264
#define TF_STVAL	272

#ifndef __ASSEMBLY__
#include "types.h"

struct trapframe {
	uint64_t ra, sp, gp, tp;
	uint64_t t0, t1, t2;
	uint64_t s0, s1;
	uint64_t a0, a1, a2, a3, a4, a5, a6, a7;
	uint64_t s2, s3, s4, s5, s6, s7, s8, s9, s10, s11;
	uint64_t t3, t4, t5, t6;
	uint64_t sepc, sstatus, scause, stval;
	uint64_t orig_a0;		/* a0 when a system call began (restart) */
};

void trap_kernel(struct trapframe *tf);
void trap_user(struct trapframe *tf);
/* Last steps before returning to user mode: signals, rescheduling. */
void trap_user_exit(void);
/* Leave the kernel to user mode through tf; interrupts off. */
void trap_return_user(struct trapframe *tf) __noreturn;
void kstack_overflow(void) __noreturn;
extern char trap_vector[];

/* Name of an exception cause ("load page fault", ...). */
const char *trap_cause_name(uint64_t scause);

/* An entry of the exception-fixup table: a faulting insn resumes at fixup. */
struct ex_entry {
	uintptr_t insn;
	uintptr_t fixup;
};
#endif

#endif
