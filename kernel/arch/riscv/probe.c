/* probe_exec: see probe.h and fixup_exec_probe() in trap.c. */
#include "env.h"
#include "arch/riscv/cpu.h"
#include "arch/riscv/probe.h"

long probe_target(void)
{
	return 0;
}

long probe_exec(const void *addr)
{
	struct cpu *c = this_cpu();
	long (*fn)(void) = (long (*)(void))addr;
	long ret;

	c->probe_exec = 1;
	ret = fn();
	c->probe_exec = 0;
	return ret;
}
