/* The console: kernel output and keyboard input through the UART. */
#ifndef KILBURN_CONSOLE_H
#define KILBURN_CONSOLE_H

#include "types.h"

/* A byte arrived (UART receive interrupt). */
void console_input(char c);
/* The next input byte, or -1 if none is waiting. */
int console_getc(void);

#endif
