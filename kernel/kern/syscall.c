/*
 * The system-call table. An unimplemented number returns -ENOSYS and is
 * logged once (per number) with the name of the process that asked.
 */
#include "kern/syscall.h"
#include "arch/riscv/trap.h"
#include "kern/proc.h"

static syscall_fn table[SYS_NR];
static uint64_t logged[(SYS_NR + 1 + 63) / 64];
void syscall_init(void)
{
	syscalls_proc(table);
	syscalls_signal(table);
	syscalls_mm(table);
	syscalls_fs(table);
	syscalls_swap(table);
	syscalls_usage(table);
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
