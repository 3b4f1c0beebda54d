/*
 * Signals, as far as Kilburn goes: kill() makes a signal pending, and
 * before a process returns to user mode its pending signals take their
 * default action (terminate, or be ignored). Signal handlers are not
 * supported yet: rt_sigaction accepts SIG_DFL and SIG_IGN only.
 */
#ifndef KILBURN_SIGNAL_H
#define KILBURN_SIGNAL_H

#include "env.h"

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
#define SIGCHLD		17
#define SIGCONT		18
#define SIGSTOP		19
#define SIGTSTP		20
#define SIGTTIN		21
#define SIGTTOU		22
#define SIGURG		23
#define SIGWINCH	28
#define NSIG		64

struct proc;

/* Make sig pending for p and wake it if it sleeps. Returns 0 or -EINVAL. */
int signal_send(struct proc *p, int sig);

/*
 * signal_send_user - a signal one process sends another (kill, tgkill).
 * As on Linux, init (pid 1) receives only the signals it has a handler
 * for, SIGKILL included; with no handlers yet, none: the call succeeds and
 * nothing happens. Faults in init still kill it (signal_force). Returns 0 or
 * -EINVAL.
 */
int signal_send_user(struct proc *p, int sig);

/*
 * Send the current process a signal for a fault it caused (SIGSEGV,
 * SIGBUS, ...). As on Linux, such a signal cannot be ignored or blocked:
 * both are undone for it first, so the process dies instead of faulting
 * again forever.
 */
int signal_force(int sig);

/* Does the current process have a signal that will act? */
bool signal_pending(void);

/* Act on the current process's pending signals (may not return). */
void signal_deliver(void);

/* Ignore (true) or restore the default action of sig for the current process. */
int signal_set_ignored(int sig, bool ignored);

#endif
