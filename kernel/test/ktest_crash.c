/*
 * Crash tests: each one ends the kernel on purpose, and the test scripts check
 * what the console shows. They run only when named: ktest=crash_...
 */
#include "env.h"
#include "kern/ktest.h"
#include "vm/kmem.h"

/* Recurse until the guard page below the kernel stack stops it. */
static volatile int recursion_limit = 1 << 30;

static int __attribute__((noinline)) recurse(volatile char *prev, int depth)
{
	volatile char frame[256];

	frame[0] = (char)depth;
	frame[255] = prev ? prev[0] : 0;
	if (depth > recursion_limit)
		return 0;
	return recurse(frame, depth + 1) + frame[1];
}

KTEST_CRASH(crash_kernel_stack_overflow)
{
	recurse(NULL, 0);
}

KTEST_CRASH(crash_kernel_null_load)
{
	volatile int *volatile p = NULL;

	kprintf("ktest: loading from a NULL pointer in the kernel\n");
	(void)*p;
}

KTEST_CRASH(crash_kmalloc_overflow)
{
	char *p = kmalloc(64, 0);

	p[64] = 1;		/* one past the end: into the red zone */
	kfree(p);
}

KTEST_CRASH(crash_kmalloc_use_after_free)
{
	char *p = kmalloc(64, 0);

	kfree(p);
	p[8] = 1;		/* write after free: caught at the next alloc */
	for (int i = 0; i < 1000; i++)
		kfree(kmalloc(64, 0));
}
