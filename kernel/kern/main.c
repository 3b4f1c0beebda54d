/*
 * kmain: the boot hart's way from the firmware to a running system.
 *
 *  1. read the device tree into boot_board (everything about the machine);
 *  2. take over physical memory (pmm) and build the kernel page table;
 *  3. move onto a guarded kernel stack, start the console, interrupts,
 *     the timer and the other harts;
 *  4. run the self-tests if asked (ktest=); else mount the file systems,
 *     activate the swap areas of swap=, start init (pid 1) and the
 *     page-out daemon, and become this hart's scheduler.
 */
#include "env.h"
#include "arch/riscv/cpu.h"
#include "arch/riscv/memlayout.h"
#include "arch/riscv/smp.h"
#include "arch/riscv/timer.h"
#include "dev/blk.h"
#include "dev/plic.h"
#include "dev/uart.h"
#include "dev/rtc.h"
#include "kern/board.h"
#include "kern/bootargs.h"
#include "fs/devfs.h"
#include "fs/procfs.h"
#include "fs/rootfs.h"
#include "fs/tmpfs.h"
#include "fs/vfs.h"
#include "kern/init.h"
#include "arch/riscv/vdso.h"
#include "kern/proc.h"
#include "kern/sched.h"
#include "kern/syscall.h"
#include "vm/vmspace.h"
#include "kern/kstack.h"
#include "kern/ktest.h"
#include "kern/power.h"
#include "vm/kmem.h"
#include "vm/pmap.h"
#include "vm/pmm.h"
#include "vm/policy.h"
#include "vm/reclaim.h"
#include "vm/pageout.h"
#include "vm/swapon.h"
#include "vm/faulttrace.h"

#define DTB_MAX_SIZE	(1UL << 20)

struct board boot_board;
static paddr_t dtb_pa;

void cpu_setup(int i, uint32_t hartid);
void call_on_stack(vaddr_t top, void (*fn)(void)) __noreturn;

static uint32_t be32(const void *p)
{
	const uint8_t *b = p;

	return (uint32_t)b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3];
}

static void read_device_tree(paddr_t pa)
{
	const char *why = NULL;
	const uint8_t *blob;
	uint32_t size;

	if (pa == 0 || (pa & 7) || pa >= DMAP_SIZE)
		panic("device tree: no blob at %p (from the firmware in a1)",
		      (void *)pa);
	blob = phys_to_virt(pa);
	size = be32(blob + 4);
	if (board_parse(blob, MIN(size, DTB_MAX_SIZE), &boot_board, &why) < 0) {
		power_init(&boot_board);	/* if the test device was found */
		panic("%s", why);
	}
}

/* Number the harts: the boot hart is cpu 0, the others follow in order. */
static void setup_cpus(uint32_t boot_hartid)
{
	int n = 1;

	cpu_setup(0, boot_hartid);
	for (int i = 0; i < boot_board.nharts && n < NCPU_MAX; i++)
		if (boot_board.hart_ids[i] != boot_hartid)
			cpu_setup(n++, boot_board.hart_ids[i]);
	ncpus = n;
}

static void take_memory(void)
{
	struct pmm_range ram[BOARD_MAX_MEM], resv[BOARD_MAX_RESERVED + 2];
	int nresv = 0;

	for (int i = 0; i < boot_board.nmem; i++) {
		ram[i].base = boot_board.mem[i].base;
		ram[i].size = boot_board.mem[i].size;
	}
	for (int i = 0; i < boot_board.nreserved; i++) {
		resv[nresv].base = boot_board.reserved[i].base;
		resv[nresv++].size = boot_board.reserved[i].size;
	}
	resv[nresv].base = virt_to_phys(_kernel_start);
	resv[nresv++].size = _kernel_end - _kernel_start;
	resv[nresv].base = dtb_pa;
	resv[nresv++].size = boot_board.dtb_size;
	if (pmm_init(ram, boot_board.nmem, resv, nresv) < 0)
		panic("pmm_init: cannot manage the RAM the device tree lists");
}

static void banner(void)
{
	uint64_t ram = 0, desc = pmm_descriptor_bytes();

	for (int i = 0; i < boot_board.nmem; i++)
		ram += boot_board.mem[i].size;
	kprintf("\nKilburn - memory virtualization done properly (RISC-V Sv39)\n");
	kprintf("  harts      %d online, booted on hart %u, timebase %lu Hz\n",
		smp_online_count(), cpus[0].hartid, boot_board.timebase_hz);
	for (int i = 0; i < boot_board.nmem; i++)
		kprintf("  RAM        %lu MiB at %#lx\n",
			boot_board.mem[i].size >> 20, boot_board.mem[i].base);
	kprintf("  frames     %lu total, %lu free (%lu KiB)\n",
		pmm_total_frames(), pmm_free_frames(),
		pmm_free_frames() * PAGE_SIZE / 1024);
	kprintf("  descriptors %lu KiB, %lu.%02lu%% of RAM\n", desc / 1024,
		desc * 100 / ram, desc * 10000 / ram % 100);
	kprintf("  bootargs   \"%s\"\n", boot_board.bootargs);
	vm_policy_choose(bootarg("vm.policy"));
}

/* Mount the file systems: the root disk, /tmp, /dev and /proc. */
static int mount_all(void)
{
	int err;

	vfs_init();
	err = rootfs_mount();

	if (err) {
		kprintf("rootfs: cannot mount the root disk (error %d)\n", -err);
		return err;
	}
	if ((err = tmpfs_mount("/tmp")) || (err = devfs_mount("/dev")) ||
	    (err = tmpfs_mount("/dev/shm")) ||	/* POSIX shared memory: shm_open */
	    (err = procfs_mount("/proc")))
		kprintf("vfs: mount failed (error %d)\n", -err);
	return err;
}

static void kmain_on_stack(void)
{
	plic_init(&boot_board);
	plic_init_hart();
	uart_init(&boot_board);
	console_set_output(uart_putc, uart_write);
	timer_init_hart();
	smp_init_hart();
	cpus[0].online = 1;
	smp_start();
	reclaim_set_reserve(pmm_total_frames(), smp_online_count());
	blk_init();
	banner();
	const char *which = bootarg("ktest");

	if (which)
		ktest_run(which[0] ? which : "all");
	if (mount_all() < 0) {
		kprintf("Nothing to run without a root file system: powering off.\n");
		power_off(1);
	}
	swap_boot(bootarg("swap"));
	init_start();
	pageout_init();		/* after init, which is pid 1 */
	scheduler();
}

/* The pid the fault trace records: the current process's, 0 for none. */
static int trace_pid(void)
{
	struct proc *p = current();

	return p ? p->pid : 0;
}

void kmain(uint64_t hartid, paddr_t dtb)
{
	dtb_pa = dtb;
	setup_cpus(hartid);	/* cpu 0 first: traps need its emergency stack */
	read_device_tree(dtb);
	setup_cpus(hartid);
	power_init(&boot_board);
	timer_setup(boot_board.timebase_hz);
	rtc_init(&boot_board);
	bootargs_parse(boot_board.bootargs);
	take_memory();
	pmap_bootstrap(&boot_board);
	kmem_init();
	vm_init();
	vdso_init();
	proc_init();
	faulttrace_set_clock(timer_uptime_ns, trace_pid);
	syscall_init();
	cpus[0].kstack_top = kstack_alloc();
	if (!cpus[0].kstack_top)
		panic("kmain: no memory for the boot hart's kernel stack");
	call_on_stack(cpus[0].kstack_top, kmain_on_stack);
}
