/*
 * What processes have used, as system calls report it: getrusage(2),
 * wait4's rusage and sysinfo(2) (kern/sys_usage.c).
 */
#ifndef KILBURN_USAGE_H
#define KILBURN_USAGE_H

#include "kern/proc.h"

/*
 * rusage_copyout - write u as Linux's struct rusage (144 bytes) at user
 * address uaddr: times from ticks, ru_minflt and ru_majflt, ru_maxrss in
 * KiB; the fields Kilburn does not count are 0. Returns 0 or -EFAULT.
 */
int rusage_copyout(uint64_t uaddr, const struct proc_usage *u, uint64_t maxrss_kb);

#endif
