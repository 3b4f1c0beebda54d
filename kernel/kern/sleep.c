/* Timed sleeps; see sleep.h. */
#include "env.h"
#include "arch/riscv/csr.h"
#include "arch/riscv/timer.h"
#include "kern/futex.h"
#include "kern/signal.h"
#include "kern/sleep.h"
#include "kern/timers.h"
#include "fs/poll.h"
#include "kern/waitq.h"

static struct spinlock sleep_lock = SPINLOCK_INIT("sleep");
static struct waitq sleepers = { LIST_HEAD_INIT(sleepers.waiters) };

uint64_t sleep_ns(uint64_t ns)
{
	uint64_t start = timer_uptime_ns(), deadline = start + ns, now;
	unsigned long flags = spin_lock_irqsave(&sleep_lock);

	while ((now = timer_uptime_ns()) < deadline && !signal_pending())
		waitq_sleep(&sleepers, &sleep_lock);
	spin_unlock_irqrestore(&sleep_lock, flags);
	return now < deadline ? deadline - now : 0;
}

void sleep_tick(void)
{
	timers_tick();
	poll_tick();
	futex_tick();
	if (!list_empty(&sleepers.waiters))
		waitq_wake_all(&sleepers);
}
