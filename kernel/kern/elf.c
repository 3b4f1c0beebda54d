/*
 * Validation of ELF64 executables; see elf.h.
 *
 * The file is untrusted. Every offset and size read from it is checked for
 * overflow before it is used, and the read function is only asked for bytes
 * that exist. The structures are read as they lie in the file: both the
 * target and the host are little-endian, and elf_check_ehdr() refuses
 * anything else.
 */
#include "kern/elf.h"

#ifdef USER_TOP
_Static_assert(ELF_USER_TOP == USER_TOP, "elf.h and memlayout.h disagree on the user half");
#endif

/* Reads len bytes at off; a read function returning > 0 is a broken read. */
static int elf_read(elf_read_fn read, void *ctx, uint64_t off, void *buf, size_t len)
{
	int rc = read(ctx, off, buf, len);

	if (rc == 0)
		return 0;
	return rc < 0 ? rc : -EIO;
}

/* True if [off, off + len) lies inside a file of size bytes. */
static bool elf_in_file(uint64_t off, uint64_t len, uint64_t size)
{
	return off <= size && len <= size - off;
}

/*
 * Checks the identification and the fixed fields of the ELF header, and that
 * the program-header table lies inside the file. Returns 0 or -ENOEXEC.
 */
static int elf_check_ehdr(const struct elf64_ehdr *eh, uint64_t file_size)
{
	const uint8_t *id = eh->e_ident;

	if (id[EI_MAG0] != ELFMAG0 || id[EI_MAG0 + 1] != ELFMAG1 ||
	    id[EI_MAG0 + 2] != ELFMAG2 || id[EI_MAG0 + 3] != ELFMAG3)
		return -ENOEXEC;
	if (id[EI_CLASS] != ELFCLASS64 || id[EI_DATA] != ELFDATA2LSB ||
	    id[EI_VERSION] != EV_CURRENT || eh->e_version != EV_CURRENT)
		return -ENOEXEC;
	if (eh->e_machine != EM_RISCV)
		return -ENOEXEC;
	if (eh->e_type != ET_EXEC && eh->e_type != ET_DYN)
		return -ENOEXEC;
	if (eh->e_phentsize != sizeof(struct elf64_phdr))
		return -ENOEXEC;
	if (eh->e_phnum == 0 || eh->e_phnum > ELF_MAX_PHNUM)
		return -ENOEXEC;
	if (!elf_in_file(eh->e_phoff,
			 (uint64_t)eh->e_phnum * sizeof(struct elf64_phdr), file_size))
		return -ENOEXEC;
	return 0;
}

/* PF_* flags to ELF_PROT_* bits. */
static unsigned int elf_prot(uint32_t flags)
{
	unsigned int prot = 0;

	if (flags & PF_R)
		prot |= ELF_PROT_READ;
	if (flags & PF_W)
		prot |= ELF_PROT_WRITE;
	if (flags & PF_X)
		prot |= ELF_PROT_EXEC;
	return prot;
}

/*
 * Checks one PT_LOAD and appends it to out->load[]. PT_LOADs that occupy no
 * memory are checked for sizes and then skipped. Returns 0 or -ENOEXEC.
 */
static int elf_add_load(struct elf_info *out, const struct elf64_phdr *ph,
			uint64_t file_size)
{
	struct elf_segment *seg;

	if (ph->p_filesz > ph->p_memsz)
		return -ENOEXEC;
	if (!elf_in_file(ph->p_offset, ph->p_filesz, file_size))
		return -ENOEXEC;
	if (ph->p_memsz == 0)
		return 0;
	if (ph->p_vaddr > ELF_USER_TOP || ph->p_memsz > ELF_USER_TOP - ph->p_vaddr)
		return -ENOEXEC;
	if ((ph->p_vaddr & PAGE_MASK) != (ph->p_offset & PAGE_MASK))
		return -ENOEXEC;
	if (out->type == ET_EXEC && ph->p_vaddr < PAGE_SIZE)
		return -ENOEXEC;	/* page 0 is never mapped */
	if (out->nload == ELF_MAX_LOADS)
		return -ENOEXEC;
	if (out->nload > 0) {
		const struct elf_segment *prev = &out->load[out->nload - 1];

		/* Ascending, and the first page is not the previous one's last. */
		if (ALIGN_DOWN(ph->p_vaddr, PAGE_SIZE) <
		    ALIGN_UP(prev->vaddr + prev->memsz, PAGE_SIZE))
			return -ENOEXEC;
	}
	seg = &out->load[out->nload++];
	seg->vaddr = ph->p_vaddr;
	seg->memsz = ph->p_memsz;
	seg->offset = ph->p_offset;
	seg->filesz = ph->p_filesz;
	seg->prot = elf_prot(ph->p_flags);
	return 0;
}

/*
 * Reads the program headers one at a time (no big buffer on the kernel
 * stack) and records what they say. Returns 0, -ENOEXEC or a read error.
 */
static int elf_scan_phdrs(elf_read_fn read, void *ctx, uint64_t file_size,
			  const struct elf64_ehdr *eh, struct elf_info *out,
			  bool *have_phdr)
{
	struct elf64_phdr ph;
	int rc;

	for (unsigned int i = 0; i < eh->e_phnum; i++) {
		rc = elf_read(read, ctx, eh->e_phoff + (uint64_t)i * sizeof(ph),
			      &ph, sizeof(ph));
		if (rc)
			return rc;
		switch (ph.p_type) {
		case PT_LOAD:
			rc = elf_add_load(out, &ph, file_size);
			if (rc)
				return rc;
			break;
		case PT_INTERP:
			/* as Linux: the first counts, and must be 2..PATH_MAX bytes */
			if (out->interp_len)
				break;
			if (ph.p_filesz < 2 || ph.p_filesz > ELF_INTERP_MAX ||
			    !elf_in_file(ph.p_offset, ph.p_filesz, file_size))
				return -ENOEXEC;
			out->interp_off = ph.p_offset;
			out->interp_len = ph.p_filesz;
			break;
		case PT_PHDR:
			out->phdr = ph.p_vaddr;
			*have_phdr = true;
			break;
		case PT_GNU_STACK:
			out->exec_stack = (ph.p_flags & PF_X) != 0;
			break;
		default:
			break;		/* PT_TLS, PT_NOTE, ...: the program's business */
		}
	}
	return 0;
}

/*
 * Without PT_PHDR, the program headers are in memory if some PT_LOAD maps
 * the file bytes that hold them (Linux assumes the first one does; this
 * checks). Returns their unbiased address, or 0.
 */
static uint64_t elf_phdr_from_loads(const struct elf_info *info, uint64_t phoff)
{
	uint64_t size = (uint64_t)info->phnum * info->phent;

	for (int i = 0; i < info->nload; i++) {
		const struct elf_segment *s = &info->load[i];

		if (phoff >= s->offset && phoff - s->offset <= s->filesz &&
		    size <= s->filesz - (phoff - s->offset))
			return s->vaddr + (phoff - s->offset);
	}
	return 0;
}

/* True if the entry point is inside an executable segment. */
static bool elf_entry_ok(const struct elf_info *info)
{
	for (int i = 0; i < info->nload; i++) {
		const struct elf_segment *s = &info->load[i];

		if ((s->prot & ELF_PROT_EXEC) && info->entry >= s->vaddr &&
		    info->entry - s->vaddr < s->memsz)
			return true;
	}
	return false;
}

int elf_load_info(elf_read_fn read, void *ctx, uint64_t file_size,
		  struct elf_info *out)
{
	struct elf64_ehdr eh;
	bool have_phdr = false;
	int rc;

	memset(out, 0, sizeof(*out));
	if (file_size < sizeof(eh))
		return -ENOEXEC;
	rc = elf_read(read, ctx, 0, &eh, sizeof(eh));
	if (rc)
		return rc;
	rc = elf_check_ehdr(&eh, file_size);
	if (rc)
		return rc;

	out->type = eh.e_type;
	out->entry = eh.e_entry;
	out->phnum = eh.e_phnum;
	out->phent = eh.e_phentsize;
	rc = elf_scan_phdrs(read, ctx, file_size, &eh, out, &have_phdr);
	if (rc)
		return rc;
	if (out->nload == 0)
		return -ENOEXEC;
	if (!elf_entry_ok(out))
		return -ENOEXEC;
	if (!have_phdr)
		out->phdr = elf_phdr_from_loads(out, eh.e_phoff);

	out->lo = ALIGN_DOWN(out->load[0].vaddr, PAGE_SIZE);
	out->hi = ALIGN_UP(out->load[out->nload - 1].vaddr +
			   out->load[out->nload - 1].memsz, PAGE_SIZE);
	return 0;
}

int elf_bias_for(const struct elf_info *info, uint64_t base, uint64_t *bias)
{
	uint64_t span = info->hi - info->lo;

	if (info->type != ET_DYN) {
		*bias = 0;
		return 0;
	}
	if (base == 0)
		base = ELF_ET_DYN_BASE;
	base = ALIGN_DOWN(base, PAGE_SIZE);
	if (base < PAGE_SIZE || base > ELF_USER_TOP || span > ELF_USER_TOP - base)
		return -ENOMEM;
	*bias = base - info->lo;
	return 0;
}
