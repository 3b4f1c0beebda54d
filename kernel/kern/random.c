/* See random.h. */
#include "env.h"
#include "arch/riscv/csr.h"
#include "kern/random.h"

static uint64_t state = 0x9e3779b97f4a7c15ULL;
static struct spinlock random_lock = SPINLOCK_INIT("random");

static uint64_t next(void)
{
	state ^= rdtime() * 0xff51afd7ed558ccdULL;
	state ^= state << 13;
	state ^= state >> 7;
	state ^= state << 17;
	return state * 0x2545f4914f6cdd1dULL;
}

void random_bytes(void *buf, size_t len)
{
	unsigned long flags = spin_lock_irqsave(&random_lock);
	uint8_t *p = buf;

	while (len) {
		uint64_t v = next();
		size_t n = MIN(len, sizeof(v));

		memcpy(p, &v, n);
		p += n;
		len -= n;
	}
	spin_unlock_irqrestore(&random_lock, flags);
}
