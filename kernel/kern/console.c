/*
 * Console input: a ring buffer filled by the UART's receive interrupt.
 * Bytes that arrive while it is full are dropped.
 */
#include "env.h"
#include "kern/console.h"

#define CONSOLE_BUF 512

static struct {
	struct spinlock lock;
	char buf[CONSOLE_BUF];
	unsigned int head, tail;	/* head: next to read; tail: next to fill */
} in = { .lock = SPINLOCK_INIT("console input") };

void console_input(char c)
{
	unsigned long flags = spin_lock_irqsave(&in.lock);

	if (in.tail - in.head < CONSOLE_BUF)
		in.buf[in.tail++ % CONSOLE_BUF] = c;
	spin_unlock_irqrestore(&in.lock, flags);
}

int console_getc(void)
{
	unsigned long flags = spin_lock_irqsave(&in.lock);
	int c = -1;

	if (in.head != in.tail)
		c = (unsigned char)in.buf[in.head++ % CONSOLE_BUF];
	spin_unlock_irqrestore(&in.lock, flags);
	return c;
}
