/*
 * exec_interp: execve of a program that names an interpreter (PT_INTERP).
 * A copy of the dynamic program /tests/dyn_hello is given interpreters
 * that are wrong in each way Linux tells apart, and execve must fail with
 * Linux's errno (fs/binfmt_elf.c) while the caller's image carries on:
 *	missing			ENOENT
 *	not executable, a directory	EACCES
 *	shorter than an ELF header	EIO
 *	not ELF, wrong class or machine	ELIBBAD
 *	the path not NUL-terminated	ENOEXEC
 *	itself with a PT_INTERP		ELIBBAD (Kilburn; Linux maps it and
 *					the process dies later)
 * and with a good interpreter at another path the program runs (its own
 * checks count here, through vt_exec).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "tlib.h"
#include "vmtest.h"

#define PROG		"/tests/dyn_hello"
#define LOADER		"/lib/ld-linux-riscv64-lp64d.so.1"
#define PT_INTERP	3

static char *prog, *loader;		/* the files, read whole */
static long prog_size, loader_size;
static long interp_off, interp_len;	/* of PROG's PT_INTERP */
static int survivor = 1234;		/* must read the same after a failed execve */

static char *read_file(const char *path, long *size)
{
	int fd = open(path, O_RDONLY);
	long cap = 1 << 20, n = 0, r;
	char *buf = malloc(cap);

	if (fd < 0 || !buf)
		return NULL;
	while ((r = read(fd, buf + n, cap - n)) > 0)
		n += r;
	close(fd);
	*size = n;
	return buf;
}

static int write_file(const char *path, const void *buf, long len, int mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	int ok = fd >= 0 && write(fd, buf, len) == len;

	if (fd >= 0)
		close(fd);
	return ok ? 0 : -1;
}

/* Find the PT_INTERP of the ELF64 image p (offsets of the ELF header). */
static int find_interp(const char *p, long size)
{
	uint64_t phoff;
	uint16_t phnum;

	if (size < 64)
		return -1;
	memcpy(&phoff, p + 32, 8);
	memcpy(&phnum, p + 56, 2);
	for (int i = 0; i < phnum && (long)(phoff + 56 * (i + 1)) <= size; i++) {
		const char *ph = p + phoff + 56 * i;
		uint32_t type;
		uint64_t off, len;

		memcpy(&type, ph, 4);
		memcpy(&off, ph + 8, 8);
		memcpy(&len, ph + 32, 8);
		if (type == PT_INTERP) {
			interp_off = off;
			interp_len = len;
			return 0;
		}
	}
	return -1;
}

/* Write PROG with its PT_INTERP naming interp to /tmp/prog; 0 or -1. */
static int make_prog(const char *interp, int terminated)
{
	char *copy = malloc(prog_size);
	int rc;

	if (!copy || (long)strlen(interp) + 1 > interp_len)
		return -1;
	memcpy(copy, prog, prog_size);
	memset(copy + interp_off, 0, interp_len);
	memcpy(copy + interp_off, interp, strlen(interp));
	if (!terminated)
		memset(copy + interp_off + strlen(interp), 'x', interp_len - strlen(interp));
	rc = write_file("/tmp/prog", copy, prog_size, 0755);
	free(copy);
	return rc;
}

/* execve /tmp/prog here, in this process; the errno it fails with, or 0. */
static int exec_here(void)
{
	char *argv[] = { "/tmp/prog", NULL };

	errno = 0;
	execv("/tmp/prog", argv);
	return errno;
}

/* Write a loader copy with byte off set to val (when off >= 0) at path. */
static int make_loader(const char *path, long off, int val, int mode)
{
	char saved = off >= 0 ? loader[off] : 0;
	int rc;

	if (off >= 0)
		loader[off] = val;
	rc = write_file(path, loader, loader_size, mode);
	if (off >= 0)
		loader[off] = saved;
	return rc;
}

static void expect(const char *interp, int terminated, int err, const char *what)
{
	char line[160];
	int got = make_prog(interp, terminated) == 0 ? exec_here() : -1;

	snprintf(line, sizeof(line), "%s: execve fails with %d (got %d)", what, err, got);
	TL_CHECK(got == err, line);
	TL_CHECK(survivor == 1234, "the old image carries on");
}

static void bad_interpreters(void)
{
	static const char text[] = "this is a text file, longer than the 64 bytes of an ELF header....\n";

	expect("/tmp/none", 1, ENOENT, "interpreter missing");
	write_file("/tmp/ld-nx", loader, loader_size, 0644);
	expect("/tmp/ld-nx", 1, EACCES, "interpreter not executable");
	expect("/tmp", 1, EACCES, "interpreter a directory");
	write_file("/tmp/ld-empty", "", 0, 0755);
	expect("/tmp/ld-empty", 1, EIO, "interpreter empty");
	write_file("/tmp/ld-short", "\177ELF", 4, 0755);
	expect("/tmp/ld-short", 1, EIO, "interpreter shorter than an ELF header");
	write_file("/tmp/ld-text", text, sizeof(text) - 1, 0755);
	expect("/tmp/ld-text", 1, ELIBBAD, "interpreter not ELF");
	make_loader("/tmp/ld-x86", 18, 62, 0755);	/* e_machine EM_X86_64 */
	expect("/tmp/ld-x86", 1, ELIBBAD, "interpreter for another machine");
	make_loader("/tmp/ld-32", 4, 1, 0755);		/* ELFCLASS32 */
	expect("/tmp/ld-32", 1, ELIBBAD, "interpreter of another class");
	make_loader("/tmp/ld-rel", 16, 1, 0755);	/* ET_REL */
	expect("/tmp/ld-rel", 1, ELIBBAD, "interpreter not loadable (ET_REL)");
	expect(LOADER, 0, ENOEXEC, "PT_INTERP path without its NUL");
	if (tl_on_kilburn())
		expect(PROG, 1, ELIBBAD, "interpreter with its own PT_INTERP");
	unlink("/tmp/ld-nx");
	unlink("/tmp/ld-empty");
	unlink("/tmp/ld-short");
	unlink("/tmp/ld-text");
	unlink("/tmp/ld-x86");
	unlink("/tmp/ld-32");
	unlink("/tmp/ld-rel");
}

/*
 * Can this system execve the unchanged program at all? Under qemu-riscv64
 * on another machine's Linux (no binfmt_misc, paths not redirected for
 * execve) it cannot.
 */
static int can_exec_riscv(void)
{
	char *argv[] = { PROG, NULL };
	int status = -1;
	pid_t pid = fork();

	if (pid == 0) {
		int fd = open("/dev/null", O_WRONLY);

		dup2(fd, 1);
		execv(PROG, argv);
		_exit(99);
	}
	waitpid(pid, &status, 0);
	return !(WIFEXITED(status) && WEXITSTATUS(status) == 99);
}

int main(void)
{
	char *argv[] = { "/tmp/prog", NULL };
	long before;
	int status;

	printf("exec_interp: execve with bad and good interpreters\n");
	prog = read_file(PROG, &prog_size);
	loader = read_file(LOADER, &loader_size);
	TL_CHECK(prog && loader && find_interp(prog, prog_size) == 0 &&
		 strcmp(prog + interp_off, LOADER) == 0, PROG " names " LOADER);
	if (!prog || !loader || !interp_len)
		return tl_done();
	if (!can_exec_riscv()) {
		printf("note: this system cannot execve riscv64 programs (no binfmt_misc):"
		       " the errno checks need Kilburn or a riscv64 Linux\n");
		return tl_done();
	}
	bad_interpreters();		/* warm-up: tmpfs and page cache settle */
	before = tl_frames_free();
	bad_interpreters();
	tl_check_no_leak(before);

	/* The same loader at another path (as long as /lib's): the program runs. */
	make_loader("/tmp/ld-linux-riscv64-lp64d.so.1", -1, 0, 0755);
	make_prog("/tmp/ld-linux-riscv64-lp64d.so.1", 1);
	status = vt_exec(argv, 60);
	TL_CHECK(vt_exited_ok(status), "the program runs with the loader at another path");
	unlink("/tmp/ld-linux-riscv64-lp64d.so.1");
	unlink("/tmp/prog");
	free(prog);
	free(loader);
	return tl_done();
}
