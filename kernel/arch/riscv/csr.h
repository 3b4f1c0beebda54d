/*
 * RISC-V supervisor CSRs and their bits (privileged spec, S-mode).
 * Only the arch folder includes this file.
 */
#ifndef KILBURN_RISCV_CSR_H
#define KILBURN_RISCV_CSR_H

#define SSTATUS_SIE	(1UL << 1)
#define SSTATUS_SPIE	(1UL << 5)
#define SSTATUS_SPP	(1UL << 8)
#define SSTATUS_FS	(3UL << 13)
#define SSTATUS_SUM	(1UL << 18)
#define SSTATUS_MXR	(1UL << 19)

#define SIE_SSIE	(1UL << 1)	/* software (IPI) */
#define SIE_STIE	(1UL << 5)	/* timer */
#define SIE_SEIE	(1UL << 9)	/* external (PLIC) */
#define SIP_SSIP	SIE_SSIE

#define SCAUSE_INTERRUPT	(1UL << 63)
#define IRQ_S_SOFT		1
#define IRQ_S_TIMER		5
#define IRQ_S_EXT		9

#define EXC_INST_MISALIGNED	0
#define EXC_INST_ACCESS		1
#define EXC_ILLEGAL_INST	2
#define EXC_BREAKPOINT		3
#define EXC_LOAD_MISALIGNED	4
#define EXC_LOAD_ACCESS		5
#define EXC_STORE_MISALIGNED	6
#define EXC_STORE_ACCESS	7
#define EXC_ECALL_U		8
#define EXC_ECALL_S		9
#define EXC_INST_PAGE_FAULT	12
#define EXC_LOAD_PAGE_FAULT	13
#define EXC_STORE_PAGE_FAULT	15

#define SATP_MODE_SV39	(8UL << 60)
#define SATP_ASID_SHIFT	44

#ifndef __ASSEMBLY__
#include "types.h"

#define csr_read(csr) ({						\
	unsigned long __v;						\
	__asm__ volatile("csrr %0, " #csr : "=r"(__v) :: "memory");	\
	__v; })
#define csr_write(csr, val)						\
	__asm__ volatile("csrw " #csr ", %0" :: "rK"(val) : "memory")
#define csr_set(csr, bits)						\
	__asm__ volatile("csrs " #csr ", %0" :: "rK"(bits) : "memory")
#define csr_clear(csr, bits)						\
	__asm__ volatile("csrc " #csr ", %0" :: "rK"(bits) : "memory")
#define csr_read_clear(csr, bits) ({					\
	unsigned long __v;						\
	__asm__ volatile("csrrc %0, " #csr ", %1"			\
			 : "=r"(__v) : "rK"(bits) : "memory");		\
	__v; })

static inline uint64_t rdtime(void)
{
	uint64_t t;

	__asm__ volatile("rdtime %0" : "=r"(t));
	return t;
}

static inline uint64_t rdinstret(void)
{
	uint64_t n;

	__asm__ volatile("rdinstret %0" : "=r"(n));
	return n;
}

static inline void wfi(void)
{
	__asm__ volatile("wfi" ::: "memory");
}
#endif

#endif
