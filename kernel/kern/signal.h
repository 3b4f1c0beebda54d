/*
 * Signals, as Linux riscv64 programs see them.
 *
 * A signal is made pending for a process (kill: any of its threads that
 * does not block it may take it) or for one thread (tkill, faults) with
 * the information about it (a struct ksiginfo, one slot per ordinary
 * signal; real-time signals, SIGRTMIN_KERNEL and up, queue in order, each
 * with its own). Before a thread returns to user mode,
 * signal_deliver() takes its pending (its own, then its process's),
 * unblocked signals one at a time: an ignored one is dropped, one whose
 * default action is to terminate ends the process, and one with a handler
 * gets a signal frame on the user stack (arch: sigframe.c) so the handler
 * runs next and rt_sigreturn resumes where the program was.
 *
 * Locks: p->tg->sig_lock (irqsave: the tty sends SIGINT from its
 * interrupt) guards the actions and process-wide pending set in the thread
 * group (kern/thread.h) and each thread's p->sig_pending and p->sig_info.
 * The pending sets are also read without it (atomically) to test for work.
 * The blocked mask, the saved mask and the alternate stack are the
 * thread's own, touched only by it.
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
#define SIGVTALRM	26
#define SIGPROF		27
#define SIGSYS		31
#define SIGWINCH	28
#define SIGRTMIN_KERNEL	32	/* the first real-time signal: these queue */
#define NSIG		64

/* The handler values and sa_flags of Linux's uapi. */
#define SIG_DFL		0
#define SIG_IGN		1
#define SA_NOCLDSTOP	0x00000001UL
#define SA_NOCLDWAIT	0x00000002UL
#define SA_SIGINFO	0x00000004UL
#define SA_EXPOSE_TAGBITS 0x00000800UL
#define SA_ONSTACK	0x08000000UL
#define SA_RESTART	0x10000000UL
#define SA_NODEFER	0x40000000UL
#define SA_RESETHAND	0x80000000UL
/* riscv has no SA_RESTORER: the bit is cleared like any unknown one */
#define SA_UAPI_FLAGS	(SA_NOCLDSTOP | SA_NOCLDWAIT | SA_SIGINFO | SA_EXPOSE_TAGBITS | \
			 SA_ONSTACK | SA_RESTART | SA_NODEFER | SA_RESETHAND)

/* si_code values */
#define SI_USER		0
#define SI_KERNEL	0x80
#define SI_TKILL	(-6)
#define ILL_ILLOPC	1
#define SEGV_MAPERR	1
#define SEGV_ACCERR	2
#define BUS_ADRALN	1
#define BUS_ADRERR	2
#define TRAP_BRKPT	1

/* sigaltstack flags */
#define SS_ONSTACK	1
#define SS_DISABLE	2
#define SS_AUTODISARM	(1U << 31)
#define MINSIGSTKSZ	2048

/* struct sigaction as riscv64's rt_sigaction takes it (no sa_restorer). */
struct ksigaction {
	uint64_t handler;
	uint64_t flags;
	uint64_t mask;
};

/*
 * The first 48 bytes of Linux's siginfo_t, which hold every field Kilburn
 * fills; the rest of the 128 bytes are zero.
 */
struct ksiginfo {
	int32_t si_signo, si_errno, si_code, pad;
	union {
		struct { int32_t pid; uint32_t uid; uint64_t value; } kill;
		struct { int32_t pid; uint32_t uid; int32_t status; int32_t pad;
			 int64_t utime, stime; } chld;
		struct { uint64_t addr; } fault;
	};
};

/* stack_t of sigaltstack. */
struct kstack {
	uint64_t ss_sp;
	int32_t ss_flags;
	int32_t pad;
	uint64_t ss_size;
};

struct proc;
struct trapframe;

static inline uint64_t sig_bit(int sig)
{
	return 1UL << (sig - 1);
}

/*
 * signal_take - for sigtimedwait: take a pending signal of the current
 * thread (its own first, then its process's) that is in set, blocked or
 * not, with its information. Returns its number, or 0 if none is pending.
 */
int signal_take(uint64_t set, struct ksiginfo *info);

/* Free the queued real-time signals of a thread that is freed. */
void signal_release_thread(struct proc *p);

struct tgroup;
/* Free the queued real-time signals of a process (its group is freed). */
void signal_release_group(struct tgroup *tg);

/* What neither a handler nor a mask may take: SIGKILL and SIGSTOP. */
#define SIG_UNCATCHABLE	(sig_bit(SIGKILL) | sig_bit(SIGSTOP))

/*
 * signal_send_info - make info->si_signo pending for p's process with info
 * and wake a thread of it that does not block the signal, if it sleeps. A
 * signal the process ignores is dropped. Returns 0 or -EINVAL.
 */
int signal_send_info(struct proc *p, const struct ksiginfo *info);

/* The same for thread t alone (tkill, faults): only t may take it. */
int signal_send_thread(struct proc *t, const struct ksiginfo *info);

/* signal_send_info with SI_KERNEL information (the kernel's own signals). */
int signal_send(struct proc *p, int sig);

/*
 * signal_send_user - a signal one process sends another (kill: code
 * SI_USER, to p's process; tkill/tgkill: SI_TKILL, to thread p), from the
 * current process. As on Linux,
 * init (pid 1) receives only the signals it has a handler for or blocks
 * (to wait for them), never SIGKILL: for others the call succeeds and
 * nothing happens. proc_tree_lock held. Returns 0 or -EINVAL.
 */
int signal_send_user(struct proc *p, int sig, int code);

/*
 * signal_force_info - send the current thread a signal for a fault it
 * caused. As Linux's force_sig: if the signal is blocked or ignored it is
 * unblocked and its action reset to the default, so the process dies
 * instead of faulting again forever; a handler that runs gets info.
 */
int signal_force_info(const struct ksiginfo *info);

/* signal_force_info with SI_KERNEL information. */
int signal_force(int sig);

/* Will a handler of the current process run for sig (not blocked)? */
bool signal_has_handler(int sig);

/* Does the current process have a signal that will act? */
bool signal_pending(void);

/*
 * Has thread p a SIGKILL pending, its own or its process's? (SIGKILL is
 * never blocked: the one signal that ends a stop or a retried allocation.)
 */
bool signal_kill_pending(struct proc *p);

/*
 * signal_deliver - before the current process returns to user mode: act
 * on its pending signals (run the default actions, which may not return;
 * push a frame for each handler), fail or restart the system call it
 * returns from if a signal interrupted it, and put back a mask sigsuspend
 * replaced. Cheap when there is nothing to do. Interrupts on.
 */
void signal_deliver(void);

/*
 * signal_action - read (old) and set (act, either may be NULL) the action
 * of sig for the current process. Returns 0 or -EINVAL (bad signal, or an
 * action for SIGKILL or SIGSTOP).
 */
int signal_action(int sig, const struct ksigaction *act, struct ksigaction *old);

/* p's action for sig (valid), read under p->tg->sig_lock. */
struct ksigaction signal_get_action(struct proc *p, int sig);

/* Set the blocked mask (SIGKILL and SIGSTOP are never blocked). */
void signal_set_blocked(uint64_t mask);

/* Pending signals of the current process that are blocked. */
uint64_t signal_pending_set(void);

/*
 * signal_suspend - replace the mask by mask until a signal acts; the old
 * mask comes back after its handler runs. Returns -ERESTARTNOHAND.
 */
long signal_suspend(uint64_t mask);

/*
 * signal_altstack - read (old) and set (ss) the alternate signal stack.
 * sp is the user stack pointer. Returns 0, -EPERM (changed while on it),
 * -EINVAL (bad flags) or -ENOMEM (smaller than MINSIGSTKSZ).
 */
int signal_altstack(const struct kstack *ss, struct kstack *old, uint64_t sp);

/* Is sp on the current process's alternate signal stack? */
bool signal_on_altstack(uint64_t sp);

/*
 * Where a frame for a handler with act goes when the program's stack
 * pointer is sp: the top of the alternate stack (SA_ONSTACK, one is set
 * and sp is not on it already), else sp.
 */
uint64_t signal_frame_top(uint64_t sp, const struct ksigaction *act);

/*
 * The alternate stack as a frame saves it (uc_stack) when the program's
 * stack pointer is sp; an SS_AUTODISARM stack is disabled once saved.
 */
void signal_altstack_save(uint64_t sp, struct kstack *out);

/* exec: handled signals go back to the default, the altstack goes away. */
void signal_exec_reset(struct proc *p);

/*
 * clone: a new process gets a copy of parent's actions; a new thread or
 * process gets parent's mask, and its alternate stack unless it shares the
 * address space (CLONE_VM in clone_flags), as on Linux.
 */
void signal_fork(struct proc *parent, struct proc *child, unsigned long clone_flags);

/*
 * The frame code (arch): push a frame for sig with handler act on the user
 * stack of tf, saving mask as the mask sigreturn restores; returns 0 or
 * -EFAULT (the frame cannot be written).
 */
int sigframe_push(struct trapframe *tf, const struct ksiginfo *info,
		  const struct ksigaction *act, uint64_t mask);

/* rt_sigreturn: restore the context saved by sigframe_push. */
long sigframe_return(struct trapframe *tf);

/*
 * A system call tf returned from is interrupted: with a handler to run (act,
 * or NULL for none) make it fail with EINTR or run again, as its return
 * value asks. Does nothing if tf is not a system call's.
 */
void sigframe_syscall_restart(struct trapframe *tf, const struct ksigaction *act);

#endif
