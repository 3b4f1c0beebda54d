/* The self-test runner; see ktest.h. */
#include "env.h"
#include "kern/ktest.h"
#include "kern/power.h"
#include "vm/kmem.h"
#include "vm/pmm.h"

extern const struct ktest __ktests_start[], __ktests_end[];

static int failures;

void ktest_fail(const char *file, int line, const char *what)
{
	if (failures < 20)
		kprintf("  %s:%d: check failed: %s\n", file, line, what);
	failures++;
}

/* Run one test; returns true if it passed and leaked no frame. */
static bool run_one(const struct ktest *t)
{
	uint64_t before, after;

	failures = 0;
	kmem_reclaim();
	before = pmm_free_frames();
	t->fn();
	kmem_reclaim();
	after = pmm_free_frames();
	if (after != before) {
		kprintf("  %s: free frames %lu before, %lu after\n", t->name,
			before, after);
		failures++;
	}
	kprintf("ktest: %-32s %s\n", t->name, failures ? "FAILED" : "ok");
	return failures == 0;
}

void ktest_run(const char *which)
{
	int passed = 0, failed = 0;
	bool all = strcmp(which, "all") == 0;

	for (const struct ktest *t = __ktests_start; t < __ktests_end; t++) {
		if (all ? t->crash : strcmp(which, t->name) != 0)
			continue;
		if (run_one(t))
			passed++;
		else
			failed++;
	}
	if (passed + failed == 0)
		kprintf("ktest: no test named '%s'\n", which);
	kprintf("ktest: %d passed, %d failed\n", passed, failed);
	power_off(failed || passed == 0 ? 1 : 0);
}
