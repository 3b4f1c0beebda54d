/* System V shared memory calls. */
#include <sys/shm.h>
#include <sys/syscall.h>
#include "internal.h"

int shmget(key_t key, size_t size, int flags)
{
	return (int)sys_ret(sys_call3(SYS_shmget, key, size, flags));
}

void *shmat(int id, const void *addr, int flags)
{
	return (void *)sys_ret(sys_call3(SYS_shmat, id, addr, flags));
}

int shmdt(const void *addr)
{
	return (int)sys_ret(sys_call1(SYS_shmdt, addr));
}

int shmctl(int id, int cmd, struct shmid_ds *buf)
{
	return (int)sys_ret(sys_call3(SYS_shmctl, id, cmd, buf));
}
