/*
 * panic - a broken kernel invariant: print the message with the hart, a
 * backtrace, stop the other harts and power off with a non-zero status.
 * Never for bad user input.
 */
#ifndef KILBURN_PANIC_H
#define KILBURN_PANIC_H

#include "types.h"

void panic(const char *fmt, ...) __printf(1, 2) __noreturn;

/* Set once a hart panics; the console then stops taking its lock. */
extern volatile int panicking;

#define assert(cond) \
	do { if (unlikely(!(cond))) panic("assertion failed: %s (%s:%d)", #cond, __FILE__, __LINE__); } while (0)

#endif
