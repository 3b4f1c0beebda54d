/*
 * Signals (Linux numbers). struct sigaction is the riscv64 kernel layout:
 * riscv has no sa_restorer; the kernel supplies the return trampoline (in
 * its [vdso] page). siginfo_t, stack_t and ucontext_t (<sys/ucontext.h>)
 * are laid out as Linux and glibc lay them out.
 */
#ifndef _SIGNAL_H
#define _SIGNAL_H

#include <sys/types.h>
#include <sys/ucontext.h>

#define SIGHUP		1
#define SIGINT		2
#define SIGQUIT		3
#define SIGILL		4
#define SIGTRAP		5
#define SIGABRT		6
#define SIGBUS		7
#define SIGFPE		8
#define SIGKILL		9
#define SIGUSR1		10
#define SIGSEGV		11
#define SIGUSR2		12
#define SIGPIPE		13
#define SIGALRM		14
#define SIGTERM		15
#define SIGSTKFLT	16
#define SIGCHLD		17
#define SIGCONT		18
#define SIGSTOP		19
#define SIGTSTP		20
#define SIGTTIN		21
#define SIGTTOU		22
#define SIGURG		23
#define SIGXCPU		24
#define SIGXFSZ		25
#define SIGVTALRM	26
#define SIGPROF		27
#define SIGWINCH	28
#define SIGIO		29
#define SIGPWR		30
#define SIGSYS		31
#define NSIG		65

#define SIGRTMIN	32
#define SIGRTMAX	64

#define SA_NOCLDSTOP	0x00000001
#define SA_NOCLDWAIT	0x00000002
#define SA_SIGINFO	0x00000004
#define SA_ONSTACK	0x08000000
#define SA_RESTART	0x10000000
#define SA_NODEFER	0x40000000
#define SA_RESETHAND	0x80000000

/* si_code values */
#define SI_USER		0
#define SI_KERNEL	0x80
#define SI_QUEUE	(-1)
#define SI_TIMER	(-2)
#define SI_TKILL	(-6)
#define ILL_ILLOPC	1
#define FPE_INTDIV	1
#define SEGV_MAPERR	1
#define SEGV_ACCERR	2
#define BUS_ADRALN	1
#define BUS_ADRERR	2
#define BUS_OBJERR	3
#define TRAP_BRKPT	1
#define CLD_EXITED	1
#define CLD_KILLED	2
#define CLD_DUMPED	3
#define CLD_TRAPPED	4
#define CLD_STOPPED	5
#define CLD_CONTINUED	6

/* sigaltstack */
#define SS_ONSTACK	1
#define SS_DISABLE	2
#define MINSIGSTKSZ	2048
#define SIGSTKSZ	8192

#define SIG_BLOCK	0
#define SIG_UNBLOCK	1
#define SIG_SETMASK	2

typedef void (*sighandler_t)(int);

union sigval {
	int	sival_int;
	void	*sival_ptr;
};

/* Linux's siginfo_t: 128 bytes, the fields by si_code's kind. */
typedef struct {
	int	si_signo;
	int	si_errno;
	int	si_code;
	int	__pad0;
	union {
		struct { pid_t pid; uid_t uid; union sigval value; } __kill;
		struct { pid_t pid; uid_t uid; int status; long utime, stime; } __chld;
		struct { void *addr; } __fault;
		struct { int tid; int overrun; union sigval value; } __timer;
		char	__pad[128 - 16];
	} __u;
} siginfo_t;

#define si_pid		__u.__kill.pid
#define si_uid		__u.__kill.uid
#define si_value	__u.__kill.value
#define si_status	__u.__chld.status
#define si_addr		__u.__fault.addr
#define si_timerid	__u.__timer.tid
#define si_overrun	__u.__timer.overrun

/* struct sigevent as Linux lays it out (64 bytes). */
#define SIGEV_SIGNAL	0
#define SIGEV_NONE	1
struct sigevent {
	union sigval	sigev_value;
	int		sigev_signo;
	int		sigev_notify;
	int		__pad[12];
};

#define SIG_DFL	((sighandler_t)0)
#define SIG_IGN	((sighandler_t)1)
#define SIG_ERR	((sighandler_t)-1)

struct sigaction {
	union {
		sighandler_t	__handler;
		void		(*__sigaction)(int, siginfo_t *, void *);
	} __sa;
	unsigned long	sa_flags;
	sigset_t	sa_mask;
};

#define sa_handler	__sa.__handler
#define sa_sigaction	__sa.__sigaction

int kill(pid_t pid, int sig);
int raise(int sig);
int sigaction(int sig, const struct sigaction *act, struct sigaction *old);
sighandler_t signal(int sig, sighandler_t handler);
int sigprocmask(int how, const sigset_t *set, sigset_t *old);
int sigemptyset(sigset_t *set);
int sigfillset(sigset_t *set);
int sigaddset(sigset_t *set, int sig);
int sigdelset(sigset_t *set, int sig);
int sigismember(const sigset_t *set, int sig);
int sigpending(sigset_t *set);
int sigsuspend(const sigset_t *mask);
int sigaltstack(const stack_t *ss, stack_t *old);

#endif
