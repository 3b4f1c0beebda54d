/*
 * Backtraces. The kernel is built with frame pointers: in every frame, s0
 * points just above the saved return address (at s0 - 8) and the caller's
 * s0 (at s0 - 16). A leaf function saves no return address: its s0 - 8 holds
 * the caller's s0, and its return address is still in ra. Only the innermost
 * frame of a trap can be a leaf; backtrace_print() recognises it because
 * that slot then holds a frame pointer into the same stack, not code. A
 * function stopped in its epilogue has already reloaded the caller's s0;
 * then ra names a different function than pc and is shown as the caller.
 * The walk stops at the first frame pointer that is not inside a kernel
 * stack, so a corrupted chain ends the trace instead of faulting.
 */
#include "env.h"
#include "arch/riscv/backtrace.h"
#include "arch/riscv/memlayout.h"
#include "kern/ksyms.h"

#define BACKTRACE_MAX 32

/* Is [fp - 16, fp) inside a mapped kernel stack? */
static bool frame_readable(uintptr_t fp)
{
	uintptr_t lo = fp - 16;

	if (fp & 7)
		return false;
	if (lo >= KSTACK_BASE && fp <= KSTACK_BASE + KSTACK_AREA) {
		uintptr_t off = (lo - KSTACK_BASE) & (KSTACK_SLOT - 1);

		return off >= KSTACK_SLOT - KSTACK_SIZE &&
		       off + 16 <= KSTACK_SLOT;
	}
	/* boot and emergency stacks live in .bss */
	return lo >= (uintptr_t)_bss_start && fp <= (uintptr_t)_bss_end;
}

static bool same_function(uintptr_t a, uintptr_t b)
{
	uint64_t off_a, off_b;
	const char *fa = ksym_lookup(a, &off_a), *fb = ksym_lookup(b, &off_b);

	return fa && fa == fb;
}

static void print_frame(int n, uintptr_t pc)
{
	uint64_t off;
	const char *name = ksym_lookup(pc, &off);

	if (name)
		kprintf("  #%-2d %p %s+%#lx\n", n, (void *)pc, name, off);
	else
		kprintf("  #%-2d %p ?\n", n, (void *)pc);
}

void backtrace_print(uintptr_t pc, uintptr_t fp, uintptr_t ra)
{
	int n = 0;

	kprintf("backtrace:\n");
	print_frame(n++, pc);
	if (ra && frame_readable(fp)) {
		uintptr_t slot = ((uintptr_t *)fp)[-1];

		if (slot > fp && frame_readable(slot)) {	/* a leaf */
			print_frame(n++, ra - 4);
			fp = slot;
		} else if (slot != ra && !same_function(pc, ra - 4)) {
			/* stopped in an epilogue: s0 is the caller's already */
			print_frame(n++, ra - 4);
		}
	}
	while (n < BACKTRACE_MAX && frame_readable(fp)) {
		uintptr_t ra = ((uintptr_t *)fp)[-1];
		uintptr_t prev = ((uintptr_t *)fp)[-2];

		if (!ra)
			break;
		print_frame(n++, ra - 4);	/* the call, not the return point */
		if (prev <= fp)
			break;			/* stacks grow down: callers are above */
		fp = prev;
	}
}

void backtrace_here(void)
{
	backtrace_print((uintptr_t)backtrace_here,
			(uintptr_t)__builtin_frame_address(0), 0);
}
