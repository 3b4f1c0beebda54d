/* Random bytes from the kernel (getrandom, 278). */
#ifndef _SYS_RANDOM_H
#define _SYS_RANDOM_H

#include <sys/types.h>

#define GRND_NONBLOCK	1
#define GRND_RANDOM	2

ssize_t getrandom(void *buf, size_t n, unsigned int flags);

#endif
