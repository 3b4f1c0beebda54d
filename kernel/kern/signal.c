/* Pending signals and their default actions; see signal.h. */
#include "kern/signal.h"
#include "kern/exit.h"
#include "kern/proc.h"
#include "kern/sched.h"

static uint64_t sig_bit(int sig)
{
	return 1UL << (sig - 1);
}

/* Signals whose default action is to be ignored (no job control yet). */
static bool default_ignored(int sig)
{
	return sig == SIGCHLD || sig == SIGURG || sig == SIGWINCH ||
	       sig == SIGCONT || sig == SIGSTOP || sig == SIGTSTP ||
	       sig == SIGTTIN || sig == SIGTTOU;
}

int signal_send(struct proc *p, int sig)
{
	if (sig < 1 || sig > NSIG)
		return -EINVAL;
	if (sig != SIGKILL && ((p->sig_ignored & sig_bit(sig)) || default_ignored(sig)))
		return 0;
	__atomic_or_fetch(&p->sig_pending, sig_bit(sig), __ATOMIC_RELEASE);
	sched_wake_process(p);
	return 0;
}

int signal_send_user(struct proc *p, int sig)
{
	if (sig < 1 || sig > NSIG)
		return -EINVAL;
	if (p == init_proc)
		return 0;	/* no handler can be installed yet */
	return signal_send(p, sig);
}

int signal_force(int sig)
{
	struct proc *p = current();

	if (sig < 1 || sig > NSIG)
		return -EINVAL;
	p->sig_ignored &= ~sig_bit(sig);
	p->sig_blocked &= ~sig_bit(sig);
	return signal_send(p, sig);
}

/* Pending signals that are not blocked (SIGKILL cannot be blocked). */
static uint64_t deliverable(struct proc *p)
{
	return __atomic_load_n(&p->sig_pending, __ATOMIC_ACQUIRE) &
	       (~p->sig_blocked | sig_bit(SIGKILL));
}

bool signal_pending(void)
{
	struct proc *p = current();

	return p && deliverable(p) != 0;
}

void signal_deliver(void)
{
	struct proc *p = current();
	uint64_t pending = deliverable(p);

	if (!pending)
		return;
	__atomic_and_fetch(&p->sig_pending, ~pending, __ATOMIC_ACQ_REL);
	/* every signal that is still pending terminates; SIGKILL first */
	int sig = pending & sig_bit(SIGKILL) ? SIGKILL : __builtin_ctzl(pending) + 1;

	proc_exit(sig);		/* wait status: terminated by sig */
}

int signal_set_ignored(int sig, bool ignored)
{
	struct proc *p = current();

	if (sig < 1 || sig > NSIG || sig == SIGKILL || sig == SIGSTOP)
		return -EINVAL;
	if (ignored)
		p->sig_ignored |= sig_bit(sig);
	else
		p->sig_ignored &= ~sig_bit(sig);
	return 0;
}
