/*
 * glibc_signals: the signal tests (sig_handler, sig_fault, sig_restart)
 * built against glibc, unmodified, pass on Kilburn too: glibc's own
 * sigaction (no SA_RESTORER on riscv64: handlers return through the
 * [vdso] trampoline), siginfo_t, ucontext_t and sigsetjmp/siglongjmp
 * agree with the frames the kernel writes. Each is run through exec and
 * its checks count here.
 */
#define _GNU_SOURCE
#include "tlib.h"
#include "vmtest.h"

static const char *const progs[] = {
	"/tests/glibc-sig_handler", "/tests/glibc-sig_fault", "/tests/glibc-sig_restart",
};

int main(void)
{
	printf("glibc_signals: the signal tests built with glibc\n");
	if (access(progs[0], X_OK) != 0) {
		printf("%s is missing: skipped\n", progs[0]);
		return tl_on_kilburn() ? 1 : tl_done();
	}
	for (size_t i = 0; i < sizeof(progs) / sizeof(progs[0]); i++) {
		char *argv[] = { (char *)progs[i], NULL };
		int st = vt_exec(argv, 120);

		VT_CHECK(vt_exited_ok(st), "%s passed (%s)", progs[i], vt_how(st));
	}
	return tl_done();
}
