/*
 * What swtch() saves: the callee-saved registers of a kernel thread that
 * gave up its hart, and the user floating-point state of a process.
 */
#ifndef KILBURN_RISCV_CONTEXT_H
#define KILBURN_RISCV_CONTEXT_H

#include "types.h"

struct context {
	uint64_t ra, sp;
	uint64_t s[12];
};

struct fpu_state {
	uint64_t f[32];
	uint64_t fcsr;
};

/* Save the current registers in *from and resume the thread of *to. */
void swtch(struct context *from, struct context *to);

/* Floating-point registers <-> memory (used only for user state). */
void fpu_save(struct fpu_state *st);
void fpu_restore(const struct fpu_state *st);

#endif
