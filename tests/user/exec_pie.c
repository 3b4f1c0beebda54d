/*
 * exec_pie: execve runs both kinds of static executable: ET_EXEC (linked at
 * its address) and static-PIE ET_DYN (placed by the kernel). The two tiny
 * programs (host/fixtures/elf-tiny.c) have text, data and bss and exit with
 * counter + zeroes[4000]: 7 if their data was loaded and their bss zeroed.
 * A static PIE is placed as Linux places one (an ET_DYN without PT_INTERP,
 * checked against Linux 6.x natively; qemu-user lays guests out its own
 * way): at the top of the mmap area, below the stack, later mappings below
 * it, and its heap at ELF_ET_DYN_BASE below it; tests/pie/pie_layout.c
 * checks that from inside and exits 0.
 */
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>
#include "tlib.h"

static int run(const char *path)
{
	char *argv[] = { (char *)path, NULL };
	char *envp[] = { NULL };
	int status = -1;
	pid_t pid = fork();

	if (pid == 0) {
		execve(path, argv, envp);
		_exit(100);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 200 + WTERMSIG(status);
}

int main(void)
{
	long before;

	printf("exec_pie: ET_EXEC and static-PIE programs\n");	/* stdout's buffer is in use from here */
	run("/tests/elf-tiny-exec");		/* warm the page cache */
	run("/tests/elf-tiny-pie");
	run("/tests/pie-layout");
	before = tl_frames_free();
	TL_CHECK(run("/tests/elf-tiny-exec") == 7,
		 "an ET_EXEC program runs with its data and a zeroed bss");
	TL_CHECK(run("/tests/elf-tiny-pie") == 7,
		 "a static-PIE ET_DYN program runs with its data and a zeroed bss");
	TL_CHECK(run("/tests/pie-layout") == 0,
		 "a static PIE sits at the top of the mmap area, its heap below it");
	tl_check_no_leak(before);
	return tl_done();
}
