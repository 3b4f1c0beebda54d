/*
 * kthread — processes that run only in the kernel (the page-out daemon).
 *
 * A kernel thread is a struct proc with no address space, no files and no
 * parent: the scheduler runs it like any process, it never returns to user
 * mode, and so no signal is ever delivered to it. It shows in /proc under
 * its name with empty memory figures, as Linux's kernel threads do.
 */
#ifndef KILBURN_KTHREAD_H
#define KILBURN_KTHREAD_H

#include "env.h"

struct proc;

/*
 * kthread_start - a new kernel thread named name running fn(arg), which
 * must never return. Returns the thread; panics if out of memory (boot).
 */
struct proc *kthread_start(const char *name, void (*fn)(void *arg), void *arg);

#endif
