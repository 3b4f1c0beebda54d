/* Fault probes; see probe.h. Faults resume at the fixup with a0 = -EFAULT. */
#include "arch/riscv/asm.h"

	.section .text
	.globl probe_load
probe_load:
1:	lb	t0, 0(a0)
	li	a0, 0
	ret
2:	ret
	EX_ENTRY(1b, 2b)

	.globl probe_store
probe_store:
3:	lb	t0, 0(a0)
4:	sb	t0, 0(a0)
	li	a0, 0
	ret
5:	ret
	EX_ENTRY(3b, 5b)
	EX_ENTRY(4b, 5b)
