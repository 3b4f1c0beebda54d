/* select and pselect: fd_set is a bit array of FD_SETSIZE descriptors. */
#ifndef _SYS_SELECT_H
#define _SYS_SELECT_H

#include <signal.h>
#include <time.h>

#define FD_SETSIZE	1024

typedef struct {
	unsigned long fds_bits[FD_SETSIZE / 64];
} fd_set;

#define FD_ZERO(s)	__builtin_memset((s), 0, sizeof(fd_set))
#define FD_SET(fd, s)	((s)->fds_bits[(fd) / 64] |= 1UL << ((fd) % 64))
#define FD_CLR(fd, s)	((s)->fds_bits[(fd) / 64] &= ~(1UL << ((fd) % 64)))
#define FD_ISSET(fd, s)	(((s)->fds_bits[(fd) / 64] >> ((fd) % 64)) & 1)

int select(int n, fd_set *rd, fd_set *wr, fd_set *ex, struct timeval *timeout);
int pselect(int n, fd_set *rd, fd_set *wr, fd_set *ex, const struct timespec *timeout,
	    const sigset_t *mask);

#endif
