/*
 * virtio-blk over virtio-mmio, modern interface (virtio 1.x), with several
 * requests in flight.
 *
 * A request is a descriptor chain in queue 0:
 *
 *	header (16 bytes, device reads)   type, reserved, first sector
 *	data   (one descriptor per physically contiguous piece of the caller's
 *	        buffer; device writes them for a read, reads them for a write)
 *	status (1 byte, device writes)    VIRTIO_BLK_S_OK, _IOERR or _UNSUPP
 *
 * Header and status live in a frame of the driver's (struct blk_dma),
 * indexed by the chain's head descriptor, so each request in flight has its
 * own. The life of a request, all under the disk's lock:
 *
 *  1. its submitter takes nseg + 2 descriptors from the free list, sleeping
 *     on desc_wq while too few are free;
 *  2. fills them, records itself as owner of the head, publishes the head
 *     in the available ring and notifies the device;
 *  3. sleeps on done_wq until its request is marked done;
 *  4. the interrupt handler (any hart) acknowledges the interrupt and reaps
 *     the used ring: for each finished chain it copies the status into the
 *     owner's request, frees the descriptors and wakes both wait queues.
 *
 * A submitter that wakes also reaps the used ring itself. The interrupt is
 * routed to one hart; if that hart has interrupts masked for a while, the
 * others' requests still complete when their own harts wake (today's wait
 * queues wake on any interrupt, the timer's included).
 */
#include "env.h"
#include "dev/blk.h"
#include "dev/plic.h"
#include "dev/virtio.h"
#include "kern/board.h"
#include "kern/waitq.h"
#include "vm/kmem.h"
#include "vm/pmap.h"
#include "vm/pmm.h"

/*
 * Descriptors asked for (fewer if the device says so). A request of 32
 * scattered frames takes 34 (header, 32 pages, status): 256 lets page-out
 * keep its writes and readahead its reads in flight together (with 64,
 * one such request filled the queue and the next waited for it).
 */
#define BLK_QUEUE_SIZE	256
#define BLK_MAX_SEGS	(BLK_MAX_SECTORS * BLK_SECTOR_SIZE / PAGE_SIZE + 1)
#define BLK_MIN_SEGS	2	/* blk_map needs two to cover a sector */
#define RESET_SPINS	1000000

/* virtio-blk feature bits */
#define VIRTIO_BLK_F_SEG_MAX	2	/* config seg_max: data buffers per request */
#define VIRTIO_BLK_F_RO		5	/* the disk is read-only */
#define VIRTIO_BLK_F_BLK_SIZE	6	/* config blk_size: preferred block size */
#define VIRTIO_BLK_F_FLUSH	9	/* VIRTIO_BLK_T_FLUSH exists */

#define BLK_FEATURES	(VIRTIO_BIT(VIRTIO_F_VERSION_1) |		\
			 VIRTIO_BIT(VIRTIO_BLK_F_SEG_MAX) |		\
			 VIRTIO_BIT(VIRTIO_BLK_F_RO) |			\
			 VIRTIO_BIT(VIRTIO_BLK_F_BLK_SIZE) |		\
			 VIRTIO_BIT(VIRTIO_BLK_F_FLUSH))

/* configuration space (offsets from VIRTIO_MMIO_CONFIG) */
#define BLK_CFG_CAPACITY_LO	0x00	/* sectors, 64 bits read as two halves */
#define BLK_CFG_CAPACITY_HI	0x04
#define BLK_CFG_SEG_MAX		0x0c
#define BLK_CFG_BLK_SIZE	0x14

#define VIRTIO_BLK_T_IN		0
#define VIRTIO_BLK_T_OUT	1
#define VIRTIO_BLK_T_FLUSH	4

#define VIRTIO_BLK_S_OK		0
#define VIRTIO_BLK_S_IOERR	1
#define VIRTIO_BLK_S_UNSUPP	2
#define BLK_STATUS_NONE		0xff	/* not written by the device (yet) */

struct virtio_blk_req_hdr {
	uint32_t type;		/* VIRTIO_BLK_T_* */
	uint32_t reserved;
	uint64_t sector;
};

/* What the device reads and writes besides the data: a block of frames per disk. */
struct blk_dma {
	struct virtio_blk_req_hdr hdr[BLK_QUEUE_SIZE];	/* by head descriptor */
	uint8_t status[BLK_QUEUE_SIZE];
};
#define BLK_DMA_ORDER	1	/* 2^order frames hold a struct blk_dma */
_Static_assert(sizeof(struct blk_dma) <= (PAGE_SIZE << BLK_DMA_ORDER),
	       "blk_dma fits its block");

/*
 * A request in flight is a struct blk_io (blk.h): on its submitter's stack
 * for a synchronous request (done == NULL: the submitter sleeps on done_wq),
 * or the caller's for blk_submit_pages (done is called when it is reaped).
 */

struct blkdev {
	/* set at attach, then read-only */
	volatile uint8_t *regs;
	paddr_t base;
	uint32_t irq;
	uint64_t sectors;
	uint64_t features;		/* accepted */
	uint32_t blk_size;		/* preferred block size, 0 if not said */
	unsigned int max_segs;		/* data buffers per request */
	int index;			/* in disks[]: 0 is vda, 1 vdb, ... */
	const void *holder;		/* blk_claim: who uses it whole (atomic) */
	char name[8];			/* "vda", as Linux names it */
	struct page *dma_page;
	struct blk_dma *dma;

	struct spinlock lock;		/* guards everything below */
	struct virtq vq;
	struct blk_io *owner[BLK_QUEUE_SIZE];	/* by head descriptor */
	struct waitq done_wq;		/* submitters waiting for completion */
	struct waitq desc_wq;		/* submitters waiting for descriptors */
	unsigned int desc_waiters;	/* how many sleep on desc_wq */
	struct blk_stats stats;
};

static struct blkdev *disks[BLK_MAX_DISKS];
static int ndisks;

static uint32_t rd(const struct blkdev *d, uint32_t off)
{
	return virtio_read32(d->regs, off);
}

static void wr(const struct blkdev *d, uint32_t off, uint32_t v)
{
	virtio_write32(d->regs, off, v);
}

/* ------------------------------------------------------------ completion */

/* An asynchronous request is reaped: log a failure, tell its owner. */
static void blk_io_finish(struct blkdev *d, struct blk_io *io)
{
	int err = io->status == VIRTIO_BLK_S_OK ? 0 : -EIO;

	if (err)
		kprintf("virtio-blk: %s: request type %u at sector %lu failed, "
			"status %u\n", d->name, io->type, io->sector, io->status);
	io->done(io, err);
}

/*
 * blk_reap - collect every request the device has finished: record its
 * status in its owner, return its descriptors and wake the waiters.
 * Caller holds d->lock. Returns the number of requests completed.
 */
static unsigned int blk_reap(struct blkdev *d)
{
	unsigned int n = 0;
	int head;

	while ((head = virtq_pop_used(&d->vq, NULL)) != -ENOENT) {
		struct blk_io *req = head >= 0 ? d->owner[head] : NULL;

		if (!req) {
			kprintf("virtio-blk: disk at %#lx returned a descriptor "
				"it was not given; ignored\n", d->base);
			continue;
		}
		req->status = d->dma->status[head];
		req->finished = true;
		if (req->status != VIRTIO_BLK_S_OK)
			d->stats.errors++;
		d->owner[head] = NULL;
		virtq_free_chain(&d->vq, head);
		n++;
		if (req->done)		/* req may be gone once it returns */
			blk_io_finish(d, req);
	}
	if (n) {
		d->stats.requests += n;
		d->stats.inflight -= n;
		waitq_wake_all(&d->done_wq);
		if (d->desc_waiters)
			waitq_wake_all(&d->desc_wq);
	}
	return n;
}

/* The disk's interrupt: acknowledge it, then reap. Any hart. */
static void blk_interrupt(void *arg)
{
	struct blkdev *d = arg;
	unsigned long flags = spin_lock_irqsave(&d->lock);
	uint32_t why = rd(d, VIRTIO_MMIO_INTERRUPT_STATUS);

	/*
	 * Acknowledge before reading the used ring (hence the fence): a
	 * completion the reap misses then raises a new interrupt.
	 */
	wr(d, VIRTIO_MMIO_INTERRUPT_ACK, why);
	virtio_mb();
	d->stats.interrupts++;
	d->stats.irq_completions += blk_reap(d);
	spin_unlock_irqrestore(&d->lock, flags);
}

/* ------------------------------------------------------------ submission */

/*
 * blk_take_descriptors - a chain of n descriptors, waiting until enough are
 * free. Caller holds d->lock (released while asleep); n <= the queue size.
 */
static int blk_take_descriptors(struct blkdev *d, unsigned int n)
{
	int head;

	while ((head = virtq_alloc_chain(&d->vq, n)) == -ENOSPC) {
		d->stats.descriptor_waits++;
		d->desc_waiters++;
		waitq_sleep(&d->desc_wq, &d->lock);
		d->desc_waiters--;
		blk_reap(d);
	}
	if (head < 0)
		panic("blk_take_descriptors: chain of %u in a queue of %u",
		      n, d->vq.size);
	return head;
}

/*
 * blk_start - send one request: bufs[1 .. nseg] describe the data (nseg <=
 * d->max_segs, 0 for a flush); bufs[0] and bufs[nseg + 1] are filled in here
 * with the header and the status byte. req is the request's record until it
 * is reaped. Caller holds d->lock (released while waiting for descriptors).
 */
static void blk_start(struct blkdev *d, uint32_t type, uint64_t sector,
		      struct virtq_buf *bufs, unsigned int nseg,
		      struct blk_io *req)
{
	int head = blk_take_descriptors(d, nseg + 2);
	struct virtio_blk_req_hdr *hdr = &d->dma->hdr[head];

	req->finished = false;
	req->status = BLK_STATUS_NONE;
	req->type = type;
	req->sector = sector;
	hdr->type = type;
	hdr->reserved = 0;
	hdr->sector = sector;
	d->dma->status[head] = BLK_STATUS_NONE;
	bufs[0] = (struct virtq_buf){ virt_to_phys(hdr), sizeof(*hdr), false };
	bufs[nseg + 1] = (struct virtq_buf){
		virt_to_phys(&d->dma->status[head]), 1, true };
	virtq_fill_chain(&d->vq, head, bufs, nseg + 2);
	d->owner[head] = req;
	for (unsigned int i = 1; i <= nseg; i++) {
		if (type == VIRTIO_BLK_T_IN)
			d->stats.sectors_read += bufs[i].len / BLK_SECTOR_SIZE;
		else if (type == VIRTIO_BLK_T_OUT)
			d->stats.sectors_written += bufs[i].len / BLK_SECTOR_SIZE;
	}
	d->stats.segments += nseg;
	d->stats.inflight++;
	d->stats.max_inflight = MAX(d->stats.max_inflight, d->stats.inflight);
	if (virtq_publish(&d->vq, head))
		wr(d, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
}

/*
 * blk_submit - send one request (as blk_start) and wait for it. Returns 0,
 * or -EIO if the device did not report VIRTIO_BLK_S_OK.
 */
static int blk_submit(struct blkdev *d, uint32_t type, uint64_t sector,
		      struct virtq_buf *bufs, unsigned int nseg)
{
	struct blk_io req = { .done = NULL };
	unsigned long flags = spin_lock_irqsave(&d->lock);

	blk_start(d, type, sector, bufs, nseg, &req);
	while (!req.finished) {
		waitq_sleep(&d->done_wq, &d->lock);
		blk_reap(d);
	}
	spin_unlock_irqrestore(&d->lock, flags);
	if (req.status == VIRTIO_BLK_S_OK)
		return 0;
	kprintf("virtio-blk: %s: request type %u at sector %lu "
		"failed, status %u\n", d->name, type, sector, req.status);
	return -EIO;
}

/*
 * blk_map - describe the start of the buffer [va, va + bytes) as at most
 * max physically contiguous pieces in segs[], ending on a sector boundary.
 * bytes is a multiple of the sector size; max >= BLK_MIN_SEGS. Returns the
 * number of sectors described (at least one), or -EFAULT if a page of the
 * buffer is not mapped.
 */
static long blk_map(uintptr_t va, size_t bytes, bool device_writes,
		    struct virtq_buf *segs, unsigned int max, unsigned int *nseg)
{
	size_t done = 0, extra;
	unsigned int n = 0;

	while (done < bytes) {
		uintptr_t p = va + done;
		size_t chunk = MIN(bytes - done, PAGE_SIZE - (p & PAGE_MASK));
		paddr_t pa = pmap_kextract(p);

		if (!pa)
			return -EFAULT;
		if (n && segs[n - 1].pa + segs[n - 1].len == pa)
			segs[n - 1].len += chunk;
		else if (n == max)
			break;
		else
			segs[n++] = (struct virtq_buf){ pa, chunk, device_writes };
		done += chunk;
	}
	/* Cut the request after its last whole sector. */
	for (extra = done % BLK_SECTOR_SIZE; extra; ) {
		struct virtq_buf *s = &segs[n - 1];
		size_t cut = MIN(extra, s->len);

		s->len -= cut;
		done -= cut;
		extra -= cut;
		if (s->len == 0)
			n--;
	}
	if (n == 0)
		panic("blk_map: no whole sector in %u pieces", max);
	*nseg = n;
	return done / BLK_SECTOR_SIZE;
}

/* Validate a read or write: the errors of blk_read/blk_write, or 0. */
static int blk_check_request(const struct blkdev *d, uint64_t sector,
			     uintptr_t va, size_t nsect, bool write)
{
	size_t bytes = nsect * BLK_SECTOR_SIZE;

	if (!d)
		return -ENODEV;
	if (nsect == 0 || nsect > BLK_MAX_SECTORS || sector >= d->sectors ||
	    nsect > d->sectors - sector)
		return -EINVAL;
	if (write && (d->features & VIRTIO_BIT(VIRTIO_BLK_F_RO)))
		return -EROFS;
	if (va + bytes < va)
		return -EFAULT;
	for (uintptr_t p = ALIGN_DOWN(va, PAGE_SIZE); p < va + bytes; p += PAGE_SIZE)
		if (!pmap_kextract(p))
			return -EFAULT;
	return 0;
}

/* Read (VIRTIO_BLK_T_IN) or write (_OUT) as blk_read/blk_write describe. */
static int blk_rw(struct blkdev *d, uint32_t type, uint64_t sector,
		  uintptr_t va, size_t nsect)
{
	struct virtq_buf bufs[BLK_MAX_SEGS + 2];
	int err = blk_check_request(d, sector, va, nsect,
				    type == VIRTIO_BLK_T_OUT);

	while (!err && nsect) {
		unsigned int nseg;
		long n = blk_map(va, nsect * BLK_SECTOR_SIZE,
				 type == VIRTIO_BLK_T_IN, &bufs[1], d->max_segs,
				 &nseg);

		if (n < 0)
			return n;
		err = blk_submit(d, type, sector, bufs, nseg);
		sector += n;
		va += n * BLK_SECTOR_SIZE;
		nsect -= n;
	}
	return err;
}

int blk_read(struct blkdev *d, uint64_t sector, void *buf, size_t nsect)
{
	return blk_rw(d, VIRTIO_BLK_T_IN, sector, (uintptr_t)buf, nsect);
}

int blk_write(struct blkdev *d, uint64_t sector, const void *buf,
	      size_t nsect)
{
	return blk_rw(d, VIRTIO_BLK_T_OUT, sector, (uintptr_t)buf, nsect);
}

int blk_flush(struct blkdev *d)
{
	struct virtq_buf bufs[2];

	if (!d)
		return -ENODEV;
	if (!(d->features & VIRTIO_BIT(VIRTIO_BLK_F_FLUSH)))
		return 0;
	return blk_submit(d, VIRTIO_BLK_T_FLUSH, 0, bufs, 0);
}

unsigned int blk_max_pages(const struct blkdev *d)
{
	return MIN(BLK_MAX_SECTORS * BLK_SECTOR_SIZE / PAGE_SIZE, d->max_segs);
}

/*
 * blk_pages_segments - describe pages[0 .. n) as data buffers in segs[],
 * merging frames that follow each other in physical memory. Returns how
 * many buffers.
 */
static unsigned int blk_pages_segments(struct page *const *pages, unsigned int n,
				       bool device_writes, struct virtq_buf *segs)
{
	unsigned int nseg = 0;

	for (unsigned int i = 0; i < n; i++) {
		paddr_t pa = virt_to_phys(page_to_virt(pages[i]));

		if (nseg && segs[nseg - 1].pa + segs[nseg - 1].len == pa)
			segs[nseg - 1].len += PAGE_SIZE;
		else
			segs[nseg++] = (struct virtq_buf){ pa, PAGE_SIZE, device_writes };
	}
	return nseg;
}

int blk_read_pages(struct blkdev *d, uint64_t sector, struct page *const *pages,
		   unsigned int n)
{
	struct virtq_buf bufs[BLK_MAX_SEGS + 2];
	uint64_t nsect = (uint64_t)n * (PAGE_SIZE / BLK_SECTOR_SIZE);

	if (!d)
		return -ENODEV;
	if (n == 0 || n > blk_max_pages(d) || sector >= d->sectors ||
	    nsect > d->sectors - sector)
		return -EINVAL;
	return blk_submit(d, VIRTIO_BLK_T_IN, sector, bufs,
			  blk_pages_segments(pages, n, true, &bufs[1]));
}

int blk_submit_pages(struct blkdev *d, bool write, uint64_t sector,
		     struct page *const *pages, unsigned int n, struct blk_io *io)
{
	struct virtq_buf bufs[BLK_MAX_SEGS + 2];
	uint64_t nsect = (uint64_t)n * (PAGE_SIZE / BLK_SECTOR_SIZE);
	unsigned long flags;
	unsigned int nseg;

	if (!d)
		return -ENODEV;
	if (n == 0 || n > blk_max_pages(d) || !io->done || sector >= d->sectors ||
	    nsect > d->sectors - sector)
		return -EINVAL;
	if (write && blk_readonly(d))
		return -EROFS;
	nseg = blk_pages_segments(pages, n, !write, &bufs[1]);
	flags = spin_lock_irqsave(&d->lock);
	blk_start(d, write ? VIRTIO_BLK_T_OUT : VIRTIO_BLK_T_IN, sector, bufs,
		  nseg, io);
	spin_unlock_irqrestore(&d->lock, flags);
	return 0;
}

/* ------------------------------------------------------------ queries */

int blk_count(void)
{
	return ndisks;
}

struct blkdev *blk_get(int n)
{
	return n >= 0 && n < ndisks ? disks[n] : NULL;
}

struct blkdev *blk_root(void)
{
	return blk_get(0);
}

const char *blk_name(const struct blkdev *d)
{
	return d->name;
}

uint32_t blk_minor(const struct blkdev *d)
{
	return d->index * BLK_MINORS_PER_DISK;
}

int blk_claim(struct blkdev *d, const void *holder)
{
	const void *none = NULL;

	return __atomic_compare_exchange_n(&d->holder, &none, holder, false,
					   __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE) ? 0 : -EBUSY;
}

void blk_release(struct blkdev *d, const void *holder)
{
	const void *was = holder;

	if (!__atomic_compare_exchange_n(&d->holder, &was, NULL, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		panic("blk_release: %s is not held by its releaser", d->name);
}

const void *blk_holder(const struct blkdev *d)
{
	return __atomic_load_n(&d->holder, __ATOMIC_ACQUIRE);
}

struct blkdev *blk_find(const char *name)
{
	for (int i = 0; i < ndisks; i++)
		if (strcmp(disks[i]->name, name) == 0)
			return disks[i];
	return NULL;
}

uint64_t blk_sectors(const struct blkdev *d)
{
	return d ? d->sectors : 0;
}

bool blk_readonly(const struct blkdev *d)
{
	return d && (d->features & VIRTIO_BIT(VIRTIO_BLK_F_RO));
}

void blk_get_stats(struct blkdev *d, struct blk_stats *st)
{
	unsigned long flags = spin_lock_irqsave(&d->lock);

	virtq_check(&d->vq);
	*st = d->stats;
	st->queue_size = d->vq.size;
	st->free_descriptors = d->vq.nfree;
	st->max_segments = d->max_segs;
	spin_unlock_irqrestore(&d->lock, flags);
}

void blk_sectors_total(uint64_t *read, uint64_t *written)
{
	*read = *written = 0;
	for (int i = 0; i < blk_count(); i++) {
		struct blkdev *d = blk_get(i);

		*read += READ_ONCE(d->stats.sectors_read);
		*written += READ_ONCE(d->stats.sectors_written);
	}
}

/* ------------------------------------------------------------ setup */

static void set_status(struct blkdev *d, uint32_t bits)
{
	wr(d, VIRTIO_MMIO_STATUS, rd(d, VIRTIO_MMIO_STATUS) | bits);
}

/* Reset the device: it forgets features and queues. 0 or -EIO. */
static int blk_reset(struct blkdev *d)
{
	wr(d, VIRTIO_MMIO_STATUS, 0);
	for (int i = 0; i < RESET_SPINS; i++)
		if (rd(d, VIRTIO_MMIO_STATUS) == 0)
			return 0;
	return -EIO;
}

/*
 * blk_negotiate - accept VIRTIO_F_VERSION_1 and the blk features handled
 * here, refuse the rest, and see that the device agrees (FEATURES_OK).
 * Returns 0, or -ENODEV with *why set.
 */
static int blk_negotiate(struct blkdev *d, const char **why)
{
	uint64_t offered;

	wr(d, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	offered = (uint64_t)rd(d, VIRTIO_MMIO_DEVICE_FEATURES) << 32;
	wr(d, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	offered |= rd(d, VIRTIO_MMIO_DEVICE_FEATURES);
	if (!(offered & VIRTIO_BIT(VIRTIO_F_VERSION_1))) {
		*why = "device does not offer VIRTIO_F_VERSION_1";
		return -ENODEV;
	}
	d->features = offered & BLK_FEATURES;
	wr(d, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	wr(d, VIRTIO_MMIO_DRIVER_FEATURES, d->features >> 32);
	wr(d, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	wr(d, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)d->features);
	set_status(d, VIRTIO_STATUS_FEATURES_OK);
	if (!(rd(d, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK)) {
		*why = "device refused the features (FEATURES_OK not kept)";
		return -ENODEV;
	}
	return 0;
}

/*
 * blk_setup_queue - give queue 0 up to BLK_QUEUE_SIZE descriptors (a power
 * of two no larger than QueueNumMax) and tell the device where its rings
 * are. Returns 0, or -ENODEV / -ENOMEM with *why set.
 */
static int blk_setup_queue(struct blkdev *d, const char **why)
{
	unsigned int size = BLK_QUEUE_SIZE;
	uint32_t max;

	wr(d, VIRTIO_MMIO_QUEUE_SEL, 0);
	max = rd(d, VIRTIO_MMIO_QUEUE_NUM_MAX);
	if (rd(d, VIRTIO_MMIO_QUEUE_READY) || max == 0) {
		*why = "queue 0 is missing or already in use";
		return -ENODEV;
	}
	while (size > max)
		size /= 2;
	if (size < BLK_MIN_SEGS + 2) {
		*why = "queue 0 is too small";
		return -ENODEV;
	}
	if (virtq_init(&d->vq, size) < 0) {
		*why = "out of memory for the rings";
		return -ENOMEM;
	}
	wr(d, VIRTIO_MMIO_QUEUE_NUM, size);
	wr(d, VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)virtq_desc_pa(&d->vq));
	wr(d, VIRTIO_MMIO_QUEUE_DESC_HIGH, virtq_desc_pa(&d->vq) >> 32);
	wr(d, VIRTIO_MMIO_QUEUE_DRIVER_LOW, (uint32_t)virtq_avail_pa(&d->vq));
	wr(d, VIRTIO_MMIO_QUEUE_DRIVER_HIGH, virtq_avail_pa(&d->vq) >> 32);
	wr(d, VIRTIO_MMIO_QUEUE_DEVICE_LOW, (uint32_t)virtq_used_pa(&d->vq));
	wr(d, VIRTIO_MMIO_QUEUE_DEVICE_HIGH, virtq_used_pa(&d->vq) >> 32);
	wr(d, VIRTIO_MMIO_QUEUE_READY, 1);
	return 0;
}

/* Read capacity and limits; retried until the generation is stable. */
static void blk_read_config(struct blkdev *d)
{
	uint32_t gen, seg_max = 0;

	do {
		gen = rd(d, VIRTIO_MMIO_CONFIG_GENERATION);
		d->sectors = rd(d, VIRTIO_MMIO_CONFIG + BLK_CFG_CAPACITY_LO) |
			(uint64_t)rd(d, VIRTIO_MMIO_CONFIG + BLK_CFG_CAPACITY_HI) << 32;
		if (d->features & VIRTIO_BIT(VIRTIO_BLK_F_SEG_MAX))
			seg_max = rd(d, VIRTIO_MMIO_CONFIG + BLK_CFG_SEG_MAX);
		if (d->features & VIRTIO_BIT(VIRTIO_BLK_F_BLK_SIZE))
			d->blk_size = rd(d, VIRTIO_MMIO_CONFIG + BLK_CFG_BLK_SIZE);
	} while (gen != rd(d, VIRTIO_MMIO_CONFIG_GENERATION));
	d->max_segs = MIN(BLK_MAX_SEGS, d->vq.size - 2u);
	if (seg_max)
		d->max_segs = MIN(d->max_segs, seg_max);
}

/*
 * blk_setup - the virtio initialization sequence: reset, ACKNOWLEDGE,
 * DRIVER, features, FEATURES_OK, queue 0, configuration, interrupt,
 * DRIVER_OK. Returns 0, or a negative errno with *why set; on failure the
 * device is reset and marked FAILED, and what was allocated is freed.
 */
static int blk_setup(struct blkdev *d, const char **why)
{
	int err = -EIO;

	*why = "device did not reset";
	if (blk_reset(d) < 0)
		goto fail;
	set_status(d, VIRTIO_STATUS_ACKNOWLEDGE);
	set_status(d, VIRTIO_STATUS_DRIVER);
	if ((err = blk_negotiate(d, why)) < 0 ||
	    (err = blk_setup_queue(d, why)) < 0)
		goto fail;
	blk_read_config(d);
	err = -ENODEV;
	*why = "segment limit below 2";
	if (d->max_segs < BLK_MIN_SEGS)
		goto fail;
	*why = "no usable interrupt";
	if (d->irq == 0 || plic_register(d->irq, blk_interrupt, d) < 0)
		goto fail;
	set_status(d, VIRTIO_STATUS_DRIVER_OK);
	return 0;
fail:
	blk_reset(d);
	set_status(d, VIRTIO_STATUS_FAILED);
	virtq_destroy(&d->vq);
	return err;
}

/* Set up the disk in a slot and add it to disks[]; logs either way. */
static void blk_attach(const struct board_dev *slot)
{
	struct blkdev *d = kmalloc(sizeof(*d), KM_ZERO);
	const char *why = "out of memory";

	if (!d || !(d->dma_page = pmm_alloc_order(BLK_DMA_ORDER, PMM_ZERO)))
		goto fail;
	d->dma = page_to_virt(d->dma_page);
	d->regs = phys_to_virt(slot->base);
	d->base = slot->base;
	d->irq = slot->irq;
	spin_init(&d->lock, "virtio-blk");
	waitq_init(&d->done_wq);
	waitq_init(&d->desc_wq);
	if (blk_setup(d, &why) < 0)
		goto fail;
	d->index = ndisks;
	ksnprintf(d->name, sizeof(d->name), "vd%c", 'a' + d->index);
	disks[ndisks++] = d;
	kprintf("virtio-blk: %s: disk at %#lx, %lu sectors (%lu MiB), irq %u, "
		"queue %u%s\n", d->name, d->base, d->sectors, d->sectors >> 11, d->irq,
		d->vq.size, blk_readonly(d) ? ", read-only" : "");
	return;
fail:
	kprintf("virtio-blk: disk at %#lx skipped: %s\n", slot->base, why);
	if (d && d->dma_page)
		pmm_free_order(d->dma_page, BLK_DMA_ORDER);
	kfree(d);
}

/* Look at one virtio-mmio slot; attach it if it holds a modern disk. */
static void blk_probe(const struct board_dev *slot)
{
	volatile uint8_t *regs = phys_to_virt(slot->base);
	uint32_t version;

	if (slot->size < VIRTIO_MMIO_CONFIG + 0x20 ||
	    virtio_read32(regs, VIRTIO_MMIO_MAGIC) != VIRTIO_MAGIC ||
	    virtio_read32(regs, VIRTIO_MMIO_DEVICE_ID) != VIRTIO_ID_BLOCK)
		return;
	version = virtio_read32(regs, VIRTIO_MMIO_VERSION);
	if (version == VIRTIO_MMIO_VERSION_LEGACY)
		kprintf("virtio-blk: disk at %#lx skipped: legacy virtio-mmio "
			"(version 1); QEMU needs "
			"-global virtio-mmio.force-legacy=false\n", slot->base);
	else if (version != VIRTIO_MMIO_VERSION_MODERN)
		kprintf("virtio-blk: disk at %#lx skipped: unknown virtio-mmio "
			"version %u\n", slot->base, version);
	else if (ndisks == BLK_MAX_DISKS)
		kprintf("virtio-blk: disk at %#lx skipped: more than %d disks\n",
			slot->base, BLK_MAX_DISKS);
	else
		blk_attach(slot);
}

void blk_init(void)
{
	/*
	 * QEMU's virt board gives the first -device the slot of the highest
	 * address, the next the one below, and lists them in that order in
	 * the device tree, which is the order in which Linux probes them and
	 * hands out vda, vdb, ...: probing from the top down gives every disk
	 * the name Linux gives it on the same command line.
	 */
	for (int i = boot_board.nvirtio - 1; i >= 0; i--)
		blk_probe(&boot_board.virtio[i]);
	if (ndisks == 0)
		kprintf("virtio-blk: no disk\n");
}
