/* The console as a terminal: a line discipline over the UART. */
#ifndef KILBURN_TTY_H
#define KILBURN_TTY_H

#include "kern/files.h"

extern const struct file_ops tty_file_ops;

struct proc;

/*
 * tty_session_exit - p, a session leader, is exiting: if its session has
 * the terminal, the foreground group gets SIGHUP and SIGCONT and the
 * terminal is free again.
 */
void tty_session_exit(struct proc *p);

#endif
