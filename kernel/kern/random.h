/*
 * Random bytes for AT_RANDOM and getrandom(): a xorshift generator seeded
 * from the timer at boot and stirred with the time on every call. Not
 * cryptographic: the virt board offers no entropy source Kilburn uses yet.
 */
#ifndef KILBURN_RANDOM_H
#define KILBURN_RANDOM_H

#include "types.h"

void random_bytes(void *buf, size_t len);

#endif
