/*
 * thr_signal: signals and threads. pthread_kill (tgkill) runs the handler
 * in the thread named; each thread has its own mask; a signal sent to the
 * process goes to a thread that does not block it; a fault's signal goes
 * to the thread that faulted; sigwait, sigtimedwait (timeout: EAGAIN) and
 * sigwaitinfo take signals sent to the process; real-time signals queue,
 * in order, each with its value (sigqueue). Run by tests/user/threads.
 */
#define _GNU_SOURCE
#include "thr.h"
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <sys/syscall.h>

static pid_t gettid_(void)
{
	return syscall(SYS_gettid);
}

static volatile pid_t handled_by;
static volatile int handled_sig;

static void record(int sig)
{
	handled_by = gettid_();
	handled_sig = sig;
}

/* A thread that blocks nothing (or what it is told) and waits to be told to go. */
struct sleeper {
	pthread_t t;
	pid_t tid;
	sigset_t block;
	volatile int stop;
};

static void *sleeper_main(void *arg)
{
	struct sleeper *s = arg;

	pthread_sigmask(SIG_SETMASK, &s->block, NULL);
	s->tid = gettid_();
	while (!s->stop)
		thr_sleep_ms(5);
	return NULL;
}

static void sleeper_start(struct sleeper *s, const sigset_t *block)
{
	memset(s, 0, sizeof(*s));
	if (block)
		s->block = *block;
	else
		sigemptyset(&s->block);
	pthread_create(&s->t, NULL, sleeper_main, s);
	while (!__atomic_load_n(&s->tid, __ATOMIC_SEQ_CST))
		thr_sleep_ms(1);
}

static void sleeper_stop(struct sleeper *s)
{
	s->stop = 1;
	pthread_join(s->t, NULL);
}

static int wait_handled(void)
{
	for (int i = 0; i < 200 && !handled_sig; i++)
		thr_sleep_ms(5);
	return handled_sig;
}

static void directed(void)
{
	struct sleeper a, b;
	sigset_t usr2, old, now;

	signal(SIGUSR1, record);
	signal(SIGUSR2, record);
	sleeper_start(&a, NULL);
	sleeper_start(&b, NULL);
	handled_sig = 0;
	pthread_kill(b.t, SIGUSR1);
	TL_CHECK(wait_handled() == SIGUSR1 && handled_by == b.tid,
		 "pthread_kill: the handler runs in the thread named");
	sleeper_stop(&a);
	sleeper_stop(&b);

	/* the main thread blocks SIGUSR2, one thread does not: it gets it */
	sigemptyset(&usr2);
	sigaddset(&usr2, SIGUSR2);
	pthread_sigmask(SIG_BLOCK, &usr2, &old);
	sleeper_start(&a, &usr2);
	sleeper_start(&b, NULL);
	pthread_sigmask(SIG_SETMASK, NULL, &now);
	handled_sig = 0;
	kill(getpid(), SIGUSR2);
	TL_CHECK(wait_handled() == SIGUSR2 && handled_by == b.tid,
		 "kill: the one thread that does not block it takes it");
	sleeper_stop(&a);
	sleeper_stop(&b);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	TL_CHECK(sigismember(&now, SIGUSR2), "a thread's mask is its own (the main one kept SIGUSR2)");
	signal(SIGUSR1, SIG_DFL);
	signal(SIGUSR2, SIG_DFL);
}

static __thread sigjmp_buf fault_env;
static volatile pid_t fault_tid;
static volatile int *volatile bad_ptr;

static void on_segv(int sig)
{
	(void)sig;
	fault_tid = gettid_();
	siglongjmp(fault_env, 1);
}

static void *faulting(void *arg)
{
	(void)arg;
	if (sigsetjmp(fault_env, 1) == 0)
		*bad_ptr = 1;
	return (void *)(long)gettid_();
}

static void fault_goes_to_faulter(void)
{
	struct sleeper a;
	struct sigaction sa = { .sa_handler = on_segv };
	pthread_t t;
	void *tid;

	sigaction(SIGSEGV, &sa, NULL);
	sleeper_start(&a, NULL);
	pthread_create(&t, NULL, faulting, NULL);
	pthread_join(t, &tid);
	sleeper_stop(&a);
	TL_CHECK(fault_tid == (pid_t)(long)tid, "SIGSEGV goes to the faulting thread");
	signal(SIGSEGV, SIG_DFL);
}

static void *send_later(void *arg)
{
	thr_sleep_ms(50);
	kill(getpid(), (int)(long)arg);
	return NULL;
}

static void waiting(void)
{
	struct timespec ts = { 0, 30 * 1000 * 1000 };
	sigset_t set;
	siginfo_t si;
	pthread_t t;
	int sig = 0, rt = SIGRTMIN + 1;
	union sigval v;
	int order_ok = 1;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, rt);
	sigaddset(&set, rt + 1);
	pthread_sigmask(SIG_BLOCK, &set, NULL);	/* threads made now inherit it */

	pthread_create(&t, NULL, send_later, (void *)(long)SIGUSR1);
	TL_CHECK(sigwait(&set, &sig) == 0 && sig == SIGUSR1, "sigwait takes a signal sent to the process");
	pthread_join(t, NULL);
	errno = 0;
	TL_CHECK(sigtimedwait(&set, &si, &ts) == -1 && errno == EAGAIN,
		 "sigtimedwait with nothing sent: EAGAIN after the timeout");

	for (int i = 1; i <= 3; i++) {
		v.sival_int = 100 + i;
		sigqueue(getpid(), rt, v);
	}
	v.sival_int = 200;
	sigqueue(getpid(), rt + 1, v);
	v.sival_int = 104;
	sigqueue(getpid(), rt, v);
	for (int i = 1; i <= 4; i++) {
		sig = sigwaitinfo(&set, &si);
		order_ok &= sig == rt && si.si_value.sival_int == 100 + i && si.si_code == SI_QUEUE &&
			    si.si_pid == getpid();
	}
	TL_CHECK(order_ok, "real-time signals queue: 4 of one, in order, with their values");
	sig = sigwaitinfo(&set, &si);
	TL_CHECK(sig == rt + 1 && si.si_value.sival_int == 200,
		 "then the higher real-time signal, with its value");
	errno = 0;
	ts.tv_nsec = 0;
	TL_CHECK(sigtimedwait(&set, &si, &ts) == -1 && errno == EAGAIN, "and nothing is left");
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
}

int main(void)
{
	printf("thr_signal: per-thread signals, masks, sigwait, queued real-time signals\n");
	directed();
	fault_goes_to_faulter();
	waiting();
	return tl_done();
}
