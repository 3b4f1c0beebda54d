/*
 * Job control: processes stopped and continued by signals, what their
 * parent learns of it (SIGCHLD, wait4's WUNTRACED and WCONTINUED
 * statuses), children reaped without a wait when the parent ignores
 * SIGCHLD, the vfork handshake, process groups and sessions.
 *
 * A stop is the whole process's: the thread that takes the stop signal
 * stops its group (tg->stopped) and tells the parent, the other threads
 * stop when they next return to user mode, SIGCONT wakes them all.
 * Locks: tg->stopped and tg->cont_notify are under tg->sig_lock;
 * wait_report, autoreap, pgid, sid and vfork_done under proc_tree_lock.
 * Order: proc_tree_lock, then a sig_lock, then sched_lock.
 */
#ifndef KILBURN_JOBCTL_H
#define KILBURN_JOBCTL_H

#include "env.h"

struct proc;

/* si_code of SIGCHLD */
#define CLD_EXITED	1
#define CLD_KILLED	2
#define CLD_DUMPED	3
#define CLD_STOPPED	5
#define CLD_CONTINUED	6

/* wait statuses of a stopped and of a continued child (Linux encoding) */
#define W_STOPCODE(sig)	(((sig) << 8) | 0x7f)
#define W_CONTINUED	0xffff

/* Is sig one whose default action stops the process? */
bool jobctl_stop_signal(int sig);

/*
 * jobctl_on_send - the job-control side of sending sig to (a thread of)
 * p's process (p->tg->sig_lock held): SIGCONT discards pending stop
 * signals and resumes the process, every thread of it, if it is stopped;
 * a stop signal discards a pending SIGCONT.
 */
void jobctl_on_send(struct proc *p, int sig);

/*
 * jobctl_stop - stop the current process for sig (a stop signal with its
 * default action): tell the parent, then sleep until SIGCONT or SIGKILL.
 * Interrupts on, no lock held.
 */
void jobctl_stop(int sig);

/*
 * jobctl_stop_wait - a thread of a stopped process sleeps until SIGCONT or
 * SIGKILL (signal_deliver, as jobctl_stop).
 */
void jobctl_stop_wait(void);

/*
 * jobctl_child_exit - tell p's parent that p ended with wait_status
 * (proc_tree_lock held): its exit signal, if any. Returns true if the
 * parent does not wait for children (SIGCHLD ignored or SA_NOCLDWAIT): p
 * is then reaped without a wait.
 */
bool jobctl_child_exit(struct proc *p, int wait_status);

/*
 * jobctl_vfork_release - p (a vfork child) has exec'd or is exiting: let
 * its parent go on. Does nothing for other processes.
 */
void jobctl_vfork_release(struct proc *p);

/*
 * jobctl_vfork_wait - the current process sleeps until its vfork child
 * child has called jobctl_vfork_release. Only a signal that will kill it
 * ends the wait early (Linux's killable wait): other signals wait, as the
 * child borrows its memory.
 */
void jobctl_vfork_wait(struct proc *child);

/*
 * Send sig as kill() does to every process of group pgid (other than init
 * and zombies). Returns 0, or -ESRCH if the group has no member, or
 * -EINVAL. proc_tree_lock not held.
 */
int jobctl_kill_group(int pgid, int sig);

/* The same for signals the kernel sends (the terminal's ^C), any context. */
void jobctl_signal_group(int pgid, int sig);

/* Does a live process belong to group pgid of session sid (sid 0: any)? */
bool jobctl_group_exists(int pgid, int sid);

/*
 * jobctl_exit_orphans - p is exiting (before its children go to init, no
 * lock held): every process group that p's exit orphans (POSIX: no member
 * keeps a parent in another group of the session) and that has a stopped
 * member gets SIGHUP, then SIGCONT, as on Linux. That is p's own group
 * (when p was its last tie) and its children's groups.
 */
void jobctl_exit_orphans(struct proc *p);

/* Is group pgid orphaned (no member has a parent in another group of its session)? */
bool jobctl_group_orphaned(int pgid);

#endif
