/*
 * SMP: the boot hart starts the others through the SBI HSM extension; each
 * comes up in secondary_entry (boot.S) on its own kernel stack, sets up its
 * timer and interrupt context and enters the idle loop.
 */
#include "env.h"
#include "arch/riscv/cpu.h"
#include "arch/riscv/csr.h"
#include "arch/riscv/sbi.h"
#include "arch/riscv/smp.h"
#include "arch/riscv/timer.h"
#include "vm/pmap.h"
#include "kern/kstack.h"
#include "dev/plic.h"
#include "kern/sched.h"

extern char secondary_entry[];

/*
 * The hart smp_start is starting and its struct cpu, for a hart that
 * firmware sends to _start rather than secondary_entry (boot.S): it waits
 * there until its id is here. In .data: read with the MMU off, never 0 by
 * accident (hart 0 is a hart).
 */
__attribute__((section(".data"))) uint64_t smp_starting_hartid = ~0UL;
__attribute__((section(".data"))) struct cpu *smp_starting_cpu;
static struct spinlock call_lock = SPINLOCK_INIT("smp_call");

unsigned long smp_online_hart_mask(void)
{
	unsigned long mask = 0;

	for (int i = 0; i < ncpus; i++)
		if (cpus[i].online)
			mask |= 1UL << cpus[i].hartid;
	return mask;
}

int smp_online_count(void)
{
	int n = 0;

	for (int i = 0; i < ncpus; i++)
		n += cpus[i].online != 0;
	return n;
}

void smp_init_hart(void)
{
	csr_set(sie, SIE_SSIE);		/* IPIs: wake-ups, calls, panic */
}

/* First C code of a secondary hart: tp and sp are set, paging is on. */
void secondary_main(void)
{
	struct cpu *c = this_cpu();

	timer_init_hart();
	plic_init_hart();
	smp_init_hart();
	__atomic_store_n(&c->online, 1, __ATOMIC_RELEASE);
	scheduler();
}

#define SBI_ERR_ALREADY_AVAILABLE	(-6)

/*
 * Ask the firmware to start c's hart. Right after boot the firmware may
 * still be parking it (HSM says "already available" until it is stopped):
 * retry for up to five seconds (a busy host may be slow to run it).
 */
static long hart_start(struct cpu *c)
{
	uint64_t deadline = rdtime() + 5 * timer_hz();
	long err;

	do {
		err = sbi_hart_start(c->hartid, virt_to_phys(secondary_entry),
				     (unsigned long)c);
	} while (err == SBI_ERR_ALREADY_AVAILABLE && rdtime() < deadline);
	return err;
}

void smp_start(void)
{
	for (int i = 1; i < ncpus; i++) {
		struct cpu *c = &cpus[i];
		vaddr_t top = kstack_alloc();

		if (!top)
			panic("smp_start: no kernel stack for hart %u", c->hartid);
		c->kstack_top = top;
		smp_starting_cpu = c;
		__atomic_store_n(&smp_starting_hartid, c->hartid, __ATOMIC_RELEASE);
		long err = hart_start(c);

		if (err) {
			kprintf("smp: hart %u did not start (SBI error %ld)\n",
				c->hartid, err);
			continue;
		}
		/*
		 * It checks in within microseconds on an idle host; under QEMU
		 * on a loaded one its thread may not run for seconds, so give
		 * up only after 60 s.
		 */
		uint64_t deadline = rdtime() + 60 * timer_hz();

		while (!__atomic_load_n(&c->online, __ATOMIC_ACQUIRE))
			if (rdtime() > deadline)
				panic("smp_start: hart %u started but never came up",
				      c->hartid);
		__atomic_store_n(&smp_starting_hartid, ~0UL, __ATOMIC_RELEASE);
	}
	pmap_drop_identity();
}

void smp_call_all(void (*fn)(void *arg), void *arg)
{
	struct cpu *self = this_cpu();
	unsigned long mask = 0;

	spin_lock(&call_lock);
	for (int i = 0; i < ncpus; i++) {
		struct cpu *c = &cpus[i];

		if (c == self || !c->online)
			continue;
		c->call_fn = fn;
		c->call_arg = arg;
		__atomic_store_n(&c->call_pending, 1, __ATOMIC_RELEASE);
		mask |= 1UL << c->hartid;
	}
	if (mask)
		sbi_send_ipi(mask, 0);
	fn(arg);
	for (int i = 0; i < ncpus; i++)
		while (__atomic_load_n(&cpus[i].call_pending, __ATOMIC_ACQUIRE))
			tlb_poll();	/* fn may shoot down on this hart */
	spin_unlock(&call_lock);
}

void smp_halt_others(void)
{
	unsigned long mask = smp_online_hart_mask() & ~(1UL << this_cpu()->hartid);

	panicking = 1;
	if (mask)
		sbi_send_ipi(mask, 0);
}

/*
 * An IPI: a kick (nothing to do here: the idle loop looks at the run
 * queue), TLB shootdowns to serve, or a panic. SSIP is cleared before the
 * look, so a request posted after it raises it again.
 */
void smp_ipi_interrupt(void)
{
	csr_clear(sip, SIP_SSIP);
	if (panicking) {
		irq_save();
		for (;;)
			wfi();
	}
	tlb_poll();
}

/*
 * Wake one idle hart for a process just made runnable. An idle hart that
 * makes one runnable itself (a device interrupt that wakes a sleeper, say)
 * kicks nobody: it looks at the run queue as soon as it returns to its
 * idle loop, and the process stays on the hart it ran on. Waking every
 * idle hart instead only made them race for sched_lock and the process
 * wander, so that its TLB shootdowns had to reach every hart.
 */
void smp_kick_idle_for(uint64_t allowed)
{
	static unsigned int next;	/* spread the kicks; atomic */
	struct cpu *self = this_cpu();
	unsigned int first;

	if (!READ_ONCE(self->proc) && (allowed & (1UL << (self - cpus))))
		return;
	first = __atomic_fetch_add(&next, 1, __ATOMIC_RELAXED);
	for (int k = 0; k < ncpus; k++) {
		struct cpu *c = &cpus[(first + k) % ncpus];

		if (c != self && c->online && !READ_ONCE(c->proc) &&
		    (allowed & (1UL << (c - cpus)))) {
			sbi_send_ipi(1UL << c->hartid, 0);
			return;
		}
	}
}

void smp_kick_idle(void)
{
	smp_kick_idle_for(~0UL);
}
