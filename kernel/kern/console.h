/* The console: kernel output and keyboard input through the UART. */
#ifndef KILBURN_CONSOLE_H
#define KILBURN_CONSOLE_H

#include "types.h"

/* A byte arrived (UART receive interrupt): goes to the terminal. */
void console_input(char c);

/* Write bytes to the console ("\n" becomes "\r\n"), as one piece. */
void console_write(const char *s, size_t n);

#endif
