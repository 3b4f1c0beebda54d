/*
 * thr_jobctl: job control of a process with threads. SIGSTOP stops every
 * thread (none of their counters moves while the parent sees it stopped),
 * SIGCONT resumes them all, each reported once to wait4 (WUNTRACED,
 * WCONTINUED); SIGKILL ends a stopped process. A process whose parent
 * ignores SIGCHLD and whose main thread exits before its other thread is
 * reaped without a wait once the last thread is gone, and wait then says
 * ECHILD. No frame or kernel object may leak. Plain POSIX C: passes on
 * Linux too. Run by tests/user/threads.
 */
#define _GNU_SOURCE
#include "thr.h"
#include "../user/vmtest.h"
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/wait.h>

#define NSPIN	3

static volatile uint64_t *counters;	/* shared with the children */

static void *spin(void *arg)
{
	volatile uint64_t *c = arg;

	for (;;)
		(*c)++;
	return NULL;
}

/* The child: NSPIN threads counting, the main one too. */
static void spinning_child(void)
{
	pthread_t th;

	for (int i = 1; i < NSPIN; i++)
		pthread_create(&th, NULL, spin, (void *)&counters[i]);
	spin((void *)&counters[0]);
}

static void snapshot(uint64_t *out)
{
	for (int i = 0; i < NSPIN; i++)
		out[i] = __atomic_load_n(&counters[i], __ATOMIC_RELAXED);
}

/* Have all counters moved since a (1), none (0)? Mixed: -1. */
static int moved(const uint64_t *a, const uint64_t *b)
{
	int n = 0;

	for (int i = 0; i < NSPIN; i++)
		n += a[i] != b[i];
	return n == NSPIN ? 1 : n == 0 ? 0 : -1;
}

static void stop_and_continue(int report)
{
	uint64_t a[NSPIN], b[NSPIN];
	int st = 0, stopped, cont, still, ran, killed;
	pid_t pid, w;

	memset((void *)counters, 0, NSPIN * sizeof(*counters));
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		spinning_child();
		_exit(1);
	}
	thr_sleep_ms(100);
	kill(pid, SIGSTOP);
	w = waitpid(pid, &st, WUNTRACED);
	stopped = w == pid && WIFSTOPPED(st) && WSTOPSIG(st) == SIGSTOP;
	thr_sleep_ms(50);		/* the other threads stop at their next tick */
	snapshot(a);
	thr_sleep_ms(150);
	snapshot(b);
	still = moved(a, b) == 0;
	kill(pid, SIGCONT);
	w = waitpid(pid, &st, WCONTINUED);
	cont = w == pid && WIFCONTINUED(st);
	snapshot(a);
	ran = 0;
	for (int ms = 0; ms < 3000 && !ran; ms += 20) {	/* a busy host is slow */
		thr_sleep_ms(20);
		snapshot(b);
		ran = moved(a, b) == 1;
	}
	kill(pid, SIGSTOP);
	waitpid(pid, &st, WUNTRACED);
	kill(pid, SIGKILL);		/* ends a stopped process */
	w = waitpid(pid, &st, 0);
	killed = w == pid && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL;
	if (!report)
		return;
	VT_CHECK(stopped, "SIGSTOP to a process of %d threads: wait4 reports it stopped", NSPIN);
	TL_CHECK(still, "no thread runs while it is stopped");
	TL_CHECK(cont, "SIGCONT: wait4 reports it continued");
	TL_CHECK(ran, "every thread runs again");
	TL_CHECK(killed, "SIGKILL ends the stopped process");
}

static void *late_exit(void *arg)
{
	(void)arg;
	thr_sleep_ms(100);
	exit(0);
}

static void autoreap(int report)
{
	struct sigaction ign = { .sa_handler = SIG_IGN }, old;
	int st, err;
	pid_t pid, w;

	sigaction(SIGCHLD, &ign, &old);
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		pthread_t th;

		pthread_create(&th, NULL, late_exit, NULL);
		pthread_exit(NULL);	/* the main thread goes first */
	}
	w = waitpid(-1, &st, 0);
	err = errno;
	sigaction(SIGCHLD, &old, NULL);
	if (report)
		TL_CHECK(w == -1 && err == ECHILD,
			 "SIGCHLD ignored, main thread gone first: reaped without a wait, ECHILD");
}

int main(void)
{
	long before;

	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("thr_jobctl: stop, continue and reaping of a process with threads\n");
	counters = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (counters == MAP_FAILED)
		return 1;
	stop_and_continue(0);		/* warm-up */
	autoreap(0);
	thr_quiesce();
	before = tl_frames_free();
	stop_and_continue(1);
	autoreap(1);
	thr_quiesce();
	tl_check_no_leak(before);
	return tl_done();
}
