/*
 * System calls: the Linux riscv64 ABI. The number is in a7, arguments in
 * a0..a5, the result (or a negative errno) goes back in a0. Numbers are
 * those of Linux's asm-generic unistd.h.
 */
#ifndef KILBURN_SYSCALL_H
#define KILBURN_SYSCALL_H

#include "env.h"

struct trapframe;

#define SYS_getcwd		17
#define SYS_dup			23
#define SYS_dup3		24
#define SYS_fcntl		25
#define SYS_ioctl		29
#define SYS_mkdirat		34
#define SYS_symlinkat		36
#define SYS_linkat		37
#define SYS_unlinkat		35
#define SYS_statfs		43
#define SYS_fstatfs		44
#define SYS_linkat		37
#define SYS_faccessat		48
#define SYS_chdir		49
#define SYS_fchdir		50
#define SYS_fchmod		52
#define SYS_fchmodat		53
#define SYS_fchownat		54
#define SYS_fchown		55
#define SYS_openat		56
#define SYS_close		57
#define SYS_pipe2		59
#define SYS_pselect6		72
#define SYS_ppoll		73
#define SYS_getdents64		61
#define SYS_lseek		62
#define SYS_read		63
#define SYS_write		64
#define SYS_readv		65
#define SYS_writev		66
#define SYS_pread64		67
#define SYS_pwrite64		68
#define SYS_sendfile		71
#define SYS_readlinkat		78
#define SYS_newfstatat		79
#define SYS_fstat		80
#define SYS_sync		81
#define SYS_fsync		82
#define SYS_fdatasync		83
#define SYS_utimensat		88
#define SYS_exit		93
#define SYS_exit_group		94
#define SYS_set_tid_address	96
#define SYS_futex		98
#define SYS_set_robust_list	99
#define SYS_get_robust_list	100
#define SYS_nanosleep		101
#define SYS_getitimer		102
#define SYS_setitimer		103
#define SYS_timer_create	107
#define SYS_timer_gettime	108
#define SYS_timer_getoverrun	109
#define SYS_timer_settime	110
#define SYS_timer_delete	111
#define SYS_clock_gettime	113
#define SYS_clock_getres	114
#define SYS_clock_nanosleep	115
#define SYS_sched_setaffinity	122
#define SYS_sched_getaffinity	123
#define SYS_sched_yield		124
#define SYS_sched_get_priority_max	125
#define SYS_sched_get_priority_min	126
#define SYS_restart_syscall	128
#define SYS_kill		129
#define SYS_tkill		130
#define SYS_tgkill		131
#define SYS_sigaltstack		132
#define SYS_rt_sigsuspend	133
#define SYS_rt_sigaction	134
#define SYS_rt_sigprocmask	135
#define SYS_rt_sigpending	136
#define SYS_rt_sigtimedwait	137
#define SYS_rt_sigqueueinfo	138
#define SYS_rt_sigreturn	139
#define SYS_reboot		142
#define SYS_setregid		143
#define SYS_setgid		144
#define SYS_setreuid		145
#define SYS_setuid		146
#define SYS_setresuid		147
#define SYS_getresuid		148
#define SYS_setresgid		149
#define SYS_getresgid		150
#define SYS_setfsuid		151
#define SYS_setfsgid		152
#define SYS_times		153
#define SYS_setpgid		154
#define SYS_getpgid		155
#define SYS_getsid		156
#define SYS_setsid		157
#define SYS_getgroups		158
#define SYS_setgroups		159
#define SYS_uname		160
#define SYS_umask		166
#define SYS_prctl		167
#define SYS_getrusage		165
#define SYS_gettimeofday	169
#define SYS_getpid		172
#define SYS_getppid		173
#define SYS_getuid		174
#define SYS_geteuid		175
#define SYS_getgid		176
#define SYS_getegid		177
#define SYS_gettid		178
#define SYS_sysinfo		179
#define SYS_brk			214
#define SYS_munmap		215
#define SYS_mremap		216
#define SYS_clone		220
#define SYS_execve		221
#define SYS_mmap		222
#define SYS_swapon		224
#define SYS_swapoff		225
#define SYS_mprotect		226
#define SYS_madvise		233
#define SYS_rt_tgsigqueueinfo	240
#define SYS_wait4		260
#define SYS_prlimit64		261
#define SYS_syncfs		267
#define SYS_renameat2		276
#define SYS_getrandom		278
#define SYS_clone3		435
#define SYS_faccessat2		439
#define SYS_NR			460

typedef long (*syscall_fn)(long a0, long a1, long a2, long a3, long a4,
			   long a5);

/* Fill the table (boot). */
void syscall_init(void);

/* Run the system call in tf (a7, a0..a5) and put its result in tf->a0. */
void syscall_dispatch(struct trapframe *tf);

/* Each group of calls fills its part of the table. */
void syscalls_proc(syscall_fn *table);
void syscalls_signal(syscall_fn *table);
void syscalls_mm(syscall_fn *table);
void syscalls_fs(syscall_fn *table);
void syscalls_truncate(syscall_fn *table);	/* fs/sys_truncate.c */
void syscalls_mem(syscall_fn *table);		/* kern/sys_mem.c */
void syscalls_sysv_shm(syscall_fn *table);	/* kern/sysv_shm.c */
void syscalls_swap(syscall_fn *table);
void syscalls_usage(syscall_fn *table);
void syscalls_cred(syscall_fn *table);
void syscalls_sched(syscall_fn *table);
void syscalls_fsattr(syscall_fn *table);

/*
 * syscall_unsupported - a flag, command or option of a call that Linux has
 * and Kilburn does not: log it ("pid P (name): what VALUE not supported")
 * once for each distinct (what, value), and return -EINVAL, so that no
 * failure is silent. what is a string constant naming the call and the
 * argument ("fcntl command").
 */
long syscall_unsupported(const char *what, long value);

/*
 * syscall_note_ignored - the same for a request Kilburn accepts without
 * acting on it (setrlimit of a limit it does not enforce): logged once,
 * and the caller goes on.
 */
void syscall_note_ignored(const char *what, long value);

void syscalls_timers(syscall_fn *table);
void syscalls_jobctl(syscall_fn *table);
void syscalls_poll(syscall_fn *table);
void syscalls_futex(syscall_fn *table);
void syscalls_thread(syscall_fn *table);

#define SYSCALL(table, name) \
	((table)[SYS_##name] = (syscall_fn)(void *)sys_##name)

#endif
