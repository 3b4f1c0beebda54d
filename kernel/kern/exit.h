/* Ending processes and waiting for them. */
#ifndef KILBURN_EXIT_H
#define KILBURN_EXIT_H

#include "env.h"

/*
 * proc_exit - end the current process with a wait status (Linux encoding:
 * (code << 8) for exit(code), or the signal number for a killing signal).
 * Frees its address space and files, gives its children to init, wakes its
 * parent. Never returns. When init exits, the machine powers off with its
 * exit code (or 128 + signal). With threads this is exit_group (and a fatal
 * signal): every thread ends; if several threads race, the first group
 * exit's status is the process's. thread_exit (kern/thread.h) ends one.
 */
void proc_exit(int wait_status) __noreturn;

#define W_EXITCODE(code)	(((code) & 0xff) << 8)

struct proc_usage;

/*
 * proc_wait - wait for a child (pid > 0: that child; -1: any; 0: any of
 * the caller's group; < -1: any of group -pid) to become a zombie, reap it and return its pid with its
 * status in *status and, if ru is not NULL, what it used, its own reaped
 * children's included (wait4's rusage). The child's usage is added to the
 * caller's children's. options: WNOHANG returns 0 if none has exited;
 * WUNTRACED and WCONTINUED also report (once) a child that stopped or
 * continued, without reaping it (*ru untouched). Children reaped without
 * a wait (SIGCHLD ignored) do not count. Returns -ECHILD if there is no
 * such child, -ERESTARTSYS if a signal arrived.
 */
long proc_wait(int pid, int *status, int options, struct proc_usage *ru);

#define WNOHANG		1
#define WUNTRACED	2
#define WCONTINUED	8

#endif
