/*
 * The Goldfish RTC of QEMU's virt board: TIME_LOW then TIME_HIGH give the
 * nanoseconds since the epoch (reading TIME_LOW latches TIME_HIGH). Read
 * once at boot; from then on the wall clock is uptime plus that offset.
 */
#include "arch/riscv/timer.h"
#include "dev/rtc.h"
#include "kern/board.h"
#include "kern/console.h"

#define RTC_TIME_LOW	0x00
#define RTC_TIME_HIGH	0x04

static uint64_t offset_ns;	/* written once at boot, before other harts run */

void rtc_init(const struct board *b)
{
	volatile uint32_t *regs;
	uint64_t lo, hi, now;

	if (!b->rtc.base)
		return;
	regs = phys_to_virt(b->rtc.base);
	lo = regs[RTC_TIME_LOW / 4];
	hi = regs[RTC_TIME_HIGH / 4];
	now = hi << 32 | lo;
	offset_ns = now - MIN(now, timer_uptime_ns());
	kprintf("rtc: goldfish at 0x%lx, %lu s since the epoch\n", b->rtc.base, now / 1000000000);
}

uint64_t rtc_offset_ns(void)
{
	return offset_ns;
}

uint64_t rtc_now_ns(void)
{
	return timer_uptime_ns() + offset_ns;
}
