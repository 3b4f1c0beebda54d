/* Symbolic backtraces through the frame-pointer chain. */
#ifndef KILBURN_RISCV_BACKTRACE_H
#define KILBURN_RISCV_BACKTRACE_H

#include "types.h"

/*
 * Print pc, then the callers found by walking frames from frame pointer fp.
 * ra: the return-address register at the time of a trap (lets the walk see
 * through an interrupted leaf function), or 0.
 */
void backtrace_print(uintptr_t pc, uintptr_t fp, uintptr_t ra);

/* Backtrace of the caller. */
void backtrace_here(void);

#endif
