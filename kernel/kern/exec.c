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
#include "arch/riscv/vdso.h"
#include "fs/vfs.h"
#include "kern/elf.h"
#include "kern/exec_script.h"
#include "kern/exec_stack.h"
#include "kern/files.h"
#include "kern/fsctx.h"
#include "kern/jobctl.h"
#include "kern/proc.h"
#include "kern/random.h"
#include "kern/signal.h"
#include "kern/timers.h"
#include "kern/thread.h"
#include "kern/uaccess.h"
#include "vm/pmm.h"
#include "vm/vmspace.h"

#define STACK_IMAGE_MAX	(EXEC_ARG_MAX + 64 * 1024)	/* a limit, never a buffer */
#define MMAP_MIN_ADDR	PAGE_SIZE
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

/*
 * Where the segments and the stack's strings are, for /proc, as Linux
 * records them: code spans the executable segments' file bytes, data runs
 * from the highest segment start to the highest end of file bytes.
 */
static void exec_layout(struct vm_layout *lo, const struct elf_info *info,
			uint64_t bias, const struct exec_stack_layout *l,
			const struct exec_args *args)
{
	memset(lo, 0, sizeof(*lo));
	lo->start_code = ~0UL;
	for (int i = 0; i < info->nload; i++) {
		const struct elf_segment *s = &info->load[i];
		vaddr_t start = s->vaddr + bias, end = start + s->filesz;

		if (s->prot & ELF_PROT_EXEC) {
			lo->start_code = MIN(lo->start_code, start);
			lo->end_code = MAX(lo->end_code, end);
		}
		lo->start_data = MAX(lo->start_data, start);
		lo->end_data = MAX(lo->end_data, end);
	}
	if (lo->start_code == ~0UL)
		lo->start_code = 0;
	lo->start_stack = l->sp;
	lo->arg_start = l->strings;
	lo->arg_end = lo->env_start = l->strings + args->arg_size;
	lo->env_end = l->strings + args->size;
}

/*
 * Map the interpreter ii (file ivn) into vm, whose mmap_base is set: an
 * ET_DYN one in the highest free range below mmap_base, as Linux's mmap
 * places it; an ET_EXEC one at its own addresses, which must be free
 * (-EEXIST, as Linux's MAP_FIXED_NOREPLACE). Sets *bias. vm->lock held.
 */
static int map_interp(struct vmspace *vm, struct vnode *ivn,
		      const struct elf_info *ii, uint64_t *bias)
{
	if (ii->type == ET_DYN) {
		vaddr_t at = vmspace_find_free(vm, ii->hi - ii->lo, MMAP_MIN_ADDR,
					       vm->mmap_base);

		if (!at)
			return -ENOMEM;
		*bias = at - ii->lo;
	} else {
		struct region *r = vmspace_next(vm, ii->lo);

		if (r && r->start < ii->hi)
			return -EEXIST;
		*bias = 0;
	}
	return map_segments(vm, ivn, ii, *bias);
}

/*
 * The top of the mmap area for a process with this RLIMIT_STACK, as
 * Linux's mmap_base: below the stack and a gap of the stack limit, at
 * least 128 MiB and at most 5/6 of the user half.
 */
static vaddr_t mmap_base_for(uint64_t stack_limit)
{
	return USER_TOP - VM_STACK_GUARD -
	       ALIGN_UP(MIN(MAX(stack_limit, MMAP_GAP_MIN), MMAP_GAP_MAX), PAGE_SIZE);
}

/*
 * Where a static PIE (an ET_DYN program without an interpreter, such as a
 * loader run by hand) starts, as Linux places it: like an mmap of its whole
 * span, at the top of the mmap area. Its heap goes to ELF_ET_DYN_BASE
 * (build_vmspace), below it.
 */
static uint64_t static_pie_base(const struct elf_info *info, uint64_t stack_limit)
{
	uint64_t span = ALIGN_UP(info->hi - info->lo, PAGE_SIZE), top = mmap_base_for(stack_limit);

	return span < top ? top - span : 0;
}

/* The files execve maps: the program and, if it has one, its interpreter. */
struct exec_image {
	struct vnode *vn;
	struct elf_info info;
	uint64_t bias;
	struct vnode *ivn;		/* NULL: no interpreter */
	struct elf_info iinfo;
	uint64_t ibias;			/* set by build_vmspace */
};

/* Lay out a new address space for the program (and its interpreter). */
static int build_vmspace(struct exec_image *im, size_t stack_used,
			 uint64_t stack_limit, struct vmspace **out)
{
	struct vnode *vn = im->vn;
	const struct elf_info *info = &im->info;
	uint64_t bias = im->bias;
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
	if (info->type == ET_DYN && !im->ivn)	/* a static PIE: as Linux, away from it */
		vm->heap_start = vm->brk = ELF_ET_DYN_BASE;
	vm->mmap_base = mmap_base_for(vm->stack_limit);
	if (!err && im->ivn)
		err = map_interp(vm, im->ivn, &im->iinfo, &im->ibias);
	if (!err)
		err = vdso_map(vm);
	mutex_unlock(&vm->lock);
	if (err) {
		vmspace_destroy(vm);
		return err;
	}
	*out = vm;
	return 0;
}

/* Past the point of no return: switch the process to its new program. */
static void exec_commit(struct proc *p, struct vmspace *vm, const char *name,
			const char *canon, uint64_t entry, uint64_t sp)
{
	struct vmspace *old = p->vm;
	struct trapframe *tf = p->tf;
	unsigned long flags = spin_lock_irqsave(&proc_tree_lock);

	p->vm = vm;
	p->execed = true;
	if (old) {		/* the faults stay the process's */
		p->min_flt += old->min_flt;
		p->maj_flt += old->maj_flt;
	}
	spin_unlock_irqrestore(&proc_tree_lock, flags);
	vmspace_activate(vm);
	if (old)
		vmspace_put(old);
	jobctl_vfork_release(p);	/* a vfork parent has its memory back */
	files_close_on_exec(p->files);
	proc_set_name(p, name);
	strlcpy(p->exe, canon, sizeof(p->exe));
	p->clear_child_tid = 0;
	p->robust_list = 0;
	p->vdso = vdso_address(vm);
	signal_exec_reset(p);
	timers_exec(p);
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

/*
 * A buffer of PAGE_SIZE bytes made of one frame: exec never asks for more
 * contiguous memory, so it works when free memory is fragmented.
 */
static void *exec_page_alloc(void)
{
	struct page *pg = pmm_alloc(0);

	return pg ? page_to_virt(pg) : NULL;
}

static void exec_page_free(void *buf)
{
	if (buf)
		pmm_free(virt_to_page(buf));
}

/* The argv or envp of a, as exec_stack_strings.read: see exec_stack.h. */
static long read_string(const void *ctx, int list, size_t i, size_t off,
			char *buf, size_t len)
{
	const struct exec_args *a = ctx;
	uint64_t uarray = list == EXEC_STACK_ARGV ? a->uargv : a->uenvp;
	uint64_t uptr;
	long n;

	if (list == EXEC_STACK_ARGV && i < a->nprefix) {
		const char *s = a->prefix[i] + off;

		n = strnlen(s, len);
		n += (size_t)n < len;		/* the NUL */
		memcpy(buf, s, n);
		return n;
	}
	if (list == EXEC_STACK_ARGV)
		i = i - a->nprefix + a->skip;
	if (a->in_kernel) {
		const char *s = (list == EXEC_STACK_ARGV ? a->argv : a->envp)[i] + off;

		n = strnlen(s, len);
		n += (size_t)n < len;		/* the NUL */
		memcpy(buf, s, n);
		return n;
	}
	if (copy_from_user(&uptr, uarray + i * sizeof(uint64_t), sizeof(uptr)))
		return -EFAULT;
	if (uptr + off < uptr)
		return -EFAULT;
	n = strncpy_from_user(buf, uptr + off, len);
	if (n < 0)
		return n;
	return (size_t)n < len ? n + 1 : n;
}

/*
 * What the stack of the program (ELF info, bias) holds; path is the one
 * execve was given, which AT_EXECFN names as Linux's does (not made
 * canonical, and the script's for a #! script).
 */
static void stack_args(struct exec_stack_args *sa, const struct exec_args *args,
		       const char *path, const struct elf_info *info, uint64_t bias)
{
	*sa = (struct exec_stack_args) {
		.strings = { .argc = args->argc, .envc = args->envc,
			     .size = args->size, .read = read_string, .ctx = args },
		.execfn = path,
		.phdr = info->phdr ? info->phdr + bias : 0,
		.phent = info->phent, .phnum = info->phnum,
		.pagesz = PAGE_SIZE, .entry = info->entry + bias,
		.hwcap = HWCAP_RV64GC, .clktck = 100,
	};
	sa->uid = cred_current()->uid;
	sa->euid = cred_current()->euid;
	sa->gid = cred_current()->gid;
	sa->egid = cred_current()->egid;
	random_bytes(sa->random, sizeof(sa->random));
}

static int stack_sink_write(void *vm, uint64_t va, const void *src, size_t len)
{
	return vmspace_copyout(vm, va, src, len);
}

/*
 * Write the initial stack l into vm, which is not active: its pages are
 * faulted in and written through the direct map; the strings come from
 * their user (or kernel) arrays through scratch, one page.
 */
static int write_stack(struct vmspace *vm, const struct exec_stack_args *sa,
		       const struct exec_stack_layout *l, char *scratch)
{
	struct exec_stack_sink sink = {
		.write = stack_sink_write, .ctx = vm,
		.scratch = scratch, .scratch_size = PAGE_SIZE,
	};

	return exec_stack_write(sa, l, &sink);
}

/* Bytes of argv string i of a as given to execve, NUL included, or -EFAULT. */
static long arg_length(const struct exec_args *a, size_t i)
{
	uint64_t uptr;
	long n;

	if (a->in_kernel)
		return strlen(a->argv[i]) + 1;
	if (copy_from_user(&uptr, a->uargv + i * sizeof(uint64_t), sizeof(uptr)))
		return -EFAULT;
	n = strnlen_user(uptr, EXEC_ARG_MAX);
	return n < 0 ? n : n + 1;
}

/*
 * A #! script at file (which lives as long as a) runs s's interpreter
 * instead: argv[0] gives way to "interp [arg] file". The strings of s are
 * copied to names (*used bytes of PAGE_SIZE taken). Returns 0, -E2BIG
 * or -EFAULT.
 */
static long args_push_script(struct exec_args *a, const struct exec_script *s,
			     const char *file, char *names, size_t *used)
{
	const char *add[3];
	size_t n = 0, bytes = 0;
	long drop = 0;

	if (a->argc > 0 && a->nprefix > 0) {
		drop = strlen(a->prefix[0]) + 1;
		memmove(&a->prefix[0], &a->prefix[1], --a->nprefix * sizeof(a->prefix[0]));
	} else if (a->argc > 0) {
		drop = arg_length(a, a->skip);
		if (drop < 0)
			return drop;
		a->skip++;
	}
	a->argc -= a->argc > 0;
	for (const char *w = s->interp; w; w = w == s->interp ? s->arg : NULL) {
		size_t len = strlen(w) + 1;

		if (len > PAGE_SIZE - *used)
			return -E2BIG;		/* not with EXEC_SCRIPT_DEPTH lines */
		memcpy(names + *used, w, len);
		add[n++] = names + *used;
		*used += len;
		bytes += len;
	}
	add[n++] = file;
	bytes += strlen(file) + 1;
	if (a->nprefix + n > EXEC_PREFIX_MAX)
		return -E2BIG;
	memmove(&a->prefix[n], &a->prefix[0], a->nprefix * sizeof(a->prefix[0]));
	memcpy(&a->prefix[0], add, n * sizeof(add[0]));
	a->nprefix += n;
	a->argc += n;
	a->size += bytes - drop;
	a->arg_size += bytes - drop;
	return a->size > EXEC_ARG_MAX ? -E2BIG : 0;
}

/* Open path as a program: a regular file with an execute bit (else -EACCES). */
static long exec_open(struct proc *p, const char *path, struct vnode **vn, char *canon)
{
	const char *cwd = fsctx_cwd_hold(p->fs);
	long err = vfs_lookup(cwd, path, false, vn, canon);

	fsctx_cwd_release(cwd);
	if (err)
		return err;
	if ((*vn)->type != VREG || vnode_permission(*vn, MAY_EXEC) < 0) {
		vnode_put(*vn);
		return -EACCES;
	}
	return 0;
}

/*
 * Open the program at path, following #! lines: *vn is the first file that
 * is not a script (its canonical path in canon), and a is rewritten for
 * the interpreters on the way; *script is set if there was one. Returns 0
 * or an errno of exec_open, exec_script_parse, args_push_script or -ELOOP.
 */
static long exec_open_scripts(struct proc *p, const char *path, struct exec_args *a,
			      char *canon, char *names, struct vnode **vn, bool *script)
{
	char line[EXEC_SCRIPT_BUF + 1];
	size_t used = 0;

	for (int depth = 0;; depth++) {
		struct exec_script s;
		long n, err;

		if (depth > EXEC_SCRIPT_DEPTH)
			return -ELOOP;
		err = exec_open(p, path, vn, canon);
		if (err)
			return err;
		n = vnode_read(*vn, 0, line, EXEC_SCRIPT_BUF);
		err = n < 0 ? n : exec_script_parse(line, n, &s);
		if (err == 0)
			return 0;
		vnode_put(*vn);
		if (err < 0)
			return err;
		*script = true;
		err = args_push_script(a, &s, path, names, &used);
		if (err)
			return err;
		path = a->prefix[0];		/* the interpreter, copied */
	}
}

/*
 * The interpreter the program described by im names (PT_INTERP): opened
 * into im->ivn and described in im->iinfo, its path read through scratch.
 * Errors as Linux: -ENOEXEC (the path has no NUL at its end), those of
 * exec_open, -EIO (shorter than an ELF header), -ELIBBAD (not an ELF for
 * this machine, not loadable, or itself wanting an interpreter).
 */
static long exec_open_interp(struct proc *p, struct exec_image *im, char *scratch)
{
	struct elf64_ehdr eh;
	long err = elf_read(im->vn, im->info.interp_off, scratch, im->info.interp_len);

	if (!err && scratch[im->info.interp_len - 1] != 0)
		err = -ENOEXEC;
	if (!err)
		err = exec_open(p, scratch, &im->ivn, NULL);
	if (err)
		return err;
	err = vnode_read(im->ivn, 0, &eh, sizeof(eh));
	if (err >= 0 && err < (long)sizeof(eh))
		err = -EIO;
	else if (err >= 0)
		err = elf_load_info(elf_read, im->ivn, im->ivn->size, &im->iinfo);
	if (err == -ENOEXEC || (!err && im->iinfo.interp_len))
		err = -ELIBBAD;
	if (err) {
		vnode_put(im->ivn);
		im->ivn = NULL;
	}
	return err;
}

/*
 * Open and describe the program at path (after any #! lines, whose words
 * go to names) and its interpreter. On success im holds the references.
 */
static long exec_open_image(struct proc *p, const char *path, struct exec_args *a,
			    char *canon, char *names, char *scratch,
			    struct exec_image *im, bool *script)
{
	long err = exec_open_scripts(p, path, a, canon, names, &im->vn, script);

	if (err)
		return err;
	im->ivn = NULL;
	err = elf_load_info(elf_read, im->vn, im->vn->size, &im->info);
	if (!err)
		err = elf_bias_for(&im->info, im->info.interp_len ? 0 :
				   static_pie_base(&im->info, p->tg->stack_limit), &im->bias);
	if (!err && im->info.interp_len)
		err = exec_open_interp(p, im, scratch);
	if (err)
		vnode_put(im->vn);
	return err;
}
/* The buffers of one execve: single frames. */
struct exec_bufs {
	char *canon;			/* canonical path of the program (PATH_MAX) */
	char *names;			/* words of #! lines */
	char *scratch;			/* PT_INTERP path, then the stack's strings */
};

/*
 * Everything that can fail, on the new address space only: the program's
 * file (through #! lines), its ELF headers and its interpreter's, the
 * layout of its stack, the address space with that stack written. On
 * success *vm is ready to be switched to; *script says a #! line was
 * followed.
 */
static long exec_prepare(struct proc *p, const char *path, struct exec_args *args,
			 const struct exec_bufs *b, struct vmspace **vm,
			 uint64_t *entry, uint64_t *sp, bool *script)
{
	struct exec_stack_layout l;
	struct exec_stack_args sa;
	struct exec_image im;
	bool interp;
	long err = exec_open_image(p, path, args, b->canon, b->names, b->scratch,
				   &im, script);

	if (err)
		return err;
	interp = im.ivn != NULL;
	stack_args(&sa, args, path, &im.info, im.bias);
	err = exec_stack_measure(&sa, USER_TOP, STACK_IMAGE_MAX, &l);
	if (!err)
		err = build_vmspace(&im, l.used, p->tg->stack_limit, vm);
	vnode_put(im.vn);		/* the regions hold their own */
	if (interp)
		vnode_put(im.ivn);
	if (err)
		return err;
	if (interp)
		sa.base = im.ibias;	/* AT_BASE: measured already, its value now */
	err = write_stack(*vm, &sa, &l, b->scratch);
	if (err) {
		vmspace_destroy(*vm);
		return err;
	}
	exec_layout(&(*vm)->layout, &im.info, im.bias, &l, args);
	*entry = interp ? im.iinfo.entry + im.ibias : im.info.entry + im.bias;
	*sp = l.sp;
	return 0;
}

long proc_execve(const char *path, const struct exec_args *given)
{
	struct proc *p = current();
	struct exec_args args = *given;
	struct exec_bufs b = {
		.canon = exec_page_alloc(), .names = exec_page_alloc(),
		.scratch = exec_page_alloc(),
	};
	struct vmspace *vm = NULL;
	uint64_t entry = 0, sp = 0;
	bool script = false;
	long err = -ENOMEM;

	if (b.canon && b.names && b.scratch)
		err = exec_prepare(p, path, &args, &b, &vm, &entry, &sp, &script);
	if (!err) {
		err = thread_kill_others();	/* the process keeps one thread */
		if (err)
			vmspace_destroy(vm);
	}
	if (!err)	/* a script's process is named after the script, as Linux */
		exec_commit(p, vm, script ? path : b.canon, b.canon, entry, sp);
	exec_page_free(b.scratch);
	exec_page_free(b.names);
	exec_page_free(b.canon);
	return err;
}

long proc_execve_user(uint64_t upath, uint64_t uargv, uint64_t uenvp)
{
	struct exec_args args;
	char *path = exec_page_alloc();
	long err;

	_Static_assert(PATH_MAX <= PAGE_SIZE, "a path fits in one frame");
	if (!path)
		return -ENOMEM;
	err = copy_path_from_user_to(path, upath);
	if (err >= 0 && path[0] == 0)
		err = -ENOENT;
	if (err >= 0)
		err = exec_args_from_user(uargv, uenvp, &args);
	if (err >= 0)
		err = proc_execve(path, &args);
	exec_page_free(path);
	return err;
}

/*
 * Count the strings of the NULL-terminated user array uarray: at most max
 * of them, adding their bytes (NULs included) to *size, which stays within
 * EXEC_ARG_MAX. Returns the count, -E2BIG or -EFAULT.
 */
static long count_strings(uint64_t uarray, size_t max, size_t *size)
{
	size_t n;

	if (!uarray)
		return 0;
	for (n = 0;; n++) {
		uint64_t uptr;
		long len;

		if (copy_from_user(&uptr, uarray + n * sizeof(uint64_t), sizeof(uptr)))
			return -EFAULT;
		if (!uptr)
			return n;
		if (n >= max || *size >= EXEC_ARG_MAX)
			return -E2BIG;	/* no room left, not even for a NUL */
		len = strnlen_user(uptr, EXEC_ARG_MAX - *size);
		if (len < 0)
			return len;
		if ((size_t)len == EXEC_ARG_MAX - *size)
			return -E2BIG;	/* no room for its NUL */
		*size += len + 1;
	}
}

long exec_args_from_user(uint64_t uargv, uint64_t uenvp, struct exec_args *out)
{
	long n;

	memset(out, 0, sizeof(*out));
	out->uargv = uargv;
	out->uenvp = uenvp;
	n = count_strings(uargv, EXEC_ARGC_MAX / 2, &out->size);
	if (n < 0)
		return n;
	out->argc = n;
	out->arg_size = out->size;
	n = count_strings(uenvp, EXEC_ARGC_MAX - out->argc, &out->size);
	if (n < 0)
		return n;
	out->envc = n;
	return 0;
}

void exec_args_from_kernel(const char *const *argv, const char *const *envp,
			   struct exec_args *out)
{
	memset(out, 0, sizeof(*out));
	out->in_kernel = true;
	out->argv = argv;
	out->envp = envp;
	for (; argv && argv[out->argc]; out->argc++)
		out->size += strlen(argv[out->argc]) + 1;
	out->arg_size = out->size;
	for (; envp && envp[out->envc]; out->envc++)
		out->size += strlen(envp[out->envc]) + 1;
}
