/*
 * The system-call table. An unimplemented number returns -ENOSYS and is
 * logged once (per number) with the name of the process that asked; an
 * unimplemented flag or command of an implemented call is logged once per
 * (call, value) by syscall_unsupported.
 */
#include "kern/syscall.h"
#include "arch/riscv/trap.h"
#include "kern/proc.h"

#define UNSUPPORTED_MAX	64	/* distinct (what, value) pairs remembered */

static syscall_fn table[SYS_NR];
static struct spinlock unsupported_lock = SPINLOCK_INIT("unsupported calls");
static struct {
	const char *what;
	long value;
} unsupported[UNSUPPORTED_MAX];			/* unsupported_lock */
static int nunsupported;			/* unsupported_lock */
static uint64_t logged[(SYS_NR + 1 + 63) / 64];
void syscall_init(void)
{
	syscalls_proc(table);
	syscalls_signal(table);
	syscalls_mm(table);
	syscalls_fs(table);
	syscalls_truncate(table);
	syscalls_mem(table);
	syscalls_sysv_shm(table);
	syscalls_swap(table);
	syscalls_usage(table);
	syscalls_cred(table);
	syscalls_sched(table);
	syscalls_fsattr(table);
	syscalls_timers(table);
	syscalls_jobctl(table);
	syscalls_poll(table);
	syscalls_futex(table);
	syscalls_thread(table);
}

static long unimplemented(struct trapframe *tf)
{
	uint64_t nr = tf->a7;
	uint64_t slot = MIN(nr, (uint64_t)SYS_NR);	/* all large numbers share one */

	if (!(__atomic_fetch_or(&logged[slot / 64], 1UL << (slot % 64),
				__ATOMIC_RELAXED) & (1UL << (slot % 64))))
		kprintf("pid %d (%s): system call %lu not implemented\n",
			current()->pid, current()->name, nr);
	return -ENOSYS;
}

/* Is (what, value) logged already? If not, remember it (while there is room). */
static bool unsupported_seen(const char *what, long value)
{
	unsigned long flags = spin_lock_irqsave(&unsupported_lock);
	bool seen = nunsupported == UNSUPPORTED_MAX;	/* full: stop logging */

	for (int i = 0; i < nunsupported && !seen; i++)
		seen = unsupported[i].what == what && unsupported[i].value == value;
	if (!seen) {
		unsupported[nunsupported].what = what;
		unsupported[nunsupported].value = value;
		nunsupported++;
	}
	spin_unlock_irqrestore(&unsupported_lock, flags);
	return seen;
}

void syscall_note_ignored(const char *what, long value)
{
	struct proc *p = current();

	if (!unsupported_seen(what, value))
		kprintf("pid %d (%s): %s %#lx not supported (ignored)\n",
			p ? p->pid : 0, p ? p->name : "kernel", what, value);
}

long syscall_unsupported(const char *what, long value)
{
	struct proc *p = current();

	if (!unsupported_seen(what, value))
		kprintf("pid %d (%s): %s %#lx not supported\n",
			p ? p->pid : 0, p ? p->name : "kernel", what, value);
	return -EINVAL;
}

void syscall_dispatch(struct trapframe *tf)
{
	uint64_t nr = tf->a7;
	syscall_fn fn;

	tf->orig_a0 = tf->a0;
	fn = nr < SYS_NR ? table[nr] : NULL;
	if (!fn) {
		tf->a0 = unimplemented(tf);
		return;
	}
	tf->a0 = fn(tf->a0, tf->a1, tf->a2, tf->a3, tf->a4, tf->a5);
}
