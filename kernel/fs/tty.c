/*
 * The console terminal. Input arrives from the UART's receive interrupt
 * (kern/console.c) and is edited a line at a time, as a Linux terminal in
 * canonical mode does: echo, backspace (DEL or ^H) erases, ^U kills the
 * line, ^D ends input, ^C sends SIGINT to every process that does not
 * ignore it (there are no process groups yet) except init. Output turns
 * "\n" into "\r\n".
 */
#include "fs/tty.h"
#include "kern/console.h"
#include "kern/proc.h"
#include "kern/signal.h"
#include "kern/uaccess.h"

#define TCGETS		0x5401
#define TCSETS		0x5402
#define TCSETSW		0x5403
#define TCSETSF		0x5404
#define TIOCGPGRP	0x540F
#define TIOCSPGRP	0x5410
#define TIOCGWINSZ	0x5413
#define TIOCSWINSZ	0x5414

#define LINE_MAX	1024

/* asm-generic termbits */
struct ktermios {
	uint32_t c_iflag, c_oflag, c_cflag, c_lflag;
	uint8_t c_line;
	uint8_t c_cc[19];
};

struct kwinsize {
	uint16_t ws_row, ws_col, ws_xpixel, ws_ypixel;
};

#define ICRNL	0000400
#define OPOST	0000001
#define ONLCR	0000004
#define B38400	0000017
#define CS8	0000060
#define CREAD	0000200
#define ISIG	0000001
#define ICANON	0000002
#define ECHO	0000010
#define ECHOE	0000020
#define ECHOK	0000040

static struct {
	struct spinlock lock;
	struct waitq readers;
	char line[LINE_MAX];		/* the line being edited */
	size_t len;
	char ready[LINE_MAX];		/* completed input not yet read */
	size_t ready_len;
	bool eof;			/* ^D on an empty line */
	struct ktermios termios;
} tty = {
	.lock = SPINLOCK_INIT("tty"),
	.readers = { LIST_HEAD_INIT(tty.readers.waiters) },
	.termios = {
		.c_iflag = ICRNL, .c_oflag = OPOST | ONLCR,
		.c_cflag = B38400 | CS8 | CREAD,
		.c_lflag = ISIG | ICANON | ECHO | ECHOE | ECHOK,
		.c_cc = { 3, 28, 127, 21, 4, 0, 1, 0, 17, 19, 26, 0, 18, 15, 23, 22 },
	},
};

static void tty_echo(const char *s, size_t n)
{
	console_write(s, n);
}

static int sigint_one(struct proc *p, void *arg)
{
	if (p != init_proc && p->state != PROC_ZOMBIE)
		signal_send(p, SIGINT);
	return 0;
}

/* Finish the line being edited (tty.lock held). */
static void line_done(void)
{
	size_t room = sizeof(tty.ready) - tty.ready_len;
	size_t n = MIN(tty.len, room);

	memcpy(tty.ready + tty.ready_len, tty.line, n);
	tty.ready_len += n;
	tty.len = 0;
	waitq_wake_all(&tty.readers);
}

/* One input byte, from the UART interrupt. */
void tty_input(char c)
{
	unsigned long flags = spin_lock_irqsave(&tty.lock);
	bool sigint = false;

	if (c == '\r')
		c = '\n';
	if (c == 3) {				/* ^C */
		tty.len = 0;
		tty_echo("^C\n", 3);
		sigint = true;
	} else if (c == 4) {			/* ^D */
		if (tty.len == 0)
			tty.eof = true;
		line_done();
	} else if (c == 127 || c == 8) {	/* erase */
		if (tty.len) {
			tty.len--;
			tty_echo("\b \b", 3);
		}
	} else if (c == 21) {			/* ^U */
		while (tty.len) {
			tty.len--;
			tty_echo("\b \b", 3);
		}
	} else if (tty.len < LINE_MAX - 1 || c == '\n') {
		tty.line[tty.len++] = c;
		tty_echo(&c, 1);
		if (c == '\n')
			line_done();
	}
	waitq_wake_all(&tty.readers);
	spin_unlock_irqrestore(&tty.lock, flags);
	if (sigint)
		proc_for_each(sigint_one, NULL);
}

static long tty_read(struct file *f, uint64_t ubuf, size_t len)
{
	char buf[256];
	unsigned long flags = spin_lock_irqsave(&tty.lock);
	size_t n;

	while (!tty.ready_len && !tty.eof) {
		if (signal_pending()) {
			spin_unlock_irqrestore(&tty.lock, flags);
			return -ERESTARTSYS;
		}
		waitq_sleep(&tty.readers, &tty.lock);
	}
	if (!tty.ready_len) {			/* ^D on an empty line */
		tty.eof = false;
		spin_unlock_irqrestore(&tty.lock, flags);
		return 0;
	}
	/* a read returns at most one line */
	n = 0;
	while (n < tty.ready_len && n < len && n < sizeof(buf)) {
		buf[n] = tty.ready[n];
		if (buf[n++] == '\n')
			break;
	}
	memmove(tty.ready, tty.ready + n, tty.ready_len - n);
	tty.ready_len -= n;
	spin_unlock_irqrestore(&tty.lock, flags);
	if (copy_to_user(ubuf, buf, n))
		return -EFAULT;
	return n;
}

static long tty_write(struct file *f, uint64_t ubuf, size_t len)
{
	char buf[256];
	size_t done = 0;

	while (done < len) {
		size_t n = MIN(len - done, sizeof(buf));

		if (copy_from_user(buf, ubuf + done, n))
			return done ? (long)done : -EFAULT;
		console_write(buf, n);
		done += n;
	}
	return done;
}

static long tty_write_kernel(struct file *f, const void *buf, size_t len)
{
	console_write(buf, len);
	return len;
}

static long tty_ioctl(struct file *f, unsigned long cmd, uint64_t arg)
{
	struct kwinsize ws = { 24, 80, 0, 0 };
	int pgrp = 1;

	switch (cmd) {
	case TCGETS:
		return copy_to_user(arg, &tty.termios, sizeof(tty.termios));
	case TCSETS:
	case TCSETSW:
	case TCSETSF:
		return copy_from_user(&tty.termios, arg, sizeof(tty.termios));
	case TIOCGWINSZ:
		return copy_to_user(arg, &ws, sizeof(ws));
	case TIOCSWINSZ:
		return 0;
	case TIOCGPGRP:
		return copy_to_user(arg, &pgrp, sizeof(pgrp));
	case TIOCSPGRP:
		return 0;
	}
	return -ENOTTY;
}

const struct file_ops tty_file_ops = {
	.read = tty_read,
	.write = tty_write,
	.write_kernel = tty_write_kernel,
	.ioctl = tty_ioctl,
};
