/* clone3: clone with its arguments in a struct (Linux's struct clone_args). */
#include "kern/fork.h"
#include "kern/syscall.h"
#include "kern/uaccess.h"

#define CSIGNAL			0xffUL
#define CLONE_PIDFD		0x00001000UL
#define CLONE_ARGS_SIZE_VER0	64
#define CLONE_ARGS_SIZE_KNOWN	88	/* up to cgroup */

struct clone_args {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal;
	uint64_t stack, stack_size, tls, set_tid, set_tid_size, cgroup;
};

/*
 * Bytes of a larger struct than Kilburn knows must be zero (E2BIG if not,
 * as Linux's copy_struct_from_user). Returns 0, -E2BIG or -EFAULT.
 */
static long tail_zero(uint64_t uargs, uint64_t size)
{
	for (uint64_t off = CLONE_ARGS_SIZE_KNOWN; off < size; off++) {
		uint8_t b;

		if (copy_from_user(&b, uargs + off, 1))
			return -EFAULT;
		if (b)
			return -E2BIG;
	}
	return 0;
}

/*
 * clone3(args, size): the checks of Linux's clone3 (a signal in flags,
 * a stack without a size, unknown upper flags, set_tid and pidfds, which
 * Kilburn does not offer, are EINVAL), then clone.
 */
static long sys_clone3(long uargs, long size)
{
	struct clone_args a = { 0 };
	long err;

	if ((uint64_t)size < CLONE_ARGS_SIZE_VER0)
		return -EINVAL;
	if ((uint64_t)size > PAGE_SIZE)
		return -E2BIG;
	if (copy_from_user(&a, uargs, MIN((uint64_t)size, sizeof(a))))
		return -EFAULT;
	err = tail_zero(uargs, size);
	if (err)
		return err;
	if ((a.flags & CSIGNAL) || (a.exit_signal & ~CSIGNAL) || (a.flags >> 32) ||
	    (a.flags & CLONE_PIDFD) || a.set_tid || a.set_tid_size || a.cgroup)
		return -EINVAL;
	if (!a.stack != !a.stack_size)
		return -EINVAL;
	if ((a.flags & (CLONE_THREAD | CLONE_PARENT)) && a.exit_signal)
		return -EINVAL;
	return proc_fork(a.flags | a.exit_signal, a.stack ? a.stack + a.stack_size : 0,
			 a.parent_tid, a.tls, a.child_tid);
}

void syscalls_thread(syscall_fn *t)
{
	SYSCALL(t, clone3);
}
