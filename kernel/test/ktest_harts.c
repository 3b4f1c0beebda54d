/*
 * Self-tests of the machine: every hart of the device tree came up, takes
 * timer interrupts and runs posted work.
 */
#include "env.h"
#include "arch/riscv/cpu.h"
#include "arch/riscv/csr.h"
#include "arch/riscv/smp.h"
#include "arch/riscv/timer.h"
#include "kern/board.h"
#include "kern/ktest.h"

KTEST(every_hart_is_online)
{
	KT_CHECK_EQ(smp_online_count(), MIN(boot_board.nharts, NCPU_MAX));
	for (int i = 0; i < ncpus; i++)
		KT_CHECK(cpus[i].online);
}

static void count_hart(void *arg)
{
	__atomic_add_fetch((int *)arg, 1, __ATOMIC_RELAXED);
}

KTEST(smp_call_reaches_every_hart)
{
	int count = 0;

	for (int round = 0; round < 50; round++)
		smp_call_all(count_hart, &count);
	KT_CHECK_EQ(count, 50 * smp_online_count());
}

/*
 * Every hart takes timer interrupts. The host may starve a virtual hart for
 * a while (QEMU on a busy machine), so the test asks for a few ticks on
 * each hart within a generous window rather than an exact count.
 */
KTEST(timer_ticks_on_every_hart)
{
	uint64_t before[NCPU_MAX];
	uint64_t until = rdtime() + timer_hz() * 2;	/* at most 2 s */
	unsigned long flags = irq_save();
	bool all;

	for (int i = 0; i < ncpus; i++)
		before[i] = cpus[i].ticks;
	irq_enable();
	do {
		wfi();
		all = true;
		for (int i = 0; i < ncpus; i++)
			all &= READ_ONCE(cpus[i].ticks) >= before[i] + 3;
	} while (!all && rdtime() < until);
	irq_restore(flags);
	for (int i = 0; i < ncpus; i++)
		KT_CHECK(cpus[i].ticks >= before[i] + 3);
}
