/*
 * Split virtqueues (see virtio.h): ring memory, the descriptor free list,
 * and the two ring indices with the memory ordering the device relies on.
 *
 * The rings share one block of zeroed, physically contiguous frames:
 *
 *	offset 0               descriptor table   16 x size
 *	16 x size              available ring     6 + 2 x size
 *	(rounded up to 4)      used ring          6 + 8 x size
 *
 * Free descriptors form a list through the private link[] array; a chain
 * in use is linked the same way (link[] mirrors desc[].next), and
 * chain_len[head] remembers its length, so freeing never reads memory the
 * device can write.
 */
#include "env.h"
#include "dev/virtio.h"
#include "vm/pmm.h"

static size_t avail_offset(unsigned int size)
{
	return sizeof(struct virtq_desc) * size;
}

static size_t used_offset(unsigned int size)
{
	return ALIGN_UP(avail_offset(size) + 6 + 2 * size, 4);
}

static size_t rings_bytes(unsigned int size)
{
	return used_offset(size) + 6 + sizeof(struct virtq_used_elem) * size;
}

int virtq_init(struct virtq *vq, unsigned int size)
{
	unsigned int order = 0;
	uint8_t *base;

	if (size == 0 || size > VIRTQ_MAX_SIZE || (size & (size - 1)))
		return -EINVAL;
	while ((PAGE_SIZE << order) < rings_bytes(size))
		order++;
	memset(vq, 0, sizeof(*vq));
	vq->pages = pmm_alloc_order(order, PMM_ZERO);
	if (!vq->pages)
		return -ENOMEM;
	base = page_to_virt(vq->pages);
	vq->order = order;
	vq->size = size;
	vq->desc = (volatile struct virtq_desc *)base;
	vq->avail = (volatile struct virtq_avail *)(base + avail_offset(size));
	vq->used = (volatile struct virtq_used *)(base + used_offset(size));
	for (unsigned int i = 0; i < size; i++)
		vq->link[i] = i + 1 < size ? i + 1 : VIRTQ_NONE;
	vq->free_head = 0;
	vq->nfree = size;
	return 0;
}

void virtq_destroy(struct virtq *vq)
{
	if (vq->pages)
		pmm_free_order(vq->pages, vq->order);
	vq->pages = NULL;
	vq->desc = NULL;
	vq->avail = NULL;
	vq->used = NULL;
}

paddr_t virtq_desc_pa(const struct virtq *vq)
{
	return page_to_pa(vq->pages);
}

paddr_t virtq_avail_pa(const struct virtq *vq)
{
	return page_to_pa(vq->pages) + avail_offset(vq->size);
}

paddr_t virtq_used_pa(const struct virtq *vq)
{
	return page_to_pa(vq->pages) + used_offset(vq->size);
}

int virtq_alloc_chain(struct virtq *vq, unsigned int n)
{
	uint16_t head, tail;

	if (n == 0 || n > vq->size)
		return -EINVAL;
	if (n > vq->nfree)
		return -ENOSPC;
	head = tail = vq->free_head;
	for (unsigned int i = 1; i < n; i++)
		tail = vq->link[tail];
	vq->free_head = vq->link[tail];
	vq->link[tail] = VIRTQ_NONE;
	vq->nfree -= n;
	vq->chain_len[head] = n;
	return head;
}

void virtq_fill_chain(struct virtq *vq, int head, const struct virtq_buf *bufs,
		      unsigned int n)
{
	uint16_t i = head;

	if (head < 0 || head >= vq->size || vq->chain_len[head] != n)
		panic("virtq_fill_chain: %u buffers for chain %d of length %u",
		      n, head, head >= 0 && head < vq->size ?
		      vq->chain_len[head] : 0);
	for (unsigned int k = 0; k < n; k++, i = vq->link[i]) {
		volatile struct virtq_desc *d = &vq->desc[i];
		uint16_t flags = bufs[k].device_writes ? VIRTQ_DESC_F_WRITE : 0;

		if (k + 1 < n)
			flags |= VIRTQ_DESC_F_NEXT;
		d->addr = bufs[k].pa;
		d->len = bufs[k].len;
		d->flags = flags;
		d->next = k + 1 < n ? vq->link[i] : 0;
	}
}

bool virtq_publish(struct virtq *vq, int head)
{
	vq->avail->ring[vq->avail_idx & (vq->size - 1)] = head;
	/* The descriptors and the ring entry before the index that shows them. */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	vq->avail_idx++;
	vq->avail->idx = vq->avail_idx;
	/*
	 * The index store before the load of used->flags: otherwise we could
	 * read a stale "don't notify" while the device, having already gone
	 * idle, never sees the new entry.
	 */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return !(vq->used->flags & VIRTQ_USED_F_NO_NOTIFY);
}

int virtq_pop_used(struct virtq *vq, uint32_t *len)
{
	volatile struct virtq_used_elem *e;
	uint32_t id;

	if (vq->used->idx == vq->used_seen)
		return -ENOENT;
	/* The entry (and what the device wrote) after the index that shows it. */
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	e = &vq->used->ring[vq->used_seen & (vq->size - 1)];
	id = e->id;
	if (len)
		*len = e->len;
	vq->used_seen++;
	if (id >= vq->size || vq->chain_len[id] == 0)
		return -EIO;
	return id;
}

void virtq_free_chain(struct virtq *vq, int head)
{
	uint16_t tail = head;
	unsigned int n;

	if (head < 0 || head >= vq->size || vq->chain_len[head] == 0)
		panic("virtq_free_chain: descriptor %d heads no chain", head);
	n = vq->chain_len[head];
	for (unsigned int i = 1; i < n; i++)
		tail = vq->link[tail];
	vq->link[tail] = vq->free_head;
	vq->free_head = head;
	vq->nfree += n;
	vq->chain_len[head] = 0;
}

int virtq_check(const struct virtq *vq)
{
	uint8_t seen[VIRTQ_MAX_SIZE] = { 0 };
	unsigned int nfree = 0, busy = 0;

	for (uint16_t i = vq->free_head; i != VIRTQ_NONE; i = vq->link[i]) {
		if (i >= vq->size)
			panic("virtq_check: free list reaches descriptor %u of %u",
			      i, vq->size);
		if (seen[i]++)
			panic("virtq_check: descriptor %u twice on the free list", i);
		if (vq->chain_len[i])
			panic("virtq_check: free descriptor %u heads a chain", i);
		nfree++;
	}
	if (nfree != vq->nfree)
		panic("virtq_check: %u descriptors on the free list, nfree %u",
		      nfree, vq->nfree);
	for (unsigned int i = 0; i < vq->size; i++)
		busy += vq->chain_len[i];
	if (busy + nfree != vq->size)
		panic("virtq_check: %u busy + %u free descriptors, queue of %u",
		      busy, nfree, vq->size);
	return 0;
}
