/*
 * Kernel console output. kprintf() may be called from any hart and from
 * interrupt handlers; each call's output appears as one unbroken piece.
 */
#ifndef KILBURN_PRINTF_H
#define KILBURN_PRINTF_H

#include "types.h"
#include "lib/format.h"

int kprintf(const char *fmt, ...) __printf(1, 2);
int kvprintf(const char *fmt, va_list ap);

/*
 * Console output: putc writes at once (kernel messages), write queues
 * (program output through the terminal). Set once the UART is up; until
 * then the SBI console is used.
 */
void console_set_output(void (*putc)(char c),
			void (*write)(const char *s, size_t n));

#endif
