/* Per-hart state and the two ways a hart can die before trap_kernel runs. */
#include "env.h"
#include "arch/riscv/cpu.h"
#include "arch/riscv/trap.h"

struct cpu cpus[NCPU_MAX];
int ncpus = 1;

/* Emergency stacks for reporting a kernel stack overflow. */
static char overflow_stacks[NCPU_MAX][4096] __attribute__((aligned(16)));

_Static_assert(offsetof(struct cpu, scratch) == CPU_SCRATCH0, "cpu layout");
_Static_assert(offsetof(struct cpu, scratch) + 8 == CPU_SCRATCH1, "cpu layout");
_Static_assert(offsetof(struct cpu, overflow_sp) == CPU_OVERFLOW_SP, "cpu layout");
_Static_assert(offsetof(struct cpu, kstack_top) == CPU_KSTACK_TOP, "cpu layout");
_Static_assert(sizeof(struct trapframe) == TF_SIZE, "trapframe layout");
_Static_assert(offsetof(struct trapframe, sepc) == TF_SEPC, "trapframe layout");

/* Set up cpu i's fields that do not depend on its stack. */
void cpu_setup(int i, uint32_t hartid)
{
	cpus[i].id = i;
	cpus[i].hartid = hartid;
	cpus[i].overflow_sp = (uintptr_t)overflow_stacks[i + 1];
}

int cpu_index_of_hart(uint32_t hartid)
{
	for (int i = 0; i < ncpus; i++)
		if (cpus[i].hartid == hartid)
			return i;
	return -1;
}

/* Called by trap.S on the emergency stack when a kernel stack overflowed. */
void kstack_overflow(void)
{
	panic("kernel stack overflow on hart %u (sepc %p, stval %p)",
	      this_cpu()->hartid, (void *)csr_read(sepc),
	      (void *)csr_read(stval));
}
