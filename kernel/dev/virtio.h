/*
 * virtio 1.x over the MMIO transport ("version 2" of its register layout),
 * and a split virtqueue that drivers share.
 *
 * Everything virtio puts in memory or registers is little-endian, as RISC-V
 * is, so no byte swapping appears anywhere.
 *
 * A split virtqueue is three areas of guest memory that driver and device
 * share:
 *
 *	descriptor table  size x 16 bytes   (addr, len, flags, next): buffers,
 *	                  align 16          chained through next
 *	available ring    6 + 2 x size      driver -> device: heads of chains
 *	                  align 2           ready to be processed
 *	used ring         6 + 8 x size      device -> driver: heads of chains
 *	                  align 4           it has finished, with bytes written
 *
 * Both rings carry a free-running 16-bit index; slot i of a ring is
 * ring[i % size], so the size must be a power of two.
 *
 * struct virtq below keeps a driver-private shadow of everything it needs
 * (free list, chain links), so nothing the device might scribble on is
 * trusted when descriptors are recycled. Its functions take no lock: the
 * driver serializes every call on one queue with its own lock.
 */
#ifndef KILBURN_VIRTIO_H
#define KILBURN_VIRTIO_H

#include "env.h"

/* ---- virtio-mmio registers (byte offsets, all 32 bits wide) */
#define VIRTIO_MMIO_MAGIC		0x000	/* VIRTIO_MAGIC */
#define VIRTIO_MMIO_VERSION		0x004	/* 2 modern, 1 legacy */
#define VIRTIO_MMIO_DEVICE_ID		0x008	/* 0: empty slot */
#define VIRTIO_MMIO_VENDOR_ID		0x00c
#define VIRTIO_MMIO_DEVICE_FEATURES	0x010	/* 32 bits of the word selected by */
#define VIRTIO_MMIO_DEVICE_FEATURES_SEL	0x014	/* ... this (0: bits 0-31, 1: 32-63) */
#define VIRTIO_MMIO_DRIVER_FEATURES	0x020
#define VIRTIO_MMIO_DRIVER_FEATURES_SEL	0x024
#define VIRTIO_MMIO_QUEUE_SEL		0x030	/* queue the next registers refer to */
#define VIRTIO_MMIO_QUEUE_NUM_MAX	0x034	/* largest size; 0 if no such queue */
#define VIRTIO_MMIO_QUEUE_NUM		0x038	/* size the driver chose */
#define VIRTIO_MMIO_QUEUE_READY		0x044
#define VIRTIO_MMIO_QUEUE_NOTIFY	0x050	/* write a queue index: new buffers */
#define VIRTIO_MMIO_INTERRUPT_STATUS	0x060	/* VIRTIO_INT_* */
#define VIRTIO_MMIO_INTERRUPT_ACK	0x064
#define VIRTIO_MMIO_STATUS		0x070	/* VIRTIO_STATUS_*; write 0 resets */
#define VIRTIO_MMIO_QUEUE_DESC_LOW	0x080	/* physical addresses of the three */
#define VIRTIO_MMIO_QUEUE_DESC_HIGH	0x084	/* areas, as 32-bit halves */
#define VIRTIO_MMIO_QUEUE_DRIVER_LOW	0x090	/* available ring */
#define VIRTIO_MMIO_QUEUE_DRIVER_HIGH	0x094
#define VIRTIO_MMIO_QUEUE_DEVICE_LOW	0x0a0	/* used ring */
#define VIRTIO_MMIO_QUEUE_DEVICE_HIGH	0x0a4
#define VIRTIO_MMIO_CONFIG_GENERATION	0x0fc	/* changes when config changes */
#define VIRTIO_MMIO_CONFIG		0x100	/* device-specific configuration */

#define VIRTIO_MAGIC			0x74726976	/* "virt" */
#define VIRTIO_MMIO_VERSION_LEGACY	1
#define VIRTIO_MMIO_VERSION_MODERN	2

/* Device status bits, set by the driver in this order during setup. */
#define VIRTIO_STATUS_ACKNOWLEDGE	1	/* the driver saw the device */
#define VIRTIO_STATUS_DRIVER		2	/* and knows how to drive it */
#define VIRTIO_STATUS_DRIVER_OK		4	/* and is ready */
#define VIRTIO_STATUS_FEATURES_OK	8	/* feature negotiation is done */
#define VIRTIO_STATUS_NEEDS_RESET	64	/* set by the device */
#define VIRTIO_STATUS_FAILED		128	/* the driver gave up */

/* InterruptStatus / InterruptACK bits. */
#define VIRTIO_INT_USED_BUFFER		1	/* a used ring was updated */
#define VIRTIO_INT_CONFIG		2	/* the configuration changed */

#define VIRTIO_ID_BLOCK			2

/* Device-independent feature bits (bit numbers). */
#define VIRTIO_F_INDIRECT_DESC		28
#define VIRTIO_F_EVENT_IDX		29
#define VIRTIO_F_VERSION_1		32	/* the modern (1.x) interface */
#define VIRTIO_F_ACCESS_PLATFORM	33
#define VIRTIO_F_RING_PACKED		34

#define VIRTIO_BIT(n)			(1ULL << (n))

/* ---- register access
 *
 * Device registers are uncached I/O. RISC-V orders I/O and memory accesses
 * only through fences that name them: "fence w,o" before a register write
 * makes every earlier memory write (ring contents, indices) visible to the
 * device first; "fence i,r" after a register read keeps later memory reads
 * (the used ring) from being satisfied before it.
 */
static inline uint32_t virtio_read32(volatile uint8_t *base, uint32_t off)
{
	uint32_t v = *(volatile uint32_t *)(base + off);

	__asm__ volatile("fence i,r" ::: "memory");
	return v;
}

static inline void virtio_write32(volatile uint8_t *base, uint32_t off,
				  uint32_t v)
{
	__asm__ volatile("fence w,o" ::: "memory");
	*(volatile uint32_t *)(base + off) = v;
}

/* Order every earlier access, memory or I/O, before every later one. */
static inline void virtio_mb(void)
{
	__asm__ volatile("fence iorw,iorw" ::: "memory");
}

/* ---- split virtqueue layout */
struct virtq_desc {
	uint64_t addr;		/* physical address of the buffer */
	uint32_t len;		/* bytes */
	uint16_t flags;		/* VIRTQ_DESC_F_* */
	uint16_t next;		/* next descriptor if flags has NEXT */
};

#define VIRTQ_DESC_F_NEXT	1	/* the chain continues at next */
#define VIRTQ_DESC_F_WRITE	2	/* the device writes this buffer */
#define VIRTQ_DESC_F_INDIRECT	4	/* not used here */

struct virtq_avail {
	uint16_t flags;		/* VIRTQ_AVAIL_F_*; 0: interrupt me */
	uint16_t idx;		/* where the driver puts the next entry */
	uint16_t ring[];	/* heads of chains; followed by used_event */
};

#define VIRTQ_AVAIL_F_NO_INTERRUPT	1

struct virtq_used_elem {
	uint32_t id;		/* head of the finished chain */
	uint32_t len;		/* bytes the device wrote into it */
};

struct virtq_used {
	uint16_t flags;		/* VIRTQ_USED_F_*; 0: notify me */
	uint16_t idx;		/* where the device puts the next entry */
	struct virtq_used_elem ring[];	/* followed by avail_event */
};

#define VIRTQ_USED_F_NO_NOTIFY	1

/* ---- the split-virtqueue helper (virtqueue.c) */
#define VIRTQ_MAX_SIZE	256	/* the private shadow arrays are this long */
#define VIRTQ_NONE	0xffff	/* end of the free list */

/* One buffer of a chain, as the device sees it. */
struct virtq_buf {
	paddr_t pa;
	uint32_t len;
	bool device_writes;	/* device -> memory (VIRTQ_DESC_F_WRITE) */
};

struct virtq {
	uint16_t size;			/* descriptors, a power of two */
	uint16_t nfree;			/* descriptors on the free list */
	uint16_t free_head;		/* first free descriptor or VIRTQ_NONE */
	uint16_t avail_idx;		/* driver's copy of avail->idx */
	uint16_t used_seen;		/* used ring entries consumed so far */
	unsigned int order;		/* the rings are 2^order frames ... */
	struct page *pages;		/* ... starting here, zeroed at init */
	volatile struct virtq_desc *desc;
	volatile struct virtq_avail *avail;
	volatile struct virtq_used *used;
	/* private: next descriptor (in a chain or on the free list) */
	uint16_t link[VIRTQ_MAX_SIZE];
	/* private: length of the chain headed here, 0 if not a busy head */
	uint16_t chain_len[VIRTQ_MAX_SIZE];
};

/*
 * virtq_init - allocate and zero the rings of a queue of `size` descriptors
 * (a power of two, 1 .. VIRTQ_MAX_SIZE) in physically contiguous frames and
 * put every descriptor on the free list. Returns 0, -EINVAL (bad size) or
 * -ENOMEM. The caller hands the three areas' addresses to the device.
 */
int virtq_init(struct virtq *vq, unsigned int size);

/* virtq_destroy - free the rings. The device must not use them any more. */
void virtq_destroy(struct virtq *vq);

/* Physical addresses of the three areas, for the queue registers. */
paddr_t virtq_desc_pa(const struct virtq *vq);
paddr_t virtq_avail_pa(const struct virtq *vq);
paddr_t virtq_used_pa(const struct virtq *vq);

/*
 * virtq_alloc_chain - take n free descriptors and link them into a chain.
 * Returns the head (>= 0), -ENOSPC if fewer than n are free (nothing is
 * taken), or -EINVAL if n is 0 or larger than the queue.
 */
int virtq_alloc_chain(struct virtq *vq, unsigned int n);

/*
 * virtq_fill_chain - describe bufs[0 .. n-1] in the chain at head, in order.
 * n must be the length the chain was allocated with (panics otherwise).
 */
void virtq_fill_chain(struct virtq *vq, int head, const struct virtq_buf *bufs,
		      unsigned int n);

/*
 * virtq_publish - offer the filled chain at head to the device: put it in
 * the available ring and advance the index after the ring entry (release
 * ordering). Returns true if the device asked to be notified, in which
 * case the driver writes QueueNotify next.
 */
bool virtq_publish(struct virtq *vq, int head);

/*
 * virtq_pop_used - take the next entry of the used ring: returns the head
 * of a chain the device finished (and the bytes it wrote in *len), -ENOENT
 * if there is none, or -EIO if the device named a descriptor that is not
 * the head of a published chain (the entry is consumed and ignored). The
 * chain stays allocated until virtq_free_chain.
 */
int virtq_pop_used(struct virtq *vq, uint32_t *len);

/* virtq_free_chain - return every descriptor of the chain at head. */
void virtq_free_chain(struct virtq *vq, int head);

/*
 * virtq_check - verify the free list: no loop, no descriptor twice, its
 * length equals nfree, and no free descriptor heads a busy chain. Returns 0
 * or panics naming the broken invariant. Caller holds the queue's lock.
 */
int virtq_check(const struct virtq *vq);

#endif
