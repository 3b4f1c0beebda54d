/* The platform-level interrupt controller: routes device interrupts to harts. */
#ifndef KILBURN_PLIC_H
#define KILBURN_PLIC_H

#include "types.h"

struct board;
typedef void (*irq_handler_fn)(void *arg);

/* Boot hart, once, after pmap_bootstrap: mask every source. */
void plic_init(const struct board *b);
/* Each hart: accept every priority in its S-mode context, enable SEIE. */
void plic_init_hart(void);
/*
 * plic_register - call fn(arg) for interrupt source irq and enable it for
 * the calling hart's context. Returns 0 or -EINVAL (bad irq, already taken).
 */
int plic_register(uint32_t irq, irq_handler_fn fn, void *arg);
/*
 * External interrupt on this hart: claim, dispatch and complete every
 * pending source, counting each (plic_irq_count). A claim past the first
 * counts as one more interrupt of this hart (cpu.interrupts), so that the
 * per-source counts never add up to more than the total.
 */
void plic_interrupt(void);

/* The highest source number of this PLIC (sources are 1 .. this). */
uint32_t plic_nsources(void);

/* Interrupts of source irq taken since boot on every hart (0 if none). */
uint64_t plic_irq_count(uint32_t irq);

#endif
