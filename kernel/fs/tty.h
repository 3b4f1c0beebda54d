/* The console as a terminal: a line discipline over the UART. */
#ifndef KILBURN_TTY_H
#define KILBURN_TTY_H

#include "kern/files.h"

extern const struct file_ops tty_file_ops;

#endif
