/* Swap areas: swapon (224) and swapoff (225), with Linux's flags. */
#ifndef _SYS_SWAP_H
#define _SYS_SWAP_H

#define SWAP_FLAG_PREFER	0x8000	/* the low 15 bits are the priority */
#define SWAP_FLAG_PRIO_MASK	0x7fff
#define SWAP_FLAG_PRIO_SHIFT	0
#define SWAP_FLAG_DISCARD	0x10000
#define SWAP_FLAG_DISCARD_ONCE	0x20000
#define SWAP_FLAG_DISCARD_PAGES	0x40000

int swapon(const char *path, int flags);
int swapoff(const char *path);

#endif
