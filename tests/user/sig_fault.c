/*
 * sig_fault: faults are signals a program can handle, as on Linux. A
 * SIGSEGV handler gets si_addr = the faulting address and si_code
 * SEGV_MAPERR (nothing mapped) or SEGV_ACCERR (protection); a file mapping
 * past the end of the file gives SIGBUS BUS_ADRERR; an illegal instruction
 * SIGILL ILL_ILLOPC and ebreak SIGTRAP TRAP_BRKPT, at the pc. A handler
 * that mprotects the page and returns makes the access run again (one
 * fault per page over 64 pages); one that moves the pc in its ucontext
 * skips the instruction; siglongjmp leaves a handler with its signal
 * unblocked again. A fault with the signal blocked or ignored, or a fault
 * in the signal's own handler, kills; so does a bad frame at rt_sigreturn
 * and a stack overflow with no alternate stack, while with one
 * (sigaltstack, SA_ONSTACK) the handler runs there. No frame leaked.
 */
#define _GNU_SOURCE
#include "tlib.h"
#include "vmtest.h"
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <sys/wait.h>
#include <ucontext.h>

#define PAGE	4096
#define NPAGES	64

static volatile int got_sig, got_code, nfaults;
static void *volatile got_addr;
static sigjmp_buf jump;

static void install(int sig, void (*fn)(int, siginfo_t *, void *), int flags)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = fn;
	sa.sa_flags = SA_SIGINFO | flags;
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
}

static void note(int sig, siginfo_t *si)
{
	got_sig = sig;
	got_code = si->si_code;
	got_addr = si->si_addr;
}

/* Note the fault and jump back to the test. */
static void on_fault_jump(int sig, siginfo_t *si, void *ctx)
{
	(void)ctx;
	note(sig, si);
	siglongjmp(jump, 1);
}

/* Make the faulting page writable and return: the store runs again. */
static void on_fault_unprotect(int sig, siginfo_t *si, void *ctx)
{
	(void)ctx;
	note(sig, si);
	nfaults++;
	mprotect((void *)((unsigned long)si->si_addr & ~(PAGE - 1UL)), PAGE,
		 PROT_READ | PROT_WRITE);
}

/* Skip the 4-byte instruction that faulted. */
static void on_fault_skip(int sig, siginfo_t *si, void *ctx)
{
	ucontext_t *uc = ctx;

	note(sig, si);
	uc->uc_mcontext.__gregs[REG_PC] += 4;
}

static void test_segv_codes(void)
{
	char *p = mmap(NULL, 2 * PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	munmap(p + PAGE, PAGE);
	install(SIGSEGV, on_fault_jump, 0);
	got_sig = 0;
	if (sigsetjmp(jump, 1) == 0)
		(void)*(volatile char *)(p + PAGE + 123);
	TL_CHECK(got_sig == SIGSEGV && got_code == SEGV_MAPERR && got_addr == p + PAGE + 123,
		 "a load from an unmapped page: SIGSEGV SEGV_MAPERR at the address");
	got_sig = 0;
	if (sigsetjmp(jump, 1) == 0)
		*(volatile char *)(p + 77) = 1;
	TL_CHECK(got_sig == SIGSEGV && got_code == SEGV_ACCERR && got_addr == p + 77,
		 "a store to a read-only page: SIGSEGV SEGV_ACCERR at the address");
	TL_CHECK(1, "siglongjmp left the handler, and a second fault was caught too");
	munmap(p, PAGE);
}

static void test_bus_past_eof(void)
{
	const char *path = "/tmp/sig_fault.dat";
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	char *p;

	TL_CHECK(fd >= 0 && write(fd, "x", 1) == 1, "a one-byte file in /tmp");
	p = mmap(NULL, 2 * PAGE, PROT_READ, MAP_SHARED, fd, 0);
	install(SIGBUS, on_fault_jump, 0);
	got_sig = 0;
	if (sigsetjmp(jump, 1) == 0)
		(void)*(volatile char *)(p + PAGE + 5);
	TL_CHECK(got_sig == SIGBUS && got_code == BUS_ADRERR && got_addr == p + PAGE + 5,
		 "a load past the end of a mapped file: SIGBUS BUS_ADRERR at the address");
	munmap(p, 2 * PAGE);
	close(fd);
	unlink(path);
	signal(SIGBUS, SIG_DFL);
}

static void test_unprotect_and_return(void)
{
	char *p = mmap(NULL, NPAGES * PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int ok = 1;

	install(SIGSEGV, on_fault_unprotect, 0);
	nfaults = 0;
	for (int i = 0; i < NPAGES; i++)
		p[i * PAGE + i] = (char)i;
	for (int i = 0; i < NPAGES; i++)
		ok &= p[i * PAGE + i] == (char)i;
	VT_CHECK(nfaults == NPAGES && ok, "a handler that mprotects and returns: %d faults "
		 "for %d pages, every store done once it returned", nfaults, NPAGES);
	munmap(p, NPAGES * PAGE);
}

static void test_pc_skip(void)
{
	long out = 42, here;

	install(SIGSEGV, on_fault_skip, 0);
	got_sig = 0;
	asm volatile(".option push\n\t.option norvc\n"
		     "1:\tld %0, 0(zero)\n"
		     "\t.option pop\n"
		     "\tla %1, 1b\n"
		     : "+r"(out), "=r"(here) : : "memory");
	TL_CHECK(got_sig == SIGSEGV && got_addr == NULL && out == 42,
		 "a handler that adds 4 to the pc in its ucontext skips the faulting load");
	(void)here;

	install(SIGILL, on_fault_skip, 0);
	got_sig = 0;
	asm volatile(".option push\n\t.option norvc\n"
		     "1:\t.4byte 0\n"
		     "\t.option pop\n"
		     "\tla %0, 1b\n" : "=r"(here) : : "memory");
	TL_CHECK(got_sig == SIGILL && got_code == ILL_ILLOPC && got_addr == (void *)here,
		 "an illegal instruction: SIGILL ILL_ILLOPC at its pc");

	install(SIGTRAP, on_fault_skip, 0);
	got_sig = 0;
	asm volatile(".option push\n\t.option norvc\n"
		     "1:\tebreak\n"
		     "\t.option pop\n"
		     "\tla %0, 1b\n" : "=r"(here) : : "memory");
	TL_CHECK(got_sig == SIGTRAP && got_code == TRAP_BRKPT && got_addr == (void *)here,
		 "ebreak: SIGTRAP TRAP_BRKPT at its pc");
	signal(SIGILL, SIG_DFL);
	signal(SIGTRAP, SIG_DFL);
}

static volatile int *volatile null_page;

/* Children that must die of SIGSEGV. */
static int fault_blocked(void *arg)
{
	sigset_t set;

	(void)arg;
	install(SIGSEGV, on_fault_jump, 0);
	sigemptyset(&set);
	sigaddset(&set, SIGSEGV);
	sigprocmask(SIG_BLOCK, &set, NULL);
	*null_page = 1;
	return 0;
}

static int fault_ignored(void *arg)
{
	(void)arg;
	signal(SIGSEGV, SIG_IGN);
	*null_page = 1;
	return 0;
}

static void on_fault_fault(int sig, siginfo_t *si, void *ctx)
{
	(void)sig, (void)si, (void)ctx;
	*null_page = 1;		/* the signal is blocked in its handler */
}

static int fault_in_handler(void *arg)
{
	(void)arg;
	install(SIGSEGV, on_fault_fault, 0);
	*null_page = 1;
	return 0;
}

static void on_usr1_noop(int sig)
{
	(void)sig;
}

static int bad_sigreturn(void *arg)
{
	(void)arg;
	signal(SIGUSR1, on_usr1_noop);
	asm volatile("li sp, 16\n\tli a7, 139\n\tecall" : : : "memory");
	return 0;
}

static volatile char *altstack_base;
static volatile int on_alt;

static void on_overflow(int sig, siginfo_t *si, void *ctx)
{
	char here;

	(void)sig, (void)si, (void)ctx;
	on_alt = &here > altstack_base && &here < altstack_base + SIGSTKSZ;
	siglongjmp(jump, 1);
}

static volatile int keep_going = 1;

static int recurse(int n)
{
	volatile char buf[1024];

	buf[0] = (char)n;
	return keep_going ? recurse(n + 1) + buf[0] : 0;
}

static int overflow_altstack(void *arg)
{
	stack_t ss = { .ss_sp = malloc(SIGSTKSZ), .ss_size = SIGSTKSZ, .ss_flags = 0 };
	stack_t old;

	(void)arg;
	altstack_base = ss.ss_sp;
	TL_CHECK(sigaltstack(&ss, NULL) == 0, "sigaltstack set");
	TL_CHECK(sigaltstack(NULL, &old) == 0 && old.ss_sp == ss.ss_sp &&
		 old.ss_size == (size_t)SIGSTKSZ && old.ss_flags == 0, "sigaltstack reads it back");
	install(SIGSEGV, on_overflow, SA_ONSTACK);
	if (sigsetjmp(jump, 1) == 0)
		recurse(0);
	TL_CHECK(on_alt, "a stack overflow's SIGSEGV handler ran on the alternate stack");
	ss.ss_size = 1024;
	TL_CHECK(sigaltstack(&ss, NULL) == -1 && errno == ENOMEM,
		 "an alternate stack smaller than MINSIGSTKSZ: ENOMEM");
	return tl_failed_here;
}

static int overflow_no_altstack(void *arg)
{
	(void)arg;
	install(SIGSEGV, on_overflow, 0);
	if (sigsetjmp(jump, 1) == 0)
		recurse(0);
	return 0;
}

static void test_fatal(void)
{
	int st;

	st = vt_run(fault_blocked, NULL, 20);
	VT_CHECK(vt_killed_by(st, SIGSEGV), "a fault with SIGSEGV blocked kills (%s)", vt_how(st));
	st = vt_run(fault_ignored, NULL, 20);
	VT_CHECK(vt_killed_by(st, SIGSEGV), "a fault with SIGSEGV ignored kills (%s)", vt_how(st));
	st = vt_run(fault_in_handler, NULL, 20);
	VT_CHECK(vt_killed_by(st, SIGSEGV), "a fault in the SIGSEGV handler kills (%s)",
		 vt_how(st));
	st = vt_run(bad_sigreturn, NULL, 20);
	VT_CHECK(vt_killed_by(st, SIGSEGV), "rt_sigreturn with no frame at sp: SIGSEGV (%s)",
		 vt_how(st));
	st = vt_run(overflow_altstack, NULL, 60);
	VT_CHECK(vt_exited_ok(st), "the stack-overflow child with an altstack exited 0 (%s)",
		 vt_how(st));
	st = vt_run(overflow_no_altstack, NULL, 60);
	VT_CHECK(vt_killed_by(st, SIGSEGV), "a stack overflow with no altstack: the handler "
		 "cannot run, SIGSEGV kills (%s)", vt_how(st));
}

int main(void)
{
	long before = -1;

	printf("sig_fault: faults deliver siginfo; handlers fix, skip or jump\n");
	for (int round = 0; round < 2; round++) {	/* the first warms up */
		if (round == 1)
			before = tl_frames_free();
		test_segv_codes();
		test_bus_past_eof();
		test_unprotect_and_return();
		test_pc_skip();
		test_fatal();
	}
	signal(SIGSEGV, SIG_DFL);
	tl_check_no_leak(before);
	return tl_done();
}
