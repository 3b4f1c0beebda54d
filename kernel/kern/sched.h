/*
 * The scheduler: one run queue shared by all harts (round robin), each hart
 * running scheduler() on its own stack when it has nothing else to do. A
 * process gives up its hart by calling sched() with sched_lock held after
 * setting its new state; the timer takes the hart back after a slice of
 * SCHED_SLICE_TICKS when the process returns to user mode.
 */
#ifndef KILBURN_SCHED_H
#define KILBURN_SCHED_H

#include "kern/proc.h"
#include "arch/riscv/timer.h"

#define SCHED_SLICE_TICKS 2

extern struct spinlock sched_lock;

/* Put p (EMBRYO or SLEEPING) on the run queue. */
void sched_make_runnable(struct proc *p);

/* Give up the hart; the caller holds sched_lock and set its state. */
void sched(void);

/* Let other runnable processes run first. */
void sched_yield(void);

/* Each hart's scheduling loop; never returns. */
void scheduler(void) __noreturn;

/*
 * A timer tick on this hart (interrupts off): charged to the running
 * process (user or system time) or to the hart's idle time; every
 * LOAD_FREQ ticks hart 0 folds the number of runnable processes into the
 * load averages.
 */
void sched_tick(bool from_user);

/*
 * The load averages over 1, 5 and 15 minutes, in Linux's fixed point
 * (FIXED_1 is 1.0): exponentially decayed averages of the processes
 * running or runnable, sampled every 5 seconds as Linux's calc_load.
 */
#define FSHIFT		11
#define FIXED_1		(1UL << FSHIFT)
#define LOAD_FREQ	(5 * TIMER_HZ + 1)
extern unsigned long sched_avenrun[3];

/* Processes running on a hart or waiting on the run queue now. */
int sched_nr_running(void);

/*
 * Wake p if it sleeps (used by kill): it returns from waitq_sleep and sees
 * its pending signal.
 */
void sched_wake_process(struct proc *p);

#endif
