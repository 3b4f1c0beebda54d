/* Console input goes to the terminal line discipline (fs/tty.c). */
#include "env.h"
#include "kern/console.h"

void tty_input(char c);

void console_input(char c)
{
	tty_input(c);
}
