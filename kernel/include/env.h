/*
 * The kernel environment of the machine-independent code (kernel/lib,
 * kernel/vm and the parsers in kernel/kern): allocation of frames is in
 * vm/pmm.h; this header gives locks, interrupt masking, the current hart,
 * panic, logging, string functions and the physical <-> virtual mapping.
 *
 * The host build replaces this file with host/env/env.h, which offers the
 * same names, so the same sources compile and run as unit tests.
 */
#ifndef KILBURN_ENV_H
#define KILBURN_ENV_H

#include "types.h"
#include "errno.h"
#include "arch/riscv/cpu.h"		/* irq_save, irq_restore, this_cpu_id */
#include "arch/riscv/memlayout.h"	/* phys_to_virt, virt_to_phys */
#include "kern/spinlock.h"
#include "kern/printf.h"		/* kprintf */
#include "kern/panic.h"			/* panic */
#include "lib/string.h"

#define KERNEL_BUILD 1

#endif
