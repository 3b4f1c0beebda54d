/*
 * panic: report a broken invariant and power off with PANIC_EXIT_STATUS, so
 * a test that hits a panic fails at once instead of hanging. The first
 * hart to panic wins; the others are stopped by an IPI.
 */
#include "env.h"
#include "arch/riscv/backtrace.h"
#include "arch/riscv/cpu.h"
#include "arch/riscv/smp.h"
#include "kern/power.h"

volatile int panicking;
static int panic_owner = -1;

void spin_held_twice(struct spinlock *lock)
{
	panic("spin_lock: %s already held by this hart", lock->name);
}

void panic(const char *fmt, ...)
{
	va_list ap;
	int me = this_cpu_id();
	int expected = -1;

	irq_save();
	if (!__atomic_compare_exchange_n(&panic_owner, &expected, me, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		if (expected != me)	/* another hart is already panicking */
			for (;;)
				wfi();
		kprintf("panic: nested panic on hart %u\n", this_cpu()->hartid);
		power_off(PANIC_EXIT_STATUS);
	}
	smp_halt_others();	/* sets panicking: kprintf stops locking */
	kprintf("\npanic on hart %u: ", this_cpu()->hartid);
	va_start(ap, fmt);
	kvprintf(fmt, ap);
	va_end(ap);
	kprintf("\n");
	backtrace_here();
	power_off(PANIC_EXIT_STATUS);
}
