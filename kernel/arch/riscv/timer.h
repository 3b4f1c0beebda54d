/* The per-hart timer interrupt, through the SBI timer extension. */
#ifndef KILBURN_RISCV_TIMER_H
#define KILBURN_RISCV_TIMER_H

#include "types.h"

#define TIMER_HZ	100		/* ticks per second */

/* Record the timebase (ticks of rdtime per second). Boot hart, once. */
void timer_setup(uint64_t timebase_hz);
/* Arm this hart's timer and enable its interrupt. */
void timer_init_hart(void);
/* Timer interrupt: count the tick and re-arm. */
void timer_interrupt(void);
/* rdtime ticks per second. */
uint64_t timer_hz(void);
/* Nanoseconds since boot. */
uint64_t timer_uptime_ns(void);

#endif
