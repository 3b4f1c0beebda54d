/* The ns16550a UART: the console. */
#ifndef KILBURN_UART_H
#define KILBURN_UART_H

struct board;

/* Program the UART (8N1, FIFOs) and take its receive interrupt. */
void uart_init(const struct board *b);
/* Write one byte, waiting for room in the transmitter (polled). */
void uart_putc(char c);

#endif
