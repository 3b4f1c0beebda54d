/*
 * The same test built against glibc, unmodified: glibc's sigaction,
 * siginfo_t, ucontext_t and setjmp on Kilburn's signal frames. Run by
 * tests/user/glibc_signals.
 */
#include "../user/sig_restart.c"
