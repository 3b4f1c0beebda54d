/*
 * swapio: swap's wall-clock throughput next to the raw disk's, measured in
 * the same boot on the same disk. Booted by `make bench-swapio` WITHOUT
 * -icount (so CLOCK_MONOTONIC is the host's real time) on one hart with
 * 64 MiB of RAM and a fresh mkswap'ed disk on /dev/vdb that is not active
 * at boot. Each round:
 *
 *   1. raw sequential write of RAW_MIB MiB to /dev/vdb, from 1 MiB on (the
 *      swap header, page 0, is left alone), in 1 MiB write(2)s; then a raw
 *      sequential read of the same bytes, in 1 MiB read(2)s, and again in
 *      32 KiB ones (swap readahead's largest read);
 *   2. swapon /dev/vdb, and write twice RAM of anonymous memory (the pages
 *      swapped out while writing, /proc/vmstat's pswpout, over the time
 *      from the first page swapped out to the last page written);
 *   3. read it all back in order (pswpin over the time of the pass);
 *   4. munmap; then a /tmp file of twice RAM written with write(2) and read
 *      back in order with 64 KiB read(2)s (pswpin over the time of the
 *      read pass), removed; swapoff;
 *   5. the root disk's 48 MiB pattern file, its cache dropped, read in
 *      order with 64 KiB read(2)s (file readahead); then the cache dropped
 *      again, so that the next round's step 2 finds memory as this one's
 *      did (with those 48 MiB still cached it also dropped them inside its
 *      swap-out window).
 *
 * Prints one line per round and the ratios to the raw figures. Never fails;
 * the figures move with the host's load (other QEMUs on the same cores).
 */
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/swap.h>
#include <time.h>
#include <unistd.h>
#include "procread.h"

#define PAGE		4096UL
#define MIB		(1UL << 20)
#define RAM_MIB		64
#define RAW_MIB		128
#define DISK		"/dev/vdb"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * MiB/s of a sequential write (write true) or read of RAW_MIB MiB of the
 * disk from 1 MiB on, in pieces of chunk bytes (one call each).
 */
static double raw_pass(bool write, char *buf, size_t chunk)
{
	int fd = open(DISK, write ? O_WRONLY : O_RDONLY);
	size_t done = 0;
	double t;

	if (fd < 0 || lseek(fd, MIB, SEEK_SET) != (off_t)MIB) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	t = now();
	while (done < RAW_MIB * MIB) {
		ssize_t n = write ? pwrite(fd, buf, chunk, MIB + done) :
				    pread(fd, buf, chunk, MIB + done);

		if (n != (ssize_t)chunk)
			break;
		done += chunk;
	}
	t = now() - t;
	close(fd);
	return done == RAW_MIB * MIB ? RAW_MIB / t : 0;
}

struct swap_rates {
	double out, in;			/* MiB/s */
	double out_mib, in_mib;		/* MiB moved */
	double again_mib;		/* MiB written out during the read-back */
	double tmp_in, tmp_in_mib;	/* the /tmp file's read-back: MiB/s, MiB */
	double tmp_pages_per_req;	/* pages per read request of that pass */
	double file_rd;			/* the root disk's file read back: MiB/s */
};

/*
 * Write twice RAM of anonymous memory, then read it back, with the disk
 * active as swap; the swap-out and swap-in rates.
 */
static int swap_pass(struct swap_rates *r)
{
	size_t npages = 2 * RAM_MIB * MIB / PAGE, i;
	char *p = mmap(NULL, npages * PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint64_t out0, out1, in0, in1;
	volatile char sink = 0;
	double t0 = 0, t1, t2;

	if (p == MAP_FAILED)
		return -1;
	out0 = vmstat("pswpout");
	for (i = 0; i < npages; i++) {
		memset(p + i * PAGE, (int)i | 1, PAGE);
		if (t0 == 0 && i % 64 == 0 && vmstat("pswpout") != out0) {
			t0 = now();		/* page-out has begun */
			out0 = vmstat("pswpout");
		}
	}
	t1 = now();
	out1 = vmstat("pswpout");
	in0 = vmstat("pswpin");
	for (i = 0; i < npages; i++)
		sink ^= p[i * PAGE];
	t2 = now();
	in1 = vmstat("pswpin");
	r->again_mib = (double)(vmstat("pswpout") - out1) * PAGE / MIB;
	(void)sink;
	munmap(p, npages * PAGE);
	r->out_mib = (double)(out1 - out0) * PAGE / MIB;
	r->in_mib = (double)(in1 - in0) * PAGE / MIB;
	r->out = t0 ? r->out_mib / (t1 - t0) : 0;
	r->in = r->in_mib / (t2 - t1);
	return 0;
}

#define TMPFILE	"/tmp/swapio"
#define CHUNK	(64UL << 10)

/*
 * Write twice RAM to a /tmp file, then read it back in order: the rate of
 * its swap-in (pages read from swap over the time of the read pass).
 */
static void tmpfs_pass(struct swap_rates *r, char *buf)
{
	size_t size = 2 * RAM_MIB * MIB, done;
	int fd = open(TMPFILE, O_RDWR | O_CREAT | O_TRUNC, 0600);
	uint64_t in0, req0;
	double t;

	if (fd < 0)
		return;
	for (done = 0; done < size; done += CHUNK) {
		memset(buf, (int)(done / PAGE) | 1, CHUNK);
		if (write(fd, buf, CHUNK) != (ssize_t)CHUNK)
			break;
	}
	in0 = vmstat("pswpin");
	req0 = vmstat("kilburn_swap_read_requests");
	t = now();
	for (done = 0; done < size; done += CHUNK)
		if (pread(fd, buf, CHUNK, done) != (ssize_t)CHUNK)
			break;
	t = now() - t;
	r->tmp_in_mib = (double)(vmstat("pswpin") - in0) * PAGE / MIB;
	r->tmp_in = r->tmp_in_mib / t;
	if (vmstat("kilburn_swap_read_requests") != req0)
		r->tmp_pages_per_req = (double)(vmstat("pswpin") - in0) /
				       (vmstat("kilburn_swap_read_requests") - req0);
	close(fd);
	unlink(TMPFILE);
}

#define BIGFILE	"/tests/big.pattern"

/* Read the root disk's pattern file, not cached, in order: MiB/s. */
static void file_pass(struct swap_rates *r, char *buf)
{
	int fd = open(BIGFILE, O_RDONLY), dc = open("/proc/sys/vm/drop_caches", O_WRONLY);
	off_t size = fd >= 0 ? lseek(fd, 0, SEEK_END) : -1;
	double t;
	off_t done;

	if (dc >= 0) {
		if (write(dc, "3\n", 2) != 2)
			size = -1;
		close(dc);
	}
	if (fd < 0 || size <= 0) {
		if (fd >= 0)
			close(fd);
		return;
	}
	t = now();
	for (done = 0; done + (off_t)CHUNK <= size; done += CHUNK)
		if (pread(fd, buf, CHUNK, done) != (ssize_t)CHUNK)
			break;
	t = now() - t;
	r->file_rd = (double)done / MIB / t;
	close(fd);
	/* the next round starts from the memory this one found */
	dc = open("/proc/sys/vm/drop_caches", O_WRONLY);
	if (dc >= 0) {
		if (write(dc, "3\n", 2) != 2)
			r->file_rd = 0;
		close(dc);
	}
}

int main(int argc, char **argv)
{
	int rounds = argc > 1 ? atoi(argv[1]) : 3;
	char *buf = malloc(MIB);
	double again = 0;

	printf("Kilburn swap throughput (wall clock, %d MiB of RAM, raw I/O of %d MiB "
	       "on the swap disk before swapon)\n", RAM_MIB, RAW_MIB);
	if (!buf)
		return 0;
	memset(buf, 0x5a, MIB);
	printf("| round | raw write | raw read | raw read 32K | swap-out (MiB) | swap-in (MiB) "
	       "| out/raw write | in/raw read | tmpfs in (MiB) | pages/req | root file read |\n");
	printf("|-------|-----------|----------|--------------|----------------|---------------"
	       "|---------------|-------------|----------------|-----------|----------------|\n");
	for (int k = 1; k <= rounds; k++) {
		double wr = raw_pass(true, buf, MIB), rd = raw_pass(false, buf, MIB);
		double rd32 = raw_pass(false, buf, 32 << 10);
		struct swap_rates r = { 0 };

		if (swapon(DISK, 0) < 0) {
			perror("swapon " DISK);
			return 0;
		}
		if (swap_pass(&r) < 0)
			printf("mmap failed\n");
		again += r.again_mib;
		tmpfs_pass(&r, buf);
		if (swapoff(DISK) < 0)
			perror("swapoff " DISK);
		file_pass(&r, buf);
		printf("| %5d | %9.1f | %8.1f | %12.1f | %6.1f (%5.0f) | %5.1f (%5.0f) | %12.0f%% | %10.0f%% "
		       "| %6.1f (%5.0f) | %9.1f | %14.1f |\n",
		       k, wr, rd, rd32, r.out, r.out_mib, r.in, r.in_mib,
		       wr ? 100 * r.out / wr : 0, rd ? 100 * r.in / rd : 0,
		       r.tmp_in, r.tmp_in_mib, r.tmp_pages_per_req, r.file_rd);
	}
	printf("MiB/s; swap-out is timed from the first page swapped out to the last "
	       "page written, swap-in over the read-back pass\n");
	printf("raw: one request of up to 128 KiB in flight; 1 MiB read(2)s are 8 of them\n");
	printf("written out again during the read-back passes: %.0f MiB a round\n", again / rounds);
	free(buf);
	return 0;
}
