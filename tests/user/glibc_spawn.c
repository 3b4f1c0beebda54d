/*
 * glibc_spawn: glibc's posix_spawn, system and popen (tests/glibc/spawn.c,
 * built against glibc, unmodified) work on Kilburn: they need
 * clone(CLONE_VM | CLONE_VFORK) with a new stack. Run through exec; its
 * checks count here.
 */
#define _GNU_SOURCE
#include "tlib.h"
#include "vmtest.h"

int main(void)
{
	char *argv[] = { "/tests/glibc-spawn", NULL };
	int st;

	printf("glibc_spawn: posix_spawn, system and popen built with glibc\n");
	if (access(argv[0], X_OK) != 0) {
		printf("%s is missing: skipped\n", argv[0]);
		return tl_on_kilburn() ? 1 : tl_done();
	}
	st = vt_exec(argv, 120);
	VT_CHECK(vt_exited_ok(st), "%s passed (%s)", argv[0], vt_how(st));
	return tl_done();
}
