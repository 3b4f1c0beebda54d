/*
 * ELF64 executables: validate one and describe what execve must map.
 *
 * elf_load_info() reads the ELF header and the program headers through a
 * caller-supplied read function (the file may live in the page cache, a cpio
 * archive or, in the host tests, a plain buffer), checks everything a hostile
 * file could get wrong, and fills a struct elf_info. It allocates nothing and
 * never reads outside [0, file_size).
 *
 * Programs are ET_EXEC (linked at fixed addresses) or ET_DYN (PIE, linked at
 * 0). A PT_INTERP segment names the program's dynamic linker: elf_load_info()
 * records where the name lies in the file (interp_off, interp_len) and
 * execve (kern/exec_interp.c) reads it, loads that file too and starts it
 * instead of the program. Without PT_INTERP an ET_DYN is a static PIE,
 * relocated by its own start-up code.
 *
 * Addresses in struct elf_info are the file's own (unbiased). For ET_DYN the
 * caller picks a load bias with elf_bias_for() and adds it to every address
 * (segments, entry, phdr); for ET_EXEC the bias is 0.
 *
 * Mapping a segment s at bias b (what the loader does with this description):
 *	pages [ALIGN_DOWN(s.vaddr + b), ALIGN_UP(s.vaddr + s.memsz + b)) with s.prot;
 *	file bytes [s.offset, s.offset + s.filesz) appear at s.vaddr + b (the page
 *	offsets agree: s.vaddr % PAGE_SIZE == s.offset % PAGE_SIZE);
 *	bytes from s.vaddr + s.filesz up to the end of the last page are zero
 *	(including the tail of the page holding the last file byte).
 * Segments are sorted and no two share a page, so each page belongs to exactly
 * one segment and gets exactly one protection.
 *
 * Machine-independent: compiles on the host against host/env/env.h.
 */
#ifndef KILBURN_ELF_H
#define KILBURN_ELF_H

#include "env.h"

/* ------------------------------------------------------------ file format */

#define EI_NIDENT	16
#define EI_MAG0		0		/* 0x7f 'E' 'L' 'F' */
#define EI_CLASS	4
#define EI_DATA		5
#define EI_VERSION	6
#define EI_OSABI	7

#define ELFMAG0		0x7f
#define ELFMAG1		'E'
#define ELFMAG2		'L'
#define ELFMAG3		'F'
#define ELFCLASS64	2
#define ELFDATA2LSB	1		/* little-endian */
#define EV_CURRENT	1

#define ET_EXEC		2		/* executable at fixed addresses */
#define ET_DYN		3		/* position-independent (PIE, shared object) */

#define EM_RISCV	243

#define PT_NULL		0
#define PT_LOAD		1
#define PT_DYNAMIC	2
#define PT_INTERP	3
#define PT_NOTE		4
#define PT_PHDR		6
#define PT_TLS		7
#define PT_GNU_STACK	0x6474e551

#define PF_X		0x1
#define PF_W		0x2
#define PF_R		0x4

/* The ELF header, at offset 0 of the file. */
struct elf64_ehdr {
	uint8_t e_ident[EI_NIDENT];
	uint16_t e_type;
	uint16_t e_machine;
	uint32_t e_version;
	uint64_t e_entry;
	uint64_t e_phoff;		/* file offset of the program headers */
	uint64_t e_shoff;
	uint32_t e_flags;
	uint16_t e_ehsize;
	uint16_t e_phentsize;
	uint16_t e_phnum;
	uint16_t e_shentsize;
	uint16_t e_shnum;
	uint16_t e_shstrndx;
};

/* A program header: one segment. */
struct elf64_phdr {
	uint32_t p_type;
	uint32_t p_flags;		/* PF_* */
	uint64_t p_offset;
	uint64_t p_vaddr;
	uint64_t p_paddr;
	uint64_t p_filesz;
	uint64_t p_memsz;
	uint64_t p_align;
};

_Static_assert(sizeof(struct elf64_ehdr) == 64, "ELF64 header is 64 bytes");
_Static_assert(sizeof(struct elf64_phdr) == 56, "ELF64 program header is 56 bytes");

/* ------------------------------------------------------------ limits */

/* End of the user half (memlayout.h's USER_TOP; elf.c checks they agree). */
#define ELF_USER_TOP	0x4000000000ULL

#define ELF_MAX_PHNUM	128		/* program headers accepted */
#define ELF_MAX_LOADS	16		/* PT_LOAD segments accepted */
#define ELF_INTERP_MAX	4096		/* bytes of a PT_INTERP path, NUL included
					   (Linux: PATH_MAX) */

/*
 * Where an ET_DYN image goes when the caller has no preference: two thirds of
 * the user half, page-aligned (0x2aaaaaa000), as Linux's ELF_ET_DYN_BASE for
 * Sv39 without randomisation. High enough to leave room below for brk of a
 * fixed-address program, low enough to leave the top third for mmap and stack.
 */
#define ELF_ET_DYN_BASE	((ELF_USER_TOP / 3 * 2) & ~(uint64_t)PAGE_MASK)

/* Segment protections in struct elf_segment (same values as PROT_*). */
#define ELF_PROT_READ	1
#define ELF_PROT_WRITE	2
#define ELF_PROT_EXEC	4

/* ------------------------------------------------------------ description */

/* One PT_LOAD segment, unbiased. */
struct elf_segment {
	uint64_t vaddr;			/* first byte in memory */
	uint64_t memsz;			/* bytes in memory (> 0) */
	uint64_t offset;		/* file offset of the first byte */
	uint64_t filesz;		/* bytes from the file (<= memsz); the rest is zero */
	unsigned int prot;		/* ELF_PROT_* bits */
};

/* What execve needs to know about a valid executable. */
struct elf_info {
	int type;			/* ET_EXEC or ET_DYN */
	uint64_t entry;			/* e_entry, unbiased; inside an executable segment */
	uint64_t phdr;			/* address of the program headers in memory
					   (AT_PHDR, unbiased), 0 if not mapped */
	uint16_t phnum;			/* AT_PHNUM */
	uint16_t phent;			/* AT_PHENT: always 56 */
	bool exec_stack;		/* PT_GNU_STACK asks for PF_X; default false */
	uint64_t interp_off;		/* PT_INTERP (the first one): the file bytes */
	uint64_t interp_len;		/* of the interpreter's path; 0: none */
	int nload;			/* entries used in load[], 1 .. ELF_MAX_LOADS */
	struct elf_segment load[ELF_MAX_LOADS];	/* ascending, page-disjoint */
	uint64_t lo;			/* first page of the image (page-aligned) */
	uint64_t hi;			/* end of its last page (page-aligned) */
};

/*
 * How elf_load_info() reads the file: copy len bytes at offset off into buf.
 * Returns 0 when all len bytes were copied, or a negative errno (-EIO, ...).
 * It is only asked for ranges inside [0, file_size).
 */
typedef int (*elf_read_fn)(void *ctx, uint64_t off, void *buf, size_t len);

/*
 * elf_load_info - validate the executable behind read/ctx (file_size bytes)
 * and describe it in *out.
 *
 * Accepted: ELFCLASS64, little-endian, version 1, EM_RISCV, ET_EXEC or
 * ET_DYN, e_phentsize 56, 1..ELF_MAX_PHNUM program headers inside the file,
 * a PT_INTERP (if any) of 2..ELF_INTERP_MAX bytes inside the file (whether
 * they hold a path is the caller's check), 1..ELF_MAX_LOADS PT_LOADs of nonzero size (PT_LOADs with
 * p_memsz == 0 are ignored), each with filesz <= memsz, its file bytes inside
 * the file, vaddr % PAGE_SIZE == offset % PAGE_SIZE, vaddr + memsz at most
 * ELF_USER_TOP, listed in ascending address order with no page shared between
 * two of them; an ET_EXEC may not touch page 0; the entry point must lie in an
 * executable segment.
 *
 * AT_PHDR comes from PT_PHDR if present, otherwise from the PT_LOAD whose file
 * bytes contain the whole program-header table, otherwise it is 0.
 *
 * Returns 0 with *out filled; -ENOEXEC for any file that breaks the rules
 * above (*out is then unspecified); or the negative errno of a failed read.
 */
int elf_load_info(elf_read_fn read, void *ctx, uint64_t file_size,
		  struct elf_info *out);

/*
 * elf_bias_for - choose the load bias of a described image: 0 for ET_EXEC;
 * for ET_DYN, the page-aligned value that puts the image's first page at
 * base (rounded down to a page), or at ELF_ET_DYN_BASE if base is 0. The bias
 * is added (mod 2^64) to every address in *info.
 * Returns 0 with *bias set, or -ENOMEM if the biased ET_DYN image would
 * touch page 0 or end above ELF_USER_TOP.
 */
int elf_bias_for(const struct elf_info *info, uint64_t base, uint64_t *bias);

#endif
