/*
 * Waiting for several files at once: ppoll and pselect6. A file says
 * whether it is ready through file_ops.poll (files without one are always
 * ready to read and write, as Linux's regular files); whoever can make a
 * file ready calls poll_notify(), which wakes every poller to look again.
 */
#ifndef KILBURN_POLL_H
#define KILBURN_POLL_H

#include "env.h"

#define POLLIN		0x0001
#define POLLPRI		0x0002
#define POLLOUT		0x0004
#define POLLERR		0x0008
#define POLLHUP		0x0010
#define POLLNVAL	0x0020
#define POLLRDNORM	0x0040
#define POLLWRNORM	0x0100

/* What a file without a poll op is: always readable and writable. */
#define POLL_DEFAULT	(POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM)

/* Something may have become ready: wake the pollers (any context). */
void poll_notify(void);

/* The boot hart's tick: wake the pollers that have a timeout. */
void poll_tick(void);

#endif
