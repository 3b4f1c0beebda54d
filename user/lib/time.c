/* Clocks, sleeping, random bytes, and UTC calendar conversion. */
#include <errno.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/times.h>
#include <time.h>
#include <unistd.h>
#include "internal.h"

/* Reads clock clk into *ts. */
int clock_gettime(clockid_t clk, struct timespec *ts)
{
	return (int)sys_ret(sys_call2(SYS_clock_gettime, clk, ts));
}

/* Seconds since the epoch (also stored in *t if t is not NULL). */
time_t time(time_t *t)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_REALTIME, &ts) < 0)
		return (time_t)-1;
	if (t)
		*t = ts.tv_sec;
	return ts.tv_sec;
}

/* Sleeps for *req; on EINTR returns -1 with the remainder in *rem. */
int nanosleep(const struct timespec *req, struct timespec *rem)
{
	return (int)sys_ret(sys_call2(SYS_nanosleep, req, rem));
}

/* Sleeps secs seconds; returns the seconds left if interrupted, else 0. */
unsigned int sleep(unsigned int secs)
{
	struct timespec ts = { secs, 0 };

	if (nanosleep(&ts, &ts) < 0)
		return (unsigned int)ts.tv_sec + (ts.tv_nsec > 0);
	return 0;
}

/* Sleeps usecs microseconds. */
int usleep(useconds_t usecs)
{
	struct timespec ts = { usecs / 1000000, (long)(usecs % 1000000) * 1000 };

	return nanosleep(&ts, 0);
}

/* Fills buf with n random bytes; count filled or -1. */
ssize_t getrandom(void *buf, size_t n, unsigned int flags)
{
	return sys_ret(sys_call3(SYS_getrandom, buf, n, flags));
}

/*
 * Converts *t (seconds since 1970, UTC) to broken-down time in *out and
 * returns out. Uses the proleptic Gregorian calendar counted from March so
 * that leap days fall at the end of each year.
 */
struct tm *gmtime_r(const time_t *t, struct tm *out)
{
	long secs = *t, days = secs / 86400, rem = secs % 86400;
	long era, doe, yoe, doy, mp, y;

	if (rem < 0) {
		rem += 86400;
		days--;
	}
	out->tm_hour = (int)(rem / 3600);
	out->tm_min = (int)(rem / 60 % 60);
	out->tm_sec = (int)(rem % 60);
	out->tm_wday = (int)(((days % 7) + 11) % 7);	/* 1970-01-01: Thursday */
	days += 719468;					/* days since 0000-03-01 */
	era = (days >= 0 ? days : days - 146096) / 146097;
	doe = days - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	y = yoe + era * 400 + (mp >= 10);
	out->tm_mday = (int)(doy - (153 * mp + 2) / 5 + 1);
	out->tm_mon = (int)(mp < 10 ? mp + 2 : mp - 10);
	out->tm_year = (int)(y - 1900);
	{
		static const short before[12] = { 0, 31, 59, 90, 120, 151, 181,
						   212, 243, 273, 304, 334 };
		int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
		out->tm_yday = before[out->tm_mon] + out->tm_mday - 1 +
			       (leap && out->tm_mon >= 2);
	}
	out->tm_isdst = 0;
	return out;
}

/* The resolution of clock clk into *res (if not NULL). */
int clock_getres(clockid_t clk, struct timespec *res)
{
	return (int)sys_ret(sys_call2(SYS_clock_getres, clk, res));
}

/* Sleeps on clock clk; returns 0 or an error number (not errno). */
int clock_nanosleep(clockid_t clk, int flags, const struct timespec *req,
		    struct timespec *rem)
{
	long r = sys_call4(SYS_clock_nanosleep, clk, flags, req, rem);

	return r < 0 ? (int)-r : 0;
}

int getitimer(int which, struct itimerval *cur)
{
	return (int)sys_ret(sys_call2(SYS_getitimer, which, cur));
}

int setitimer(int which, const struct itimerval *nv, struct itimerval *old)
{
	return (int)sys_ret(sys_call3(SYS_setitimer, which, nv, old));
}

int gettimeofday(struct timeval *tv, void *tz)
{
	return (int)sys_ret(sys_call2(SYS_gettimeofday, tv, tz));
}

/*
 * SIGALRM after secs seconds (0 cancels); returns the seconds that were
 * left of the previous alarm, rounded as glibc does.
 */
unsigned int alarm(unsigned int secs)
{
	struct itimerval nv = { { 0, 0 }, { secs, 0 } }, old;

	if (setitimer(ITIMER_REAL, &nv, &old) < 0)
		return 0;
	if ((old.it_value.tv_sec == 0 && old.it_value.tv_usec > 0) ||
	    old.it_value.tv_usec >= 500000)
		old.it_value.tv_sec++;
	return (unsigned int)old.it_value.tv_sec;
}

int timer_create(clockid_t clk, struct sigevent *ev, timer_t *id)
{
	return (int)sys_ret(sys_call3(SYS_timer_create, clk, ev, id));
}

int timer_settime(timer_t id, int flags, const struct itimerspec *nv,
		  struct itimerspec *old)
{
	return (int)sys_ret(sys_call4(SYS_timer_settime, id, flags, nv, old));
}

int timer_gettime(timer_t id, struct itimerspec *cur)
{
	return (int)sys_ret(sys_call2(SYS_timer_gettime, id, cur));
}

int timer_getoverrun(timer_t id)
{
	return (int)sys_ret(sys_call1(SYS_timer_getoverrun, id));
}

int timer_delete(timer_t id)
{
	return (int)sys_ret(sys_call1(SYS_timer_delete, id));
}

/* CPU times of the process and its reaped children; ticks since boot. */
clock_t times(struct tms *buf)
{
	return (clock_t)sys_ret(sys_call1(SYS_times, buf));
}
