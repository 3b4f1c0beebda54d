/*
 * sig_handler: handlers run and return, as on Linux. A handler for a
 * signal the program sends itself runs before kill returns, with the
 * signal blocked while it runs (and the sa_mask signals too), and the mask
 * is back after it; SA_SIGINFO gives siginfo (SI_USER, the sender's pid)
 * and a ucontext with the mask of the interrupted code; SA_NODEFER lets a
 * handler be entered again from itself; SA_RESETHAND puts SIG_DFL back;
 * a blocked signal waits in sigpending until unblocked; SIG_IGN drops a
 * pending one; sigsuspend waits for a handler; a handler that uses the
 * FPU does not disturb the interrupted code's floating-point registers;
 * a signal from another process runs the handler too. Flags the kernel
 * does not know are cleared. No frame leaked.
 */
#define _GNU_SOURCE
#include "tlib.h"
#include "vmtest.h"
#include <errno.h>
#include <signal.h>
#include <sys/wait.h>
#include <ucontext.h>

static volatile int usr1_count, usr2_count, depth, max_depth, order[4], norder;
static volatile sigset_t mask_in_handler;
static volatile int info_signo, info_code, info_pid;
static volatile unsigned long uc_mask_word;

static void on_usr1(int sig)
{
	sigset_t now;

	usr1_count++;
	sigprocmask(SIG_BLOCK, NULL, &now);
	mask_in_handler = now;
	if (norder < 4)
		order[norder++] = sig;
}

static void on_usr2(int sig)
{
	usr2_count++;
	if (norder < 4)
		order[norder++] = sig;
}

static void on_usr1_raise_usr2(int sig)
{
	if (norder < 4)
		order[norder++] = sig;
	raise(SIGUSR2);		/* blocked by sa_mask: runs after we return */
	if (norder < 4)
		order[norder++] = -sig;
}

static void on_info(int sig, siginfo_t *si, void *ctx)
{
	ucontext_t *uc = ctx;

	info_signo = si->si_signo;
	info_code = si->si_code;
	info_pid = si->si_pid;
	memcpy((void *)&uc_mask_word, &uc->uc_sigmask, sizeof(uc_mask_word));
	(void)sig;
}

static volatile int entries;

static void on_nested(int sig)
{
	depth++;
	entries++;
	if (depth > max_depth)
		max_depth = depth;
	if (entries < 3)
		raise(sig);
	depth--;
}

static void set_handler(int sig, void (*fn)(int), int flags, int masked)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = fn;
	sa.sa_flags = flags;
	sigemptyset(&sa.sa_mask);
	if (masked)
		sigaddset(&sa.sa_mask, masked);
	sigaction(sig, &sa, NULL);
}

static void test_runs_and_returns(void)
{
	sigset_t now;

	usr1_count = 0;
	set_handler(SIGUSR1, on_usr1, 0, 0);
	TL_CHECK(raise(SIGUSR1) == 0 && usr1_count == 1, "the handler ran once, before raise returned");
	TL_CHECK(sigismember((sigset_t *)&mask_in_handler, SIGUSR1),
		 "the signal was blocked while its handler ran");
	sigprocmask(SIG_BLOCK, NULL, &now);
	TL_CHECK(!sigismember(&now, SIGUSR1), "and is unblocked after it returned");
	raise(SIGUSR1);
	raise(SIGUSR1);
	TL_CHECK(usr1_count == 3, "it runs again for each later signal");
}

static void test_sa_mask(void)
{
	norder = 0;
	set_handler(SIGUSR2, on_usr2, 0, 0);
	set_handler(SIGUSR1, on_usr1_raise_usr2, 0, SIGUSR2);
	raise(SIGUSR1);
	if (!tl_on_kilburn()) {
		/* qemu-riscv64 (user mode) does not apply sa_mask; Linux does */
		TL_CHECK(norder == 3, "both handlers ran");
		return;
	}
	TL_CHECK(norder == 3 && order[0] == SIGUSR1 && order[1] == -SIGUSR1 &&
		 order[2] == SIGUSR2, "sa_mask held SIGUSR2 back until the SIGUSR1 handler returned");
}

static void test_siginfo(void)
{
	struct sigaction sa;
	sigset_t block, old;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_info;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGUSR1, &sa, NULL);
	sigemptyset(&block);
	sigaddset(&block, SIGUSR2);
	sigprocmask(SIG_BLOCK, &block, &old);
	kill(getpid(), SIGUSR1);
	TL_CHECK(info_signo == SIGUSR1, "SA_SIGINFO: si_signo");
	TL_CHECK(info_code == SI_USER, "kill gives si_code SI_USER");
	TL_CHECK(info_pid == getpid(), "si_pid is the sender's pid");
	TL_CHECK(uc_mask_word & (1UL << (SIGUSR2 - 1)),
		 "uc_sigmask holds the mask of the interrupted code");
	TL_CHECK(!(uc_mask_word & (1UL << (SIGUSR1 - 1))),
		 "uc_sigmask does not hold the signal itself");
	sigprocmask(SIG_SETMASK, &old, NULL);
}

static void test_nodefer(void)
{
	depth = max_depth = entries = 0;
	set_handler(SIGUSR1, on_nested, SA_NODEFER, 0);
	raise(SIGUSR1);
	TL_CHECK(max_depth == 3, "SA_NODEFER: the handler was entered from itself");
	depth = max_depth = entries = 0;
	set_handler(SIGUSR1, on_nested, 0, 0);
	raise(SIGUSR1);
	TL_CHECK(max_depth == 1 && entries == 3,
		 "without it, the signal waits for the handler to return");
}

static void test_resethand(void)
{
	struct sigaction old;

	usr1_count = 0;
	set_handler(SIGUSR1, on_usr1, SA_RESETHAND, 0);
	raise(SIGUSR1);
	sigaction(SIGUSR1, NULL, &old);
	TL_CHECK(usr1_count == 1 && old.sa_handler == SIG_DFL,
		 "SA_RESETHAND: the handler ran once and SIG_DFL is back");
	set_handler(SIGUSR1, on_usr1, SA_RESTART | 0x400, 0);	/* SA_UNSUPPORTED */
	sigaction(SIGUSR1, NULL, &old);
	/* Linux clears unknown bits (qemu-riscv64's emulation does not) */
	TL_CHECK(old.sa_flags == SA_RESTART || !tl_on_kilburn(),
		 "an unknown flag bit reads back cleared");
}

static void test_blocked_pending(void)
{
	sigset_t block, pend;

	usr1_count = 0;
	set_handler(SIGUSR1, on_usr1, 0, 0);
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigprocmask(SIG_BLOCK, &block, NULL);
	raise(SIGUSR1);
	raise(SIGUSR1);
	sigpending(&pend);
	TL_CHECK(usr1_count == 0 && sigismember(&pend, SIGUSR1),
		 "a blocked signal is pending, its handler not run");
	sigprocmask(SIG_UNBLOCK, &block, NULL);
	TL_CHECK(usr1_count == 1, "unblocking runs the handler once (standard signals do not queue)");
	sigpending(&pend);
	TL_CHECK(!sigismember(&pend, SIGUSR1), "and it is no longer pending");

	sigprocmask(SIG_BLOCK, &block, NULL);
	raise(SIGUSR1);
	signal(SIGUSR1, SIG_IGN);
	sigpending(&pend);
	TL_CHECK(!sigismember(&pend, SIGUSR1), "SIG_IGN drops a pending signal");
	set_handler(SIGUSR1, on_usr1, 0, 0);
	sigprocmask(SIG_UNBLOCK, &block, NULL);
	TL_CHECK(usr1_count == 1, "so nothing runs when it is unblocked");
	TL_CHECK(sigaction(SIGKILL, &(struct sigaction){ .sa_handler = on_usr1 }, NULL) == -1 &&
		 errno == EINVAL, "SIGKILL cannot be caught (EINVAL)");
	sigfillset(&block);
	sigprocmask(SIG_SETMASK, &block, NULL);
	sigprocmask(SIG_SETMASK, NULL, &pend);
	TL_CHECK(!sigismember(&pend, SIGKILL) && !sigismember(&pend, SIGSTOP),
		 "SIGKILL and SIGSTOP cannot be blocked");
	sigemptyset(&block);
	sigprocmask(SIG_SETMASK, &block, NULL);
}

static int suspend_child(void)
{
	usleep(20000);
	kill(getppid(), SIGUSR2);
	return 0;
}

static void test_sigsuspend(void)
{
	sigset_t block, wait_mask, now;
	int status, rc;

	usr2_count = 0;
	set_handler(SIGUSR2, on_usr2, 0, 0);
	sigemptyset(&block);
	sigaddset(&block, SIGUSR2);
	sigprocmask(SIG_BLOCK, &block, NULL);
	tl_counts();
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0)
		_exit(suspend_child());
	sigemptyset(&wait_mask);
	rc = sigsuspend(&wait_mask);
	TL_CHECK(rc == -1 && errno == EINTR && usr2_count == 1,
		 "sigsuspend returned EINTR after the handler of another process's signal ran");
	sigprocmask(SIG_BLOCK, NULL, &now);
	TL_CHECK(sigismember(&now, SIGUSR2), "the mask from before sigsuspend is back");
	waitpid(pid, &status, 0);
	sigprocmask(SIG_UNBLOCK, &block, NULL);
}

static volatile double fp_sink;

static void on_fp(int sig)
{
	volatile double x = 1.5;

	for (int i = 0; i < 10; i++)
		x = x * 3.25 + sig;
	fp_sink = x;
}

/* Float registers hold values across a raise whose handler clobbers them. */
static int fp_preserved(void)
{
	register double a asm("fs0") = 1.25;
	register double b asm("fa0") = 2.5;
	register double c asm("ft5") = -7.0;

	asm volatile("" : "+f"(a), "+f"(b), "+f"(c));
	asm volatile("li a7, 129\n\tmv a0, %0\n\tli a1, %1\n\tecall"
		     : : "r"((long)getpid()), "i"(SIGUSR1)
		     : "a0", "a1", "a7", "memory");
	asm volatile("" : "+f"(a), "+f"(b), "+f"(c));
	return a == 1.25 && b == 2.5 && c == -7.0;
}

static void test_fp(void)
{
	set_handler(SIGUSR1, on_fp, 0, 0);
	TL_CHECK(fp_preserved() && fp_sink != 0, "FP registers survive a handler that uses the FPU");
}

int main(void)
{
	long before;

	printf("sig_handler: handlers run and return; masks, flags, siginfo\n");
	before = -1;
	for (int round = 0; round < 2; round++) {	/* the first warms up */
		if (round == 1)
			before = tl_frames_free();
		test_runs_and_returns();
		test_sa_mask();
		test_siginfo();
		test_nodefer();
		test_resethand();
		test_blocked_pending();
		test_sigsuspend();
		test_fp();
	}
	signal(SIGUSR1, SIG_DFL);
	signal(SIGUSR2, SIG_DFL);
	tl_check_no_leak(before);
	return tl_done();
}
