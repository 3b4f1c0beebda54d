/*
 * board — turning the device tree into a struct board.
 *
 * board_parse() validates the blob (fdt_init) and then fills the struct in
 * phases, one function each: memory, reserved ranges, harts, UART, PLIC (and
 * the S-mode context of each hart), virtio-mmio slots, the test device and
 * the boot arguments. A phase returns 0 or a negative errno with *why naming
 * what is missing (-ENODEV) or malformed (-EINVAL). Arrays that fill up keep
 * what they have and drop the rest; that is not an error.
 *
 * Nodes whose "status" is present and neither "okay" nor "ok" are ignored.
 */
#include "env.h"
#include "lib/fdt.h"
#include "kern/board.h"

#define PLIC_S_EXT_IRQ	9	/* cpu-intc interrupt: supervisor external */

/* Whether node is enabled: "status" absent, "okay" or "ok". */
static bool board_node_enabled(const struct fdt *fdt, int node)
{
	int len;
	const char *status = fdt_get_prop(fdt, node, "status", &len);

	if (!status)
		return true;
	return fdt_stringlist_contains(status, len, "okay") ||
	       fdt_stringlist_contains(status, len, "ok");
}

/*
 * Returns the first enabled node after node in document order (from the root
 * if node < 0) that is compatible with compat, or a negative errno.
 */
static int board_find_enabled(const struct fdt *fdt, int node,
			      const char *compat)
{
	do
		node = fdt_find_compatible(fdt, node, compat);
	while (node >= 0 && !board_node_enabled(fdt, node));
	return node;
}

/* Appends [base, base + size) to ranges unless size is 0 or it is full. */
static void board_add_range(struct board_range *ranges, int *n, int max,
			    uint64_t base, uint64_t size)
{
	if (size == 0 || *n >= max)
		return;
	ranges[*n].base = base;
	ranges[*n].size = size;
	(*n)++;
}

/*
 * Appends every entry of node's reg to ranges. Returns 0, or -EINVAL if the
 * reg (or its parent's cell counts) is malformed.
 */
static int board_add_reg(const struct fdt *fdt, int node,
			 struct board_range *ranges, int *n, int max)
{
	for (int i = 0;; i++) {
		uint64_t base, size;
		int err = fdt_reg(fdt, node, i, &base, &size);

		if (err == -ENOENT)
			return 0;
		if (err)
			return err;
		board_add_range(ranges, n, max, base, size);
	}
}

/*
 * Fills dev from node: its first reg entry and the first cell of its
 * "interrupts" (0 if absent). Returns 0, or -ENOENT/-EINVAL from fdt_reg().
 */
static int board_read_dev(const struct fdt *fdt, int node,
			  struct board_dev *dev)
{
	int len;
	const void *irq;
	int err = fdt_reg(fdt, node, 0, &dev->base, &dev->size);

	if (err)
		return err;
	irq = fdt_get_prop(fdt, node, "interrupts", &len);
	dev->irq = irq && len >= 4 ? fdt_be32(irq) : 0;
	return 0;
}

/* RAM: the reg of every node whose device_type is "memory". */
static int board_parse_memory(const struct fdt *fdt, struct board *b,
			      const char **why)
{
	int node;

	for (node = fdt_root(fdt); node >= 0; node = fdt_next_node(fdt, node, NULL)) {
		const char *type = fdt_prop_string(fdt, node, "device_type");

		if (!type || strcmp(type, "memory") != 0 ||
		    !board_node_enabled(fdt, node))
			continue;
		if (board_add_reg(fdt, node, b->mem, &b->nmem, BOARD_MAX_MEM)) {
			*why = "device tree: memory node has a malformed reg";
			return -EINVAL;
		}
	}
	if (b->nmem == 0) {
		*why = "device tree: no memory node with a reg";
		return -ENODEV;
	}
	return 0;
}

/*
 * Reserved ranges: the memory reservation block, then the reg of each
 * enabled child of /reserved-memory (children without reg are skipped).
 */
static int board_parse_reserved(const struct fdt *fdt, struct board *b,
				const char **why)
{
	uint64_t addr, size;
	int node;

	for (int i = 0; fdt_rsv_entry(fdt, i, &addr, &size) == 0; i++)
		board_add_range(b->reserved, &b->nreserved, BOARD_MAX_RESERVED,
				addr, size);
	node = fdt_find_path(fdt, "/reserved-memory");
	if (node < 0)
		return 0;
	for (node = fdt_first_child(fdt, node); node >= 0;
	     node = fdt_next_sibling(fdt, node)) {
		if (!board_node_enabled(fdt, node))
			continue;
		if (board_add_reg(fdt, node, b->reserved, &b->nreserved,
				  BOARD_MAX_RESERVED)) {
			*why = "device tree: /reserved-memory child has a malformed reg";
			return -EINVAL;
		}
	}
	return 0;
}

/*
 * Whether the '_'-separated ISA string isa has the component ext
 * ("rv64imafdch_zicsr_sstc" has "sstc").
 */
static bool board_isa_has(const char *isa, const char *ext)
{
	size_t n = strlen(ext);

	while (isa) {
		const char *sep = strchr(isa, '_');
		size_t len = sep ? (size_t)(sep - isa) : strlen(isa);

		if (len == n && strncmp(isa, ext, n) == 0)
			return true;
		isa = sep ? sep + 1 : NULL;
	}
	return false;
}

/* Whether cpu node reports the Sstc extension. */
static bool board_cpu_has_sstc(const struct fdt *fdt, int cpu)
{
	int len;
	const char *isa = fdt_prop_string(fdt, cpu, "riscv,isa");
	const char *exts = fdt_get_prop(fdt, cpu, "riscv,isa-extensions", &len);

	if (isa && board_isa_has(isa, "sstc"))
		return true;
	return exts && fdt_stringlist_contains(exts, len, "sstc");
}

/*
 * Harts: enabled children of /cpus with device_type "cpu", hart id = reg.
 * Also the timebase (on /cpus, else the first such cpu that has one) and
 * has_sstc (every kept hart has Sstc).
 */
static int board_parse_cpus(const struct fdt *fdt, struct board *b,
			    const char **why)
{
	int cpus = fdt_find_path(fdt, "/cpus");
	bool all_sstc = true;
	uint64_t tb = 0;
	int cpu;

	if (cpus < 0) {
		*why = "device tree: no /cpus node";
		return -ENODEV;
	}
	fdt_prop_u64(fdt, cpus, "timebase-frequency", &tb);
	for (cpu = fdt_first_child(fdt, cpus); cpu >= 0;
	     cpu = fdt_next_sibling(fdt, cpu)) {
		const char *type = fdt_prop_string(fdt, cpu, "device_type");
		uint64_t id;

		if (!type || strcmp(type, "cpu") != 0 ||
		    !board_node_enabled(fdt, cpu))
			continue;
		if (fdt_reg(fdt, cpu, 0, &id, NULL) || id > 0xffffffffU) {
			*why = "device tree: cpu node has no valid reg";
			return -EINVAL;
		}
		if (b->nharts == BOARD_MAX_HARTS)
			continue;
		b->hart_ids[b->nharts++] = (uint32_t)id;
		all_sstc = all_sstc && board_cpu_has_sstc(fdt, cpu);
		if (tb == 0)
			fdt_prop_u64(fdt, cpu, "timebase-frequency", &tb);
	}
	if (b->nharts == 0) {
		*why = "device tree: no usable cpu under /cpus";
		return -ENODEV;
	}
	if (tb == 0) {
		*why = "device tree: /cpus has no timebase-frequency";
		return -ENODEV;
	}
	b->timebase_hz = tb;
	b->has_sstc = all_sstc;
	return 0;
}

/* The console UART: the first enabled node compatible "ns16550a". */
static int board_parse_uart(const struct fdt *fdt, struct board *b,
			    const char **why)
{
	int node = board_find_enabled(fdt, -1, "ns16550a");
	uint32_t clock;

	if (node < 0) {
		*why = "device tree: no ns16550a UART";
		return -ENODEV;
	}
	if (board_read_dev(fdt, node, &b->uart)) {
		*why = "device tree: ns16550a UART has no valid reg";
		return -EINVAL;
	}
	if (fdt_prop_u32(fdt, node, "clock-frequency", &clock) == 0)
		b->uart_clock_hz = clock;
	return 0;
}

/* Returns the index of hart id in b->hart_ids, or -1. */
static int board_hart_index(const struct board *b, uint64_t id)
{
	for (int i = 0; i < b->nharts; i++)
		if (b->hart_ids[i] == id)
			return i;
	return -1;
}

/*
 * Records context k of the PLIC if it is the supervisor external interrupt
 * (irq 9) of a known hart: intc is the interrupt controller the context is
 * wired to, a child of that hart's cpu node.
 */
static void board_plic_note_context(const struct fdt *fdt, struct board *b,
				    int intc, uint32_t irq, int k)
{
	uint64_t id;
	int i;

	if (irq != PLIC_S_EXT_IRQ)
		return;
	if (fdt_reg(fdt, fdt_parent(fdt, intc), 0, &id, NULL))
		return;
	i = board_hart_index(b, id);
	if (i >= 0 && b->plic_s_context[i] < 0)
		b->plic_s_context[i] = k;
}

/*
 * Walks the PLIC's interrupts-extended: a list of (phandle, specifier)
 * entries, where the specifier has the referenced controller's
 * #interrupt-cells cells. Entry k is PLIC context k. Returns 0, or -EINVAL
 * with *why set if an entry names no node or runs off the end.
 */
static int board_plic_contexts(const struct fdt *fdt, int plic,
			       struct board *b, const char **why)
{
	int len;
	const uint8_t *cells = fdt_get_prop(fdt, plic, "interrupts-extended", &len);
	size_t pos = 0, ncells = cells ? (size_t)len / 4 : 0;

	*why = "device tree: PLIC interrupts-extended is malformed";
	for (int k = 0; pos < ncells; k++) {
		int intc = fdt_find_phandle(fdt, fdt_be32(cells + 4 * pos));
		uint32_t icells;

		if (intc < 0 ||
		    fdt_prop_u32(fdt, intc, "#interrupt-cells", &icells) ||
		    icells > ncells - pos - 1)
			return -EINVAL;
		if (icells >= 1)
			board_plic_note_context(fdt, b, intc,
						fdt_be32(cells + 4 * (pos + 1)), k);
		pos += 1 + icells;
	}
	*why = NULL;
	return 0;
}

/* Returns the first enabled PLIC node, or a negative errno. */
static int board_find_plic(const struct fdt *fdt)
{
	int node;

	for (node = fdt_root(fdt); node >= 0; node = fdt_next_node(fdt, node, NULL))
		if ((fdt_is_compatible(fdt, node, "riscv,plic0") ||
		     fdt_is_compatible(fdt, node, "sifive,plic-1.0.0")) &&
		    board_node_enabled(fdt, node))
			return node;
	return node;
}

/* The PLIC: registers, number of sources and each hart's S-mode context. */
static int board_parse_plic(const struct fdt *fdt, struct board *b,
			    const char **why)
{
	int node = board_find_plic(fdt);

	if (node < 0) {
		*why = "device tree: no PLIC (riscv,plic0 or sifive,plic-1.0.0)";
		return -ENODEV;
	}
	if (board_read_dev(fdt, node, &b->plic)) {
		*why = "device tree: PLIC has no valid reg";
		return -EINVAL;
	}
	b->plic.irq = 0;
	if (fdt_prop_u32(fdt, node, "riscv,ndev", &b->plic_ndev)) {
		*why = "device tree: PLIC has no riscv,ndev";
		return -EINVAL;
	}
	return board_plic_contexts(fdt, node, b, why);
}

/*
 * Inserts dev into the ascending-by-base virtio array. When it is full, the
 * highest slot is dropped, so the lowest BOARD_MAX_VIRTIO slots are kept.
 */
static void board_add_virtio(struct board *b, const struct board_dev *dev)
{
	int i = b->nvirtio < BOARD_MAX_VIRTIO ? b->nvirtio++ : BOARD_MAX_VIRTIO;

	for (; i > 0 && b->virtio[i - 1].base > dev->base; i--)
		if (i < BOARD_MAX_VIRTIO)
			b->virtio[i] = b->virtio[i - 1];
	if (i < BOARD_MAX_VIRTIO)
		b->virtio[i] = *dev;
}

/* Virtio-mmio slots: every enabled node compatible "virtio,mmio". */
static int board_parse_virtio(const struct fdt *fdt, struct board *b,
			      const char **why)
{
	int node;

	for (node = board_find_enabled(fdt, -1, "virtio,mmio"); node >= 0;
	     node = board_find_enabled(fdt, node, "virtio,mmio")) {
		struct board_dev dev;

		if (board_read_dev(fdt, node, &dev)) {
			*why = "device tree: virtio,mmio node has no valid reg";
			return -EINVAL;
		}
		board_add_virtio(b, &dev);
	}
	return 0;
}

/* The test (power-off) device, optional: left zero if absent or unusable. */
static void board_parse_test(const struct fdt *fdt, struct board *b)
{
	int node = board_find_enabled(fdt, -1, "sifive,test0");

	if (node < 0 || board_read_dev(fdt, node, &b->test))
		memset(&b->test, 0, sizeof(b->test));
}

/* The Goldfish real-time clock, optional: left zero if absent or unusable. */
static void board_parse_rtc(const struct fdt *fdt, struct board *b)
{
	int node = board_find_enabled(fdt, -1, "google,goldfish-rtc");

	if (node < 0 || board_read_dev(fdt, node, &b->rtc))
		memset(&b->rtc, 0, sizeof(b->rtc));
}

/* /chosen/bootargs, truncated to fit; "" if absent. */
static void board_parse_bootargs(const struct fdt *fdt, struct board *b)
{
	int len;
	const char *args = NULL;
	int chosen = fdt_find_path(fdt, "/chosen");
	size_t n;

	b->bootargs[0] = 0;
	if (chosen >= 0)
		args = fdt_get_prop(fdt, chosen, "bootargs", &len);
	if (!args)
		return;
	n = strnlen(args, (size_t)len);
	n = MIN(n, sizeof(b->bootargs) - 1);
	memcpy(b->bootargs, args, n);
	b->bootargs[n] = 0;
}

int board_parse(const void *dtb, size_t avail, struct board *b,
		const char **why)
{
	struct fdt fdt;
	const char *dummy;
	int err;

	if (!why)
		why = &dummy;
	memset(b, 0, sizeof(*b));
	for (int i = 0; i < BOARD_MAX_HARTS; i++)
		b->plic_s_context[i] = -1;
	*why = NULL;
	err = fdt_init(&fdt, dtb, avail, why);
	if (err)
		return err;
	b->dtb_size = fdt.totalsize;
	board_parse_test(&fdt, b);	/* first: a failed parse can still power off */
	if ((err = board_parse_memory(&fdt, b, why)) ||
	    (err = board_parse_reserved(&fdt, b, why)) ||
	    (err = board_parse_cpus(&fdt, b, why)) ||
	    (err = board_parse_uart(&fdt, b, why)) ||
	    (err = board_parse_plic(&fdt, b, why)) ||
	    (err = board_parse_virtio(&fdt, b, why)))
		return err;
	board_parse_rtc(&fdt, b);
	board_parse_bootargs(&fdt, b);
	return 0;
}
