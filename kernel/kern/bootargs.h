/*
 * Boot arguments: QEMU's -append string, from /chosen/bootargs.
 *
 * The line is a list of key=value words (or bare keys, whose value is "").
 * init= is special: its value is the rest of the line, so that
 * "ktest=all init=/bin/echo hello world" runs /bin/echo with two arguments.
 * Keys the kernel does not know are reported once at boot and ignored.
 *
 * Machine-independent: compiles on the host.
 */
#ifndef KILBURN_BOOTARGS_H
#define KILBURN_BOOTARGS_H

#include "env.h"

#define BOOTARGS_MAX	1024
#define BOOTARGS_KEYS	32

/*
 * bootargs_parse - parse cmdline (copied; longer lines are cut at
 * BOOTARGS_MAX - 1). Replaces any earlier parse. Returns the number of
 * unknown keys, each reported with kprintf.
 */
int bootargs_parse(const char *cmdline);

/* The value of key, "" for a bare key, or NULL if it was not given. */
const char *bootarg(const char *key);

#endif
