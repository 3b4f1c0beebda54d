/*
 * exec_badelf: execve refuses malformed executables with ENOEXEC and the
 * caller lives on untouched. A minimal valid ELF is built in memory (one
 * PT_LOAD holding headers and code that exits 42) and is shown to run;
 * then each file in /tmp differs from it by one defect - not an ELF,
 * truncated header, zero length, wrong magic, machine, class, byte order,
 * type or version, bad program-header size or count, program headers past
 * the end, a PT_LOAD past the end or with filesz > memsz or an overflowing
 * offset, a PT_INTERP naming a missing interpreter (ENOENT), an entry point outside the code, a segment on page 0
 * or past the user half, misaligned or overlapping segments - and execve of
 * each must fail while the process, its memory and its descriptors stay
 * as they were. No frame is leaked.
 */
#define _GNU_SOURCE
#include "tlib.h"
#include <errno.h>
#include <stdint.h>
#include <sys/wait.h>

#define BASE		0x10000UL	/* where the image is linked */
#define NPH		2		/* program headers in the base image */
#define EHDR_SIZE	64
#define PHDR_SIZE	56
#define CODE_OFF	(EHDR_SIZE + NPH * PHDR_SIZE)
#define CODE_SIZE	12
#define INTERP_OFF	(CODE_OFF + CODE_SIZE)
#define INTERP		"/no/such/ld-linux-riscv64-lp64d.so.1"
#define FILE_SIZE	(INTERP_OFF + sizeof(INTERP))
#define IMAGE_MAX	(EHDR_SIZE + 200 * PHDR_SIZE)

#define PT_NULL		0
#define PT_LOAD		1
#define PT_INTERP	3
#define PF_X		1
#define PF_W		2
#define PF_R		4

struct ehdr {
	uint8_t ident[16];
	uint16_t type, machine;
	uint32_t version;
	uint64_t entry, phoff, shoff;
	uint32_t flags;
	uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};

struct phdr {
	uint32_t type, flags;
	uint64_t offset, vaddr, paddr, filesz, memsz, align;
};

/* An image being built: the bytes and their length. */
struct image {
	uint8_t b[IMAGE_MAX];
	size_t len;
};

static struct ehdr *eh(struct image *im) { return (struct ehdr *)im->b; }
static struct phdr *ph(struct image *im, int i)
{
	return (struct phdr *)(im->b + EHDR_SIZE + i * PHDR_SIZE);
}

/*
 * The valid base: ELF header, PT_LOAD (the whole file at BASE, R+X), a
 * PT_NULL slot that cases may turn into something else, the code
 *	li a0, 42; li a7, 93 (exit); ecall
 * and the string INTERP (unused unless a PT_INTERP points at it).
 */
static void base_image(struct image *im)
{
	static const uint32_t code[3] = { 0x02a00513, 0x05d00893, 0x00000073 };
	struct ehdr *e = eh(im);

	memset(im, 0, sizeof(*im));
	memcpy(e->ident, "\177ELF", 4);
	e->ident[4] = 2;		/* ELFCLASS64 */
	e->ident[5] = 1;		/* little-endian */
	e->ident[6] = 1;		/* EV_CURRENT */
	e->type = 2;			/* ET_EXEC */
	e->machine = 243;		/* EM_RISCV */
	e->version = 1;
	e->entry = BASE + CODE_OFF;
	e->phoff = EHDR_SIZE;
	e->flags = 0x5;			/* RVC, double-float ABI */
	e->ehsize = EHDR_SIZE;
	e->phentsize = PHDR_SIZE;
	e->phnum = NPH;
	*ph(im, 0) = (struct phdr){ PT_LOAD, PF_R | PF_X, 0, BASE, BASE,
				    FILE_SIZE, FILE_SIZE, 0x1000 };
	*ph(im, 1) = (struct phdr){ PT_NULL, 0, 0, 0, 0, 0, 0, 0 };
	memcpy(im->b + CODE_OFF, code, sizeof(code));
	memcpy(im->b + INTERP_OFF, INTERP, sizeof(INTERP));
	im->len = FILE_SIZE;
}

/* ------------------------------------------------------------- the defects */

static void not_elf(struct image *im)
{
	static const char text[] = "this is plain text, not an executable\n";

	memcpy(im->b, text, sizeof(text) - 1);
	im->len = sizeof(text) - 1;
}
static void truncated_header(struct image *im) { im->len = 40; }
static void header_only(struct image *im) { im->len = EHDR_SIZE; }
static void zero_length(struct image *im) { im->len = 0; }
static void bad_magic(struct image *im) { im->b[1] = 'X'; }
static void wrong_machine(struct image *im) { eh(im)->machine = 62; /* x86-64 */ }
static void wrong_class(struct image *im) { eh(im)->ident[4] = 1; /* ELFCLASS32 */ }
static void big_endian(struct image *im) { eh(im)->ident[5] = 2; }
static void relocatable(struct image *im) { eh(im)->type = 1; /* ET_REL */ }
static void core_file(struct image *im) { eh(im)->type = 4; /* ET_CORE */ }
static void bad_version(struct image *im) { eh(im)->version = 0; }
static void bad_phentsize(struct image *im) { eh(im)->phentsize = 32; }
static void no_phdrs(struct image *im) { eh(im)->phnum = 0; }
static void phdrs_past_end(struct image *im) { eh(im)->phoff = im->len - 8; }
static void phoff_overflow(struct image *im) { eh(im)->phoff = ~0UL - 16; }
static void phnum_huge(struct image *im) { eh(im)->phnum = 0xffff; }

/* 200 program headers, all inside the file: more than Kilburn accepts. */
static void phnum_200(struct image *im)
{
	size_t code = EHDR_SIZE + 200 * PHDR_SIZE - CODE_SIZE;

	memcpy(im->b + code, im->b + CODE_OFF, CODE_SIZE);
	memset(im->b + CODE_OFF, 0, CODE_SIZE);
	eh(im)->phnum = 200;
	eh(im)->entry = BASE + code;
	im->len = code + CODE_SIZE;
	ph(im, 0)->filesz = ph(im, 0)->memsz = im->len;
}

static void load_past_end(struct image *im)
{
	ph(im, 0)->filesz = ph(im, 0)->memsz = im->len + 4096;
}
static void load_offset_past_end(struct image *im)
{
	ph(im, 1)->type = PT_LOAD;
	ph(im, 1)->flags = PF_R | PF_W;
	ph(im, 1)->offset = 0x10000;
	ph(im, 1)->vaddr = BASE + 0x10000;
	ph(im, 1)->filesz = ph(im, 1)->memsz = 0x100;
}
static void load_offset_overflow(struct image *im)
{
	ph(im, 1)->type = PT_LOAD;
	ph(im, 1)->flags = PF_R | PF_W;
	ph(im, 1)->offset = ~0UL - 0xfff;	/* offset + filesz wraps to 0x100 */
	ph(im, 1)->vaddr = BASE + 0x1000 + (~0UL - 0xfff) % 0x1000;
	ph(im, 1)->filesz = ph(im, 1)->memsz = 0x1100;
}

/* filesz > memsz; the file is made long enough to hold filesz bytes. */
static void filesz_over_memsz(struct image *im)
{
	im->len += 64;
	ph(im, 0)->filesz = im->len;
	ph(im, 0)->memsz = FILE_SIZE;
}

static void interp(struct image *im)
{
	ph(im, 1)->type = PT_INTERP;
	ph(im, 1)->flags = PF_R;
	ph(im, 1)->offset = INTERP_OFF;
	ph(im, 1)->vaddr = BASE + INTERP_OFF;
	ph(im, 1)->filesz = ph(im, 1)->memsz = sizeof(INTERP);
	ph(im, 1)->align = 1;
}

static void entry_outside(struct image *im) { eh(im)->entry = BASE + 0x100000; }
static void entry_not_exec(struct image *im) { ph(im, 0)->flags = PF_R | PF_W; }
static void only_empty_load(struct image *im) { ph(im, 0)->memsz = ph(im, 0)->filesz = 0; }
static void no_load(struct image *im) { ph(im, 0)->type = 4; /* PT_NOTE */ }
static void load_on_page0(struct image *im)
{
	ph(im, 0)->vaddr = ph(im, 0)->paddr = 0;
	eh(im)->entry = CODE_OFF;
}
static void load_past_user_top(struct image *im)
{
	ph(im, 1)->type = PT_LOAD;
	ph(im, 1)->flags = PF_R | PF_W;
	ph(im, 1)->vaddr = 0x3ffffff000UL;
	ph(im, 1)->memsz = 0x2000;		/* ends past 0x4000000000 */
}
static void load_in_kernel_half(struct image *im)
{
	ph(im, 1)->type = PT_LOAD;
	ph(im, 1)->flags = PF_R | PF_W;
	ph(im, 1)->vaddr = 0xffffffc000000000UL;
	ph(im, 1)->memsz = 0x1000;
}
static void load_vaddr_wraps(struct image *im)
{
	ph(im, 1)->type = PT_LOAD;
	ph(im, 1)->flags = PF_R | PF_W;
	ph(im, 1)->vaddr = 0x20000;
	ph(im, 1)->memsz = ~0UL - 0x1000;	/* vaddr + memsz wraps */
}
static void load_misaligned(struct image *im)
{
	ph(im, 0)->vaddr = BASE + 8;		/* offset 0 is not at page offset 8 */
	eh(im)->entry += 8;
}
static void loads_overlap(struct image *im)
{
	ph(im, 1)->type = PT_LOAD;
	ph(im, 1)->flags = PF_R | PF_W;
	ph(im, 1)->vaddr = BASE;		/* the same page as the first */
	ph(im, 1)->memsz = 0x100;
}
static void loads_descending(struct image *im)
{
	ph(im, 1)->type = PT_LOAD;
	ph(im, 1)->flags = PF_R | PF_W;
	ph(im, 1)->vaddr = BASE - 0x2000;	/* below the first */
	ph(im, 1)->memsz = 0x100;
}

/*
 * on_linux: what Linux does with the same file, where it differs from
 * Kilburn's ENOEXEC: another errno, or 0 for "execve succeeds" (the program
 * starts and crashes later) - those cases are only run on Kilburn.
 */
static const struct bad_case {
	const char *name;
	void (*make)(struct image *);
	int on_linux;
} cases[] = {
	{ "not an ELF (text)", not_elf, ENOEXEC },
	{ "truncated ELF header (40 bytes)", truncated_header, ENOEXEC },
	{ "ELF header only, no program headers in the file", header_only, ENOEXEC },
	{ "zero-length file", zero_length, ENOEXEC },
	{ "bad magic", bad_magic, ENOEXEC },
	{ "wrong machine (x86-64)", wrong_machine, ENOEXEC },
	{ "wrong class (ELFCLASS32)", wrong_class, ENOEXEC },
	{ "big-endian", big_endian, ENOEXEC },
	{ "relocatable object (ET_REL)", relocatable, ENOEXEC },
	{ "core file (ET_CORE)", core_file, ENOEXEC },
	{ "e_version 0", bad_version, 0 },
	{ "e_phentsize 32", bad_phentsize, ENOEXEC },
	{ "e_phnum 0", no_phdrs, ENOEXEC },
	{ "program headers past the end of the file", phdrs_past_end, ENOEXEC },
	{ "program-header offset that overflows", phoff_overflow, ENOEXEC },
	{ "e_phnum 65535 (past the end)", phnum_huge, ENOEXEC },
	{ "200 program headers", phnum_200, 0 },
	{ "PT_LOAD past the end of the file", load_past_end, 0 },
	{ "PT_LOAD whose offset is past the end", load_offset_past_end, 0 },
	{ "PT_LOAD whose offset + filesz overflows", load_offset_overflow, 0 },
	{ "PT_LOAD with filesz > memsz", filesz_over_memsz, 0 },
	{ "PT_INTERP naming a missing interpreter", interp, ENOENT },
	{ "entry point outside every segment", entry_outside, 0 },
	{ "entry point in a non-executable segment", entry_not_exec, 0 },
	{ "only PT_LOAD is empty (memsz 0)", only_empty_load, 0 },
	{ "no PT_LOAD at all", no_load, 0 },
	{ "ET_EXEC PT_LOAD on page 0", load_on_page0, 0 },
	{ "PT_LOAD past the top of the user half", load_past_user_top, 0 },
	{ "PT_LOAD in the kernel half", load_in_kernel_half, 0 },
	{ "PT_LOAD whose vaddr + memsz wraps", load_vaddr_wraps, 0 },
	{ "PT_LOAD vaddr and offset disagree mod the page size", load_misaligned, 0 },
	{ "two PT_LOADs in one page", loads_overlap, 0 },
	{ "PT_LOADs in descending order", loads_descending, 0 },
};

#define NCASES	(int)(sizeof(cases) / sizeof(cases[0]))

/* ------------------------------------------------------------------ driver */

static struct image im;
static volatile uint64_t canary = 0x5eed5eed5eed5eedUL;

/* Write the image to path with mode 0755 (tmpfs keeps the mode); 0 or -1. */
static int write_file(const char *path, const struct image *img)
{
	int fd;
	ssize_t n = 0;

	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0755);
	if (fd < 0)
		return -1;
	if (img->len)
		n = write(fd, img->b, img->len);
	close(fd);
	return n == (ssize_t)img->len ? 0 : -1;
}

/* fork and execve path in the child; the wait status or -1. */
static int run(const char *path)
{
	char *argv[] = { (char *)path, NULL };
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		execve(path, argv, argv + 1);
		_exit(100);
	}
	return waitpid(pid, &status, 0) == pid ? status : -1;
}

/* The valid base runs and exits 42: the defects below are what is refused. */
static void test_base_runs(void)
{
	int status;

	base_image(&im);
	TL_CHECK(write_file("/tmp/elf-good", &im) == 0, "wrote the valid minimal ELF");
	status = run("/tmp/elf-good");
	TL_CHECK(status >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == 42,
		 "the valid minimal ELF runs and exits 42");
	if (!(status >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == 42))
		printf("  status 0x%x\n", status);
	unlink("/tmp/elf-good");
}

/*
 * execve each defective file in this very process. A failed execve must
 * leave everything as it was: same pid, memory (a canary in the data
 * segment and a heap block), descriptors (a pipe still carries data).
 */
static void test_cases(int on_kilburn)
{
	static const char path[] = "/tmp/elf-bad";
	char *argv[] = { (char *)path, NULL };
	uint8_t *heap = malloc(8192);
	pid_t me = getpid();
	int fds[2], rc;

	TL_CHECK(heap && pipe(fds) == 0, "heap block and pipe for the survival checks");
	if (!heap)
		return;
	memset(heap, 0xa5, 8192);
	for (int i = 0; i < NCASES; i++) {
		const struct bad_case *c = &cases[i];
		/* Kilburn refuses every other case as ENOEXEC */
		int want = on_kilburn && c->make != interp ? ENOEXEC : c->on_linux;
		char what[160], byte = 0;
		int alive;

		if (!want)
			continue;
		base_image(&im);
		c->make(&im);
		if (write_file(path, &im) != 0) {
			snprintf(what, sizeof(what), "%s: written to %s", c->name, path);
			TL_CHECK(0, what);
			continue;
		}
		errno = 0;
		rc = execve(path, argv, argv + 1);
		snprintf(what, sizeof(what), "%s: %s (got %s)", c->name, strerror(want),
			 rc == -1 ? strerror(errno) : "success?");
		TL_CHECK(rc == -1 && errno == want, what);

		alive = getpid() == me && canary == 0x5eed5eed5eed5eedUL &&
			write(fds[1], "k", 1) == 1 && read(fds[0], &byte, 1) == 1 &&
			byte == 'k';
		for (int j = 0; j < 8192; j++)
			alive &= heap[j] == 0xa5;
		snprintf(what, sizeof(what), "%s: process, memory and descriptors intact",
			 c->name);
		TL_CHECK(alive, what);
		unlink(path);
	}
	close(fds[0]);
	close(fds[1]);
	free(heap);
}

int main(void)
{
	int on_kilburn = tl_on_kilburn();
	long before = -1;

	/* round 1 warms up tmpfs, the slabs and the heap; round 2 is measured */
	for (int round = 1; round <= 2; round++) {
		printf("round %d\n", round);
		if (round == 2)
			before = tl_frames_free();
		test_base_runs();
		test_cases(on_kilburn);
	}
	test_base_runs();		/* exec still works after all that */
	tl_check_no_leak(before);
	return tl_done();
}
