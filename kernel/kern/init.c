/*
 * The first process. It starts as a kernel thread on its own kernel stack,
 * execs the init program with the arguments of the boot line, and from then
 * on is an ordinary process (pid 1) that orphans are given to.
 *
 *	init=/bin/sh -c "echo hi | cat"
 *
 * runs /bin/sh with the arguments -c and "echo hi | cat": words are split at
 * blanks, and single or double quotes keep blanks inside a word.
 */
#include "kern/init.h"
#include "arch/riscv/trap.h"
#include "fs/devfs.h"
#include "fs/vfs.h"
#include "kern/bootargs.h"
#include "kern/exec.h"
#include "kern/files.h"
#include "kern/fsctx.h"
#include "kern/memlock.h"
#include "kern/power.h"
#include "kern/sched.h"
#include "kern/thread.h"
#include "vm/kmem.h"
#include "vm/vmspace.h"

#define INIT_DEFAULT	"/sbin/init"
#define INIT_ARGS_MAX	32

static char init_line[1024];
static char *init_argv[INIT_ARGS_MAX + 1];
static char *init_envp[] = { "PATH=/bin:/sbin", "HOME=/", "TERM=vt100", NULL };
static struct exec_args init_args;

/* Split init_line into words, in place. */
static int split_words(char *s, char **argv, int max)
{
	int argc = 0;

	while (*s && argc < max) {
		char quote = 0, *out;

		while (*s == ' ' || *s == '\t')
			s++;
		if (!*s)
			break;
		argv[argc++] = out = s;
		for (; *s; s++) {
			if (quote && *s == quote)
				quote = 0;
			else if (!quote && (*s == '"' || *s == '\''))
				quote = *s;
			else if (!quote && (*s == ' ' || *s == '\t'))
				break;
			else
				*out++ = *s;
		}
		if (*s)
			s++;
		*out = 0;
	}
	argv[argc] = NULL;
	return argc;
}

/* First code of pid 1, with sched_lock held. */
static void init_entry(void)
{
	struct proc *p = current();
	long err;

	spin_unlock(&sched_lock);
	irq_enable();
	err = proc_execve(init_argv[0], &init_args);
	if (err) {
		kprintf("init: cannot run %s (error %ld)\n", init_argv[0], -err);
		power_off(127);
	}
	trap_user_exit();
	trap_return_user(p->tf);
}

/* Descriptors 0, 1 and 2 on the console. */
static int open_console(struct proc *p)
{
	struct file *f;
	int err = devfs_open_console(O_RDWR, &f);

	if (err)
		return err;
	for (int fd = 0; fd < 3; fd++) {
		if (fd)
			file_get(f);
		if (fd_install(p->files, f, fd, false) != fd)
			return -ENOMEM;
	}
	return 0;
}

void init_start(void)
{
	const char *line = bootarg("init");
	struct proc *p = proc_alloc();
	struct vnode *root;
	int err;

	strlcpy(init_line, line && line[0] ? line : INIT_DEFAULT, sizeof(init_line));
	split_words(init_line, init_argv, INIT_ARGS_MAX);
	exec_args_from_kernel((const char *const *)init_argv,
			      (const char *const *)init_envp, &init_args);
	if (!p || !(p->files = files_create()))
		panic("init_start: out of memory");
	err = open_console(p);
	if (!err)
		err = vfs_lookup("/", "/", false, &root, NULL);
	if (err)
		panic("init_start: no console or root directory (error %d)", -err);
	p->fs = fsctx_create(root, "/", 022);
	if (!p->fs)
		panic("init_start: out of memory");
	strlcpy(p->name, "init", sizeof(p->name));
	p->tg->stack_limit = VM_STACK_LIMIT_DEFAULT;
	p->tg->memlock_limit[0] = p->tg->memlock_limit[1] = MEMLOCK_LIMIT_DEFAULT;
	p->ctx.ra = (uint64_t)init_entry;
	p->ctx.sp = (uint64_t)p->tf;
	init_proc = p;
	sched_make_runnable(p);
}
