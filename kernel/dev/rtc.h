/*
 * The real-time clock: the wall time (CLOCK_REALTIME) is read once at boot
 * from the virt board's Goldfish RTC (device tree compatible
 * "google,goldfish-rtc") and then kept by the timebase, as Linux keeps it
 * between reads of a hardware clock. Without the device the wall clock
 * counts from the epoch at boot (as before Kilburn had one).
 */
#ifndef KILBURN_RTC_H
#define KILBURN_RTC_H

#include "env.h"

struct board;

/* Read the wall time from the board's RTC, if it has one. Boot, once, after timer_setup. */
void rtc_init(const struct board *b);

/* Nanoseconds of wall time at uptime 0 (add to timer_uptime_ns()). */
uint64_t rtc_offset_ns(void);

/* The wall time now: nanoseconds since 1970-01-01 00:00 UTC. */
uint64_t rtc_now_ns(void);

#endif
