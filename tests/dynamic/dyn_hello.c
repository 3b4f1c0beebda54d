/*
 * dyn_hello: a dynamically linked glibc program (built twice: PIE, and
 * ET_EXEC as dyn_hello-nopie) started through Debian's dynamic linker.
 * It checks the auxiliary vector the kernel gave it (AT_BASE is where the
 * loader is mapped, AT_PHDR/AT_PHNUM/AT_ENTRY describe the program, not
 * the loader), where the program and the loader were placed, and that the
 * usual things work: stdio, malloc, fork, libm and dlopen of a library
 * (/lib/libdlprobe.so, tests/dynamic/libdlprobe.c).
 *
 * On Linux: qemu-riscv64 -L /usr/riscv64-linux-gnu with LD_LIBRARY_PATH
 * naming the directory of libdlprobe.so. "dyn_hello maps" just greets and
 * prints its /proc/self/maps.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <link.h>
#include <math.h>
#include <stdint.h>
#include <sys/auxv.h>
#include <sys/wait.h>
#include "tlib.h"

#define LOADER	"ld-linux-riscv64-lp64d.so.1"

extern char _start[];

static int first_object(struct dl_phdr_info *info, size_t size, void *data)
{
	*(struct dl_phdr_info *)data = *info;
	return 1;			/* the first one is the program */
}

/* dl_iterate_phdr: the load address of the loader (its name ends in LOADER). */
static int find_loader(struct dl_phdr_info *info, size_t size, void *data)
{
	size_t n = info->dlpi_name ? strlen(info->dlpi_name) : 0, m = strlen(LOADER);

	if (n < m || strcmp(info->dlpi_name + n - m, LOADER) != 0)
		return 0;
	*(unsigned long *)data = info->dlpi_addr;
	return 1;
}

static void check_auxv(const char *argv0)
{
	struct dl_phdr_info self = { 0 };
	unsigned long loader = 0;
	unsigned long base = getauxval(AT_BASE), hwcap = getauxval(AT_HWCAP);
	const char *execfn = (const char *)getauxval(AT_EXECFN);
	const char *slash = strrchr(argv0, '/');
	const unsigned char *rnd = (const unsigned char *)getauxval(AT_RANDOM);
	const unsigned char *vdso = (const unsigned char *)getauxval(AT_SYSINFO_EHDR);
	int random_nonzero = 0;

	dl_iterate_phdr(first_object, &self);
	dl_iterate_phdr(find_loader, &loader);
	TL_CHECK(base && base % 4096 == 0, "AT_BASE is page-aligned");
	TL_CHECK(base == loader, "AT_BASE is where the loader is mapped");
	TL_CHECK(getauxval(AT_ENTRY) == (unsigned long)_start,
		 "AT_ENTRY is the program's entry, not the loader's");
	TL_CHECK(getauxval(AT_PHDR) == (unsigned long)self.dlpi_phdr &&
		 getauxval(AT_PHNUM) == self.dlpi_phnum && getauxval(AT_PHENT) == 56,
		 "AT_PHDR, AT_PHNUM, AT_PHENT describe the program's headers");
	TL_CHECK(getauxval(AT_PAGESZ) == 4096 && sysconf(_SC_PAGESIZE) == 4096,
		 "AT_PAGESZ is 4096");
	TL_CHECK(getauxval(AT_SECURE) == 0 && getauxval(AT_UID) == getuid() &&
		 getauxval(AT_EUID) == geteuid() && getauxval(AT_GID) == getgid() &&
		 getauxval(AT_EGID) == getegid(), "AT_SECURE 0, AT_UID.. as getuid..");
	for (char c = 'A'; c <= 'Z'; c++)
		if (strchr("IMAFDC", c) && !(hwcap & (1UL << (c - 'A'))))
			hwcap = 0;
	TL_CHECK(hwcap != 0, "AT_HWCAP has I, M, A, F, D and C");
	for (int i = 0; rnd && i < 16; i++)
		random_nonzero |= rnd[i];
	TL_CHECK(rnd && random_nonzero, "AT_RANDOM points at 16 random bytes");
	TL_CHECK(execfn && strcmp(strrchr(execfn, '/') ? strrchr(execfn, '/') : execfn,
				  slash ? slash : argv0) == 0, "AT_EXECFN names the program");
	TL_CHECK(!vdso || memcmp(vdso, "\177ELF", 4) == 0,
		 "AT_SYSINFO_EHDR is absent or an ELF image");
	if (tl_on_kilburn()) {
		/* As Linux without randomisation: a PIE at ELF_ET_DYN_BASE. */
		TL_CHECK(self.dlpi_addr == (strstr(argv0, "nopie") ? 0 : 0x2aaaaaa000UL),
			 "the program is placed as Linux places it");
		TL_CHECK(base > (unsigned long)sbrk(0) && base < (unsigned long)&self,
			 "the loader is in the mmap area, between the heap and the stack");
	}
}

/* One round of work a C program does; the same each time. */
static void work(void)
{
	char *block = malloc(1 << 20);
	void *lib;
	int (*add)(int);
	int *constructed, status = -1;
	pid_t pid;

	TL_CHECK(block != NULL, "malloc of 1 MiB");
	if (block) {
		memset(block, 0x5a, 1 << 20);
		TL_CHECK(block[12345] == 0x5a, "the block holds what was written");
		free(block);
	}
	pid = fork();
	if (pid == 0)
		_exit((int)sqrt(1764.0));	/* libm in the child */
	TL_CHECK(pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
		 WEXITSTATUS(status) == 42, "fork: the child ran sqrt and exited 42");
	lib = dlopen("libdlprobe.so", RTLD_NOW);
	TL_CHECK(lib != NULL, "dlopen libdlprobe.so");
	if (!lib) {
		printf("note: %s\n", dlerror());
		return;
	}
	add = (int (*)(int))dlsym(lib, "probe_add");
	constructed = dlsym(lib, "probe_constructed");
	TL_CHECK(add && add(1) == 41 && add(1) == 42, "its function reads its data and bss");
	TL_CHECK(constructed && *constructed == 1, "its constructor ran");
	TL_CHECK(dlclose(lib) == 0, "dlclose");
}

/*
 * DYN_HOLD mode (tests/user/dyn_share.c): read one byte of every page of
 * libc's text, print "ready N" (N such pages), wait for end of file on
 * stdin, exit 0.
 */
static int hold(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	unsigned long start, end, pages = 0;
	volatile unsigned long sum = 0;
	char line[512], perms[8], c;

	while (f && fgets(line, sizeof(line), f))
		if (strstr(line, "/libc.so.6") &&
		    sscanf(line, "%lx-%lx %7s", &start, &end, perms) == 3 &&
		    strcmp(perms, "r-xp") == 0)
			for (; start < end; start += 4096, pages++)
				sum += *(volatile unsigned char *)start;
	if (f)
		fclose(f);
	printf("ready %lu\n", pages);
	fflush(stdout);
	while (read(0, &c, 1) > 0)
		;
	return 0;
}

int main(int argc, char **argv)
{
	long before;

	if (getenv("DYN_HOLD"))
		return hold();
	if (argc > 1 && strcmp(argv[1], "maps") == 0) {	/* for the README */
		FILE *f = fopen("/proc/self/maps", "r");
		char line[256];

		printf("hello from a dynamic program\n");
		while (f && fgets(line, sizeof(line), f))
			fputs(line, stdout);
		return 0;
	}
	printf("dyn_hello: a dynamic program through ld.so (%s)\n", argv[0]);
	check_auxv(argv[0]);
	work();				/* warm-up: the libraries' pages come in, */
	work();				/* and malloc's arena settles */
	before = tl_frames_free();
	work();
	tl_check_no_leak(before);
	return tl_done();
}
