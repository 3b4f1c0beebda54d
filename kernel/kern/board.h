/*
 * board — what the device tree says about the machine.
 *
 * board_parse() reads the flattened device tree that the firmware passes at
 * boot and fills a struct board with everything the kernel needs: RAM and
 * reserved ranges, harts, the UART, the PLIC (with the S-mode context of each
 * hart), the virtio-mmio slots, the power-off test device, the real-time
 * clock, the timebase and the boot arguments. Nothing about the board is hard-coded elsewhere.
 *
 * Machine-independent: compiles on the host against host/env/env.h.
 */
#ifndef KILBURN_BOARD_H
#define KILBURN_BOARD_H

#include "env.h"

#define BOARD_MAX_MEM		8
#define BOARD_MAX_RESERVED	16
#define BOARD_MAX_HARTS		8
#define BOARD_MAX_VIRTIO	16
#define BOARD_BOOTARGS_MAX	1024

struct board_range {
	uint64_t base;
	uint64_t size;
};

struct board_dev {
	uint64_t base;		/* physical address of the registers */
	uint64_t size;
	uint32_t irq;		/* PLIC interrupt number, 0 if none */
};

struct board {
	struct board_range mem[BOARD_MAX_MEM];	/* /memory@... reg entries */
	int nmem;
	/* memory reservation block entries and /reserved-memory children */
	struct board_range reserved[BOARD_MAX_RESERVED];
	int nreserved;

	uint32_t hart_ids[BOARD_MAX_HARTS];	/* /cpus/cpu@N reg, status okay */
	int nharts;
	uint64_t timebase_hz;			/* /cpus timebase-frequency */
	bool has_sstc;				/* riscv,isa(-extensions) has sstc */

	struct board_dev uart;			/* compatible "ns16550a" */
	uint32_t uart_clock_hz;			/* clock-frequency, 0 if absent */

	struct board_dev plic;			/* compatible "riscv,plic0" or "sifive,plic-1.0.0" */
	uint32_t plic_ndev;			/* riscv,ndev */
	/* PLIC context of hart_ids[i]'s supervisor external interrupt, -1 if none */
	int plic_s_context[BOARD_MAX_HARTS];

	struct board_dev virtio[BOARD_MAX_VIRTIO];	/* compatible "virtio,mmio" */
	int nvirtio;

	struct board_dev test;			/* compatible "sifive,test0"; base 0 if absent */
	struct board_dev rtc;			/* compatible "google,goldfish-rtc"; base 0 if absent */

	char bootargs[BOARD_BOOTARGS_MAX];	/* /chosen/bootargs, "" if absent */
	uint64_t dtb_size;			/* totalsize from the header */
};

/* The board the kernel booted on (kern/main.c). */
extern struct board boot_board;

/*
 * board_parse - fill *b from the device tree blob at dtb, of which at most
 * avail bytes may be read. Returns 0, or a negative errno with *why set to a
 * static or b-owned message that names the missing or malformed part, such as
 * "device tree: /cpus has no timebase-frequency" or "device tree: truncated
 * blob". Never reads outside [dtb, dtb + avail). If the blob itself is
 * valid, b->test is filled even when a required part is missing, so the
 * kernel can still power off with a status.
 */
int board_parse(const void *dtb, size_t avail, struct board *b,
		const char **why);

#endif
