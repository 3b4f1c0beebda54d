/*
 * sig_stop: stopping and continuing, as on Linux. SIGSTOP and SIGTSTP stop
 * a child (it does not run while stopped: its counter in shared memory
 * stays still); waitpid with WUNTRACED reports it once with WIFSTOPPED and
 * the signal; SIGCONT resumes it and waitpid with WCONTINUED reports
 * WIFCONTINUED; the parent's SIGCHLD handler sees CLD_STOPPED and
 * CLD_CONTINUED unless SA_NOCLDSTOP; SIGKILL ends a stopped child; a
 * child's SIGCONT handler runs when it is resumed; a handled SIGTSTP does
 * not stop. No frame leaked.
 */
#define _GNU_SOURCE
#include "tlib.h"
#include "vmtest.h"
#include <errno.h>
#include <signal.h>
#include <sys/wait.h>

struct shared {
	volatile long counter;
	volatile int conts;		/* the child's SIGCONT handler ran */
};

static struct shared *sh;
static volatile int chld_codes[8], nchld;

static void on_chld(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	if (nchld < 8)
		chld_codes[nchld++] = si->si_code;
}

static void on_cont(int sig)
{
	(void)sig;
	sh->conts++;
}

static void set_chld(int flags)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_chld;
	sa.sa_flags = SA_SIGINFO | SA_RESTART | flags;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGCHLD, &sa, NULL);
	nchld = 0;
}

/* A child that counts forever (with a SIGCONT handler if asked). */
static pid_t spinner(int cont_handler)
{
	pid_t pid;

	sh->counter = 0;
	sh->conts = 0;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		if (cont_handler)
			signal(SIGCONT, on_cont);
		for (;;)
			sh->counter++;
	}
	while (sh->counter == 0)
		usleep(1000);
	return pid;
}

/* Does the counter stay still over 100 ms? */
static int still(void)
{
	long a = sh->counter;

	usleep(100000);
	return sh->counter == a;
}

/* Wait (up to 2 s) for the handler to have seen n SIGCHLDs. */
static int chld_seen(int n)
{
	for (int i = 0; i < 400 && nchld < n; i++)
		usleep(5000);
	return nchld >= n;
}

static void test_stop_cont(int stopsig)
{
	int status = 0;
	pid_t pid, r;

	set_chld(0);
	pid = spinner(1);
	kill(pid, stopsig);
	r = waitpid(pid, &status, WUNTRACED);
	VT_CHECK(r == pid && WIFSTOPPED(status) && WSTOPSIG(status) == stopsig,
		 "signal %d: WUNTRACED reports the child stopped by it (status %#x)",
		 stopsig, status);
	TL_CHECK(still(), "a stopped child does not run");
	VT_CHECK(chld_seen(1) && chld_codes[0] == CLD_STOPPED,
		 "the parent got SIGCHLD with CLD_STOPPED (code %d)", chld_codes[0]);
	TL_CHECK(waitpid(pid, &status, WUNTRACED | WNOHANG) == 0,
		 "the stop is reported once");
	kill(pid, SIGCONT);
	r = waitpid(pid, &status, WCONTINUED);
	VT_CHECK(r == pid && WIFCONTINUED(status), "WCONTINUED reports it continued "
		 "(status %#x)", status);
	VT_CHECK(chld_seen(2) && chld_codes[1] == CLD_CONTINUED,
		 "the parent got SIGCHLD with CLD_CONTINUED (code %d)", chld_codes[1]);
	TL_CHECK(!still(), "a continued child runs again");
	TL_CHECK(sh->conts == 1, "the child's SIGCONT handler ran once");
	kill(pid, SIGKILL);
	r = waitpid(pid, &status, 0);
	TL_CHECK(r == pid && WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
		 "SIGKILL ends it");
}

static void test_kill_stopped(void)
{
	int status = 0;
	pid_t pid, r;

	set_chld(SA_NOCLDSTOP);
	pid = spinner(0);
	kill(pid, SIGSTOP);
	r = waitpid(pid, &status, WUNTRACED);
	TL_CHECK(r == pid && WIFSTOPPED(status), "stopped");
	usleep(50000);
	if (tl_on_kilburn())	/* qemu-user keeps its own host SIGCHLD handler */
		TL_CHECK(nchld == 0, "SA_NOCLDSTOP: no SIGCHLD for a stop");
	else
		printf("note: SA_NOCLDSTOP not checked under qemu-user\n");
	kill(pid, SIGTERM);		/* pending while stopped */
	TL_CHECK(still(), "a stopped child does not run or die of SIGTERM");
	kill(pid, SIGKILL);
	r = waitpid(pid, &status, 0);
	VT_CHECK(r == pid && WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
		 "SIGKILL ends a stopped child (status %#x)", status);
	VT_CHECK(chld_seen(1) && chld_codes[nchld - 1] == CLD_KILLED,
		 "SA_NOCLDSTOP still gives SIGCHLD on death (code %d)", chld_codes[nchld - 1]);
	signal(SIGCHLD, SIG_DFL);
}

static void on_tstp(int sig)
{
	(void)sig;
	sh->conts = 100;
}

static int handled_tstp(void *arg)
{
	(void)arg;
	signal(SIGTSTP, on_tstp);
	raise(SIGTSTP);
	return sh->conts == 100 ? 0 : 1;
}

static void test_wait_without_untraced(void)
{
	int status = 0;
	pid_t pid, r;

	pid = spinner(0);
	kill(pid, SIGSTOP);
	usleep(50000);
	r = waitpid(pid, &status, WNOHANG);
	TL_CHECK(r == 0, "without WUNTRACED a stop is not reported");
	kill(pid, SIGCONT);
	usleep(20000);
	TL_CHECK(!still(), "SIGCONT resumes");
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	status = vt_run(handled_tstp, NULL, 10);
	VT_CHECK(vt_exited_ok(status), "a handled SIGTSTP does not stop (%s)", vt_how(status));
}

int main(void)
{
	long before;

	printf("sig_stop: stop and continue with wait statuses and SIGCHLD\n");
	sh = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		return 1;
	test_stop_cont(SIGSTOP);	/* warm-up */
	before = tl_frames_free();
	test_stop_cont(SIGSTOP);
	test_stop_cont(SIGTSTP);
	test_kill_stopped();
	test_wait_without_untraced();
	tl_check_no_leak(before);
	return tl_done();
}
