/*
 * execve's ELF64 validator (kern/elf.c); the initial-stack builder is tested
 * in test_exec_stack.c.
 *
 * ELF fixtures:
 *	host/fixtures/elf-tiny-exec	ET_EXEC, -nostdlib -static (source elf-tiny.c)
 *	host/fixtures/elf-tiny-pie	ET_DYN, -nostdlib -static-pie
 * Their expected segments are copied from riscv64-linux-gnu-readelf -lW.
 * If the cross compiler is installed, a glibc -static program (and a glibc
 * -static-pie one, where the C library supports it) is built at test time in
 * build/host/fixtures/ and checked against readelf's own output.
 *
 * Malformed files are made by poking one field of a valid image; every file
 * under test lives in a malloc'd buffer of exactly its size and the read
 * callback counts any request outside it, so an over-read is caught either
 * way.
 */
#include "test.h"
#include "kern/elf.h"

#include <unistd.h>

/* ------------------------------------------------------------ files */

/* A file in memory, read through mem_read(). */
struct mem_file {
	const uint8_t *data;
	uint64_t size;
	int bad_reads;		/* requests outside [0, size) */
	int calls;
	int fail_at;		/* call number that fails (1-based), 0: none */
	int fail_rc;
};

static int mem_read(void *ctx, uint64_t off, void *buf, size_t len)
{
	struct mem_file *f = ctx;

	f->calls++;
	if (off > f->size || len > f->size - off) {
		f->bad_reads++;
		return -EIO;
	}
	if (f->fail_at && f->calls == f->fail_at)
		return f->fail_rc;
	memcpy(buf, f->data + off, len);
	return 0;
}

/* Parses n bytes at p from an exact-size copy; checks nothing was over-read. */
static int parse_bytes(const uint8_t *p, size_t n, struct elf_info *info)
{
	uint8_t *copy = malloc(n ? n : 1);
	struct mem_file f = { .data = copy, .size = n };
	int rc;

	memcpy(copy, p, n);
	rc = elf_load_info(mem_read, &f, n, info);
	CHECK_EQ(f.bad_reads, 0);
	free(copy);
	return rc;
}

static uint8_t *read_file(const char *path, size_t *size)
{
	uint8_t *buf;
	FILE *f;
	long n;

	f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n);
	if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	*size = (size_t)n;
	return buf;
}

static uint8_t *load_fixture(const char *name, size_t *size)
{
	char path[256];
	uint8_t *buf;

	snprintf(path, sizeof(path), "host/fixtures/%s", name);
	buf = read_file(path, size);
	if (!buf)
		test_fail(__FILE__, __LINE__, path);
	return buf;
}

static void put16(uint8_t *p, size_t off, uint16_t v) { memcpy(p + off, &v, 2); }
static void put32(uint8_t *p, size_t off, uint32_t v) { memcpy(p + off, &v, 4); }
static void put64(uint8_t *p, size_t off, uint64_t v) { memcpy(p + off, &v, 8); }

/* Offsets of fields in the headers. */
#define EH_TYPE		16
#define EH_MACHINE	18
#define EH_VERSION	20
#define EH_ENTRY	24
#define EH_PHOFF	32
#define EH_PHENTSIZE	54
#define EH_PHNUM	56
#define PH(i)		(64 + 56 * (i))	/* e_phoff is 64 in every fixture */
#define PH_TYPE		0
#define PH_FLAGS	4
#define PH_OFFSET	8
#define PH_VADDR	16
#define PH_FILESZ	32
#define PH_MEMSZ	40

/*
 * A synthetic executable: the ELF header, the given program headers at 64,
 * and zeroes up to size bytes. Returns a malloc'd buffer.
 */
static uint8_t *synth(const struct elf64_phdr *ph, int n, uint16_t type,
		      uint64_t entry, size_t size)
{
	uint8_t *img = calloc(1, size);
	struct elf64_ehdr eh = {
		.e_ident = { ELFMAG0, ELFMAG1, ELFMAG2, ELFMAG3, ELFCLASS64,
			     ELFDATA2LSB, EV_CURRENT },
		.e_type = type, .e_machine = EM_RISCV, .e_version = EV_CURRENT,
		.e_entry = entry, .e_phoff = 64, .e_ehsize = 64,
		.e_phentsize = 56, .e_phnum = (uint16_t)n,
	};

	memcpy(img, &eh, sizeof(eh));
	memcpy(img + 64, ph, (size_t)n * sizeof(*ph));
	return img;
}

/* A PT_LOAD of one page at vaddr whose file bytes are at the same page offset. */
static struct elf64_phdr load_page(uint64_t vaddr, uint64_t offset, uint32_t flags)
{
	return (struct elf64_phdr){ .p_type = PT_LOAD, .p_flags = flags,
		.p_offset = offset, .p_vaddr = vaddr, .p_paddr = vaddr,
		.p_filesz = 0x100, .p_memsz = 0x1000, .p_align = 0x1000 };
}

/*
 * Everything a successful parse promises, checked independently of elf.c:
 * used by the fixture tests and by the random-corruption test.
 */
static void check_info_invariants(const struct elf_info *in, uint64_t size)
{
	bool entry_ok = false;

	CHECK(in->type == ET_EXEC || in->type == ET_DYN);
	CHECK(in->nload >= 1 && in->nload <= ELF_MAX_LOADS);
	CHECK_EQ(in->phent, 56);
	CHECK(in->phnum >= 1 && in->phnum <= ELF_MAX_PHNUM);
	if (in->nload < 1 || in->nload > ELF_MAX_LOADS)
		return;
	for (int i = 0; i < in->nload; i++) {
		const struct elf_segment *s = &in->load[i];

		CHECK(s->memsz > 0);
		CHECK(s->filesz <= s->memsz);
		CHECK(s->offset <= size && s->filesz <= size - s->offset);
		CHECK(s->vaddr < ELF_USER_TOP && s->memsz <= ELF_USER_TOP - s->vaddr);
		CHECK_EQ(s->vaddr % PAGE_SIZE, s->offset % PAGE_SIZE);
		CHECK((s->prot & ~7u) == 0);
		if (in->type == ET_EXEC)
			CHECK(s->vaddr >= PAGE_SIZE);
		if (i > 0)
			CHECK(ALIGN_DOWN(s->vaddr, PAGE_SIZE) >=
			      ALIGN_UP(in->load[i - 1].vaddr + in->load[i - 1].memsz, PAGE_SIZE));
		if ((s->prot & ELF_PROT_EXEC) && in->entry >= s->vaddr &&
		    in->entry < s->vaddr + s->memsz)
			entry_ok = true;
	}
	CHECK(entry_ok);
	CHECK_EQ(in->lo, ALIGN_DOWN(in->load[0].vaddr, PAGE_SIZE));
	CHECK_EQ(in->hi, ALIGN_UP(in->load[in->nload - 1].vaddr +
				  in->load[in->nload - 1].memsz, PAGE_SIZE));
	CHECK(in->lo < in->hi && in->hi <= ELF_USER_TOP);
}

/* ------------------------------------------------------------ fixtures */

TEST(elf_tiny_exec_matches_readelf)
{
	/*
	 * readelf -lW host/fixtures/elf-tiny-exec (entry 0x10120, 4 headers):
	 *   RISCV_ATTRIBUT 0x00016f 0x0 0x0 0x000053 0x000000 R   0x1
	 *   LOAD 0x000000 0x0000000000010000 ... 0x000146 0x000146 R E 0x1000
	 *   LOAD 0x000148 0x0000000000011148 ... 0x000008 0x002008 RW  0x1000
	 *   GNU_STACK 0 0 0 0 0 RW 0x10
	 */
	struct elf_info in;
	uint64_t bias = 1;
	size_t n;
	uint8_t *img = load_fixture("elf-tiny-exec", &n);

	if (!img)
		return;
	CHECK_EQ(n, 960);
	CHECK_EQ(parse_bytes(img, n, &in), 0);
	CHECK_EQ(in.type, ET_EXEC);
	CHECK_EQ(in.entry, 0x10120);
	CHECK_EQ(in.phnum, 4);
	CHECK_EQ(in.phent, 56);
	CHECK_EQ(in.phdr, 0x10040);	/* no PT_PHDR: first LOAD maps offset 64 */
	CHECK_EQ(in.nload, 2);
	CHECK_EQ(in.load[0].vaddr, 0x10000);
	CHECK_EQ(in.load[0].offset, 0);
	CHECK_EQ(in.load[0].filesz, 0x146);
	CHECK_EQ(in.load[0].memsz, 0x146);
	CHECK_EQ(in.load[0].prot, ELF_PROT_READ | ELF_PROT_EXEC);
	CHECK_EQ(in.load[1].vaddr, 0x11148);
	CHECK_EQ(in.load[1].offset, 0x148);
	CHECK_EQ(in.load[1].filesz, 0x8);
	CHECK_EQ(in.load[1].memsz, 0x2008);
	CHECK_EQ(in.load[1].prot, ELF_PROT_READ | ELF_PROT_WRITE);
	CHECK_EQ(in.lo, 0x10000);
	CHECK_EQ(in.hi, 0x14000);
	CHECK(!in.exec_stack);
	check_info_invariants(&in, n);

	CHECK_EQ(elf_bias_for(&in, 0, &bias), 0);
	CHECK_EQ(bias, 0);
	CHECK_EQ(elf_bias_for(&in, 0x1000000, &bias), 0);
	CHECK_EQ(bias, 0);			/* ET_EXEC never moves */
	free(img);
}

TEST(elf_tiny_pie_matches_readelf_and_is_biased)
{
	/*
	 * readelf -lW host/fixtures/elf-tiny-pie (entry 0x1e2, 6 headers):
	 *   RISCV_ATTRIBUT, then
	 *   LOAD 0x000000 0x0000000000000000 ... 0x000208 0x000208 R E 0x1000
	 *   LOAD 0x000f00 0x0000000000001f00 ... 0x000110 0x002110 RW  0x1000
	 *   DYNAMIC, GNU_STACK (RW), GNU_RELRO
	 */
	struct elf_info in;
	uint64_t bias = 1;
	size_t n;
	uint8_t *img = load_fixture("elf-tiny-pie", &n);

	if (!img)
		return;
	CHECK_EQ(n, 5096);
	CHECK_EQ(parse_bytes(img, n, &in), 0);
	CHECK_EQ(in.type, ET_DYN);
	CHECK_EQ(in.entry, 0x1e2);
	CHECK_EQ(in.phnum, 6);
	CHECK_EQ(in.phdr, 0x40);
	CHECK_EQ(in.nload, 2);
	CHECK_EQ(in.load[0].vaddr, 0);
	CHECK_EQ(in.load[0].offset, 0);
	CHECK_EQ(in.load[0].filesz, 0x208);
	CHECK_EQ(in.load[0].memsz, 0x208);
	CHECK_EQ(in.load[0].prot, ELF_PROT_READ | ELF_PROT_EXEC);
	CHECK_EQ(in.load[1].vaddr, 0x1f00);
	CHECK_EQ(in.load[1].offset, 0xf00);
	CHECK_EQ(in.load[1].filesz, 0x110);
	CHECK_EQ(in.load[1].memsz, 0x2110);
	CHECK_EQ(in.load[1].prot, ELF_PROT_READ | ELF_PROT_WRITE);
	CHECK_EQ(in.lo, 0);
	CHECK_EQ(in.hi, 0x5000);
	CHECK(!in.exec_stack);
	check_info_invariants(&in, n);

	/* Default base: two thirds of 256 GiB, page-aligned, as Linux. */
	CHECK_EQ(ELF_ET_DYN_BASE, 0x2aaaaaa000ULL);
	CHECK_EQ(elf_bias_for(&in, 0, &bias), 0);
	CHECK_EQ(bias, 0x2aaaaaa000ULL);
	CHECK_EQ(elf_bias_for(&in, 0x400123, &bias), 0);
	CHECK_EQ(bias, 0x400000);		/* rounded down to a page */
	CHECK_EQ(elf_bias_for(&in, ELF_USER_TOP - 0x5000, &bias), 0);
	CHECK_EQ(bias + in.hi, ELF_USER_TOP);
	CHECK_EQ(elf_bias_for(&in, ELF_USER_TOP - 0x4000, &bias), -ENOMEM);
	CHECK_EQ(elf_bias_for(&in, 0xfff, &bias), -ENOMEM);	/* page 0 */
	CHECK_EQ(elf_bias_for(&in, ~0ULL, &bias), -ENOMEM);
	free(img);
}

TEST(elf_pie_not_at_zero_bias_moves_first_page_to_base)
{
	struct elf64_phdr ph[2] = {
		load_page(0x10000, 0, PF_R | PF_X),
		load_page(0x12000, 0x1000, PF_R | PF_W),
	};
	uint8_t *img = synth(ph, 2, ET_DYN, 0x10080, 0x2000);
	struct elf_info in;
	uint64_t bias;

	CHECK_EQ(parse_bytes(img, 0x2000, &in), 0);
	CHECK_EQ(in.lo, 0x10000);
	CHECK_EQ(in.hi, 0x13000);
	CHECK_EQ(elf_bias_for(&in, 0, &bias), 0);
	CHECK_EQ(bias + in.lo, ELF_ET_DYN_BASE);
	CHECK_EQ(bias % PAGE_SIZE, 0);
	free(img);
}

/* ------------------------------------------------------------ readelf */

/* What readelf -hlW says about a file. */
struct readelf_view {
	uint64_t entry;
	int nload;
	struct elf_segment load[ELF_MAX_LOADS];
	bool exec_stack;
	bool have_phdr;
	uint64_t phdr;
	bool interp;
};

static bool tool_exists(const char *tool)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", tool);
	return system(cmd) == 0;
}

/* Flags column ("R E", "RW ", ...) to ELF_PROT_* bits. */
static unsigned int readelf_prot(const char *s)
{
	unsigned int prot = 0;

	for (; *s && !(s[0] == '0' && s[1] == 'x'); s++) {
		if (*s == 'R')
			prot |= ELF_PROT_READ;
		if (*s == 'W')
			prot |= ELF_PROT_WRITE;
		if (*s == 'E')
			prot |= ELF_PROT_EXEC;
	}
	return prot;
}

static bool readelf(const char *path, struct readelf_view *v)
{
	char cmd[512], line[512], type[64];
	unsigned long long off, va, pa, fsz, msz;
	int pos;
	FILE *p;

	memset(v, 0, sizeof(*v));
	snprintf(cmd, sizeof(cmd), "riscv64-linux-gnu-readelf -lW %s", path);
	p = popen(cmd, "r");
	if (!p)
		return false;
	while (fgets(line, sizeof(line), p)) {
		if (sscanf(line, "Entry point 0x%llx", &va) == 1)
			v->entry = va;
		if (sscanf(line, " %63s 0x%llx 0x%llx 0x%llx 0x%llx 0x%llx %n",
			   type, &off, &va, &pa, &fsz, &msz, &pos) != 6)
			continue;
		if (strcmp(type, "LOAD") == 0 && msz && v->nload < ELF_MAX_LOADS)
			v->load[v->nload++] = (struct elf_segment){ va, msz, off, fsz,
				readelf_prot(line + pos) };
		else if (strcmp(type, "GNU_STACK") == 0)
			v->exec_stack = readelf_prot(line + pos) & ELF_PROT_EXEC;
		else if (strcmp(type, "PHDR") == 0) {
			v->have_phdr = true;
			v->phdr = va;
		} else if (strcmp(type, "INTERP") == 0)
			v->interp = true;
	}
	return pclose(p) == 0 && v->nload > 0;
}

/* Builds src with flags into out; false if the toolchain cannot. */
static bool cross_build(const char *src, const char *flags, const char *out)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd),
		 "mkdir -p build/host/fixtures && riscv64-linux-gnu-gcc %s -o %s %s "
		 ">/dev/null 2>&1", flags, out, src);
	return system(cmd) == 0;
}

static const char hello_src[] =
	"#include <stdio.h>\n"
	"#include <stdlib.h>\n"
	"__thread int tls_counter = 3;\n"
	"int main(int argc, char **argv)\n"
	"{\n"
	"\tprintf(\"%d %s %s\\n\", argc + tls_counter, argv[0], getenv(\"HOME\"));\n"
	"\treturn 0;\n"
	"}\n";

/* Parses path, compares with readelf, and cuts it short in many places. */
static void check_against_readelf(const char *path, int want_type)
{
	struct readelf_view v;
	struct elf_info in;
	uint8_t *img;
	size_t n;

	img = read_file(path, &n);
	CHECK(img != NULL);
	CHECK(readelf(path, &v));
	if (!img)
		return;
	CHECK_EQ(parse_bytes(img, n, &in), 0);
	CHECK_EQ(in.type, want_type);
	CHECK_EQ(in.entry, v.entry);
	CHECK_EQ(in.nload, v.nload);
	for (int i = 0; i < v.nload && i < in.nload; i++) {
		CHECK_EQ(in.load[i].vaddr, v.load[i].vaddr);
		CHECK_EQ(in.load[i].offset, v.load[i].offset);
		CHECK_EQ(in.load[i].filesz, v.load[i].filesz);
		CHECK_EQ(in.load[i].memsz, v.load[i].memsz);
		CHECK_EQ(in.load[i].prot, v.load[i].prot);
	}
	CHECK_EQ(in.exec_stack, v.exec_stack);
	if (v.have_phdr)
		CHECK_EQ(in.phdr, v.phdr);
	else
		CHECK_EQ(in.phdr, v.load[0].vaddr + 64 - v.load[0].offset);
	check_info_invariants(&in, n);

	/* Every truncation of the headers and segment ends, and a sample of the rest. */
	for (size_t len = 0; len < n; len += len < 2048 ? 1 : 997) {
		int rc = parse_bytes(img, len, &in);

		CHECK(rc == 0 || rc == -ENOEXEC);
	}
	free(img);
}

TEST(elf_glibc_static_programs_match_readelf)
{
	const char *src = "build/host/fixtures/elf-hello.c";
	FILE *f;

	if (!tool_exists("riscv64-linux-gnu-gcc") ||
	    !tool_exists("riscv64-linux-gnu-readelf")) {
		printf("  note: no riscv64 cross toolchain, glibc fixtures skipped\n");
		return;
	}
	if (system("mkdir -p build/host/fixtures") != 0)
		return;
	f = fopen(src, "w");
	CHECK(f != NULL);
	if (!f)
		return;
	fputs(hello_src, f);
	fclose(f);

	if (cross_build(src, "-static -O2", "build/host/fixtures/elf-hello-static"))
		check_against_readelf("build/host/fixtures/elf-hello-static", ET_EXEC);
	else
		printf("  note: glibc -static did not link (libc6-dev-riscv64-cross?), skipped\n");
	/* Debian's riscv64 glibc 2.36 has no rcrt1.o, so -static-pie may not link. */
	if (cross_build(src, "-static-pie -O2", "build/host/fixtures/elf-hello-static-pie"))
		check_against_readelf("build/host/fixtures/elf-hello-static-pie", ET_DYN);
	else
		printf("  note: glibc -static-pie not supported by this C library, skipped\n");
}

/* ------------------------------------------------------------ malformed files */

/* One field write: width 1, 2, 4 or 8 bytes at off. */
struct poke {
	size_t off;
	int width;
	uint64_t val;
};

struct bad_case {
	const char *what;
	const char *fixture;
	int rc;			/* expected: -ENOEXEC, or 0 for a control */
	struct poke pokes[4];
};

#define P(o, w, v)	{ (o), (w), (v) }

/*
 * elf-tiny-exec: phdr 0 RISCV_ATTRIBUTES, 1 LOAD 0x10000 R-X (0x146 bytes),
 * 2 LOAD 0x11148 RW- (filesz 8, memsz 0x2008, offset 0x148), 3 GNU_STACK.
 * elf-tiny-pie: 1 LOAD 0 R-X, 2 LOAD 0x1f00 RW- (offset 0xf00), 4 GNU_STACK.
 */
static const struct bad_case bad_cases[] = {
	{ "magic byte 0", "elf-tiny-exec", -ENOEXEC, { P(0, 1, 0x7e) } },
	{ "magic byte 1", "elf-tiny-exec", -ENOEXEC, { P(1, 1, 'e') } },
	{ "magic byte 2", "elf-tiny-exec", -ENOEXEC, { P(2, 1, 'l') } },
	{ "magic byte 3", "elf-tiny-exec", -ENOEXEC, { P(3, 1, 'f') } },
	{ "ELFCLASS32", "elf-tiny-exec", -ENOEXEC, { P(4, 1, 1) } },
	{ "big-endian", "elf-tiny-exec", -ENOEXEC, { P(5, 1, 2) } },
	{ "EI_VERSION 0", "elf-tiny-exec", -ENOEXEC, { P(6, 1, 0) } },
	{ "e_version 2", "elf-tiny-exec", -ENOEXEC, { P(EH_VERSION, 4, 2) } },
	{ "EM_X86_64", "elf-tiny-exec", -ENOEXEC, { P(EH_MACHINE, 2, 62) } },
	{ "EM_AARCH64", "elf-tiny-pie", -ENOEXEC, { P(EH_MACHINE, 2, 183) } },
	{ "ET_REL", "elf-tiny-exec", -ENOEXEC, { P(EH_TYPE, 2, 1) } },
	{ "ET_CORE", "elf-tiny-exec", -ENOEXEC, { P(EH_TYPE, 2, 4) } },
	{ "ET_NONE", "elf-tiny-pie", -ENOEXEC, { P(EH_TYPE, 2, 0) } },
	{ "phentsize 32", "elf-tiny-exec", -ENOEXEC, { P(EH_PHENTSIZE, 2, 32) } },
	{ "phentsize 64", "elf-tiny-exec", -ENOEXEC, { P(EH_PHENTSIZE, 2, 64) } },
	{ "phnum 0", "elf-tiny-exec", -ENOEXEC, { P(EH_PHNUM, 2, 0) } },
	{ "phnum 129", "elf-tiny-exec", -ENOEXEC, { P(EH_PHNUM, 2, 129) } },
	{ "phnum PN_XNUM", "elf-tiny-exec", -ENOEXEC, { P(EH_PHNUM, 2, 0xffff) } },
	{ "phdrs start at end of file", "elf-tiny-exec", -ENOEXEC,
	  { P(EH_PHOFF, 8, 960) } },
	{ "phdrs straddle end of file", "elf-tiny-exec", -ENOEXEC,
	  { P(EH_PHOFF, 8, 960 - 4 * 56 + 1) } },
	{ "phoff overflows", "elf-tiny-exec", -ENOEXEC,
	  { P(EH_PHOFF, 8, 0xffffffffffffffc0ULL) } },
	{ "PT_INTERP of 0 bytes", "elf-tiny-exec", -ENOEXEC, { P(PH(3) + PH_TYPE, 4, PT_INTERP) } },
	{ "PT_INTERP of 1 byte", "elf-tiny-pie", -ENOEXEC,
	  { P(PH(0) + PH_TYPE, 4, PT_INTERP), P(PH(0) + PH_FILESZ, 8, 1) } },
	{ "PT_INTERP past end of file", "elf-tiny-pie", -ENOEXEC,
	  { P(PH(0) + PH_TYPE, 4, PT_INTERP), P(PH(0) + PH_OFFSET, 8, 0x2000) } },
	{ "PT_INTERP of 4097 bytes", "elf-tiny-pie", -ENOEXEC,
	  { P(PH(0) + PH_TYPE, 4, PT_INTERP), P(PH(0) + PH_OFFSET, 8, 0),
	    P(PH(0) + PH_FILESZ, 8, 4097) } },
	{ "PT_INTERP in PIE", "elf-tiny-pie", 0, { P(PH(0) + PH_TYPE, 4, PT_INTERP) } },
	{ "no PT_LOAD", "elf-tiny-exec", -ENOEXEC,
	  { P(PH(1) + PH_TYPE, 4, PT_NOTE), P(PH(2) + PH_TYPE, 4, PT_NULL) } },
	{ "only PT_LOADs of size 0", "elf-tiny-exec", -ENOEXEC,
	  { P(PH(1) + PH_MEMSZ, 8, 0), P(PH(1) + PH_FILESZ, 8, 0),
	    P(PH(2) + PH_TYPE, 4, PT_NULL) } },
	{ "filesz > memsz", "elf-tiny-exec", -ENOEXEC,
	  { P(PH(1) + PH_FILESZ, 8, 0x147) } },
	{ "file bytes past end of file", "elf-tiny-exec", -ENOEXEC,
	  { P(PH(2) + PH_OFFSET, 8, 0x1148) } },
	{ "file bytes end at end of file", "elf-tiny-exec", 0,
	  { P(PH(2) + PH_OFFSET, 8, 0x3b8), P(PH(2) + PH_VADDR, 8, 0x113b8) } },
	{ "offset overflows", "elf-tiny-exec", -ENOEXEC,
	  { P(PH(2) + PH_OFFSET, 8, 0xfffffffffffff148ULL) } },
	{ "offset + filesz overflows", "elf-tiny-exec", -ENOEXEC,
	  { P(PH(2) + PH_FILESZ, 8, 0xfffffffffffffff0ULL),
	    P(PH(2) + PH_MEMSZ, 8, 0xfffffffffffffff0ULL) } },
	{ "vaddr + memsz overflows", "elf-tiny-exec", -ENOEXEC,
	  { P(PH(2) + PH_MEMSZ, 8, 0xffffffffffffff00ULL) } },
	{ "segment past the user half", "elf-tiny-exec", -ENOEXEC,
	  { P(PH(2) + PH_VADDR, 8, 0x3ffffff148ULL) } },
	{ "segment ends at the top of the user half", "elf-tiny-exec", 0,
	  { P(PH(2) + PH_VADDR, 8, 0x3fffffd148ULL), P(PH(2) + PH_MEMSZ, 8, 0x2eb8) } },
	{ "segment ends one byte past the top", "elf-tiny-exec", -ENOEXEC,
	  { P(PH(2) + PH_VADDR, 8, 0x3fffffd148ULL), P(PH(2) + PH_MEMSZ, 8, 0x2eb9) } },
	{ "vaddr above the user half", "elf-tiny-pie", -ENOEXEC,
	  { P(PH(2) + PH_VADDR, 8, 0xffffffc000001f00ULL) } },
	{ "vaddr and offset not congruent", "elf-tiny-exec", -ENOEXEC,
	  { P(PH(2) + PH_VADDR, 8, 0x11150) } },
	{ "PIE vaddr and offset not congruent", "elf-tiny-pie", -ENOEXEC,
	  { P(PH(2) + PH_OFFSET, 8, 0xf08) } },
	{ "segments overlap", "elf-tiny-exec", -ENOEXEC,
	  { P(PH(2) + PH_VADDR, 8, 0x10048) } },
	{ "segments share a page", "elf-tiny-exec", -ENOEXEC,
	  { P(PH(2) + PH_VADDR, 8, 0x10148) } },
	{ "segments descend", "elf-tiny-exec", -ENOEXEC,
	  { P(PH(2) + PH_VADDR, 8, 0x8148) } },
	{ "PIE segments share a page", "elf-tiny-pie", -ENOEXEC,
	  { P(PH(2) + PH_VADDR, 8, 0xf00) } },
	{ "ET_EXEC in page 0", "elf-tiny-exec", -ENOEXEC,
	  { P(PH(1) + PH_VADDR, 8, 0), P(PH(2) + PH_VADDR, 8, 0x1148),
	    P(EH_ENTRY, 8, 0x120) } },
	{ "ET_DYN at 0 is fine (biased later)", "elf-tiny-exec", 0,
	  { P(PH(1) + PH_VADDR, 8, 0), P(PH(2) + PH_VADDR, 8, 0x1148),
	    P(EH_ENTRY, 8, 0x120), P(EH_TYPE, 2, ET_DYN) } },
	{ "entry in the data segment", "elf-tiny-exec", -ENOEXEC,
	  { P(EH_ENTRY, 8, 0x11148) } },
	{ "entry just past the text", "elf-tiny-exec", -ENOEXEC,
	  { P(EH_ENTRY, 8, 0x10146) } },
	{ "entry on the last text byte", "elf-tiny-exec", 0,
	  { P(EH_ENTRY, 8, 0x10145) } },
	{ "entry 0", "elf-tiny-pie", -ENOEXEC,
	  { P(PH(1) + PH_FLAGS, 4, PF_R), P(EH_ENTRY, 8, 0) } },
	{ "entry far away", "elf-tiny-pie", -ENOEXEC,
	  { P(EH_ENTRY, 8, 0xffffffffffffffffULL) } },
	{ "text not executable", "elf-tiny-exec", -ENOEXEC,
	  { P(PH(1) + PH_FLAGS, 4, PF_R) } },
};

static void apply_poke(uint8_t *img, const struct poke *p)
{
	switch (p->width) {
	case 1: img[p->off] = (uint8_t)p->val; break;
	case 2: put16(img, p->off, (uint16_t)p->val); break;
	case 4: put32(img, p->off, (uint32_t)p->val); break;
	case 8: put64(img, p->off, p->val); break;
	}
}

TEST(elf_each_malformed_header_is_enoexec)
{
	for (size_t i = 0; i < ARRAY_SIZE(bad_cases); i++) {
		const struct bad_case *c = &bad_cases[i];
		struct elf_info in;
		size_t n;
		uint8_t *img = load_fixture(c->fixture, &n);
		int rc;

		if (!img)
			return;
		for (int k = 0; k < 4 && c->pokes[k].width; k++)
			apply_poke(img, &c->pokes[k]);
		rc = parse_bytes(img, n, &in);
		if (rc != c->rc) {
			char m[160];

			snprintf(m, sizeof(m), "%s: got %d, want %d", c->what, rc, c->rc);
			test_fail(__FILE__, __LINE__, m);
		}
		if (rc == 0)
			check_info_invariants(&in, n);
		free(img);
	}
}

TEST(elf_too_short_for_a_header)
{
	struct elf_info in;
	size_t n;
	uint8_t *img = load_fixture("elf-tiny-exec", &n);

	if (!img)
		return;
	CHECK_EQ(parse_bytes(img, 0, &in), -ENOEXEC);
	CHECK_EQ(parse_bytes(img, 63, &in), -ENOEXEC);
	free(img);
}

TEST(elf_sixteen_loads_accepted_seventeen_refused)
{
	struct elf64_phdr ph[17];
	struct elf_info in;
	uint8_t *img;

	for (int i = 0; i < 17; i++)
		ph[i] = load_page(0x10000 + 0x2000 * (uint64_t)i, 0x1000 * (uint64_t)i,
				  i == 0 ? PF_R | PF_X : PF_R | PF_W);
	img = synth(ph, 16, ET_EXEC, 0x10010, 17 * 0x1000);
	CHECK_EQ(parse_bytes(img, 17 * 0x1000, &in), 0);
	CHECK_EQ(in.nload, 16);
	CHECK_EQ(in.hi, 0x10000 + 0x2000 * 15 + 0x1000);
	CHECK_EQ(in.phdr, 0);		/* phdrs at offset 64 lie in no segment's file bytes */
	check_info_invariants(&in, 17 * 0x1000);
	free(img);

	img = synth(ph, 17, ET_EXEC, 0x10010, 17 * 0x1000);
	CHECK_EQ(parse_bytes(img, 17 * 0x1000, &in), -ENOEXEC);
	free(img);
}

TEST(elf_phdr_from_pt_phdr_or_from_the_load_that_holds_it)
{
	struct elf64_phdr ph[3] = {
		{ .p_type = PT_PHDR, .p_flags = PF_R, .p_offset = 64,
		  .p_vaddr = 0x20040, .p_filesz = 3 * 56, .p_memsz = 3 * 56 },
		load_page(0x20000, 0, PF_R | PF_X),
		{ .p_type = PT_GNU_STACK, .p_flags = PF_R | PF_W | PF_X },
	};
	struct elf_info in;
	uint8_t *img;

	ph[1].p_filesz = 0x800;
	img = synth(ph, 3, ET_EXEC, 0x20400, 0x1000);
	CHECK_EQ(parse_bytes(img, 0x1000, &in), 0);
	CHECK_EQ(in.phdr, 0x20040);
	CHECK(in.exec_stack);
	free(img);

	/* Without PT_PHDR: found through the load, as long as it holds all of it. */
	ph[0].p_type = PT_NOTE;
	img = synth(ph, 3, ET_EXEC, 0x20400, 0x1000);
	CHECK_EQ(parse_bytes(img, 0x1000, &in), 0);
	CHECK_EQ(in.phdr, 0x20040);
	free(img);

	ph[1].p_filesz = 64 + 3 * 56 - 1;	/* last header byte not in the load */
	img = synth(ph, 3, ET_EXEC, 0x20010, 0x1000);
	CHECK_EQ(parse_bytes(img, 0x1000, &in), 0);
	CHECK_EQ(in.phdr, 0);
	free(img);
}

TEST(elf_first_pt_interp_is_recorded)
{
	struct elf_info in;
	size_t n;
	uint8_t *img = load_fixture("elf-tiny-pie", &n);

	if (!img)
		return;
	CHECK_EQ(parse_bytes(img, n, &in), 0);
	CHECK_EQ(in.interp_len, 0);
	put32(img, PH(0) + PH_TYPE, PT_INTERP);	/* RISCV_ATTRIBUTES: 0x53 bytes at 0x102f */
	CHECK_EQ(parse_bytes(img, n, &in), 0);
	CHECK_EQ(in.interp_off, 0x102f);
	CHECK_EQ(in.interp_len, 0x53);
	put32(img, PH(4) + PH_TYPE, PT_INTERP);	/* GNU_STACK: a second one, of 0 bytes, is ignored */
	CHECK_EQ(parse_bytes(img, n, &in), 0);
	CHECK_EQ(in.interp_len, 0x53);
	free(img);
}

TEST(elf_stack_executable_only_if_gnu_stack_says_so)
{
	struct elf_info in;
	size_t n;
	uint8_t *img = load_fixture("elf-tiny-exec", &n);

	if (!img)
		return;
	put32(img, PH(3) + PH_FLAGS, PF_R | PF_W | PF_X);
	CHECK_EQ(parse_bytes(img, n, &in), 0);
	CHECK(in.exec_stack);
	put32(img, PH(3) + PH_TYPE, PT_NULL);	/* no PT_GNU_STACK: not executable */
	CHECK_EQ(parse_bytes(img, n, &in), 0);
	CHECK(!in.exec_stack);
	free(img);
}

TEST(elf_phdrs_may_end_exactly_at_end_of_file)
{
	struct elf64_phdr ph = load_page(0x10000, 0, PF_R | PF_X);
	struct elf_info in;
	uint8_t *img;

	ph.p_filesz = 64 + 56;
	img = synth(&ph, 1, ET_EXEC, 0x10000, 64 + 56);
	CHECK_EQ(parse_bytes(img, 64 + 56, &in), 0);
	CHECK_EQ(in.phdr, 0x10040);
	CHECK_EQ(parse_bytes(img, 64 + 55, &in), -ENOEXEC);
	free(img);
}

TEST(elf_empty_load_is_ignored)
{
	struct elf64_phdr ph[3] = {
		load_page(0x10000, 0, PF_R | PF_X),
		{ .p_type = PT_LOAD, .p_flags = PF_R, .p_offset = 0x123,
		  .p_vaddr = 0x5000123 },		/* memsz 0, out of order */
		load_page(0x11000, 0x1000, PF_R | PF_W),
	};
	struct elf_info in;
	uint8_t *img = synth(ph, 3, ET_EXEC, 0x10010, 0x2000);

	CHECK_EQ(parse_bytes(img, 0x2000, &in), 0);
	CHECK_EQ(in.nload, 2);
	CHECK_EQ(in.load[1].vaddr, 0x11000);
	free(img);
}

TEST(elf_read_errors_are_returned)
{
	struct elf_info in;
	size_t n;
	uint8_t *img = load_fixture("elf-tiny-exec", &n);

	if (!img)
		return;
	/* The header is read first, then one program header per call. */
	for (int call = 1; call <= 5; call++) {
		struct mem_file f = { .data = img, .size = n, .fail_at = call,
				      .fail_rc = -EIO };

		CHECK_EQ(elf_load_info(mem_read, &f, n, &in), -EIO);
		CHECK_EQ(f.calls, call);
	}
	{
		struct mem_file f = { .data = img, .size = n, .fail_at = 2,
				      .fail_rc = 1 };	/* a broken reader */

		CHECK_EQ(elf_load_info(mem_read, &f, n, &in), -EIO);
	}
	{
		struct mem_file f = { .data = img, .size = n };

		CHECK_EQ(elf_load_info(mem_read, &f, n, &in), 0);
		CHECK_EQ(f.calls, 5);
	}
	free(img);
}

/* Bytes a valid parse depends on: the headers and every segment's file bytes. */
static uint64_t needed_bytes(const struct elf_info *in, uint64_t phoff)
{
	uint64_t need = phoff + (uint64_t)in->phnum * 56;

	for (int i = 0; i < in->nload; i++)
		need = MAX(need, in->load[i].offset + in->load[i].filesz);
	return need;
}

TEST(elf_every_truncation_is_refused_until_the_data_is_there)
{
	const char *names[] = { "elf-tiny-exec", "elf-tiny-pie" };

	for (size_t k = 0; k < ARRAY_SIZE(names); k++) {
		struct elf_info full, in;
		uint64_t need;
		size_t n;
		uint8_t *img = load_fixture(names[k], &n);

		if (!img)
			return;
		CHECK_EQ(parse_bytes(img, n, &full), 0);
		need = needed_bytes(&full, 64);
		CHECK(need <= n);
		for (size_t len = 0; len < n; len++) {
			int rc = parse_bytes(img, len, &in);

			if (rc != (len >= need ? 0 : -ENOEXEC)) {
				char m[128];

				snprintf(m, sizeof(m), "%s cut to %zu: rc %d", names[k], len, rc);
				test_fail(__FILE__, __LINE__, m);
			}
		}
		free(img);
	}
}

/* splitmix64: a small seeded generator, so failures reproduce. */
static uint64_t rng_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* A value a fuzzer would like to put in an offset or size field. */
static uint64_t interesting(uint64_t *s, uint64_t size)
{
	static const uint64_t vals[] = {
		0, 1, 55, 56, 63, 64, 0xfff, 0x1000, 0x1001, 0x10000,
		ELF_USER_TOP - 0x1000, ELF_USER_TOP - 1, ELF_USER_TOP, ELF_USER_TOP + 1,
		0x7fffffffffffffffULL, 0x8000000000000000ULL, ~0ULL - 0xfff, ~0ULL,
	};
	uint64_t r = rng_next(s);

	switch (r % 4) {
	case 0: return vals[(r >> 8) % ARRAY_SIZE(vals)];
	case 1: return size - ((r >> 8) % 64);
	case 2: return rng_next(s) & 0xffff;
	default: return rng_next(s);
	}
}

TEST(elf_random_corruptions_never_crash_or_overread)
{
	struct elf64_phdr ph[4] = {
		{ .p_type = PT_PHDR, .p_flags = PF_R, .p_offset = 64,
		  .p_vaddr = 0x10040, .p_filesz = 4 * 56, .p_memsz = 4 * 56 },
		load_page(0x10000, 0, PF_R | PF_X),
		load_page(0x12000, 0x1000, PF_R | PF_W),
		{ .p_type = PT_GNU_STACK, .p_flags = PF_R | PF_W },
	};
	const uint8_t *bases[3];
	size_t sizes[3];
	uint64_t seed = 0x6b696c6275726eULL;
	int accepted = 0, refused = 0;

	bases[0] = load_fixture("elf-tiny-exec", &sizes[0]);
	bases[1] = load_fixture("elf-tiny-pie", &sizes[1]);
	bases[2] = synth(ph, 4, ET_EXEC, 0x10010, 0x2000);
	sizes[2] = 0x2000;
	if (!bases[0] || !bases[1])
		return;

	for (int iter = 0; iter < 6000; iter++) {
		int which = iter % 3;
		size_t n = sizes[which];
		uint8_t *img = malloc(n);
		struct elf_info in;
		int muts = 1 + (int)(rng_next(&seed) % 4);
		size_t hdr_end = MIN(n, 64 + 8 * 56);
		int rc;

		memcpy(img, bases[which], n);
		for (int m = 0; m < muts; m++) {
			uint64_t r = rng_next(&seed);

			switch (r % 4) {
			case 0:		/* one random byte in the headers */
				img[(r >> 8) % hdr_end] = (uint8_t)(r >> 40);
				break;
			case 1:		/* one 8-byte-aligned word in the headers */
				put64(img, ((r >> 8) % (hdr_end / 8)) * 8,
				      interesting(&seed, n));
				break;
			case 2:		/* a 4-byte field (types, flags) */
				put32(img, ((r >> 8) % (hdr_end / 4)) * 4,
				      (uint32_t)interesting(&seed, n));
				break;
			default:	/* cut the file short */
				n = (size_t)((r >> 8) % (n + 1));
				hdr_end = MIN(hdr_end, n);
				if (hdr_end < 8)
					hdr_end = MIN(n, 8);
				break;
			}
			if (n < 8)
				break;
		}
		rc = parse_bytes(img, n, &in);
		CHECK(rc == 0 || rc == -ENOEXEC);
		if (rc == 0) {
			accepted++;
			check_info_invariants(&in, n);
		} else {
			refused++;
		}
		free(img);
	}
	CHECK(accepted > 100);		/* the corruptions are not all fatal ... */
	CHECK(refused > 1000);		/* ... nor all harmless */
	free((void *)bases[0]);
	free((void *)bases[1]);
	free((void *)bases[2]);
}
