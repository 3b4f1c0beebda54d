/*
 * Helpers shared by the pthread tests (tests/glibc/thr_*.c).
 */
#ifndef KILBURN_THR_H
#define KILBURN_THR_H

#include "../user/tlib.h"
#include <time.h>

static inline void thr_sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, ms % 1000 * 1000000 };

	nanosleep(&ts, NULL);
}

/*
 * Wait until threads that were joined are gone from the kernel too: a
 * thread is freed after it has switched away for the last time, a little
 * after pthread_join returned (and later still when the host is busy and
 * the hart it ran on gets no time). Waits until the free memory stays the
 * same over 50 ms, at most 2 s.
 */
static inline void thr_quiesce(void)
{
	long last = -2, now;

	for (int i = 0; i < 40; i++) {
		thr_sleep_ms(50);
		now = tl_frames_free();
		if (now == last)
			return;
		last = now;
	}
}

/*
 * Touch 64 KiB of this thread's stack, so later calls find it present
 * (glibc reuses cached thread stacks in any order, and a leak check must
 * not see one stack more resident than another).
 */
static void __attribute__((noinline, unused)) thr_touch_stack(void)
{
	volatile char buf[64 * 1024];

	for (size_t i = 0; i < sizeof(buf); i += 512)
		buf[i] = 1;
}

#endif
