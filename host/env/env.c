/* Host implementations of the environment declared in host/env/env.h. */
#include "env.h"

#include <sched.h>
#include <stdarg.h>

__thread int host_cpu_id;
__thread uint64_t host_sched_seed;
intptr_t host_phys_offset;
__thread jmp_buf *host_panic_jmp;
__thread char host_panic_msg[512];
int host_log_quiet = 1;

void *host_fake_ram(paddr_t base, uint64_t size)
{
	static void *ram;
	static uint64_t ram_size;

	if (!ram) {
		ram = aligned_alloc(4UL << 20, size);
		ram_size = size;
		if (!ram) {
			fprintf(stderr, "host_fake_ram: no %lu bytes\n",
				(unsigned long)size);
			exit(2);
		}
	}
	if (size > ram_size) {
		fprintf(stderr, "host_fake_ram: asked for more than the first call\n");
		exit(2);
	}
	host_phys_offset = (intptr_t)ram - (intptr_t)base;
	return ram;
}

void panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(host_panic_msg, sizeof(host_panic_msg), fmt, ap);
	va_end(ap);
	if (host_panic_jmp) {
		jmp_buf *jb = host_panic_jmp;

		host_panic_jmp = NULL;
		longjmp(*jb, 1);
	}
	fprintf(stderr, "panic: %s\n", host_panic_msg);
	abort();
}

int kprintf(const char *fmt, ...)
{
	va_list ap;
	int n = 0;

	if (host_log_quiet)
		return 0;
	va_start(ap, fmt);
	n = vprintf(fmt, ap);
	va_end(ap);
	return n;
}

void spin_held_twice(struct spinlock *lock)
{
	panic("spin_lock: %s already held by this hart", lock->name);
}

size_t strlcpy(char *dst, const char *src, size_t size)
{
	size_t len = strlen(src);

	if (size) {
		size_t n = len < size - 1 ? len : size - 1;

		memcpy(dst, src, n);
		dst[n] = 0;
	}
	return len;
}

void host_spin_wait(void)
{
	sched_yield();
}

/*
 * A delay at a scheduling point (env.h), drawn from this thread's
 * host_sched_seed (xorshift64): about one point in four yields the CPU,
 * one in eight spins up to 255 turns, the rest go straight on.
 */
void host_sched_delay(void)
{
	uint64_t s = host_sched_seed;

	s ^= s << 13;
	s ^= s >> 7;
	s ^= s << 17;
	host_sched_seed = s;
	switch (s & 7) {
	case 0:
	case 1:
		sched_yield();
		break;
	case 2:
		for (unsigned int i = (s >> 8) & 255; i > 0; i--)
			__asm__ volatile("" ::: "memory");
		break;
	default:
		break;
	}
}
