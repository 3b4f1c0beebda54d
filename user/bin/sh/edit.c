/*
 * Line editing for the interactive shell: the terminal in raw mode (no
 * ICANON, ECHO or ISIG) while a line is read, the shell drawing it. Keys:
 * printable characters insert at the cursor, Backspace deletes before it,
 * Left/Right (ESC [ D / C) and ^A/^E move, Up/Down (ESC [ A / B) walk the
 * history of the last HIST_MAX lines, ^U clears, ^C abandons the line,
 * ^D on an empty line is end of input, Enter ends the line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include "sh.h"

#define HIST_MAX	64
#define LINE_MAX_ED	1024

static char *history[HIST_MAX];
static int hist_n;

static void out(const char *s, size_t n)
{
	if (write(2, s, n) < 0)
		return;
}

/* Redraw prompt and line, the cursor at cur. */
static void redraw(const char *prompt, const char *line, int len, int cur)
{
	char mv[16];

	out("\r", 1);
	out(prompt, strlen(prompt));
	out(line, len);
	out("\033[K", 3);
	if (len > cur)
		out(mv, snprintf(mv, sizeof(mv), "\033[%dD", len - cur));
}

static void hist_add(const char *line)
{
	if (!*line || (hist_n && strcmp(history[(hist_n - 1) % HIST_MAX], line) == 0))
		return;
	free(history[hist_n % HIST_MAX]);
	history[hist_n % HIST_MAX] = strdup(line);
	hist_n++;
}

/* Read one byte; -1 at end of input. */
static int key(void)
{
	unsigned char c;

	for (;;) {
		ssize_t n = read(0, &c, 1);

		if (n == 1)
			return c;
		if (n == 0)
			return -1;
	}
}

/* The edit loop proper; returns the line's length, or -1 at end of input. */
static int edit(const char *prompt, char *line)
{
	int len = 0, cur = 0, h = hist_n, c;

	for (;;) {
		redraw(prompt, line, len, cur);
		c = key();
		if (c < 0 || (c == 4 && len == 0))
			return -1;
		if (c == '\r' || c == '\n')
			return len;
		if (c == 3) {			/* ^C: a fresh line */
			out("^C\n", 3);
			len = cur = 0;
			h = hist_n;
		} else if (c == 127 || c == 8) {
			if (cur > 0) {
				memmove(line + cur - 1, line + cur, len - cur);
				len--;
				cur--;
			}
		} else if (c == 1) {
			cur = 0;
		} else if (c == 5) {
			cur = len;
		} else if (c == 21) {
			len = cur = 0;
		} else if (c == 27) {		/* ESC [ x */
			if (key() != '[')
				continue;
			c = key();
			if (c == 'D' && cur > 0)
				cur--;
			else if (c == 'C' && cur < len)
				cur++;
			else if ((c == 'A' && h > 0 && h > hist_n - HIST_MAX) ||
				 (c == 'B' && h < hist_n)) {
				h += c == 'A' ? -1 : 1;
				len = h < hist_n ? (int)strlen(history[h % HIST_MAX]) : 0;
				if (len > LINE_MAX_ED - 1)
					len = LINE_MAX_ED - 1;
				if (h < hist_n)
					memcpy(line, history[h % HIST_MAX], len);
				cur = len;
			}
		} else if (c >= ' ' && c != 127 && len < LINE_MAX_ED - 1) {
			memmove(line + cur + 1, line + cur, len - cur);
			line[cur++] = (char)c;
			len++;
		}
	}
}

int edit_line(const char *prompt, struct str *sb)
{
	static char line[LINE_MAX_ED];
	struct termios orig, raw;
	int len;

	if (tcgetattr(0, &orig) < 0)
		return -2;			/* not a terminal: read plainly */
	raw = orig;
	raw.c_lflag &= ~(ICANON | ECHO | ISIG);
	raw.c_cc[VMIN] = 1;
	raw.c_cc[VTIME] = 0;
	tcsetattr(0, TCSANOW, &raw);
	len = edit(prompt, line);
	tcsetattr(0, TCSANOW, &orig);
	out("\n", len >= 0);
	sb->len = 0;
	str_add(sb, "", 0);
	if (len < 0)
		return 0;
	str_add(sb, line, len);
	line[len] = 0;
	hist_add(line);
	return 1;
}
