/*
 * The generators of /proc's files (procfs.c opens them): each writes a
 * whole file into a growing text buffer when the file is opened.
 *
 *   procfs_pid.c   /proc/<pid>/{stat,statm,status,cmdline,comm,maps}
 *   procfs_mem.c   /proc/<pid>/{smaps,smaps_rollup,pagemap,pagetable},
 *                  /proc/{kpagecount,kpageflags}
 *   procfs_sys.c   /proc/{meminfo,slabinfo,swaps,uptime,loadavg,version,
 *                  stat,cpuinfo,mounts}
 *
 * A generator that runs out of memory sets sb->failed; the open then fails
 * with -ENOMEM. A process that is gone gives an empty file.
 */
#ifndef KILBURN_PROCFS_GEN_H
#define KILBURN_PROCFS_GEN_H

#include "env.h"

struct sbuf {
	char *buf;
	size_t len, cap;
	bool failed;		/* out of memory: the contents are incomplete */
};

/* Append formatted text to sb. */
void sbuf_printf(struct sbuf *sb, const char *fmt, ...) __printf(2, 3);

/* Append len bytes (NULs included) to sb. */
void sbuf_put(struct sbuf *sb, const void *data, size_t len);

void procfs_gen_stat_pid(struct sbuf *sb, int pid);
/* /proc/<pid>/task/<tid>/stat: the same with the thread's own times. */
void procfs_gen_stat_tid(struct sbuf *sb, int tid);
void procfs_gen_statm(struct sbuf *sb, int pid);
void procfs_gen_status(struct sbuf *sb, int pid);
void procfs_gen_cmdline(struct sbuf *sb, int pid);
void procfs_gen_comm(struct sbuf *sb, int pid);
void procfs_gen_maps(struct sbuf *sb, int pid);

void procfs_gen_smaps(struct sbuf *sb, int pid);
void procfs_gen_smaps_rollup(struct sbuf *sb, int pid);
void procfs_gen_pagetable(struct sbuf *sb, int pid);

struct region;
struct vmspace;

/* One line of maps for r: range, permissions, offset, device, inode, path. */
void procfs_maps_line(struct sbuf *sb, const struct region *r);

/* The address space of process pid with a reference (vmspace_put), or NULL. */
struct vmspace *procfs_pid_vm(int pid);

/*
 * The owner of /proc/<pid> (the process's effective ids, as Linux's
 * task_dump_owner). Returns false if there is no such process.
 */
bool procfs_pid_owner(int pid, uint32_t *uid, uint32_t *gid);

/*
 * May the current process look into process pid's memory (pagemap,
 * pagetable)? Linux's ptrace read rule: itself, root (CAP_SYS_PTRACE), or a
 * process whose real, effective and saved ids all equal the caller's file
 * system ids. Returns 0, -EACCES, or -ESRCH (gone).
 */
int procfs_may_inspect(int pid);

/* The binary files of 64-bit words (procfs_mem.c). */
enum procfs_words { WORDS_PAGEMAP, WORDS_KPAGECOUNT, WORDS_KPAGEFLAGS };

struct words_file {
	enum procfs_words kind;
	struct vmspace *vm;		/* pagemap: with a reference */
};

/* read, pread and release of a words file (f->priv: a kmalloc'd words_file) */
extern const struct file_ops procfs_words_ops;

void procfs_gen_meminfo(struct sbuf *sb);
void procfs_gen_slabinfo(struct sbuf *sb);
void procfs_gen_swaps(struct sbuf *sb);
void procfs_gen_uptime(struct sbuf *sb);
void procfs_gen_loadavg(struct sbuf *sb);
void procfs_gen_version(struct sbuf *sb);
void procfs_gen_stat(struct sbuf *sb);
void procfs_gen_cpuinfo(struct sbuf *sb);
void procfs_gen_mounts(struct sbuf *sb);
void procfs_gen_vmstat(struct sbuf *sb);
void procfs_gen_faulttrace(struct sbuf *sb);

#endif
