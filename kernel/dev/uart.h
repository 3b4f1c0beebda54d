/* The ns16550a UART: the console. */
#ifndef KILBURN_UART_H
#define KILBURN_UART_H

struct board;

/* Program the UART (8N1, FIFOs) and take its receive interrupt. */
void uart_init(const struct board *b);
/* Write one byte now, after whatever uart_write queued (kernel messages). */
void uart_putc(char c);
/* Queue bytes for the transmit interrupt to send (program output). */
void uart_write(const char *s, size_t n);

#endif
