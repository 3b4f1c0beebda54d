/*
 * format — printf-style formatting shared by the kernel console, panic and
 * snprintf. Conversions: %d %i %u %x %X %o %p %s %c %%, flags '-' '0' '+' ' ',
 * field width and precision (also '*'), length modifiers hh h l ll z t.
 * %p prints 0x followed by 16 hex digits. A NULL %s prints "(null)".
 *
 * Machine-independent: compiles on the host.
 */
#ifndef KILBURN_FORMAT_H
#define KILBURN_FORMAT_H

#include "types.h"

/* Called once per output character. */
typedef void (*format_out_fn)(void *ctx, char c);

/* Formats into out(); returns the number of characters produced. */
int vformat(format_out_fn out, void *ctx, const char *fmt, va_list ap);

/*
 * ksnprintf - like C's snprintf: writes at most size-1 characters and a NUL
 * (if size > 0) and returns the length the full output would have had.
 */
int ksnprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);
int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap);

#endif
