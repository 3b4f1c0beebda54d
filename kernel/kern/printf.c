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
static void (*console_out_queued)(const char *s, size_t n);

void console_set_output(void (*putc)(char c),
			void (*write)(const char *s, size_t n))
{
	console_out = putc;
	console_out_queued = write;
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

	if (!console_out_queued) {
		for (size_t i = 0; i < n; i++)
			emit(NULL, s[i]);
	} else {
		/* "\n" becomes "\r\n": queue the runs between newlines */
		size_t start = 0;

		for (size_t i = 0; i < n; i++) {
			if (s[i] != '\n')
				continue;
			console_out_queued(s + start, i - start);
			console_out_queued("\r\n", 2);
			start = i + 1;
		}
		console_out_queued(s + start, n - start);
	}
	spin_unlock_irqrestore(&console_lock, flags);
}
