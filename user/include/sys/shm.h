/* System V shared memory: shmget (194), shmctl, shmat, shmdt, as Linux. */
#ifndef _SYS_SHM_H
#define _SYS_SHM_H

#include <stddef.h>
#include <sys/types.h>

typedef int key_t;

#define IPC_PRIVATE	((key_t)0)
#define IPC_CREAT	01000
#define IPC_EXCL	02000
#define IPC_NOWAIT	04000
#define IPC_RMID	0
#define IPC_SET		1
#define IPC_STAT	2
#define SHM_RDONLY	010000
#define SHM_RND		020000
#define SHM_REMAP	040000

/* Linux's struct ipc64_perm and shmid64_ds on 64-bit RISC-V (112 bytes). */
struct ipc_perm {
	key_t __key;
	uid_t uid, gid, cuid, cgid;
	mode_t mode;
	unsigned short __seq, __pad;
	unsigned long __unused1, __unused2;
};

struct shmid_ds {
	struct ipc_perm shm_perm;
	size_t shm_segsz;
	long shm_atime, shm_dtime, shm_ctime;
	pid_t shm_cpid, shm_lpid;
	unsigned long shm_nattch;
	unsigned long __unused4, __unused5;
};

int shmget(key_t key, size_t size, int flags);
void *shmat(int id, const void *addr, int flags);
int shmdt(const void *addr);
int shmctl(int id, int cmd, struct shmid_ds *buf);

#endif
