/*
 * kprintf: formatted console output. One lock serializes whole calls, so
 * lines from different harts never mix. Output goes through the SBI console
 * until the UART driver takes over. During a panic the lock is skipped: the
 * panicking hart must be able to print even if it died holding it.
 */
#include "env.h"
#include "arch/riscv/sbi.h"
#include "kern/console.h"
#include "kern/panic.h"

static struct spinlock console_lock = SPINLOCK_INIT("console");
static void (*console_out)(char c);

void console_set_output(void (*putc)(char c))
{
	console_out = putc;
}

static void emit(void *ctx, char c)
{
	if (c == '\n')
		emit(ctx, '\r');
	if (console_out)
		console_out(c);
	else
		sbi_console_putchar(c);
}

int kvprintf(const char *fmt, va_list ap)
{
	unsigned long flags = 0;
	bool locked = !panicking;
	int n;

	if (locked)
		flags = spin_lock_irqsave(&console_lock);
	n = vformat(emit, NULL, fmt, ap);
	if (locked)
		spin_unlock_irqrestore(&console_lock, flags);
	return n;
}

int kprintf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = kvprintf(fmt, ap);
	va_end(ap);
	return n;
}

void console_write(const char *s, size_t n)
{
	unsigned long flags = spin_lock_irqsave(&console_lock);

	for (size_t i = 0; i < n; i++)
		emit(NULL, s[i]);
	spin_unlock_irqrestore(&console_lock, flags);
}
