/*
 * A very small unit-test harness for the host build.
 *
 *	TEST(buddy_merges_neighbours) { ... CHECK(x == 1); CHECK_EQ(a, b); }
 *
 * Each TEST registers itself; host/runner.c runs them all (or those named
 * on the command line), prints "PASS name" or "FAIL name" per test, and ends
 * with "N passed, N failed". A failed CHECK records file:line and the test goes
 * on, so one run reports every broken expectation.
 *
 * EXPECT_PANIC(stmt) runs stmt and checks that it calls panic(); the message
 * is left in host_panic_msg for further checks.
 */
#ifndef KILBURN_HOST_TEST_H
#define KILBURN_HOST_TEST_H

#include "env.h"

/* xorshift64: reproducible random numbers for the tests (state never 0). */
static inline uint64_t test_xorshift(uint64_t *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 7;
	*state ^= *state << 17;
	return *state;
}

typedef void (*test_fn)(void);
void test_register(const char *name, test_fn fn);
void test_fail(const char *file, int line, const char *what);

#define TEST(name)							\
	static void name(void);						\
	__attribute__((constructor)) static void register_##name(void)	\
	{ test_register(#name, name); }					\
	static void name(void)

#define CHECK(cond)							\
	do { if (!(cond)) test_fail(__FILE__, __LINE__, #cond); } while (0)

#define CHECK_EQ(a, b)							\
	do {								\
		long long _a = (long long)(a), _b = (long long)(b);	\
		if (_a != _b) {						\
			char _m[256];					\
			snprintf(_m, sizeof(_m), "%s == %s (%lld != %lld)", \
				 #a, #b, _a, _b);			\
			test_fail(__FILE__, __LINE__, _m);		\
		}							\
	} while (0)

#define EXPECT_PANIC(stmt)						\
	do {								\
		jmp_buf _jb;						\
		host_panic_msg[0] = 0;					\
		if (setjmp(_jb) == 0) {					\
			host_panic_jmp = &_jb;				\
			stmt;						\
			host_panic_jmp = NULL;				\
			test_fail(__FILE__, __LINE__,			\
				  "expected a panic: " #stmt);		\
		}							\
	} while (0)

#endif
