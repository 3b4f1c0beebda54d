/*
 * ns16550a UART. Output is polled (the console must work from a panic, with
 * interrupts off); input is interrupt-driven: the receive interrupt drains
 * the FIFO into the console's input buffer (kern/console.c).
 */
#include "env.h"
#include "dev/plic.h"
#include "dev/uart.h"
#include "kern/board.h"
#include "kern/console.h"

#define RBR	0	/* receive buffer (read) */
#define THR	0	/* transmit holding (write) */
#define DLL	0	/* divisor latch low (DLAB = 1) */
#define IER	1	/* interrupt enable */
#define DLM	1	/* divisor latch high (DLAB = 1) */
#define FCR	2	/* FIFO control (write) */
#define LCR	3	/* line control */
#define MCR	4	/* modem control */
#define LSR	5	/* line status */

#define IER_RX		0x01
#define FCR_ENABLE	0x01
#define FCR_CLEAR	0x06
#define LCR_8N1		0x03
#define LCR_DLAB	0x80
#define MCR_DTR_RTS_OUT2 0x0b
#define LSR_DATA	0x01
#define LSR_THR_EMPTY	0x20

static volatile uint8_t *uart;

static inline uint8_t rd(int r) { return uart[r]; }
static inline void wr(int r, uint8_t v) { uart[r] = v; }

static void uart_rx_interrupt(void *arg)
{
	while (rd(LSR) & LSR_DATA)
		console_input(rd(RBR));
}

void uart_init(const struct board *b)
{
	uart = phys_to_virt(b->uart.base);
	wr(IER, 0);
	if (b->uart_clock_hz) {
		uint32_t div = b->uart_clock_hz / (16 * 115200);

		wr(LCR, LCR_DLAB);
		wr(DLL, div & 0xff);
		wr(DLM, div >> 8);
	}
	wr(LCR, LCR_8N1);
	wr(FCR, FCR_ENABLE | FCR_CLEAR);
	wr(MCR, MCR_DTR_RTS_OUT2);
	if (b->uart.irq && plic_register(b->uart.irq, uart_rx_interrupt, NULL) == 0)
		wr(IER, IER_RX);
	else
		kprintf("uart: no receive interrupt, input disabled\n");
}

void uart_putc(char c)
{
	while (!(rd(LSR) & LSR_THR_EMPTY))
		;
	wr(THR, c);
}
