/* Address-space system calls: brk/sbrk, mmap and friends. */
#include <errno.h>
#include <stdarg.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "internal.h"

static char *cur_brk;	/* the break as last reported by the kernel */

/*
 * Sets the program break to addr. The kernel returns the resulting break;
 * if that is not addr the request failed: -1 with ENOMEM.
 */
int brk(void *addr)
{
	char *r = (char *)sys_call1(SYS_brk, addr);

	cur_brk = r;
	if (r != addr) {
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

/*
 * Moves the break by incr bytes (may be negative) and returns the old
 * break, or (void *)-1 with ENOMEM. sbrk(0) returns the current break.
 */
void *sbrk(long incr)
{
	char *old;

	if (!cur_brk)
		cur_brk = (char *)sys_call1(SYS_brk, 0);
	old = cur_brk;
	if (incr == 0)
		return old;
	if (brk(old + incr) < 0)
		return (void *)-1;
	return old;
}

/* Maps memory; the mapping's address or MAP_FAILED. */
void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	long r = sys_call6(SYS_mmap, (long)addr, (long)len, prot, flags, fd, off);

	if (sys_ret(r) == -1 && r < 0)
		return MAP_FAILED;
	return (void *)r;
}

/* Unmaps [addr, addr+len). */
int munmap(void *addr, size_t len)
{
	return (int)sys_ret(sys_call2(SYS_munmap, addr, len));
}

/* Changes protection of [addr, addr+len). */
int mprotect(void *addr, size_t len, int prot)
{
	return (int)sys_ret(sys_call3(SYS_mprotect, addr, len, prot));
}

/* Resizes (and with MREMAP_MAYMOVE may move) a mapping; MAP_FAILED on error. */
void *mremap(void *old, size_t oldlen, size_t newlen, int flags, ...)
{
	va_list ap;
	void *newaddr = 0;
	long r;

	if (flags & MREMAP_FIXED) {
		va_start(ap, flags);
		newaddr = va_arg(ap, void *);
		va_end(ap);
	}
	r = sys_call5(SYS_mremap, old, oldlen, newlen, flags, newaddr);
	if (sys_ret(r) == -1 && r < 0)
		return MAP_FAILED;
	return (void *)r;
}

/* Writes back a shared mapping. */
int msync(void *addr, size_t len, int flags)
{
	return (int)sys_ret(sys_call3(SYS_msync, addr, len, flags));
}

/* Advises the kernel about use of [addr, addr+len). */
int madvise(void *addr, size_t len, int advice)
{
	return (int)sys_ret(sys_call3(SYS_madvise, addr, len, advice));
}

/* Reports residency of each page in vec; -1/ENOMEM if a page is unmapped. */
int mincore(void *addr, size_t len, unsigned char *vec)
{
	return (int)sys_ret(sys_call3(SYS_mincore, addr, len, vec));
}

int mlock(const void *addr, size_t len)
{
	return (int)sys_ret(sys_call2(SYS_mlock, addr, len));
}

int mlock2(const void *addr, size_t len, unsigned int flags)
{
	return (int)sys_ret(sys_call3(SYS_mlock2, addr, len, flags));
}

int munlock(const void *addr, size_t len)
{
	return (int)sys_ret(sys_call2(SYS_munlock, addr, len));
}

int mlockall(int flags)
{
	return (int)sys_ret(sys_call1(SYS_mlockall, flags));
}

int munlockall(void)
{
	return (int)sys_ret(sys_call0(SYS_munlockall));
}
