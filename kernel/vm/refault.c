/* Refaults of dropped file pages; see refault.h. */
#include "vm/refault.h"
#include "vm/vmstat.h"

static struct spinlock refault_lock = SPINLOCK_INIT("refault");
static uint64_t ring[REFAULT_RING];	/* refault_lock: keys, 0 = none */
static unsigned int ring_next;		/* refault_lock */
static uint32_t drops, refaults;	/* refault_lock: decaying counts */

/* The key of page idx of obj: never 0 (0 marks a free place). */
static uint64_t refault_key(const void *obj, uint64_t idx)
{
	uint64_t k = (uint64_t)(uintptr_t)obj * 0x9e3779b97f4a7c15ULL ^ idx;

	return k ? k : 1;
}

void refault_note_drop(const void *obj, uint64_t idx)
{
	unsigned long flags = spin_lock_irqsave(&refault_lock);

	ring[ring_next] = refault_key(obj, idx);
	ring_next = (ring_next + 1) % REFAULT_RING;
	if (++drops >= 2 * REFAULT_WINDOW) {
		drops /= 2;
		refaults /= 2;
	}
	spin_unlock_irqrestore(&refault_lock, flags);
}

bool refault_note_read(const void *obj, uint64_t idx)
{
	uint64_t k = refault_key(obj, idx);
	bool found = false;
	unsigned long flags = spin_lock_irqsave(&refault_lock);

	for (unsigned int i = 0; i < REFAULT_RING; i++) {
		if (ring[i] == k) {
			ring[i] = 0;
			found = true;
			if (refaults < drops)
				refaults++;
			break;
		}
	}
	spin_unlock_irqrestore(&refault_lock, flags);
	if (found)
		vmstat_inc(VMSTAT_WORKINGSET_REFAULT_FILE);
	return found;
}

bool refault_thrashing(void)
{
	unsigned long flags = spin_lock_irqsave(&refault_lock);
	bool thrashing = drops >= REFAULT_MIN && 2 * refaults >= drops;

	spin_unlock_irqrestore(&refault_lock, flags);
	return thrashing;
}

void refault_forget(void)
{
	unsigned long flags = spin_lock_irqsave(&refault_lock);

	for (unsigned int i = 0; i < REFAULT_RING; i++)
		ring[i] = 0;
	drops = refaults = 0;
	spin_unlock_irqrestore(&refault_lock, flags);
}
