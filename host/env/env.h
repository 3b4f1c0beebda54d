/*
 * Host environment for the machine-independent kernel code. It offers the
 * same names as kernel/include/env.h, built on the C library, so allocators,
 * parsers and VM logic compile natively (with AddressSanitizer and UBSan) and
 * run as unit tests.
 *
 * "Physical memory" on the host is any buffer the test chooses: it sets
 * host_phys_offset so that phys_to_virt(pa) == (void *)(pa + host_phys_offset).
 */
#ifndef KILBURN_HOST_ENV_H
#define KILBURN_HOST_ENV_H

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "types.h"
#include "errno.h"

#define HOST_BUILD 1

/* Interrupts do not exist on the host; the "current hart" is per thread. */
extern __thread int host_cpu_id;
static inline unsigned long irq_save(void) { return 0; }
static inline void irq_restore(unsigned long flags) { (void)flags; }
static inline int this_cpu_id(void) { return host_cpu_id; }
/*
 * No other harts to serve while spinning (the kernel's serves shootdowns);
 * give the host CPU up instead, since host threads playing harts may
 * outnumber the host's CPUs and the holder may be the one descheduled.
 */
void host_spin_wait(void);
static inline void spin_wait_poll(void) { host_spin_wait(); }

/*
 * Scheduling points, for model tests that run host threads as harts over
 * the real locks (host/test_fault_mt.c): every spinlock and mutex calls
 * host_sched_point() where it is taken and given back. A thread whose
 * host_sched_seed is not 0 then delays there now and then (a yield or a
 * short spin, drawn from that seed), so that runs from different seeds
 * interleave differently; with a seed of 0 (every thread unless a test
 * sets it) the point costs a load and a branch.
 */
extern __thread uint64_t host_sched_seed;
void host_sched_delay(void);
static inline void host_sched_point(void)
{
	if (unlikely(host_sched_seed))
		host_sched_delay();
}
#define spin_sched_point(lock)	host_sched_point()

/* The user half of an address space, as in kernel/arch/riscv/memlayout.h. */
#define USER_TOP	0x0000004000000000UL

/* Physical addresses are offsets into a buffer chosen by the test. */
extern intptr_t host_phys_offset;

/*
 * host_fake_ram - a buffer of size bytes (4 MiB aligned, made on the first
 * call and kept) standing for physical memory at [base, base + size):
 * sets host_phys_offset to match. Exits if out of host memory.
 */
void *host_fake_ram(paddr_t base, uint64_t size);
static inline void *phys_to_virt(paddr_t pa)
{
	return (void *)(uintptr_t)((intptr_t)pa + host_phys_offset);
}
static inline paddr_t virt_to_phys(const void *va)
{
	return (paddr_t)((intptr_t)(uintptr_t)va - host_phys_offset);
}

#include "kern/spinlock.h"

/* The kernel has strlcpy; older C libraries do not. */
size_t strlcpy(char *dst, const char *src, size_t size);

/*
 * panic() on the host: if a test armed host_panic_jmp (see EXPECT_PANIC in
 * host/test.h), the message is kept in host_panic_msg and control returns to
 * the test; otherwise the message is printed and the process aborts.
 */
extern __thread jmp_buf *host_panic_jmp;	/* per thread (hart) */
extern __thread char host_panic_msg[512];
void panic(const char *fmt, ...) __printf(1, 2) __noreturn;

/* Kernel log: goes to stdout unless host_log_quiet is set. */
extern int host_log_quiet;
int kprintf(const char *fmt, ...) __printf(1, 2);

#define assert(cond) \
	do { if (!(cond)) panic("assertion failed: %s (%s:%d)", #cond, __FILE__, __LINE__); } while (0)

#endif
