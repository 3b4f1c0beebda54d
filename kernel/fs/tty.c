/*
 * The console terminal. Input arrives from the UART's receive interrupt
 * (kern/console.c) and is edited a line at a time, as a Linux terminal in
 * canonical mode does: echo, backspace (DEL or ^H) erases, ^U kills the
 * line, ^D ends input. Output turns "\n" into "\r\n". Without ICANON
 * (raw mode, as line editors set it) every byte is input at once, with no
 * editing, and a read returns what there is (VMIN 0: even nothing). ECHO
 * and ICRNL are honoured.
 *
 * Job control: a session leader makes the terminal its controlling
 * terminal (TIOCSCTTY); the session then has a foreground process group
 * (TIOCGPGRP, TIOCSPGRP). With ISIG, ^C, ^\ and ^Z send SIGINT, SIGQUIT
 * and SIGTSTP to the foreground group only; a read from a background
 * group of the session gets SIGTTIN (EIO if that is ignored or blocked, or
 * the group is orphaned),
 * and with TOSTOP set a write from one gets SIGTTOU (it goes on if that is
 * ignored or blocked; EIO from an orphaned group).
 * While no session has the terminal, ^C and ^\ go to every process but
 * init, as before sessions existed. There is one terminal: a process's
 * controlling terminal is this one if its session owns it.
 */
#include "fs/tty.h"
#include "fs/poll.h"
#include "kern/console.h"
#include "kern/jobctl.h"
#include "kern/proc.h"
#include "kern/thread.h"
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
#define TIOCSCTTY	0x540E
#define TIOCSTI		0x5412
#define TIOCNOTTY	0x5422
#define TIOCGSID	0x5429

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
#define TOSTOP	0000400
#define VMIN	6

static struct {
	struct spinlock lock;
	struct waitq readers;
	char line[LINE_MAX];		/* the line being edited */
	size_t len;
	char ready[LINE_MAX];		/* completed input not yet read */
	size_t ready_len;
	bool eof;			/* ^D on an empty line */
	struct ktermios termios;
	int sid;			/* the session it controls, or 0 */
	int pgrp;			/* its foreground group (sid != 0) */
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
	if (tty.termios.c_lflag & ECHO)
		console_write(s, n);
}

/* A byte in raw mode: input as it is (tty.lock held). */
static void raw_input(char c)
{
	if (tty.ready_len < sizeof(tty.ready)) {
		tty.ready[tty.ready_len++] = c;
		tty_echo(&c, 1);
	}
	poll_notify();
}

static int signal_one(struct proc *p, void *arg)
{
	if (p != init_proc && p->tg->live)	/* its leader may be a zombie */
		signal_send(p, (int)(long)arg);
	return 0;
}

/* A signal key was typed: sig to the foreground group (or to all). */
static void signal_key(int sig, int pgrp)
{
	if (pgrp)
		jobctl_signal_group(pgrp, sig);
	else
		proc_for_each(signal_one, (void *)(long)sig);
}

/* The signal a key sends (ISIG on), or 0. */
static int key_signal(char c)
{
	if (!(tty.termios.c_lflag & ISIG))
		return 0;
	if (c == 3)
		return SIGINT;
	if (c == 28)
		return SIGQUIT;
	if (c == 26)
		return tty.sid ? SIGTSTP : 0;	/* nobody to come back to without job control */
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
	poll_notify();
}

/* One input byte, from the UART interrupt. */
void tty_input(char c)
{
	unsigned long flags = spin_lock_irqsave(&tty.lock);
	int sig = key_signal(c), pgrp = tty.pgrp;

	if (c == '\r' && (tty.termios.c_iflag & ICRNL))
		c = '\n';
	if (sig) {				/* ^C, ^\\, ^Z */
		char echo[3] = { '^', c + '@', '\n' };

		tty.len = 0;
		tty_echo(echo, 3);
	} else if (!(tty.termios.c_lflag & ICANON)) {
		raw_input(c);
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
	if (sig)
		signal_key(sig, pgrp);
}

/*
 * Is the current process reading from a background group of the session
 * that owns the terminal (tty.lock held)? Returns its group, which gets
 * SIGTTIN while the read waits (-ERESTARTSYS), or -EIO if SIGTTIN is
 * ignored or blocked; 0 if the read may go on.
 */
static long background_read(void)
{
	struct proc *p = current();
	struct ksigaction act;
	int pgid = READ_ONCE(p->pgid);

	if (!tty.sid || READ_ONCE(p->sid) != tty.sid || pgid == tty.pgrp)
		return 0;
	act = signal_get_action(p, SIGTTIN);
	if (act.handler == SIG_IGN || (p->sig_blocked & sig_bit(SIGTTIN)))
		return -EIO;
	return pgid;
}

static long tty_read(struct file *f, uint64_t ubuf, size_t len)
{
	char buf[256];
	unsigned long flags = spin_lock_irqsave(&tty.lock);
	long bg = background_read();
	size_t n;

	if (bg) {
		spin_unlock_irqrestore(&tty.lock, flags);
		if (bg < 0 || jobctl_group_orphaned(bg))
			return bg < 0 ? bg : -EIO;	/* Linux: EIO from an orphaned group */
		jobctl_signal_group(bg, SIGTTIN);
		return -ERESTARTSYS;
	}
	while (!tty.ready_len && !tty.eof) {
		if (!(tty.termios.c_lflag & ICANON) && tty.termios.c_cc[VMIN] == 0)
			break;			/* raw, VMIN 0: nothing is an answer */
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
	/* a canonical read returns at most one line */
	n = 0;
	while (n < tty.ready_len && n < len && n < sizeof(buf)) {
		buf[n] = tty.ready[n];
		if (buf[n++] == '\n' && (tty.termios.c_lflag & ICANON))
			break;
	}
	memmove(tty.ready, tty.ready + n, tty.ready_len - n);
	tty.ready_len -= n;
	spin_unlock_irqrestore(&tty.lock, flags);
	if (copy_to_user(ubuf, buf, n))
		return -EFAULT;
	return n;
}

/*
 * With TOSTOP set, is the current process writing from a background group
 * of the session that owns the terminal? Returns its group, which gets
 * SIGTTOU while the write waits (-ERESTARTSYS); -EIO if the group is
 * orphaned; 0 if the write may go on, also when SIGTTOU is ignored or
 * blocked (Linux's tty_check_change).
 */
static long background_write(void)
{
	struct proc *p = current();
	struct ksigaction act;
	unsigned long flags = spin_lock_irqsave(&tty.lock);
	int pgid = READ_ONCE(p->pgid);
	bool bg = (tty.termios.c_lflag & TOSTOP) && tty.sid &&
		  READ_ONCE(p->sid) == tty.sid && pgid != tty.pgrp;

	spin_unlock_irqrestore(&tty.lock, flags);
	if (!bg)
		return 0;
	act = signal_get_action(p, SIGTTOU);
	if (act.handler == SIG_IGN || (p->sig_blocked & sig_bit(SIGTTOU)))
		return 0;
	if (jobctl_group_orphaned(pgid))
		return -EIO;
	return pgid;
}

static long tty_write(struct file *f, uint64_t ubuf, size_t len)
{
	char buf[256];
	size_t done = 0;
	long bg = background_write();

	if (bg < 0)
		return bg;
	if (bg) {
		jobctl_signal_group(bg, SIGTTOU);
		return -ERESTARTSYS;
	}
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

/* Does the current process have this terminal as its controlling one? */
static bool is_ctty(void)
{
	return tty.sid && READ_ONCE(current()->sid) == tty.sid;
}

/*
 * TIOCSCTTY: a session leader without a controlling terminal takes this
 * one, if no other session has it (steal: root may take it anyway, as
 * Linux's arg 1). Its group becomes the foreground.
 */
static long ioctl_sctty(long steal)
{
	struct proc *p = current();
	unsigned long flags;
	long err = 0;

	if (p->sid != p->pid)
		return -EPERM;
	flags = spin_lock_irqsave(&tty.lock);
	if (tty.sid == p->sid)
		err = 0;
	else if (tty.sid && steal != 1)
		err = -EPERM;
	else {
		tty.sid = p->sid;
		tty.pgrp = p->pgid;
	}
	spin_unlock_irqrestore(&tty.lock, flags);
	return err;
}

/*
 * TIOCSPGRP from the controlling session: group pgrp (of the session)
 * becomes the foreground. From a background group it is SIGTTOU to that
 * group first, unless SIGTTOU is ignored or blocked (as shells do).
 */
static long ioctl_spgrp(uint64_t arg)
{
	struct proc *p = current();
	struct ksigaction act;
	unsigned long flags;
	int pgrp;

	if (copy_from_user(&pgrp, arg, sizeof(pgrp)))
		return -EFAULT;
	if (!is_ctty())
		return -ENOTTY;
	if (pgrp < 0)
		return -EINVAL;
	if (!jobctl_group_exists(pgrp, p->sid))
		return -EPERM;
	act = signal_get_action(p, SIGTTOU);
	if (READ_ONCE(p->pgid) != tty.pgrp && act.handler != SIG_IGN &&
	    !(p->sig_blocked & sig_bit(SIGTTOU))) {
		jobctl_signal_group(p->pgid, SIGTTOU);
		return -ERESTARTSYS;
	}
	flags = spin_lock_irqsave(&tty.lock);
	tty.pgrp = pgrp;
	spin_unlock_irqrestore(&tty.lock, flags);
	return 0;
}

/* Let go of the terminal (tty.lock not held): the session loses it. */
static void tty_release(int sid, bool hangup)
{
	unsigned long flags = spin_lock_irqsave(&tty.lock);
	int pgrp = 0;

	if (tty.sid == sid) {
		pgrp = tty.pgrp;
		tty.sid = tty.pgrp = 0;
	}
	spin_unlock_irqrestore(&tty.lock, flags);
	if (pgrp && hangup) {
		jobctl_signal_group(pgrp, SIGHUP);
		jobctl_signal_group(pgrp, SIGCONT);
	}
}

void tty_session_exit(struct proc *p)
{
	if (p->sid == p->pid && tty.sid == p->sid)
		tty_release(p->sid, true);
}

/* TIOCNOTTY: the session leader gives the terminal up (its foreground
   group is hung up); for another member of the session it is a no-op. */
static long ioctl_notty(void)
{
	struct proc *p = current();

	if (!is_ctty())
		return -ENOTTY;
	if (p->sid == p->pid)
		tty_release(p->sid, true);
	return 0;
}

/* The job-control requests; -ENOIOCTLCMD for the others. */
static long tty_ioctl_job(unsigned long cmd, uint64_t arg)
{
	int id;
	char c;

	switch (cmd) {
	case TIOCGPGRP:
	case TIOCGSID:
		if (!is_ctty())
			return -ENOTTY;
		id = cmd == TIOCGPGRP ? tty.pgrp : tty.sid;
		return copy_to_user(arg, &id, sizeof(id));
	case TIOCSPGRP:
		return ioctl_spgrp(arg);
	case TIOCSCTTY:
		return ioctl_sctty(arg);
	case TIOCNOTTY:
		return ioctl_notty();
	case TIOCSTI:			/* as if typed (the caller's own terminal) */
		if (!is_ctty())
			return -EPERM;
		if (copy_from_user(&c, arg, 1))
			return -EFAULT;
		tty_input(c);
		return 0;
	}
	return -ENOIOCTLCMD;
}

static long tty_ioctl(struct file *f, unsigned long cmd, uint64_t arg)
{
	struct kwinsize ws = { 24, 80, 0, 0 };
	long err = tty_ioctl_job(cmd, arg);

	if (err != -ENOIOCTLCMD)
		return err;
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
	}
	return -ENOTTY;
}

/* Readable with a line (or ^D) to read; always writable. */
static unsigned int tty_poll(struct file *f)
{
	unsigned long flags = spin_lock_irqsave(&tty.lock);
	unsigned int mask = POLLOUT | POLLWRNORM;

	if (tty.ready_len || tty.eof)
		mask |= POLLIN | POLLRDNORM;
	spin_unlock_irqrestore(&tty.lock, flags);
	return mask;
}

const struct file_ops tty_file_ops = {
	.read = tty_read,
	.poll = tty_poll,
	.write = tty_write,
	.write_kernel = tty_write_kernel,
	.ioctl = tty_ioctl,
};
