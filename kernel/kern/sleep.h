/* Sleeping for a while. */
#ifndef KILBURN_SLEEP_H
#define KILBURN_SLEEP_H

#include "types.h"

/*
 * sleep_ns - sleep for ns nanoseconds. Returns 0, or the nanoseconds left
 * if a signal cut the sleep short. Sleepers are checked on every tick of
 * the boot hart's timer (TIMER_HZ).
 */
uint64_t sleep_ns(uint64_t ns);

/* The boot hart's timer tick: fire due timers, wake the sleepers to look at the clock. */
void sleep_tick(void);

#endif
