/* Timer interrupts at TIMER_HZ on every hart, armed through SBI. */
#include "env.h"
#include "arch/riscv/cpu.h"
#include "arch/riscv/csr.h"
#include "arch/riscv/sbi.h"
#include "arch/riscv/timer.h"

static uint64_t timebase;
static uint64_t interval;

void timer_setup(uint64_t timebase_hz)
{
	timebase = timebase_hz;
	interval = timebase_hz / TIMER_HZ;
}

uint64_t timer_hz(void)
{
	return timebase;
}

uint64_t timer_uptime_ns(void)
{
	uint64_t t = rdtime();

	return t / timebase * 1000000000ULL +
	       (t % timebase) * 1000000000ULL / timebase;
}

void timer_init_hart(void)
{
	/* let user mode read cycle, time and instret (benchmarks use instret) */
	csr_write(scounteren, 7);
	sbi_set_timer(rdtime() + interval);
	csr_set(sie, SIE_STIE);
}

void timer_interrupt(void)
{
	this_cpu()->ticks++;
	sbi_set_timer(rdtime() + interval);
}
