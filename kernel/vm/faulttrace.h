/*
 * faulttrace — a ring of the most recent page faults, for watching demand
 * paging, copy-on-write and the zero page happen (/proc/faulttrace, the
 * faultwatch tool). Off at boot; /proc/sys/vm/fault_trace turns it on (1)
 * and off (0) at run time. While off, a fault costs one load of the switch.
 *
 * Each record has a sequence number (from 1, never reused, so a reader
 * knows what it missed), the time since boot, the pid, the page address,
 * the access and what the fault did. The ring keeps the last
 * FAULTTRACE_SIZE records; older ones are overwritten.
 *
 * Machine-independent: compiles on the host. The kernel tells it the time
 * and the current pid at boot (faulttrace_set_clock); without them both
 * read 0.
 */
#ifndef KILBURN_FAULTTRACE_H
#define KILBURN_FAULTTRACE_H

#include "env.h"

#define FAULTTRACE_SIZE	1024

/* What a fault did (or why it failed). */
enum fault_kind {
	FK_ZERO_FILL,		/* write to untouched anonymous memory: a zeroed frame */
	FK_ZERO_PAGE,		/* read of untouched anonymous memory: the zero frame */
	FK_FILE_PAGE,		/* a page-cache page mapped, already in memory */
	FK_FILE_READ,		/* ... read from a disk first (a major fault) */
	FK_FILE_COPY,		/* private write to a file page: a copy */
	FK_COW_COPY,		/* write to an anonymous page shared after fork: copied */
	FK_COW_TAKEOVER,	/* ... the last holder: made writable, no copy */
	FK_ANON_MAP,		/* a private page already there mapped again */
	FK_SWAP_IN,		/* read back from swap (a major fault) */
	FK_PROTECTION,		/* the region forbids the access: a signal */
	FK_NOT_MAPPED,		/* no region: a signal */
	FK_OOM,			/* no frame for the page */
	FK_IO,			/* reading the page failed */
	FK_PAST_EOF,		/* past the end of a mapped file: SIGBUS */
	FK_NR
};

/* FAULTTRACE_STACK: the fault also grew the stack down. */
#define FAULTTRACE_STACK	0x1

struct fault_record {
	uint64_t seq;			/* 0: an empty slot */
	uint64_t time_ns;		/* since boot */
	int pid;
	uint8_t access;			/* VM_PROT_READ, _WRITE or _EXEC */
	uint8_t kind;			/* enum fault_kind */
	uint8_t flags;			/* FAULTTRACE_STACK */
	vaddr_t va;			/* page aligned */
};

extern int vm_fault_trace;		/* /proc/sys/vm/fault_trace: 0 off, 1 on */

/* The word a record's kind is shown as ("zero-fill", "cow-copy", ...). */
const char *faulttrace_kind_name(enum fault_kind k);

/* Give the trace the kernel's clock and the current pid (boot). */
void faulttrace_set_clock(uint64_t (*now_ns)(void), int (*pid)(void));

/* Record a fault of the current process if tracing is on. Any context. */
void faulttrace_record(vaddr_t va, unsigned int access, enum fault_kind kind,
		       unsigned int flags);

/*
 * faulttrace_copy - copy the records with seq > after, oldest first, into
 * out[0..max); returns how many. Takes the trace's lock.
 */
size_t faulttrace_copy(uint64_t after, struct fault_record *out, size_t max);

#endif
