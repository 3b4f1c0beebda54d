/* Waiting for file descriptors: poll and ppoll (Linux's struct pollfd). */
#ifndef _POLL_H
#define _POLL_H

#include <signal.h>
#include <time.h>

#define POLLIN		0x0001
#define POLLPRI		0x0002
#define POLLOUT		0x0004
#define POLLERR		0x0008
#define POLLHUP		0x0010
#define POLLNVAL	0x0020
#define POLLRDNORM	0x0040
#define POLLWRNORM	0x0100

typedef unsigned long nfds_t;

struct pollfd {
	int	fd;
	short	events;
	short	revents;
};

int poll(struct pollfd *fds, nfds_t n, int timeout_ms);
int ppoll(struct pollfd *fds, nfds_t n, const struct timespec *timeout,
	  const sigset_t *mask);

#endif
