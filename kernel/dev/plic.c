/*
 * PLIC driver. Register offsets are those of the RISC-V PLIC specification:
 * a 32-bit priority per source at 4 * irq, enable bits per context at
 * 0x2000 + 0x80 * ctx, and per context a threshold at 0x200000 + 0x1000 * ctx
 * followed by the claim/complete register. Which context belongs to which
 * hart's S-mode comes from the device tree (board.plic_s_context).
 */
#include "env.h"
#include "arch/riscv/cpu.h"
#include "arch/riscv/csr.h"
#include "dev/plic.h"
#include "kern/board.h"

#define PLIC_MAX_IRQ		1024
#define PLIC_PRIORITY(irq)	(4 * (irq))
#define PLIC_ENABLE(ctx, irq)	(0x2000 + 0x80 * (ctx) + 4 * ((irq) / 32))
#define PLIC_THRESHOLD(ctx)	(0x200000 + 0x1000 * (ctx))
#define PLIC_CLAIM(ctx)		(0x200004 + 0x1000 * (ctx))

static volatile uint8_t *plic;
static uint32_t ndev;
static int context_of_cpu[NCPU_MAX];
static struct {
	irq_handler_fn fn;
	void *arg;
} handlers[PLIC_MAX_IRQ];
static uint64_t irq_counts[PLIC_MAX_IRQ];	/* atomic: per source (/proc/stat) */
static struct spinlock plic_lock = SPINLOCK_INIT("plic");

static inline volatile uint32_t *reg(uint32_t off)
{
	return (volatile uint32_t *)(plic + off);
}

void plic_init(const struct board *b)
{
	plic = phys_to_virt(b->plic.base);
	ndev = MIN(b->plic_ndev, PLIC_MAX_IRQ - 1);
	for (int i = 0; i < ncpus; i++) {
		context_of_cpu[i] = -1;
		for (int j = 0; j < b->nharts; j++)
			if (b->hart_ids[j] == cpus[i].hartid)
				context_of_cpu[i] = b->plic_s_context[j];
	}
	for (uint32_t irq = 1; irq <= ndev; irq++)
		*reg(PLIC_PRIORITY(irq)) = 0;
}

void plic_init_hart(void)
{
	int ctx = context_of_cpu[this_cpu_id()];

	if (ctx < 0)
		return;		/* this hart takes no external interrupts */
	*reg(PLIC_THRESHOLD(ctx)) = 0;
	csr_set(sie, SIE_SEIE);
}

int plic_register(uint32_t irq, irq_handler_fn fn, void *arg)
{
	int ctx = context_of_cpu[this_cpu_id()];
	unsigned long flags;

	if (irq == 0 || irq > ndev || ctx < 0)
		return -EINVAL;
	flags = spin_lock_irqsave(&plic_lock);
	if (handlers[irq].fn) {
		spin_unlock_irqrestore(&plic_lock, flags);
		return -EINVAL;
	}
	handlers[irq].fn = fn;
	handlers[irq].arg = arg;
	*reg(PLIC_PRIORITY(irq)) = 1;
	*reg(PLIC_ENABLE(ctx, irq)) |= 1U << (irq % 32);
	spin_unlock_irqrestore(&plic_lock, flags);
	return 0;
}

void plic_interrupt(void)
{
	int ctx = context_of_cpu[this_cpu_id()];
	uint32_t irq;
	int claims = 0;

	while ((irq = *reg(PLIC_CLAIM(ctx))) != 0) {
		if (claims++)	/* the trap counted the first */
			this_cpu()->interrupts++;
		if (irq < PLIC_MAX_IRQ)
			__atomic_add_fetch(&irq_counts[irq], 1, __ATOMIC_RELAXED);
		if (irq <= ndev && handlers[irq].fn)
			handlers[irq].fn(handlers[irq].arg);
		else
			kprintf("plic: spurious interrupt %u\n", irq);
		*reg(PLIC_CLAIM(ctx)) = irq;
	}
}

uint32_t plic_nsources(void)
{
	return ndev;
}

uint64_t plic_irq_count(uint32_t irq)
{
	return irq < PLIC_MAX_IRQ ? __atomic_load_n(&irq_counts[irq], __ATOMIC_RELAXED) : 0;
}
