/* Time types and clocks. */
#ifndef _TIME_H
#define _TIME_H

#include <sys/types.h>

struct timespec {
	time_t	tv_sec;
	long	tv_nsec;
};

struct timeval {
	time_t		tv_sec;
	suseconds_t	tv_usec;
};

struct tm {
	int tm_sec, tm_min, tm_hour;	/* 0-60, 0-59, 0-23 */
	int tm_mday, tm_mon, tm_year;	/* 1-31, 0-11, years since 1900 */
	int tm_wday, tm_yday, tm_isdst;	/* 0-6 from Sunday, 0-365, always 0 */
};

#define CLOCK_REALTIME			0
#define CLOCK_MONOTONIC			1
#define CLOCK_PROCESS_CPUTIME_ID	2
#define CLOCK_THREAD_CPUTIME_ID		3
#define CLOCK_MONOTONIC_RAW		4
#define CLOCK_BOOTTIME			7
#define TIMER_ABSTIME			1

struct itimerspec {
	struct timespec it_interval;
	struct timespec it_value;
};

struct sigevent;

int clock_gettime(clockid_t clk, struct timespec *ts);
int clock_getres(clockid_t clk, struct timespec *res);
int clock_nanosleep(clockid_t clk, int flags, const struct timespec *req,
		    struct timespec *rem);
int timer_create(clockid_t clk, struct sigevent *ev, timer_t *id);
int timer_settime(timer_t id, int flags, const struct itimerspec *nv,
		  struct itimerspec *old);
int timer_gettime(timer_t id, struct itimerspec *cur);
int timer_getoverrun(timer_t id);
int timer_delete(timer_t id);
int nanosleep(const struct timespec *req, struct timespec *rem);
time_t time(time_t *t);
struct tm *gmtime_r(const time_t *t, struct tm *out);

#endif
