/* Resource usage: getrusage(2) (Linux's struct rusage on 64-bit machines). */
#ifndef _SYS_RESOURCE_H
#define _SYS_RESOURCE_H

#include <sys/types.h>
#include <time.h>

#define RUSAGE_SELF	0
#define RUSAGE_CHILDREN	(-1)
#define RUSAGE_THREAD	1

struct rusage {
	struct timeval	ru_utime;	/* time in user mode */
	struct timeval	ru_stime;	/* time in the kernel */
	long		ru_maxrss;	/* largest resident set, KiB */
	long		ru_ixrss, ru_idrss, ru_isrss;
	long		ru_minflt;	/* faults served without I/O */
	long		ru_majflt;	/* faults that read a disk */
	long		ru_nswap, ru_inblock, ru_oublock, ru_msgsnd, ru_msgrcv,
			ru_nsignals, ru_nvcsw, ru_nivcsw;
};

int getrusage(int who, struct rusage *usage);

/* Resource limits (Linux's numbering; prlimit64 underneath). */
#define RLIMIT_STACK	3
#define RLIMIT_NOFILE	7
#define RLIMIT_MEMLOCK	8
#define RLIM_INFINITY	(~0UL)

typedef unsigned long rlim_t;

struct rlimit {
	rlim_t rlim_cur;	/* the soft limit, enforced */
	rlim_t rlim_max;	/* the hard limit, the most rlim_cur may be */
};

int getrlimit(int resource, struct rlimit *rl);
int setrlimit(int resource, const struct rlimit *rl);

#endif
