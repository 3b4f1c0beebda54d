/* Interval timers (setitimer) and gettimeofday. */
#ifndef _SYS_TIME_H
#define _SYS_TIME_H

#include <time.h>

#define ITIMER_REAL	0
#define ITIMER_VIRTUAL	1
#define ITIMER_PROF	2

struct itimerval {
	struct timeval it_interval;
	struct timeval it_value;
};

int getitimer(int which, struct itimerval *cur);
int setitimer(int which, const struct itimerval *nv, struct itimerval *old);

/* The wall time in seconds and microseconds; tz must be NULL (obsolete). */
int gettimeofday(struct timeval *tv, void *tz);

#endif
