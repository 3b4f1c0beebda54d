/*
 * timers: alarm, setitimer/getitimer (ITIMER_REAL, ITIMER_VIRTUAL,
 * ITIMER_PROF), POSIX timers with SIGEV_SIGNAL and SIGEV_NONE on
 * CLOCK_MONOTONIC and CLOCK_REALTIME (relative and TIMER_ABSTIME),
 * clock_getres and times, as on Linux; nanosleep and clock_nanosleep
 * interrupted by a handled signal fail with EINTR and the time left, and
 * a stop and continue does not cut a sleep short. The wall clock
 * (CLOCK_REALTIME, gettimeofday, time, file times) is a real date (from
 * the board's RTC on Kilburn), and clock_nanosleep(TIMER_ABSTIME) on it
 * sleeps until that wall time. No frame leaked.
 */
#define _GNU_SOURCE
#include "tlib.h"
#include "vmtest.h"
#include <errno.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/times.h>
#include <sys/wait.h>
#include <time.h>

static volatile int alrm, vtalrm, prof, usr1, usr1_code, usr1_value;

static void on_signal(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	if (sig == SIGALRM)
		alrm++;
	else if (sig == SIGVTALRM)
		vtalrm++;
	else if (sig == SIGPROF)
		prof++;
	else if (sig == SIGUSR1) {
		usr1++;
		usr1_code = si->si_code;
		usr1_value = si->si_value.sival_int;
	}
}

static void handle(int sig)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_signal;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait (sleeping, up to ms) until *count reaches n. */
static int wait_count(volatile int *count, int n, long ms)
{
	long end = now_ms() + ms;

	while (*count < n && now_ms() < end)
		usleep(2000);
	return *count >= n;
}

static void test_alarm(void)
{
	long t0;

	alrm = 0;
	TL_CHECK(alarm(5) == 0, "alarm(5): no alarm was set");
	TL_CHECK(alarm(0) == 5, "alarm(0) cancels it and returns 5");
	t0 = now_ms();
	alarm(1);
	while (!alrm && now_ms() - t0 < 5000)
		pause();
	VT_CHECK(alrm == 1 && now_ms() - t0 >= 900, "alarm(1): SIGALRM after a second "
		 "(%ld ms)", now_ms() - t0);
}

static void test_itimer_real(void)
{
	struct itimerval it = { { 0, 0 }, { 0, 200000 } }, cur;
	long t0 = now_ms();

	alrm = 0;
	TL_CHECK(setitimer(ITIMER_REAL, &it, NULL) == 0, "setitimer(ITIMER_REAL, 200 ms)");
	getitimer(ITIMER_REAL, &cur);
	VT_CHECK(cur.it_value.tv_sec == 0 && cur.it_value.tv_usec > 0 &&
		 cur.it_value.tv_usec <= 200000 && cur.it_interval.tv_usec == 0,
		 "getitimer: time left in (0, 200 ms] (%ld us)", (long)cur.it_value.tv_usec);
	VT_CHECK(wait_count(&alrm, 1, 3000) && now_ms() - t0 >= 190,
		 "SIGALRM after 200 ms (%ld ms)", now_ms() - t0);
	getitimer(ITIMER_REAL, &cur);
	TL_CHECK(cur.it_value.tv_sec == 0 && cur.it_value.tv_usec == 0,
		 "a one-shot timer is disarmed once it fired");

	alrm = 0;
	it.it_interval.tv_usec = it.it_value.tv_usec = 20000;
	setitimer(ITIMER_REAL, &it, NULL);
	VT_CHECK(wait_count(&alrm, 5, 5000), "a 20 ms periodic ITIMER_REAL fired 5 times (%d)",
		 alrm);
	memset(&it, 0, sizeof(it));
	setitimer(ITIMER_REAL, &it, &cur);
	VT_CHECK(cur.it_interval.tv_sec == 0 && cur.it_interval.tv_usec == 20000,
		 "setitimer returns the old interval (%ld us)", (long)cur.it_interval.tv_usec);
	usleep(50000);
	alrm = 0;
	usleep(100000);
	TL_CHECK(alrm == 0, "disarmed: no more SIGALRM");
	it.it_value.tv_usec = 1000000;
	errno = 0;
	TL_CHECK(setitimer(ITIMER_REAL, &it, NULL) == -1 && errno == EINVAL,
		 "tv_usec of 1000000 is EINVAL");
}

/* Spin until *count is set (at most 10 s of wall time). */
static int spin_until(volatile int *count)
{
	long end = now_ms() + 10000;

	while (!*count && now_ms() < end)
		;
	return *count;
}

static void test_itimer_cpu(void)
{
	struct itimerval it = { { 0, 0 }, { 0, 50000 } }, off = { { 0, 0 }, { 0, 0 } };

	vtalrm = prof = 0;
	TL_CHECK(setitimer(ITIMER_VIRTUAL, &it, NULL) == 0, "setitimer(ITIMER_VIRTUAL, 50 ms)");
	TL_CHECK(spin_until(&vtalrm) == 1, "SIGVTALRM after 50 ms of user time");
	TL_CHECK(setitimer(ITIMER_PROF, &it, NULL) == 0, "setitimer(ITIMER_PROF, 50 ms)");
	TL_CHECK(spin_until(&prof) == 1, "SIGPROF after 50 ms of CPU time");
	setitimer(ITIMER_VIRTUAL, &off, NULL);
	setitimer(ITIMER_PROF, &off, NULL);
}

static void test_posix_timer(clockid_t clk, const char *name)
{
	struct sigevent ev;
	struct itimerspec its, cur;
	struct timespec now;
	timer_t id;

	memset(&ev, 0, sizeof(ev));
	ev.sigev_notify = SIGEV_SIGNAL;
	ev.sigev_signo = SIGUSR1;
	ev.sigev_value.sival_int = 1234;
	if (timer_create(clk, &ev, &id) != 0) {
		VT_CHECK(0, "timer_create(%s)", name);
		return;
	}
	memset(&its, 0, sizeof(its));
	its.it_value.tv_nsec = 30000000;
	its.it_interval.tv_nsec = 30000000;
	usr1 = 0;
	TL_CHECK(timer_settime(id, 0, &its, NULL) == 0, "timer_settime: 30 ms, then every 30 ms");
	timer_gettime(id, &cur);
	VT_CHECK(cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec > 0 &&
		 cur.it_value.tv_nsec <= 30000000 && cur.it_interval.tv_nsec == 30000000,
		 "%s: timer_gettime shows the time left and the interval", name);
	VT_CHECK(wait_count(&usr1, 3, 5000) && usr1_code == SI_TIMER && usr1_value == 1234,
		 "%s: SIGUSR1 three times with SI_TIMER and sigev_value (code %d value %d)",
		 name, usr1_code, usr1_value);
	memset(&its, 0, sizeof(its));
	timer_settime(id, 0, &its, NULL);
	usleep(40000);
	usr1 = 0;
	usleep(80000);
	TL_CHECK(usr1 == 0, "a zero it_value disarms");

	clock_gettime(clk, &now);
	its.it_value = now;
	its.it_value.tv_nsec += 40000000;
	if (its.it_value.tv_nsec >= 1000000000) {
		its.it_value.tv_nsec -= 1000000000;
		its.it_value.tv_sec++;
	}
	usr1 = 0;
	timer_settime(id, TIMER_ABSTIME, &its, NULL);
	VT_CHECK(wait_count(&usr1, 1, 3000), "%s: TIMER_ABSTIME now + 40 ms fires", name);
	TL_CHECK(timer_delete(id) == 0, "timer_delete");
	errno = 0;
	TL_CHECK(timer_gettime(id, &cur) == -1 && errno == EINVAL,
		 "timer_gettime of a deleted timer: EINVAL");
}

static void test_sigev_none(void)
{
	struct sigevent ev;
	struct itimerspec its, a, b;
	timer_t id;

	memset(&ev, 0, sizeof(ev));
	ev.sigev_notify = SIGEV_NONE;
	if (timer_create(CLOCK_MONOTONIC, &ev, &id) != 0) {
		TL_CHECK(0, "timer_create(SIGEV_NONE)");
		return;
	}
	memset(&its, 0, sizeof(its));
	its.it_value.tv_sec = 10;
	timer_settime(id, 0, &its, NULL);
	timer_gettime(id, &a);
	usleep(30000);
	timer_gettime(id, &b);
	VT_CHECK(a.it_value.tv_sec * 1000000000L + a.it_value.tv_nsec >
		 b.it_value.tv_sec * 1000000000L + b.it_value.tv_nsec && b.it_value.tv_sec >= 9,
		 "SIGEV_NONE: the time left goes down (%ld s)", (long)b.it_value.tv_sec);
	timer_delete(id);
}

static void test_clocks(void)
{
	struct timespec res = { -1, -1 };
	struct tms t0, t1;
	clock_t c0, c1;
	long end;
	int status;
	pid_t pid;

	TL_CHECK(clock_getres(CLOCK_MONOTONIC, &res) == 0 && res.tv_sec == 0 &&
		 res.tv_nsec > 0 && res.tv_nsec <= 10000000, "clock_getres(CLOCK_MONOTONIC)");
	TL_CHECK(clock_getres(CLOCK_REALTIME, NULL) == 0, "clock_getres with a NULL result");
	errno = 0;
	TL_CHECK(clock_getres(99, &res) == -1 && errno == EINVAL, "clock_getres(99): EINVAL");

	c0 = times(&t0);
	end = now_ms() + 200;
	while (now_ms() < end)
		;
	c1 = times(&t1);
	VT_CHECK(c1 - c0 >= 15 && c1 - c0 <= 100, "times: 200 ms is about 20 ticks (%ld)",
		 (long)(c1 - c0));
	VT_CHECK(t1.tms_utime + t1.tms_stime > t0.tms_utime + t0.tms_stime,
		 "times: a busy loop adds CPU time (%ld -> %ld)",
		 (long)(t0.tms_utime + t0.tms_stime), (long)(t1.tms_utime + t1.tms_stime));
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		long stop = now_ms() + 200;

		while (now_ms() < stop)
			;
		_exit(0);
	}
	waitpid(pid, &status, 0);
	times(&t1);
	VT_CHECK(t1.tms_cutime + t1.tms_cstime > 0, "times: a reaped child's CPU time counts "
		 "(%ld)", (long)(t1.tms_cutime + t1.tms_cstime));
}

/* The wall clock is a date after 2020 and every way of reading it agrees. */
static void test_wall_clock(void)
{
	struct timespec rt, abs, m0, m1;
	struct timeval tv;
	struct stat st;
	long slept_ms;
	int fd;

	clock_gettime(CLOCK_REALTIME, &rt);
	VT_CHECK(rt.tv_sec > 1577836800L, "CLOCK_REALTIME is a real date, after 2020 (%ld)",
		 (long)rt.tv_sec);
	TL_CHECK(gettimeofday(&tv, NULL) == 0 && tv.tv_sec >= rt.tv_sec &&
		 tv.tv_sec <= rt.tv_sec + 2, "gettimeofday agrees with it");
	TL_CHECK(time(NULL) >= rt.tv_sec && time(NULL) <= rt.tv_sec + 2, "so does time()");
	fd = open("/tmp/timers-wall", O_CREAT | O_WRONLY | O_TRUNC, 0644);
	TL_CHECK(fd >= 0 && fstat(fd, &st) == 0 && st.st_mtime >= rt.tv_sec - 1 &&
		 st.st_mtime <= time(NULL) + 1, "a new file's mtime is the wall time");
	if (fd >= 0)
		close(fd);
	unlink("/tmp/timers-wall");
	clock_gettime(CLOCK_REALTIME, &abs);
	abs.tv_nsec += 100000000;
	if (abs.tv_nsec >= 1000000000) {
		abs.tv_nsec -= 1000000000;
		abs.tv_sec++;
	}
	clock_gettime(CLOCK_MONOTONIC, &m0);
	TL_CHECK(clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &abs, NULL) == 0,
		 "clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, now + 100 ms)");
	clock_gettime(CLOCK_MONOTONIC, &m1);
	slept_ms = (m1.tv_sec - m0.tv_sec) * 1000 + (m1.tv_nsec - m0.tv_nsec) / 1000000;
	VT_CHECK(slept_ms >= 90 && slept_ms < 2000, "... sleeps until that wall time (%ld ms)",
		 slept_ms);
}

static void test_sleep_eintr(void)
{
	struct itimerval it = { { 0, 0 }, { 0, 100000 } };
	struct timespec req = { 1, 0 }, rem = { 0, 0 };
	int r;

	alrm = 0;
	setitimer(ITIMER_REAL, &it, NULL);
	errno = 0;
	r = nanosleep(&req, &rem);
	VT_CHECK(r == -1 && errno == EINTR && alrm == 1 && rem.tv_sec == 0 &&
		 rem.tv_nsec > 700000000, "nanosleep(1 s) cut by a handled SIGALRM at 100 ms: "
		 "EINTR with about 0.9 s left (%ld ns)", rem.tv_nsec);
	alrm = 0;
	setitimer(ITIMER_REAL, &it, NULL);
	rem.tv_nsec = 0;
	r = clock_nanosleep(CLOCK_MONOTONIC, 0, &req, &rem);
	VT_CHECK(r == EINTR && alrm == 1 && rem.tv_nsec > 700000000,
		 "clock_nanosleep: EINTR and the time left (%d, %ld ns)", r, rem.tv_nsec);
}

/* A child sleeps 400 ms; stopped and continued meanwhile, it sleeps it all. */
static int sleep_through(void *arg)
{
	struct timespec req = { 0, 400000000 };
	long t0 = now_ms();
	int r;

	(void)arg;
	r = nanosleep(&req, NULL);
	return r == 0 && now_ms() - t0 >= 390 ? 0 : 1;
}

static void test_sleep_stop(void)
{
	pid_t pid;
	int status;

	fflush(stdout);
	pid = fork();
	if (pid == 0)
		_exit(sleep_through(NULL));
	usleep(50000);
	kill(pid, SIGSTOP);
	waitpid(pid, &status, WUNTRACED);
	usleep(50000);
	kill(pid, SIGCONT);
	status = vt_wait(pid, 10);
	VT_CHECK(vt_exited_ok(status), "a stopped and continued nanosleep goes on to its end "
		 "(%s)", vt_how(status));
}

int main(void)
{
	long before;

	printf("timers: alarm, itimers, POSIX timers, clocks, interrupted sleeps\n");
	handle(SIGALRM);
	handle(SIGVTALRM);
	handle(SIGPROF);
	handle(SIGUSR1);
	test_itimer_real();		/* warm-up */
	test_posix_timer(CLOCK_MONOTONIC, "CLOCK_MONOTONIC");
	test_clocks();
	test_sleep_eintr();
	test_sleep_stop();
	before = tl_frames_free();
	test_alarm();
	test_itimer_real();
	test_itimer_cpu();
	test_posix_timer(CLOCK_MONOTONIC, "CLOCK_MONOTONIC");
	test_posix_timer(CLOCK_REALTIME, "CLOCK_REALTIME");
	test_sigev_none();
	test_clocks();
	test_wall_clock();
	test_sleep_eintr();
	test_sleep_stop();
	tl_check_no_leak(before);
	return tl_done();
}
