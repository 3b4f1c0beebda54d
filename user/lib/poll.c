/*
 * poll and select over the ppoll and pselect6 system calls (riscv64 has
 * no others). The timeouts the kernel writes back are kept in copies:
 * poll and pselect leave the caller's alone; select, as Linux's, writes
 * the time left back into the caller's timeval.
 */
#include <poll.h>
#include <sys/select.h>
#include <sys/syscall.h>
#include "internal.h"

int ppoll(struct pollfd *fds, nfds_t n, const struct timespec *timeout,
	  const sigset_t *mask)
{
	struct timespec ts, *tp = NULL;

	if (timeout) {
		ts = *timeout;
		tp = &ts;
	}
	return (int)sys_ret(sys_call5(SYS_ppoll, fds, n, tp, mask, sizeof(sigset_t)));
}

/* timeout_ms < 0 waits forever. */
int poll(struct pollfd *fds, nfds_t n, int timeout_ms)
{
	struct timespec ts = { timeout_ms / 1000, (timeout_ms % 1000) * 1000000L };

	return ppoll(fds, n, timeout_ms < 0 ? NULL : &ts, NULL);
}

int pselect(int n, fd_set *rd, fd_set *wr, fd_set *ex, const struct timespec *timeout,
	    const sigset_t *mask)
{
	struct timespec ts, *tp = NULL;
	unsigned long sig[2] = { (unsigned long)mask, sizeof(sigset_t) };

	if (timeout) {
		ts = *timeout;
		tp = &ts;
	}
	return (int)sys_ret(sys_call6(SYS_pselect6, n, (long)rd, (long)wr, (long)ex,
				      (long)tp, (long)sig));
}

int select(int n, fd_set *rd, fd_set *wr, fd_set *ex, struct timeval *timeout)
{
	struct timespec ts, *tp = NULL;
	int r;

	if (timeout) {
		ts.tv_sec = timeout->tv_sec;
		ts.tv_nsec = timeout->tv_usec * 1000;
		tp = &ts;
	}
	r = (int)sys_ret(sys_call6(SYS_pselect6, n, (long)rd, (long)wr, (long)ex,
				   (long)tp, 0));
	if (timeout) {
		timeout->tv_sec = ts.tv_sec;
		timeout->tv_usec = ts.tv_nsec / 1000;
	}
	return r;
}
