/* Bringing up the other harts and running work on all of them. */
#ifndef KILBURN_RISCV_SMP_H
#define KILBURN_RISCV_SMP_H

#include "types.h"

/* Take inter-hart interrupts on this hart. */
void smp_init_hart(void);

/* Start every other hart of the board and wait until each is online. */
void smp_start(void);

/* Bit i set for every online hart id i (hart ids below 64). */
unsigned long smp_online_hart_mask(void);

/* Number of harts online. */
int smp_online_count(void);

/*
 * smp_call_all - run fn(arg) on every online hart, this one included, and
 * return when all have finished. The other harts run it from their idle loop
 * with interrupts enabled. Callers are serialized.
 */
void smp_call_all(void (*fn)(void *arg), void *arg);

/* Stop every other hart (panic): they spin with interrupts off. */
void smp_halt_others(void);

/* Handle a software interrupt (IPI) on this hart. */
void smp_ipi_interrupt(void);

/*
 * A process became runnable: interrupt one idle hart so it looks at the run
 * queue, unless this hart is idle itself (it looks on its way back).
 */
void smp_kick_idle(void);
/* The same for a process that may run only on the cpu indices in allowed. */
void smp_kick_idle_for(uint64_t allowed);

#endif
