/*
 * In-kernel self-tests, run at boot with ktest=all (or ktest=NAME).
 *
 *	KTEST(pmm_survives_stress) { ... KT_CHECK(x == y); ... }
 *
 * Each test runs on the boot hart; the runner checks that the number of free
 * frames is the same before and after it (nothing leaked), prints one line
 * per test and a summary "ktest: N passed, N failed", and powers off with
 * status 0 if all passed, 1 otherwise.
 *
 * KTEST_CRASH tests are run only when named: they are expected to end the
 * kernel (a panic), and the test scripts check the console output.
 */
#ifndef KILBURN_KTEST_H
#define KILBURN_KTEST_H

#include "env.h"

struct ktest {
	const char *name;
	void (*fn)(void);
	bool crash;		/* not part of "all" */
};

#define KTEST_DEFINE(name, is_crash)					\
	static void ktest_##name(void);					\
	static const struct ktest ktest_desc_##name			\
		__attribute__((section(".ktests"), used, aligned(8))) =	\
		{ #name, ktest_##name, is_crash };			\
	static void ktest_##name(void)

#define KTEST(name)		KTEST_DEFINE(name, false)
#define KTEST_CRASH(name)	KTEST_DEFINE(name, true)

void ktest_fail(const char *file, int line, const char *what);

#define KT_CHECK(cond)							\
	do { if (!(cond)) ktest_fail(__FILE__, __LINE__, #cond); } while (0)

#define KT_CHECK_EQ(a, b)						\
	do {								\
		long long _a = (long long)(a), _b = (long long)(b);	\
		if (_a != _b) {						\
			char _m[160];					\
			ksnprintf(_m, sizeof(_m), "%s == %s (%lld != %lld)", \
				  #a, #b, _a, _b);			\
			ktest_fail(__FILE__, __LINE__, _m);		\
		}							\
	} while (0)

/* Run the tests selected by `which` ("all" or a name); powers off. */
void ktest_run(const char *which) __noreturn;

#endif
