/*
 * Signal frames, as Linux riscv64 lays them out.
 *
 * To run a handler the kernel writes a struct rt_sigframe below the
 * program's stack pointer (or at the top of the alternate stack), aligned
 * to 16 bytes: the siginfo_t, then a ucontext_t whose uc_mcontext is
 * Linux's struct sigcontext (pc and x1..x31, then the floating-point
 * state). The handler starts with a0 = the signal, a1 = &frame->info,
 * a2 = &frame->uc, sp = the frame and ra = the trampoline in the [vdso]
 * page, which calls rt_sigreturn; that restores what the frame holds then,
 * changed or not. glibc's ucontext_t has the same layout.
 *
 * The floating-point area is Linux's union __riscv_fp_state: its D member
 * (f0..f31, fcsr) is used; the three words that end its Q member are where
 * Linux 6 puts the header of further state (vector registers), so they are
 * zero (no further state) and must still be zero on sigreturn.
 */
#include "env.h"
#include "arch/riscv/context.h"
#include "arch/riscv/csr.h"
#include "arch/riscv/trap.h"
#include "arch/riscv/vdso.h"
#include "kern/proc.h"
#include "kern/signal.h"
#include "kern/syscall.h"
#include "kern/uaccess.h"

struct frame_fp {
	uint64_t f[32];
	uint32_t fcsr;
	uint8_t unused[256];
	uint32_t reserved[3];
} __attribute__((aligned(16)));

struct frame_ucontext {
	uint64_t uc_flags;
	uint64_t uc_link;
	struct kstack uc_stack;
	uint64_t uc_sigmask;
	uint8_t unused[1024 / 8 - 8];
	struct {
		uint64_t regs[32];		/* pc, then x1..x31 */
		struct frame_fp fp;
	} uc_mcontext __attribute__((aligned(16)));
};

struct rt_sigframe {
	uint8_t info[128];			/* siginfo_t */
	struct frame_ucontext uc;
};

_Static_assert(sizeof(struct frame_fp) == 528, "union __riscv_fp_state");
_Static_assert(offsetof(struct frame_ucontext, uc_mcontext) == 176, "ucontext_t");
_Static_assert(sizeof(struct rt_sigframe) == 1088, "rt_sigframe");
_Static_assert(offsetof(struct trapframe, ra) == 0 &&
	       offsetof(struct trapframe, t6) == 30 * 8, "x1..x31 in order");

/* The user registers and floating-point state of tf into mc. */
static void context_save(const struct trapframe *tf, struct frame_ucontext *uc)
{
	struct proc *p = current();
	unsigned long flags = irq_save();

	fpu_save(&p->fpu);
	irq_restore(flags);
	uc->uc_mcontext.regs[0] = tf->sepc;
	memcpy(&uc->uc_mcontext.regs[1], &tf->ra, 31 * sizeof(uint64_t));
	memcpy(uc->uc_mcontext.fp.f, p->fpu.f, sizeof(p->fpu.f));
	uc->uc_mcontext.fp.fcsr = p->fpu.fcsr;
}

/* The registers and floating-point state of uc into tf and the FPU. */
static void context_restore(struct trapframe *tf, const struct frame_ucontext *uc)
{
	struct proc *p = current();
	unsigned long flags;

	tf->sepc = uc->uc_mcontext.regs[0];
	memcpy(&tf->ra, &uc->uc_mcontext.regs[1], 31 * sizeof(uint64_t));
	flags = irq_save();
	memcpy(p->fpu.f, uc->uc_mcontext.fp.f, sizeof(p->fpu.f));
	p->fpu.fcsr = uc->uc_mcontext.fp.fcsr;
	fpu_restore(&p->fpu);
	irq_restore(flags);
	tf->sstatus |= SSTATUS_FS;		/* dirty: saved at the next switch */
}

int sigframe_push(struct trapframe *tf, const struct ksiginfo *info,
		  const struct ksigaction *act, uint64_t mask)
{
	struct proc *p = current();
	struct rt_sigframe f;
	uint64_t at;

	/* a handler that overflows the alternate stack dies, as on Linux */
	if (signal_on_altstack(tf->sp) && !signal_on_altstack(tf->sp - sizeof(f)))
		return -EFAULT;
	at = (signal_frame_top(tf->sp, act) - sizeof(f)) & ~15UL;
	memset(&f, 0, sizeof(f));
	memcpy(f.info, info, sizeof(*info));
	signal_altstack_save(tf->sp, &f.uc.uc_stack);
	f.uc.uc_sigmask = mask;
	context_save(tf, &f.uc);
	if (!p->vdso || copy_to_user(at, &f, sizeof(f)))
		return -EFAULT;
	tf->ra = p->vdso + VDSO_SIGRETURN;
	tf->sepc = act->handler;
	tf->sp = at;
	tf->a0 = info->si_signo;
	tf->a1 = at + offsetof(struct rt_sigframe, info);
	tf->a2 = at + offsetof(struct rt_sigframe, uc);
	return 0;
}

long sigframe_return(struct trapframe *tf)
{
	struct proc *p = current();
	struct frame_ucontext uc;
	const struct frame_fp *fp = &uc.uc_mcontext.fp;
	uint64_t at = tf->sp;

	tf->scause = ~0UL;	/* no longer a system call that may restart */
	if (copy_from_user(&uc, at + offsetof(struct rt_sigframe, uc), sizeof(uc)) ||
	    fp->reserved[0] || fp->reserved[1] || fp->reserved[2]) {
		kprintf("pid %d (%s): bad signal frame at 0x%lx pc 0x%lx: SIGSEGV\n",
			p->pid, p->name, at, tf->sepc);
		signal_force(SIGSEGV);
		return 0;
	}
	signal_set_blocked(uc.uc_sigmask);
	context_restore(tf, &uc);
	/* as Linux: the saved alternate stack comes back if it can */
	signal_altstack(&uc.uc_stack, NULL, tf->sp);
	return tf->a0;
}

void sigframe_syscall_restart(struct trapframe *tf, const struct ksigaction *act)
{
	if (tf->scause != EXC_ECALL_U)
		return;
	tf->scause = ~0UL;	/* decided once */
	switch ((long)tf->a0) {
	case -ERESTART_RESTARTBLOCK:
		if (act) {
			tf->a0 = (uint64_t)-EINTR;
			break;
		}
		tf->a7 = SYS_restart_syscall;	/* goes on from p->restart */
		tf->sepc -= 4;
		break;
	case -ERESTARTNOHAND:
		if (act) {
			tf->a0 = (uint64_t)-EINTR;
			break;
		}
		tf->a0 = tf->orig_a0;
		tf->sepc -= 4;
		break;
	case -ERESTARTSYS:
		if (act && !(act->flags & SA_RESTART)) {
			tf->a0 = (uint64_t)-EINTR;
			break;
		}
		/* fall through */
	case -ERESTARTNOINTR:
		tf->a0 = tf->orig_a0;
		tf->sepc -= 4;	/* the ecall again */
		break;
	}
}
