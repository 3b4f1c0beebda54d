/*
 * threads: the pthread tests (tests/glibc/thr_*.c), built against glibc,
 * unmodified: creation and joining, TLS, synchronisation, futexes, thread
 * exit rules and signals, and the VM under several threads. Each is run
 * through exec and its checks count here. See docs/threads.md.
 */
#define _GNU_SOURCE
#include "tlib.h"
#include "vmtest.h"

static const char *const progs[] = {
	"/tests/glibc-thr_create", "/tests/glibc-thr_sync",
	"/tests/glibc-thr_exit", "/tests/glibc-thr_signal", "/tests/glibc-thr_vm",
	"/tests/glibc-thr_jobctl", "/tests/glibc-thr_share",
};

int main(void)
{
	printf("threads: the pthread tests built with glibc\n");
	for (size_t i = 0; i < sizeof(progs) / sizeof(progs[0]); i++) {
		char *argv[] = { (char *)progs[i], NULL };
		int st;

		if (access(progs[i], X_OK) != 0) {
			printf("%s is missing: skipped\n", progs[i]);
			if (tl_on_kilburn())
				return 1;
			continue;
		}
		st = vt_exec(argv, 120);
		VT_CHECK(vt_exited_ok(st), "%s passed (%s)", progs[i], vt_how(st));
	}
	return tl_done();
}
