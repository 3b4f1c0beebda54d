/* Scheduling and clone flags. */
#ifndef _SCHED_H
#define _SCHED_H

#include <stddef.h>

#define CLONE_VM		0x00000100
#define CLONE_FS		0x00000200
#define CLONE_FILES		0x00000400
#define CLONE_SIGHAND		0x00000800
#define CLONE_VFORK		0x00004000
#define CLONE_PARENT		0x00008000
#define CLONE_THREAD		0x00010000
#define CLONE_SETTLS		0x00080000
#define CLONE_PARENT_SETTID	0x00100000
#define CLONE_CHILD_CLEARTID	0x00200000
#define CLONE_CHILD_SETTID	0x01000000

#define SCHED_OTHER		0
#define SCHED_FIFO		1
#define SCHED_RR		2
#define SCHED_BATCH		3
#define SCHED_IDLE		5

/* CPU sets: glibc's 1024 bits. */
#define CPU_SETSIZE		1024
typedef struct {
	unsigned long __bits[CPU_SETSIZE / 64];
} cpu_set_t;

#define CPU_ZERO(s)	__builtin_memset((s), 0, sizeof(cpu_set_t))
#define CPU_SET(c, s)	((s)->__bits[(c) / 64] |= 1UL << ((c) % 64))
#define CPU_CLR(c, s)	((s)->__bits[(c) / 64] &= ~(1UL << ((c) % 64)))
#define CPU_ISSET(c, s)	(((s)->__bits[(c) / 64] >> ((c) % 64)) & 1)
int __sched_cpucount(size_t size, const cpu_set_t *s);
#define CPU_COUNT(s)	__sched_cpucount(sizeof(cpu_set_t), (s))

int sched_yield(void);
int sched_getaffinity(int pid, size_t size, cpu_set_t *set);
int sched_setaffinity(int pid, size_t size, const cpu_set_t *set);
int sched_get_priority_max(int policy);
int sched_get_priority_min(int policy);

#endif
