/* System V shared memory (kern/sysv_shm.c). */
#ifndef KILBURN_SYSV_SHM_H
#define KILBURN_SYSV_SHM_H

#include "env.h"

struct sbuf;

/* /proc/sysvipc/shm, as Linux writes it. */
void procfs_gen_sysvipc_shm(struct sbuf *sb);

#endif
