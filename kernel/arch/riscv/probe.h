/*
 * Fault probes for the self-tests: touch an address in a way that may fault
 * and report whether it did. After a fault, this_cpu()->probe_cause and
 * probe_addr hold scause and stval.
 */
#ifndef KILBURN_RISCV_PROBE_H
#define KILBURN_RISCV_PROBE_H

#include "types.h"

/* Load a byte from addr: 0, or -EFAULT if the load faulted. */
long probe_load(const void *addr);
/* Load a byte from addr and store it back: 0, or -EFAULT on a fault. */
long probe_store(void *addr);
/*
 * Call the function at addr (which must return 0 when it runs): 0, or
 * -EFAULT if fetching its first instruction faulted.
 */
long probe_exec(const void *addr);
/* A function for probe_exec to call: returns 0. */
long probe_target(void);

#endif
