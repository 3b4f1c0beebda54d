/* CPU affinity and scheduling-policy priority ranges. */
#include <errno.h>
#include <sched.h>
#include <string.h>
#include <sys/syscall.h>
#include "internal.h"

/*
 * The kernel writes only the bytes of its own mask (its return value);
 * glibc clears the rest of the caller's set, and so does this.
 */
int sched_getaffinity(int pid, size_t size, cpu_set_t *set)
{
	long n = sys_call3(SYS_sched_getaffinity, pid, size, set);

	if (n < 0)
		return sys_ret(n);
	if ((size_t)n < size)
		memset((char *)set + n, 0, size - n);
	return 0;
}

int sched_setaffinity(int pid, size_t size, const cpu_set_t *set)
{
	return sys_ret(sys_call3(SYS_sched_setaffinity, pid, size, set));
}

int sched_get_priority_max(int policy)
{
	return sys_ret(sys_call1(SYS_sched_get_priority_max, policy));
}

int sched_get_priority_min(int policy)
{
	return sys_ret(sys_call1(SYS_sched_get_priority_min, policy));
}

int __sched_cpucount(size_t size, const cpu_set_t *s)
{
	int n = 0;

	for (size_t i = 0; i < size / sizeof(s->__bits[0]); i++)
		for (unsigned long b = s->__bits[i]; b; b &= b - 1)
			n++;
	return n;
}
