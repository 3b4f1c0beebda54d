/*
 * ns16550a UART, interrupt-driven both ways.
 *
 * Input: the receive interrupt drains the FIFO into the terminal
 * (kern/console.c, fs/tty.c).
 * Output from programs (uart_write) goes into a ring that the
 * transmitter-empty interrupt drains 16 bytes (one FIFO) at a time; a
 * writer that finds the ring full sends the oldest byte itself.
 * Kernel messages (uart_putc) are synchronous, because the console must
 * work from a panic with interrupts off: they first push out whatever the
 * ring holds, so output keeps its order.
 */
#include "env.h"
#include "dev/plic.h"
#include "dev/uart.h"
#include "kern/board.h"
#include "kern/console.h"
#include "kern/panic.h"

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
#define IER_TX		0x02	/* transmitter holding register empty */
#define FIFO_SIZE	16
#define TX_RING		4096
#define FCR_ENABLE	0x01
#define FCR_CLEAR	0x06
#define LCR_8N1		0x03
#define LCR_DLAB	0x80
#define MCR_DTR_RTS_OUT2 0x0b
#define LSR_DATA	0x01
#define LSR_THR_EMPTY	0x20

static volatile uint8_t *uart;
static struct {
	struct spinlock lock;	/* guards the ring and IER */
	char buf[TX_RING];
	unsigned int head, count;
	uint8_t ier;
} tx = { .lock = SPINLOCK_INIT("uart tx") };

static inline uint8_t rd(int r) { return uart[r]; }
static inline void wr(int r, uint8_t v) { uart[r] = v; }

/* Send one byte, waiting for the transmitter (tx.lock held). */
static void tx_poll(char c)
{
	while (!(rd(LSR) & LSR_THR_EMPTY))
		;
	wr(THR, c);
}

static char tx_pop(void)
{
	char c = tx.buf[tx.head];

	tx.head = (tx.head + 1) % TX_RING;
	tx.count--;
	return c;
}

/*
 * Refill the empty transmit FIFO from the ring; keep the transmitter
 * interrupt on while bytes remain (tx.lock held).
 */
static void tx_refill(void)
{
	if (rd(LSR) & LSR_THR_EMPTY)
		for (int i = 0; i < FIFO_SIZE && tx.count; i++)
			wr(THR, tx_pop());
	uint8_t ier = tx.count ? tx.ier | IER_TX : tx.ier & ~IER_TX;

	if (ier != tx.ier) {
		tx.ier = ier;
		wr(IER, ier);
	}
}

/* Take the lock unless a panic is under way (its hart may hold it). */
static unsigned long tx_lock(void)
{
	if (panicking)
		return irq_save();
	return spin_lock_irqsave(&tx.lock);
}

static void tx_unlock(unsigned long flags)
{
	if (panicking)
		irq_restore(flags);
	else
		spin_unlock_irqrestore(&tx.lock, flags);
}

static void uart_interrupt(void *arg)
{
	unsigned long flags;

	while (rd(LSR) & LSR_DATA)
		console_input(rd(RBR));
	flags = tx_lock();
	tx_refill();
	tx_unlock(flags);
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
	if (b->uart.irq && plic_register(b->uart.irq, uart_interrupt, NULL) == 0) {
		tx.ier = IER_RX;
		wr(IER, tx.ier);
	} else {
		kprintf("uart: no interrupt: input disabled, output polled\n");
	}
}

void uart_putc(char c)
{
	unsigned long flags = tx_lock();

	while (tx.count)
		tx_poll(tx_pop());
	tx_poll(c);
	tx_refill();
	tx_unlock(flags);
}

void uart_write(const char *s, size_t n)
{
	unsigned long flags = tx_lock();

	for (size_t i = 0; i < n; i++) {
		if (!tx.ier) {			/* no interrupt: polled output */
			tx_poll(s[i]);
			continue;
		}
		if (tx.count == TX_RING)	/* full: send the oldest now */
			tx_poll(tx_pop());
		tx.buf[(tx.head + tx.count++) % TX_RING] = s[i];
	}
	tx_refill();
	tx_unlock(flags);
}
