/* Turning the machine off. */
#ifndef KILBURN_POWER_H
#define KILBURN_POWER_H

struct board;

#define PANIC_EXIT_STATUS 99	/* QEMU's exit status after a kernel panic */

void power_init(const struct board *b);
/* Power off; QEMU exits with `status` (0..255). */
void power_off(int status) __attribute__((noreturn));

#endif
