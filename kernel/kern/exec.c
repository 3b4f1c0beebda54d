/*
 * execve: load an ELF program into a fresh address space.
 *
 * Segments are not read at exec time: each becomes a private region backed
 * by the file's page cache (kern/elf.c has validated them), so pages come
 * in on first touch, text is shared by every process running the program,
 * and bss is the part of a region past obj_limit, which reads as zeros.
 */
#include "kern/exec.h"
#include "arch/riscv/csr.h"
#include "arch/riscv/memlayout.h"
#include "arch/riscv/trap.h"
#include "fs/vfs.h"
#include "kern/elf.h"
#include "kern/exec_stack.h"
#include "kern/files.h"
#include "kern/proc.h"
#include "kern/random.h"
#include "kern/signal.h"
#include "kern/uaccess.h"
#include "vm/kmem.h"
#include "vm/vmspace.h"

#define STACK_IMAGE_MAX	(EXEC_ARG_MAX + 64 * 1024)
#define MMAP_GAP_MIN	(128UL << 20)
#define MMAP_GAP_MAX	ALIGN_DOWN(USER_TOP / 6 * 5, PAGE_SIZE)	/* as Linux: an unlimited stack */
#define SSTATUS_FS_INITIAL (1UL << 13)
/* 'I', 'M', 'A', 'F', 'D', 'C' as Linux reports them in AT_HWCAP */
#define HWCAP_RV64GC	((1 << ('I' - 'A')) | (1 << ('M' - 'A')) | (1 << ('A' - 'A')) | \
			 (1 << ('F' - 'A')) | (1 << ('D' - 'A')) | (1 << ('C' - 'A')))

static int elf_read(void *ctx, uint64_t off, void *buf, size_t len)
{
	long n = vnode_read(ctx, off, buf, len);

	return n == (long)len ? 0 : n < 0 ? n : -EIO;
}

/* Map every PT_LOAD of the program into vm. */
static int map_segments(struct vmspace *vm, struct vnode *vn,
			const struct elf_info *info, uint64_t bias)
{
	for (int i = 0; i < info->nload; i++) {
		const struct elf_segment *s = &info->load[i];
		vaddr_t start = ALIGN_DOWN(s->vaddr + bias, PAGE_SIZE);
		vaddr_t end = ALIGN_UP(s->vaddr + bias + s->memsz, PAGE_SIZE);
		unsigned int prot = (s->prot & ELF_PROT_READ ? VM_PROT_READ : 0) |
				    (s->prot & ELF_PROT_WRITE ? VM_PROT_WRITE : 0) |
				    (s->prot & ELF_PROT_EXEC ? VM_PROT_EXEC : 0);
		/*
		 * Bytes past filesz read as zeros only where the segment has
		 * bss; a segment without one shows its last file page whole
		 * (as Linux does), so that page is shared, not copied.
		 */
		uint64_t limit = s->memsz > s->filesz ? s->offset + s->filesz :
				 ALIGN_UP(s->offset + s->filesz, PAGE_SIZE);
		int err = vmspace_map(vm, start, end - start, prot, VM_PROT_ALL, 0, &vn->obj,
				      ALIGN_DOWN(s->offset, PAGE_SIZE), limit);

		if (err)
			return err;
	}
	return 0;
}

/* Build the initial stack image for the program into a kernel buffer. */
static int build_stack(const struct exec_args *args, const char *path,
		       const struct elf_info *info, uint64_t bias,
		       uint8_t **image, uint64_t *sp, size_t *used)
{
	struct exec_stack_args a = {
		.argv = (const char *const *)args->argv, .argc = args->argc,
		.envp = (const char *const *)args->envp, .envc = args->envc,
		.execfn = path,
		.phdr = info->phdr ? info->phdr + bias : 0,
		.phent = info->phent, .phnum = info->phnum,
		.pagesz = PAGE_SIZE, .entry = info->entry + bias,
		.hwcap = HWCAP_RV64GC, .clktck = 100,
	};
	uint8_t *buf = kmalloc(STACK_IMAGE_MAX, 0);
	int err;

	if (!buf)
		return -ENOMEM;
	random_bytes(a.random, sizeof(a.random));
	err = exec_stack_build(buf, STACK_IMAGE_MAX, USER_TOP, &a, sp, used);
	if (err) {
		kfree(buf);
		return err;
	}
	*image = buf;
	return 0;
}

/* Lay out a new address space for the program. */
static int build_vmspace(struct vnode *vn, const struct elf_info *info,
			 uint64_t bias, size_t stack_used, uint64_t stack_limit,
			 struct vmspace **out)
{
	struct vmspace *vm = vmspace_create();
	uint64_t stack_size = ALIGN_UP(stack_used, PAGE_SIZE) + 16 * PAGE_SIZE;
	int err;

	if (!vm)
		return -ENOMEM;
	mutex_lock(&vm->lock);
	err = map_segments(vm, vn, info, bias);
	vm->stack_top = USER_TOP;
	vm->stack_limit = MAX(stack_limit, stack_size);
	if (!err)
		err = vmspace_map(vm, USER_TOP - stack_size, stack_size,
				  VM_PROT_READ | VM_PROT_WRITE, VM_PROT_ALL, REGION_GROWSDOWN,
				  NULL, 0, 0);
	vm->heap_start = vm->brk = ALIGN_UP(info->hi + bias, PAGE_SIZE);
	vm->mmap_base = USER_TOP - VM_STACK_GUARD -
			ALIGN_UP(MIN(MAX(vm->stack_limit, MMAP_GAP_MIN), MMAP_GAP_MAX), PAGE_SIZE);
	mutex_unlock(&vm->lock);
	if (err) {
		vmspace_destroy(vm);
		return err;
	}
	*out = vm;
	return 0;
}

/* Past the point of no return: switch the process to its new program. */
static void exec_commit(struct proc *p, struct vmspace *vm, const char *canon,
			uint64_t entry, uint64_t sp)
{
	struct vmspace *old = p->vm;
	struct trapframe *tf = p->tf;
	unsigned long flags = spin_lock_irqsave(&proc_tree_lock);

	p->vm = vm;
	spin_unlock_irqrestore(&proc_tree_lock, flags);
	vmspace_activate(vm);
	if (old)
		vmspace_put(old);
	files_close_on_exec(p->files);
	proc_set_name(p, canon);
	strlcpy(p->exe, canon, sizeof(p->exe));
	p->clear_child_tid = 0;
	memset(&p->fpu, 0, sizeof(p->fpu));
	fpu_restore(&p->fpu);
	memset(tf, 0, sizeof(*tf));
	tf->sepc = entry;
	tf->sp = sp;
	/*
	 * SIE off: this runs with interrupts on, and trap_return_user writes
	 * this sstatus before its sret; an interrupt taken there would
	 * overwrite sepc and send the program to a kernel address.
	 */
	tf->sstatus = (csr_read(sstatus) & ~(SSTATUS_SPP | SSTATUS_SUM | SSTATUS_FS |
					      SSTATUS_SIE)) |
		      SSTATUS_SPIE | SSTATUS_FS_INITIAL;
}

long proc_execve(const char *path, const struct exec_args *args)
{
	struct proc *p = current();
	struct elf_info info;
	struct vmspace *vm;
	struct vnode *vn;
	uint8_t *image = NULL;
	uint64_t bias, sp;
	size_t used;
	char *canon = kmalloc(PATH_MAX, 0);
	long err;

	if (!canon)
		return -ENOMEM;
	err = vfs_lookup(p->cwd_path, path, false, &vn, canon);
	if (err)
		goto out_free;
	if (vn->type != VREG || !(vn->mode & 0111)) {
		err = -EACCES;
		goto out_vnode;
	}
	err = elf_load_info(elf_read, vn, vn->size, &info);
	if (!err)
		err = elf_bias_for(&info, 0, &bias);
	if (!err)
		err = build_stack(args, canon, &info, bias, &image, &sp, &used);
	if (!err)
		err = build_vmspace(vn, &info, bias, used, p->stack_limit, &vm);
	if (err)
		goto out_vnode;
	exec_commit(p, vm, canon, info.entry + bias, sp);
	/* the stack region is empty and lazy: the copy faults its pages in */
	err = copy_to_user(USER_TOP - used, image + STACK_IMAGE_MAX - used, used);
	if (err) {		/* out of memory past the point of no return */
		kprintf("pid %d (%s): no memory for the initial stack\n",
			p->pid, p->name);
		signal_send(p, SIGKILL);
		err = 0;
	}
out_vnode:
	vnode_put(vn);
out_free:
	kfree(image);
	kfree(canon);
	return err;
}

/* Copy a NULL-terminated user array of strings into the buffer at *pos. */
static long copy_strings(uint64_t uarray, char **ptrs, int max, char *buf,
			 size_t *pos)
{
	int n = 0;

	if (!uarray)
		return 0;
	for (;; n++) {
		uint64_t uptr;
		long len;

		if (copy_from_user(&uptr, uarray + n * sizeof(uint64_t), sizeof(uptr)))
			return -EFAULT;
		if (!uptr)
			break;
		if (n >= max || *pos >= EXEC_ARG_MAX)
			return -E2BIG;	/* no room left, not even for a NUL */
		len = copy_string_from_user(buf + *pos, uptr, EXEC_ARG_MAX - *pos);
		if (len == -ENAMETOOLONG)
			return -E2BIG;
		if (len < 0)
			return len;
		ptrs[n] = buf + *pos;
		*pos += len + 1;
	}
	ptrs[n] = NULL;
	return n;
}

long exec_args_from_user(uint64_t uargv, uint64_t uenvp, struct exec_args *out)
{
	char *buf = kmalloc(EXEC_ARG_MAX, 0);
	char **ptrs = kmalloc((EXEC_ARGC_MAX + 2) * sizeof(char *), 0);
	size_t pos = 0;
	long n;

	memset(out, 0, sizeof(*out));
	if (!buf || !ptrs) {
		kfree(buf);
		kfree(ptrs);
		return -ENOMEM;
	}
	out->argv = ptrs;
	out->strings = buf;
	n = copy_strings(uargv, ptrs, EXEC_ARGC_MAX / 2, buf, &pos);
	if (n >= 0) {
		out->argc = n;
		out->argv[n] = NULL;
		out->envp = ptrs + n + 1;
		n = copy_strings(uenvp, out->envp, EXEC_ARGC_MAX - n, buf, &pos);
	}
	if (n < 0) {
		kfree(buf);
		kfree(ptrs);
		out->argv = NULL;
		out->strings = NULL;
		return n;
	}
	out->envc = n;
	out->envp[n] = NULL;
	return 0;
}

void exec_args_free(struct exec_args *a)
{
	kfree(a->strings);
	kfree(a->argv);
}
