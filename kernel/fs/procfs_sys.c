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
 * The boot time (btime) is the wall time at boot, from the real-time clock
 * (dev/rtc.h). Ticks are charged to user, system or idle only;
 * nice, iowait, irq and the rest stay 0. "intr" gives the total and the
 * count of each PLIC source (dev/plic.h); "softirq" is all 0 (none);
 * procs_blocked is 0 (no uninterruptible sleep is counted).
 */
#include "fs/procfs_gen.h"
#include "arch/riscv/sbi.h"
#include "arch/riscv/timer.h"
#include "fs/vfs.h"
#include "kern/board.h"
#include "kern/proc.h"
#include "kern/sched.h"
#include "kern/version.h"
#include "arch/riscv/memlayout.h"
#include "vm/commit.h"
#include "vm/kmem.h"
#include "dev/blk.h"
#include "dev/plic.h"
#include "dev/rtc.h"
#include "vm/pmm.h"
#include "vm/swap_slots.h"
#include "vm/anon.h"
#include "vm/pcache.h"
#include "vm/policy.h"
#include "vm/reclaim.h"
#include "vm/swapon.h"
#include "vm/vmstat.h"
#include "vm/faulttrace.h"
#include "vm/pmap.h"

/* One line of meminfo: the name and colon in 16 columns, kB in 8 (Linux's). */
static void meminfo_line(struct sbuf *sb, const char *name, uint64_t pages)
{
	char label[24];

	ksnprintf(label, sizeof(label), "%s:", name);
	sbuf_printf(sb, "%-16s%8lu kB\n", label, pages * (PAGE_SIZE / 1024));
}

/*
 * Linux's LRU lists, as Kilburn has them. The replacement policy holds the
 * evictable anonymous and swap-backed pages and says which are active
 * (vm_policy_ops.is_active; docs/vm-policy.md); their kinds and sides are
 * its own counts; the pages of the root file system's files are on it too.
 * Cached pages of files the policy does not hold (none today but those
 * of a cache not set up as evictable) are Inactive(file) when unmapped and
 * Active(file) when mapped. What a locked region keeps off the policy
 * (swap-backed pages, and disk files' pages marked PG_MLOCKED) is
 * Unevictable (c->unevictable).
 */
static void lru_lists(const struct pmm_census *c, struct vm_policy_lists *l)
{
	reclaim_policy_lists(l);
	l->active_file += c->file_mapped_off;
	l->inactive_file += c->file_unmapped_off;
}

/*
 * /proc/meminfo, every figure computed from the frame census (pmm_census)
 * and the VM's counters:
 *   MemAvailable  free frames plus page-cache pages of files on disk (clean
 *                 ones can be dropped and read again)
 *   Buffers       0: Kilburn has no cache of raw block-device pages
 *   Cached        every page-cache frame (files, tmpfs, shared anonymous)
 *                 but the swap cache
 *   Active/Inactive  see lru_lists; "anon" are the swap-backed pages
 *                 (anonymous, tmpfs, shared anonymous)
 *   Unevictable   swap-backed pages off the replacement policy (mlocked)
 *                 and disk files' pages a locked region maps (PG_MLOCKED)
 *   Mlocked       anonymous pages off the policy (mlocked) and cache pages
 *                 a locked region maps (PG_MLOCKED)
 *   Writeback     0: writes are synchronous
 *   KReclaimable, SReclaimable  0 (empty slab pages were just given back)
 *   KernelStack   frames of kernel stacks; PageTables: of page tables
 *   VmallocTotal/Used  the kernel's area mapped page by page (stacks)
 */
void procfs_gen_meminfo(struct sbuf *sb)
{
	struct pmm_census c;
	struct vm_policy_lists l;
	uint64_t swap_total, swap_free, swap_cached;

	kmem_reclaim();		/* empty slab pages count as free */
	pmm_census(&c);
	lru_lists(&c, &l);
	swap_slots_totals(&swap_total, &swap_free);
	/* slots holding a copy of a resident page (or one being written) */
	swap_cached = swap_total - swap_free;
	swap_cached -= MIN(swap_cached, anon_swapped_count() +
			   __atomic_load_n(&pcache_swapped_total, __ATOMIC_RELAXED));
	uint64_t free = pmm_free_frames(), file = c.state[PAGE_FILE],
		 slab = kmem_slab_pages();

	meminfo_line(sb, "MemTotal", pmm_total_frames());
	meminfo_line(sb, "MemFree", free);
	meminfo_line(sb, "MemAvailable", free + file - c.shmem);
	meminfo_line(sb, "Buffers", 0);
	meminfo_line(sb, "Cached", file);
	meminfo_line(sb, "SwapCached", swap_cached);
	meminfo_line(sb, "Active", l.active_anon + l.active_file);
	meminfo_line(sb, "Inactive", l.inactive_anon + l.inactive_file);
	meminfo_line(sb, "Active(anon)", l.active_anon);
	meminfo_line(sb, "Inactive(anon)", l.inactive_anon);
	meminfo_line(sb, "Active(file)", l.active_file);
	meminfo_line(sb, "Inactive(file)", l.inactive_file);
	meminfo_line(sb, "Unevictable", c.unevictable);
	meminfo_line(sb, "Mlocked", c.mlocked);
	meminfo_line(sb, "SwapTotal", swap_total);
	meminfo_line(sb, "SwapFree", swap_free);
	meminfo_line(sb, "Dirty", c.dirty);
	meminfo_line(sb, "Writeback", 0);
	meminfo_line(sb, "AnonPages", c.anon_mapped);
	meminfo_line(sb, "Mapped", c.file_mapped);
	meminfo_line(sb, "Shmem", c.shmem);
	meminfo_line(sb, "KReclaimable", 0);
	meminfo_line(sb, "Slab", slab);
	meminfo_line(sb, "SReclaimable", 0);
	meminfo_line(sb, "SUnreclaim", slab);
	meminfo_line(sb, "KernelStack", c.state[PAGE_KSTACK]);
	meminfo_line(sb, "PageTables", c.state[PAGE_PGTABLE]);
	meminfo_line(sb, "CommitLimit", commit_limit());
	meminfo_line(sb, "Committed_AS", commit_total());
	meminfo_line(sb, "VmallocTotal", KSTACK_AREA >> PAGE_SHIFT);
	meminfo_line(sb, "VmallocUsed", c.state[PAGE_KSTACK]);
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

/*
 * The "intr" line: the total of every interrupt taken (timer, inter-hart,
 * device), then one count per interrupt number from 0, as Linux: here the
 * PLIC's sources (0 is never raised; on QEMU's virt board the virtio disks
 * are 1-8, the UART 10, the RTC 11). Timer and inter-hart interrupts have
 * no number: they are in the total only.
 */
static void stat_intr_line(struct sbuf *sb, uint64_t total)
{
	sbuf_printf(sb, "intr %lu", total);
	for (uint32_t irq = 0; irq <= plic_nsources(); irq++)
		sbuf_printf(sb, " %lu", plic_irq_count(irq));
	sbuf_printf(sb, "\n");
}

void procfs_gen_stat(struct sbuf *sb)
{
	uint64_t user = 0, system = 0, idle = 0, ctxt = 0, intr = 0;
	char name[16];

	for (int i = 0; i < ncpus; i++) {
		intr += READ_ONCE(cpus[i].interrupts);
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
	stat_intr_line(sb, intr);
	sbuf_printf(sb, "ctxt %lu\nbtime %lu\nprocesses %lu\nprocs_running %d\n"
		    "procs_blocked 0\n", ctxt, rtc_offset_ns() / 1000000000,
		    READ_ONCE(proc_forks), sched_nr_running());
	/* Kilburn has no softirqs: the total and Linux's ten kinds, all 0 */
	sbuf_printf(sb, "softirq 0 0 0 0 0 0 0 0 0 0 0\n");
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

/*
 * /proc/vmstat: "name value" lines, Linux's names. First the counts of
 * pages now (from the frame census, as meminfo), then the events since
 * boot (vm/vmstat.h; Kilburn's own are named kilburn_*).
 */
void procfs_gen_vmstat(struct sbuf *sb)
{
	struct vm_policy_stats ps;
	struct vm_policy_lists l;
	struct pmm_census c;
	uint64_t file, rd, wr;

	pmm_census(&c);
	lru_lists(&c, &l);
	blk_sectors_total(&rd, &wr);
	file = c.state[PAGE_FILE];
	sbuf_printf(sb, "nr_free_pages %lu\n", pmm_free_frames());
	sbuf_printf(sb, "nr_inactive_anon %lu\nnr_active_anon %lu\n"
		    "nr_inactive_file %lu\nnr_active_file %lu\nnr_unevictable %lu\n"
		    "nr_mlock %lu\n",
		    l.inactive_anon, l.active_anon, l.inactive_file, l.active_file,
		    c.unevictable, c.mlocked);
	sbuf_printf(sb, "nr_slab_reclaimable 0\nnr_slab_unreclaimable %lu\n",
		    c.state[PAGE_SLAB]);
	sbuf_printf(sb, "nr_anon_pages %lu\nnr_mapped %lu\nnr_file_pages %lu\n"
		    "nr_dirty %lu\nnr_writeback 0\nnr_shmem %lu\n",
		    c.anon_mapped, c.file_mapped, file, c.dirty, c.shmem);
	sbuf_printf(sb, "nr_page_table_pages %lu\nnr_kernel_stack %lu\n",
		    c.state[PAGE_PGTABLE], c.state[PAGE_KSTACK] * (PAGE_SIZE / 1024));
	/* KiB read from and written to the disks (the block layer's sectors) */
	sbuf_printf(sb, "pgpgin %lu\npgpgout %lu\n", rd / 2, wr / 2);
	for (int e = 0; e < VMSTAT_NR; e++)
		sbuf_printf(sb, "%s %lu\n", vmstat_name(e), vmstat_read(e));
	/* the replacement policy: pages kept for their use, and passed over */
	reclaim_policy_stats(&ps);
	sbuf_printf(sb, "pgactivate %lu\npgdeactivate %lu\n", ps.kept,
		    ps.scanned - ps.kept);
}

/*
 * /proc/faulttrace: the fault trace ring (vm/faulttrace.h), oldest first,
 * one fault a line: "seq seconds pid address access kind[ stack]", e.g.
 * "42 3.141592 7 0x0000000000012000 w zero-fill".
 */
void procfs_gen_faulttrace(struct sbuf *sb)
{
	struct fault_record *rec = kmalloc(FAULTTRACE_SIZE * sizeof(*rec), 0);
	size_t n;

	if (!rec) {
		sb->failed = true;
		return;
	}
	n = faulttrace_copy(0, rec, FAULTTRACE_SIZE);
	for (size_t i = 0; i < n; i++) {
		uint64_t us = rec[i].time_ns / 1000;

		sbuf_printf(sb, "%lu %lu.%06lu %d 0x%016lx %c %s%s\n", rec[i].seq,
			    us / 1000000, us % 1000000, rec[i].pid, rec[i].va,
			    rec[i].access == VM_PROT_WRITE ? 'w' :
			    rec[i].access == VM_PROT_EXEC ? 'x' : 'r',
			    faulttrace_kind_name(rec[i].kind),
			    rec[i].flags & FAULTTRACE_STACK ? " stack" : "");
	}
	kfree(rec);
}
