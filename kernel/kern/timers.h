/*
 * Process timers: the interval timers of setitimer (ITIMER_REAL counts
 * wall time and sends SIGALRM; ITIMER_VIRTUAL and ITIMER_PROF count the
 * process's user, and user plus system, time and send SIGVTALRM and
 * SIGPROF) and the POSIX timers of timer_create (SIGEV_SIGNAL or
 * SIGEV_NONE on CLOCK_REALTIME, CLOCK_MONOTONIC or CLOCK_BOOTTIME, which
 * all count from boot here). Wall-clock timers fire on the boot hart's
 * tick (TIMER_HZ), CPU-time ones on the ticks that find the process
 * running.
 *
 * Locks: timer_lock (irqsave, taken from the tick) guards the armed list
 * and every process's struct proc_timers; p->timers is set and cleared
 * under it.
 */
#ifndef KILBURN_TIMERS_H
#define KILBURN_TIMERS_H

#include "env.h"

struct proc;

/* The boot hart's tick: fire the wall-clock timers that are due. */
void timers_tick(void);

/* A tick that found p running (user or system time): its CPU timers. */
void timers_cpu_tick(struct proc *p, bool from_user);

/* exec: POSIX timers are deleted; interval timers go on. */
void timers_exec(struct proc *p);

/* exit: every timer of p is stopped and freed. */
void timers_exit(struct proc *p);

/*
 * exec from a thread: the process's timers go from its old leader to the
 * thread that leads it now.
 */
void timers_move(struct proc *from, struct proc *to);

#endif
