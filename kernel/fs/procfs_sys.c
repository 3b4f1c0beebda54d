/*
 * /proc's files about the whole system, in Linux's formats (man 5 proc).
 *
 *   meminfo   memory totals (kB)
 *   slabinfo  the kernel's object caches, Linux's version 2.1 format
 *   swaps     the active swap areas (vm/swapon.h)
 *   uptime    seconds since boot, and seconds the harts spent idle (summed)
 *   loadavg   1, 5, 15 minute load averages, running/total, the last pid
 *   version   the kernel's name and version
 *   stat      time per hart in ticks (USER_HZ = 100), context switches,
 *             boot time, processes created, running and blocked
 *   cpuinfo   one paragraph per hart, in Linux's RISC-V format
 *   mounts    what is mounted where
 *
 * Kilburn has no real-time clock: its wall clock counts from boot, so the
 * boot time (btime) is 0. Ticks are charged to user, system or idle only;
 * nice, iowait, irq and the rest stay 0.
 */
#include "fs/procfs_gen.h"
#include "arch/riscv/sbi.h"
#include "arch/riscv/timer.h"
#include "fs/vfs.h"
#include "kern/board.h"
#include "kern/proc.h"
#include "kern/sched.h"
#include "kern/version.h"
#include "vm/kmem.h"
#include "vm/pmm.h"
#include "vm/swap_slots.h"
#include "vm/swapon.h"

void procfs_gen_meminfo(struct sbuf *sb)
{
	kmem_reclaim();		/* empty slab pages count as free */
	uint64_t total = pmm_total_frames() * PAGE_SIZE / 1024;
	uint64_t free = pmm_free_frames() * PAGE_SIZE / 1024;
	uint64_t cached = vfs_cached_pages * PAGE_SIZE / 1024;
	uint64_t slab = kmem_slab_pages() * PAGE_SIZE / 1024;
	uint64_t swap_total, swap_free;

	swap_slots_totals(&swap_total, &swap_free);
	sbuf_printf(sb, "MemTotal:       %8lu kB\n", total);
	sbuf_printf(sb, "MemFree:        %8lu kB\n", free);
	sbuf_printf(sb, "MemAvailable:   %8lu kB\n", free);
	sbuf_printf(sb, "Cached:         %8lu kB\n", cached);
	sbuf_printf(sb, "SwapTotal:      %8lu kB\n", swap_total * (PAGE_SIZE / 1024));
	sbuf_printf(sb, "SwapFree:       %8lu kB\n", swap_free * (PAGE_SIZE / 1024));
	sbuf_printf(sb, "Slab:           %8lu kB\n", slab);
}

/* /proc/slabinfo: every object cache, in Linux's version 2.1 columns. */
void procfs_gen_slabinfo(struct sbuf *sb)
{
	size_t n = kmem_cache_infos(NULL, 0) + 8, got;
	struct kmem_cache_info *info = kmalloc(n * sizeof(*info), 0);

	if (!info) {
		sb->failed = true;
		return;
	}
	got = MIN(kmem_cache_infos(info, n), n);
	sbuf_printf(sb, "slabinfo - version: 2.1\n");
	sbuf_printf(sb, "# name            <active_objs> <num_objs> <objsize> "
		    "<objperslab> <pagesperslab> : tunables <limit> <batchcount> "
		    "<sharedfactor> : slabdata <active_slabs> <num_slabs> "
		    "<sharedavail>\n");
	for (size_t i = 0; i < got; i++)
		sbuf_printf(sb, "%-17s %6lu %6lu %6lu %4lu %4lu : tunables %4u %4u %4u"
			    " : slabdata %6lu %6lu %6u\n", info[i].name,
			    info[i].active, info[i].total, info[i].objsize,
			    info[i].per_slab, info[i].pages_per_slab, 0, 0, 0,
			    info[i].slabs, info[i].slabs, 0);
	kfree(info);
}

void procfs_gen_swaps(struct sbuf *sb)
{
	char *buf = kmalloc(PAGE_SIZE, 0);
	size_t n;

	if (!buf) {
		sb->failed = true;
		return;
	}
	n = swap_show(buf, PAGE_SIZE);	/* 32 areas of < 128 bytes fit */
	if (n >= PAGE_SIZE)
		sb->failed = true;
	else
		sbuf_printf(sb, "%s", buf);
	kfree(buf);
}

/* The idle ticks of every hart, summed. */
static uint64_t idle_ticks(void)
{
	uint64_t sum = 0;

	for (int i = 0; i < ncpus; i++)
		sum += READ_ONCE(cpus[i].idle_ticks);
	return sum;
}

void procfs_gen_uptime(struct sbuf *sb)
{
	uint64_t cs = timer_uptime_ns() / 10000000;	/* hundredths */
	uint64_t idle = idle_ticks() * 100 / TIMER_HZ;

	sbuf_printf(sb, "%lu.%02lu %lu.%02lu\n", cs / 100, cs % 100, idle / 100,
		    idle % 100);
}

/* x (FIXED_1 = 1.0) as Linux shows it: rounded to hundredths. */
static void loadavg_put(struct sbuf *sb, unsigned long x, const char *after)
{
	x += FIXED_1 / 200;
	sbuf_printf(sb, "%lu.%02lu%s", x >> FSHIFT,
		    ((x & (FIXED_1 - 1)) * 100) >> FSHIFT, after);
}

void procfs_gen_loadavg(struct sbuf *sb)
{
	loadavg_put(sb, READ_ONCE(sched_avenrun[0]), " ");
	loadavg_put(sb, READ_ONCE(sched_avenrun[1]), " ");
	loadavg_put(sb, READ_ONCE(sched_avenrun[2]), " ");
	sbuf_printf(sb, "%d/%d %d\n", sched_nr_running(), proc_count(), proc_last_pid());
}

void procfs_gen_version(struct sbuf *sb)
{
	sbuf_printf(sb, "%s version %s (kilburn@kilburn) (gcc version %s) %s\n",
		    KILBURN_SYSNAME, KILBURN_RELEASE, __VERSION__, KILBURN_VERSION);
}

/* One "cpu" line: user nice system idle iowait irq softirq steal guest guest_nice. */
static void stat_cpu_line(struct sbuf *sb, const char *name, uint64_t user,
			  uint64_t system, uint64_t idle)
{
	uint64_t k = 100 / TIMER_HZ;	/* to USER_HZ */

	sbuf_printf(sb, "%s %lu 0 %lu %lu 0 0 0 0 0 0\n", name, user * k,
		    system * k, idle * k);
}

void procfs_gen_stat(struct sbuf *sb)
{
	uint64_t user = 0, system = 0, idle = 0, ctxt = 0;
	char name[16];

	for (int i = 0; i < ncpus; i++) {
		user += READ_ONCE(cpus[i].user_ticks);
		system += READ_ONCE(cpus[i].system_ticks);
		idle += READ_ONCE(cpus[i].idle_ticks);
		ctxt += READ_ONCE(cpus[i].ctxt);
	}
	stat_cpu_line(sb, "cpu ", user, system, idle);
	for (int i = 0; i < ncpus; i++) {
		ksnprintf(name, sizeof(name), "cpu%d", i);
		stat_cpu_line(sb, name, READ_ONCE(cpus[i].user_ticks),
			      READ_ONCE(cpus[i].system_ticks),
			      READ_ONCE(cpus[i].idle_ticks));
	}
	sbuf_printf(sb, "ctxt %lu\nbtime 0\nprocesses %lu\nprocs_running %d\n"
		    "procs_blocked 0\n", ctxt, READ_ONCE(proc_forks),
		    sched_nr_running());
}

/* A machine identity register through the SBI base extension (0 if unknown). */
static unsigned long sbi_machine_id(long fid)
{
	struct sbiret r = sbi_call(SBI_EXT_BASE, fid, 0, 0, 0, 0, 0);

	return r.error ? 0 : (unsigned long)r.value;
}

void procfs_gen_cpuinfo(struct sbuf *sb)
{
	unsigned long vendor = sbi_machine_id(4), arch = sbi_machine_id(5),
		      imp = sbi_machine_id(6);
	const char *isa = boot_board.has_sstc ? "rv64imafdc_zicsr_zifencei_sstc" :
						"rv64imafdc_zicsr_zifencei";

	for (int i = 0; i < ncpus; i++) {
		if (!READ_ONCE(cpus[i].online))
			continue;
		sbuf_printf(sb, "processor\t: %d\nhart\t\t: %u\nisa\t\t: %s\n"
			    "mmu\t\t: sv39\nmvendorid\t: 0x%lx\nmarchid\t\t: 0x%lx\n"
			    "mimpid\t\t: 0x%lx\n\n", i, cpus[i].hartid, isa,
			    vendor, arch, imp);
	}
}

void procfs_gen_mounts(struct sbuf *sb)
{
	const char *path, *what;

	for (int i = 0; vfs_mount_info(i, &path, &what) == 0; i++) {
		size_t src = 0;

		while (what[src] && what[src] != ' ')
			src++;

		/* Linux's order: source, mount point, then type and options */
		sbuf_printf(sb, "%.*s %s%s 0 0\n", (int)src, what, path, what + src);
	}
}
