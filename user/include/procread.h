/*
 * procread.h — reading Linux-format /proc files, for Kilburn's tools (ps,
 * free, vmstat, pmap, top, uptime, time). Not a standard header.
 */
#ifndef PROCREAD_H
#define PROCREAD_H

#include <stddef.h>

/* Read at most size - 1 bytes of path into buf, NUL-terminated; length or -1. */
int proc_read(const char *path, char *buf, size_t size);

/*
 * The number after key at the start of a line of text, where key is
 * followed by ':' (meminfo, status) or ' ' (vmstat, stat); -1 if absent.
 */
long proc_value(const char *text, const char *key);

/* The fields of /proc/<pid>/stat that the tools show (man 5 proc). */
struct proc_stat {
	long pid, ppid;
	char state;
	char name[64];
	unsigned long minflt, majflt;		/* faults */
	unsigned long utime, stime;		/* ticks (100 a second) */
	unsigned long starttime;		/* ticks after boot */
	unsigned long vsize;			/* bytes */
	long rss;				/* pages */
};

/* Parse /proc/<pid>/stat (pid 0: self); 0, or -1 if gone or malformed. */
int proc_stat_read(long pid, struct proc_stat *st);

/* The pids of /proc, sorted, in a malloc'd array; their number, or -1. */
int proc_pids(long **out);

/* kB as procps -h shows sizes: "1.5Gi", "340Mi", "12Ki", "0B". */
void proc_human(char *buf, size_t size, unsigned long kb);

#endif
