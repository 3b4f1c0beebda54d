/*
 * The context a signal handler gets (its third argument) and returns to:
 * Linux riscv64's struct ucontext, with the names glibc gives its fields.
 * uc_mcontext.__gregs holds the pc (REG_PC), then x1..x31; __fpregs.__d
 * the floating-point registers and fcsr.
 */
#ifndef _SYS_UCONTEXT_H
#define _SYS_UCONTEXT_H

#include <sys/types.h>

typedef unsigned long sigset_t;		/* the kernel's 64-signal set */

typedef struct {
	void	*ss_sp;
	int	ss_flags;
	size_t	ss_size;
} stack_t;

#define NGREG	32
#define REG_PC	0
#define REG_RA	1
#define REG_SP	2
#define REG_TP	4
#define REG_S0	8
#define REG_S1	9
#define REG_A0	10
#define REG_S2	18
#define REG_NARGS 8

typedef unsigned long greg_t;
typedef unsigned long __riscv_mc_gp_state[32];
typedef __riscv_mc_gp_state gregset_t;

struct __riscv_mc_f_ext_state {
	unsigned int	__f[32];
	unsigned int	__fcsr;
};

struct __riscv_mc_d_ext_state {
	unsigned long long __f[32];
	unsigned int	__fcsr;
};

struct __riscv_mc_q_ext_state {
	unsigned long long __f[64] __attribute__((aligned(16)));
	unsigned int	__fcsr;
	unsigned int	__reserved[3];	/* zero: no further state */
};

union __riscv_mc_fp_state {
	struct __riscv_mc_f_ext_state __f;
	struct __riscv_mc_d_ext_state __d;
	struct __riscv_mc_q_ext_state __q;
};

typedef union __riscv_mc_fp_state fpregset_t;

typedef struct mcontext_t {
	__riscv_mc_gp_state	__gregs;
	union __riscv_mc_fp_state __fpregs;
} mcontext_t;

typedef struct ucontext_t {
	unsigned long		__uc_flags;
	struct ucontext_t	*uc_link;
	stack_t			uc_stack;
	sigset_t		uc_sigmask;
	char			__reserved[1024 / 8 - sizeof(sigset_t)];
	mcontext_t		uc_mcontext;
} ucontext_t;

#endif
