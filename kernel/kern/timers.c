/* Interval and POSIX timers, and the clock calls around them; see timers.h. */
#include "kern/timers.h"
#include "kern/thread.h"
#include "arch/riscv/timer.h"
#include "dev/rtc.h"
#include "kern/proc.h"
#include "kern/signal.h"
#include "kern/syscall.h"
#include "kern/uaccess.h"
#include "vm/kmem.h"

#define NSEC			1000000000ULL
#define TICK_NS			(NSEC / TIMER_HZ)
#define TIMERS_MAX		32	/* POSIX timers per process */
#define ITIMER_REAL		0
#define ITIMER_VIRTUAL		1
#define ITIMER_PROF		2
#define SIGEV_SIGNAL		0
#define SIGEV_NONE		1
#define SI_TIMER		(-2)
#define TIMER_ABSTIME		1
#define CLOCK_REALTIME		0
#define CLOCK_MONOTONIC		1
#define CLOCK_PROCESS_CPUTIME	2
#define CLOCK_THREAD_CPUTIME	3
#define CLOCK_MONOTONIC_RAW	4
#define CLOCK_REALTIME_COARSE	5
#define CLOCK_MONOTONIC_COARSE	6
#define CLOCK_BOOTTIME		7
#define USER_HZ			100	/* clock_t of times() */

/* A wall-clock timer. The siginfo of a POSIX timer holds si_timerid,
   si_overrun and si_value where kill's pid, uid and value are. */
struct ktimer {
	struct list_node link;		/* on armed while expires != 0 */
	struct proc *p;
	uint64_t expires;		/* uptime ns; 0: disarmed */
	uint64_t interval;		/* ns; 0: fires once */
	struct ksiginfo info;		/* what it sends (si_signo 0: nothing) */
	int overrun;			/* periods missed at the last expiry */
	bool used;			/* a POSIX timer slot in use */
	bool realtime;			/* a POSIX timer on CLOCK_REALTIME */
};

/* A CPU-time interval timer, in ns of the time it counts. */
struct cputimer {
	uint64_t left, interval;
};

struct proc_timers {
	struct ktimer real;
	struct cputimer virt, prof;
	struct ktimer posix[TIMERS_MAX];
};

struct ktimespec {
	int64_t tv_sec, tv_nsec;
};

struct kitimerspec {
	struct ktimespec interval, value;
};

struct ktimeval {
	int64_t tv_sec, tv_usec;
};

struct kitimerval {
	struct ktimeval interval, value;
};

struct ksigevent {
	uint64_t value;
	int32_t signo;
	int32_t notify;
};

static struct spinlock timer_lock = SPINLOCK_INIT("timers");
static struct list_node armed = LIST_HEAD_INIT(armed);

/* Stop t (timer_lock held). */
static void ktimer_disarm(struct ktimer *t)
{
	if (t->expires)
		list_remove(&t->link);
	t->expires = 0;
}

/* Arm t to fire at expires (0: disarm) then every interval (timer_lock). */
static void ktimer_arm(struct ktimer *t, uint64_t expires, uint64_t interval)
{
	ktimer_disarm(t);
	t->interval = interval;
	t->overrun = 0;
	if (expires) {
		t->expires = expires;
		list_append(&armed, &t->link);
	}
}

/* Nanoseconds until t fires (0 if disarmed or due) (timer_lock). */
static uint64_t ktimer_left(const struct ktimer *t, uint64_t now)
{
	if (!t->expires)
		return 0;
	return t->expires > now ? t->expires - now : 1;
}

void timers_tick(void)
{
	uint64_t now = timer_uptime_ns();
	unsigned long flags;
	struct list_node *n, *next;

	if (list_empty(&armed))		/* a racy peek: the next tick sees it */
		return;
	flags = spin_lock_irqsave(&timer_lock);
	for (n = armed.next; n != &armed; n = next) {
		struct ktimer *t = list_entry(n, struct ktimer, link);

		next = n->next;
		if (t->expires > now)
			continue;
		if (t->interval) {
			uint64_t missed = (now - t->expires) / t->interval;

			t->overrun = missed > 0x7fffffff ? 0x7fffffff : (int)missed;
			t->expires += (missed + 1) * t->interval;
		} else {
			ktimer_disarm(t);
		}
		if (t->info.si_signo) {
			t->info.kill.uid = t->overrun;
			signal_send_info(t->p, &t->info);
		}
	}
	spin_unlock_irqrestore(&timer_lock, flags);
}

/* Count ns of CPU time on c; true if it expired (and reload it). */
static bool cputimer_run(struct cputimer *c, uint64_t ns)
{
	if (!c->left)
		return false;
	if (c->left > ns) {
		c->left -= ns;
		return false;
	}
	c->left = c->interval;
	return true;
}

void timers_cpu_tick(struct proc *p, bool from_user)
{
	unsigned long flags = spin_lock_irqsave(&timer_lock);
	struct proc_timers *pt = p->timers;
	bool virt = false, prof = false;

	if (pt) {
		virt = from_user && cputimer_run(&pt->virt, TICK_NS);
		prof = cputimer_run(&pt->prof, TICK_NS);
	}
	spin_unlock_irqrestore(&timer_lock, flags);
	if (virt)
		signal_send(p, SIGVTALRM);
	if (prof)
		signal_send(p, SIGPROF);
}

/*
 * The current process's timers (its leader's), made on first use; NULL if
 * out of memory.
 */
static struct proc_timers *timers_of_current(void)
{
	struct proc *p = current()->tg->leader;
	struct proc_timers *pt;
	unsigned long flags;

	if (p->timers)
		return p->timers;
	pt = kmalloc(sizeof(*pt), KM_ZERO);
	if (!pt)
		return NULL;
	pt->real.p = p;
	pt->real.info = (struct ksiginfo) { .si_signo = SIGALRM, .si_code = SI_KERNEL };
	for (int i = 0; i < TIMERS_MAX; i++)
		pt->posix[i].p = p;
	flags = spin_lock_irqsave(&timer_lock);
	p->timers = pt;
	spin_unlock_irqrestore(&timer_lock, flags);
	return pt;
}

void timers_exec(struct proc *p)
{
	unsigned long flags = spin_lock_irqsave(&timer_lock);

	if (p->timers)
		for (int i = 0; i < TIMERS_MAX; i++) {
			ktimer_disarm(&p->timers->posix[i]);
			p->timers->posix[i].used = false;
		}
	spin_unlock_irqrestore(&timer_lock, flags);
}

void timers_move(struct proc *from, struct proc *to)
{
	unsigned long flags = spin_lock_irqsave(&timer_lock);
	struct proc_timers *pt = from->timers;

	from->timers = NULL;
	to->timers = pt;
	if (pt) {
		pt->real.p = to;
		for (int i = 0; i < TIMERS_MAX; i++)
			pt->posix[i].p = to;
	}
	spin_unlock_irqrestore(&timer_lock, flags);
}

void timers_exit(struct proc *p)
{
	unsigned long flags = spin_lock_irqsave(&timer_lock);
	struct proc_timers *pt = p->timers;

	if (pt) {
		ktimer_disarm(&pt->real);
		for (int i = 0; i < TIMERS_MAX; i++)
			ktimer_disarm(&pt->posix[i]);
	}
	p->timers = NULL;
	spin_unlock_irqrestore(&timer_lock, flags);
	kfree(pt);
}

/* ---------------------------------------------------------- conversions */

static bool timespec_valid(const struct ktimespec *ts)
{
	return ts->tv_sec >= 0 && ts->tv_nsec >= 0 && ts->tv_nsec < (int64_t)NSEC;
}

static uint64_t timespec_ns(const struct ktimespec *ts)
{
	return (uint64_t)ts->tv_sec * NSEC + ts->tv_nsec;
}

static struct ktimespec ns_timespec(uint64_t ns)
{
	return (struct ktimespec) { ns / NSEC, ns % NSEC };
}

static bool timeval_valid(const struct ktimeval *tv)
{
	return tv->tv_sec >= 0 && tv->tv_usec >= 0 && tv->tv_usec < 1000000;
}

static uint64_t timeval_ns(const struct ktimeval *tv)
{
	return (uint64_t)tv->tv_sec * NSEC + tv->tv_usec * 1000;
}

/* As Linux, a remaining time is rounded up to whole microseconds. */
static struct ktimeval ns_timeval(uint64_t ns)
{
	uint64_t us = (ns + 999) / 1000;

	return (struct ktimeval) { us / 1000000, us % 1000000 };
}

/* ------------------------------------------------------- interval timers */

/* Read interval timer which of pt into *out (timer_lock held). */
static void itimer_read(struct proc_timers *pt, int which, struct kitimerval *out)
{
	uint64_t now = timer_uptime_ns();

	if (which == ITIMER_REAL) {
		out->value = ns_timeval(ktimer_left(&pt->real, now));
		out->interval = ns_timeval(pt->real.interval);
	} else {
		struct cputimer *c = which == ITIMER_VIRTUAL ? &pt->virt : &pt->prof;

		out->value = ns_timeval(c->left);
		out->interval = ns_timeval(c->interval);
	}
}

/* Set interval timer which of pt from in (timer_lock held). */
static void itimer_write(struct proc_timers *pt, int which, const struct kitimerval *in)
{
	uint64_t value = timeval_ns(&in->value), interval = timeval_ns(&in->interval);

	if (which == ITIMER_REAL) {
		ktimer_arm(&pt->real, value ? timer_uptime_ns() + value : 0,
			   value ? interval : 0);
	} else {
		struct cputimer *c = which == ITIMER_VIRTUAL ? &pt->virt : &pt->prof;

		c->left = value;
		c->interval = value ? interval : 0;
	}
}

static long sys_getitimer(long which, long uval)
{
	struct kitimerval val = { 0 };
	struct proc_timers *pt;
	unsigned long flags;

	if (which < ITIMER_REAL || which > ITIMER_PROF)
		return -EINVAL;
	pt = timers_of_current();
	if (!pt)
		return -ENOMEM;
	flags = spin_lock_irqsave(&timer_lock);
	itimer_read(pt, which, &val);
	spin_unlock_irqrestore(&timer_lock, flags);
	return copy_to_user(uval, &val, sizeof(val));
}

/*
 * setitimer: a NULL new value disarms, as Linux does (with a warning
 * there). Returns 0, -EINVAL (bad timer or time), -EFAULT, -ENOMEM.
 */
static long sys_setitimer(long which, long unew, long uold)
{
	struct kitimerval nv = { 0 }, ov;
	struct proc_timers *pt;
	unsigned long flags;

	if (which < ITIMER_REAL || which > ITIMER_PROF)
		return -EINVAL;
	if (unew && copy_from_user(&nv, unew, sizeof(nv)))
		return -EFAULT;
	if (!timeval_valid(&nv.value) || !timeval_valid(&nv.interval))
		return -EINVAL;
	pt = timers_of_current();
	if (!pt)
		return -ENOMEM;
	flags = spin_lock_irqsave(&timer_lock);
	itimer_read(pt, which, &ov);
	itimer_write(pt, which, &nv);
	spin_unlock_irqrestore(&timer_lock, flags);
	if (uold && copy_to_user(uold, &ov, sizeof(ov)))
		return -EFAULT;
	return 0;
}

/* ---------------------------------------------------------- POSIX timers */

static bool timer_clock_valid(long clock)
{
	return clock == CLOCK_REALTIME || clock == CLOCK_MONOTONIC ||
	       clock == CLOCK_BOOTTIME;
}

/* The current process's POSIX timer id, or NULL (timer_lock held). */
static struct ktimer *posix_timer(long id)
{
	struct proc_timers *pt = current()->tg->leader->timers;

	if (!pt || id < 0 || id >= TIMERS_MAX || !pt->posix[id].used)
		return NULL;
	return &pt->posix[id];
}

/*
 * timer_create: SIGEV_SIGNAL (default: SIGALRM with the id as value) or
 * SIGEV_NONE. Returns 0 with the id in *uid, -EINVAL (clock, notify kind
 * or signal), -EAGAIN (TIMERS_MAX in use), -EFAULT, -ENOMEM.
 */
static long sys_timer_create(long clock, long uevent, long uid)
{
	struct ksigevent ev = { .signo = SIGALRM, .notify = SIGEV_SIGNAL };
	struct proc_timers *pt;
	unsigned long flags;
	int32_t id = -1;

	if (!timer_clock_valid(clock))
		return -EINVAL;
	if (uevent && copy_from_user(&ev, uevent, sizeof(ev)))
		return -EFAULT;
	if (ev.notify != SIGEV_SIGNAL && ev.notify != SIGEV_NONE)
		return -EINVAL;
	if (ev.notify == SIGEV_SIGNAL && (ev.signo < 1 || ev.signo > NSIG))
		return -EINVAL;
	pt = timers_of_current();
	if (!pt)
		return -ENOMEM;
	flags = spin_lock_irqsave(&timer_lock);
	for (int i = 0; i < TIMERS_MAX && id < 0; i++)
		if (!pt->posix[i].used)
			id = i;
	if (id >= 0) {
		struct ktimer *t = &pt->posix[id];

		t->used = true;
		t->realtime = clock == CLOCK_REALTIME;
		t->interval = t->overrun = 0;
		t->info = (struct ksiginfo) { .si_code = SI_TIMER };
		t->info.si_signo = ev.notify == SIGEV_SIGNAL ? ev.signo : 0;
		t->info.kill.pid = id;
		t->info.kill.value = uevent ? ev.value : (uint64_t)id;
	}
	spin_unlock_irqrestore(&timer_lock, flags);
	if (id < 0)
		return -EAGAIN;
	if (copy_to_user(uid, &id, sizeof(id))) {
		flags = spin_lock_irqsave(&timer_lock);
		pt->posix[id].used = false;
		spin_unlock_irqrestore(&timer_lock, flags);
		return -EFAULT;
	}
	return 0;
}

static long sys_timer_settime(long id, long tflags, long unew, long uold)
{
	struct kitimerspec nv, ov;
	uint64_t now = timer_uptime_ns(), value;
	unsigned long flags;
	struct ktimer *t;

	if (copy_from_user(&nv, unew, sizeof(nv)))
		return -EFAULT;
	if (!timespec_valid(&nv.value) || !timespec_valid(&nv.interval))
		return -EINVAL;
	value = timespec_ns(&nv.value);
	flags = spin_lock_irqsave(&timer_lock);
	t = posix_timer(id);
	if (value && (tflags & TIMER_ABSTIME) && t && t->realtime)
		value -= MIN(value - 1, rtc_offset_ns());	/* wall time to uptime */
	if (value && !(tflags & TIMER_ABSTIME))
		value += now;
	else if (value && value <= now)
		value = now;		/* in the past: fires on the next tick */
	if (t) {
		ov.value = ns_timespec(ktimer_left(t, now));
		ov.interval = ns_timespec(t->interval);
		ktimer_arm(t, value, value ? timespec_ns(&nv.interval) : 0);
	}
	spin_unlock_irqrestore(&timer_lock, flags);
	if (!t)
		return -EINVAL;
	if (uold && copy_to_user(uold, &ov, sizeof(ov)))
		return -EFAULT;
	return 0;
}

static long sys_timer_gettime(long id, long ucur)
{
	struct kitimerspec cur;
	unsigned long flags = spin_lock_irqsave(&timer_lock);
	struct ktimer *t = posix_timer(id);

	if (t) {
		cur.value = ns_timespec(ktimer_left(t, timer_uptime_ns()));
		cur.interval = ns_timespec(t->interval);
	}
	spin_unlock_irqrestore(&timer_lock, flags);
	if (!t)
		return -EINVAL;
	return copy_to_user(ucur, &cur, sizeof(cur));
}

static long sys_timer_getoverrun(long id)
{
	unsigned long flags = spin_lock_irqsave(&timer_lock);
	struct ktimer *t = posix_timer(id);
	long ret = t ? t->overrun : -EINVAL;

	spin_unlock_irqrestore(&timer_lock, flags);
	return ret;
}

static long sys_timer_delete(long id)
{
	unsigned long flags = spin_lock_irqsave(&timer_lock);
	struct ktimer *t = posix_timer(id);

	if (t) {
		ktimer_disarm(t);
		t->used = false;
	}
	spin_unlock_irqrestore(&timer_lock, flags);
	return t ? 0 : -EINVAL;
}

/* ------------------------------------------------------ clocks and times */

/*
 * clock_getres: 1 ns for the clocks read from the timebase (as Linux's
 * high-resolution clocks), a tick for the coarse and CPU-time clocks,
 * which move by ticks here.
 */
static long sys_clock_getres(long clock, long ures)
{
	struct ktimespec res = { 0, 1 };

	switch (clock) {
	case CLOCK_REALTIME:
	case CLOCK_MONOTONIC:
	case CLOCK_MONOTONIC_RAW:
	case CLOCK_BOOTTIME:
		break;
	case CLOCK_REALTIME_COARSE:
	case CLOCK_MONOTONIC_COARSE:
	case CLOCK_PROCESS_CPUTIME:
	case CLOCK_THREAD_CPUTIME:
		res.tv_nsec = TICK_NS;
		break;
	default:
		return -EINVAL;
	}
	if (ures && copy_to_user(ures, &res, sizeof(res)))
		return -EFAULT;
	return 0;
}

static int64_t user_hz(uint64_t ticks)
{
	return ticks * USER_HZ / TIMER_HZ;
}

/*
 * times: CPU times in clock_t (USER_HZ) of every thread of the process and
 * of its waited-for children (kept on the leader); returns clock_t since
 * boot.
 */
static long sys_times(long ubuf)
{
	struct proc *p = current();
	unsigned long flags = spin_lock_irqsave(&proc_tree_lock);
	struct proc_usage u;
	int64_t tms[4];

	proc_usage(p, &u);
	tms[0] = user_hz(u.user_ticks);
	tms[1] = user_hz(u.system_ticks);
	tms[2] = user_hz(p->tg->leader->cuser_ticks);
	tms[3] = user_hz(p->tg->leader->csystem_ticks);
	spin_unlock_irqrestore(&proc_tree_lock, flags);

	if (ubuf && copy_to_user(ubuf, tms, sizeof(tms)))
		return -EFAULT;
	return timer_uptime_ns() / (NSEC / USER_HZ);
}

void syscalls_timers(syscall_fn *t)
{
	SYSCALL(t, getitimer);
	SYSCALL(t, setitimer);
	SYSCALL(t, timer_create);
	SYSCALL(t, timer_settime);
	SYSCALL(t, timer_gettime);
	SYSCALL(t, timer_getoverrun);
	SYSCALL(t, timer_delete);
	SYSCALL(t, clock_getres);
	SYSCALL(t, times);
}
