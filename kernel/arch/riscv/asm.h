/* Assembler helpers. */
#ifndef KILBURN_RISCV_ASM_H
#define KILBURN_RISCV_ASM_H

/*
 * EX_ENTRY(insn, fixup): if the instruction at label insn faults, the trap
 * handler resumes at label fixup with a0 = -EFAULT.
 */
#define EX_ENTRY(insn, fixup)			\
	.pushsection __ex_table, "a";		\
	.balign 8;				\
	.dword insn, fixup;			\
	.popsection

#endif
