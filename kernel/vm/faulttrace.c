/*
 * The fault trace ring (faulttrace.h). One spinlock, taken with interrupts
 * off, guards the ring and the sequence counter; a record is a few stores.
 *
 * Machine-independent: compiles on the host.
 */
#include "vm/faulttrace.h"

int vm_fault_trace;

static struct spinlock trace_lock = SPINLOCK_INIT("faulttrace");
static struct fault_record ring[FAULTTRACE_SIZE];	/* trace_lock */
static uint64_t next_seq = 1;				/* trace_lock */
static uint64_t (*clock_ns)(void);
static int (*current_pid)(void);

static const char *const kind_names[FK_NR] = {
	[FK_ZERO_FILL] = "zero-fill", [FK_ZERO_PAGE] = "zero-page",
	[FK_FILE_PAGE] = "file-page", [FK_FILE_READ] = "file-read",
	[FK_FILE_COPY] = "file-copy", [FK_COW_COPY] = "cow-copy",
	[FK_COW_TAKEOVER] = "cow-takeover", [FK_ANON_MAP] = "anon-map",
	[FK_SWAP_IN] = "swap-in", [FK_PROTECTION] = "protection",
	[FK_NOT_MAPPED] = "not-mapped", [FK_OOM] = "out-of-memory",
	[FK_IO] = "io-error", [FK_PAST_EOF] = "past-eof",
};

const char *faulttrace_kind_name(enum fault_kind k)
{
	return (unsigned int)k < FK_NR ? kind_names[k] : "?";
}

void faulttrace_set_clock(uint64_t (*now_ns)(void), int (*pid)(void))
{
	clock_ns = now_ns;
	current_pid = pid;
}

void faulttrace_record(vaddr_t va, unsigned int access, enum fault_kind kind,
		       unsigned int flags)
{
	struct fault_record rec;
	unsigned long irq;

	if (!READ_ONCE(vm_fault_trace))
		return;
	rec = (struct fault_record){
		.time_ns = clock_ns ? clock_ns() : 0,
		.pid = current_pid ? current_pid() : 0,
		.access = (uint8_t)access, .kind = (uint8_t)kind,
		.flags = (uint8_t)flags, .va = va,
	};
	irq = spin_lock_irqsave(&trace_lock);
	rec.seq = next_seq++;
	ring[rec.seq % FAULTTRACE_SIZE] = rec;
	spin_unlock_irqrestore(&trace_lock, irq);
}

size_t faulttrace_copy(uint64_t after, struct fault_record *out, size_t max)
{
	unsigned long irq = spin_lock_irqsave(&trace_lock);
	uint64_t first = next_seq > FAULTTRACE_SIZE ? next_seq - FAULTTRACE_SIZE : 1;
	size_t n = 0;

	for (uint64_t s = MAX(first, after + 1); s < next_seq && n < max; s++)
		out[n++] = ring[s % FAULTTRACE_SIZE];
	spin_unlock_irqrestore(&trace_lock, irq);
	return n;
}
