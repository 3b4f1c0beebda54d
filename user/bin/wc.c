/*
 * wc [-lwc] [FILE...]: lines, words and bytes of each file (standard input
 * without one), and a total line for more than one, as POSIX wc.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int show_l, show_w, show_c;

static void print(const unsigned long n[3], const char *name)
{
	const int on[3] = { show_l, show_w, show_c };
	int first = 1;

	for (int i = 0; i < 3; i++)
		if (on[i]) {
			printf(first ? "%7lu" : " %7lu", n[i]);
			first = 0;
		}
	printf(name ? " %s\n" : "\n", name);
}

/* Count fd into n[0..2]; 0, or -1 on a read error. */
static int count(int fd, unsigned long n[3])
{
	char buf[4096];
	int in_word = 0;
	ssize_t got;

	while ((got = read(fd, buf, sizeof(buf))) > 0) {
		n[2] += (unsigned long)got;
		for (ssize_t i = 0; i < got; i++) {
			int space = buf[i] == ' ' || (buf[i] >= '\t' && buf[i] <= '\r');

			n[0] += buf[i] == '\n';
			n[1] += !space && !in_word;
			in_word = !space;
		}
	}
	return got < 0 ? -1 : 0;
}

int main(int argc, char **argv)
{
	unsigned long total[3] = { 0 };
	int status = 0, c, files;

	while ((c = getopt(argc, argv, "lwc")) != -1) {
		if (c == '?')
			return 1;
		show_l |= c == 'l', show_w |= c == 'w', show_c |= c == 'c';
	}
	if (!show_l && !show_w && !show_c)
		show_l = show_w = show_c = 1;
	files = argc - optind;
	for (int i = optind; i < argc || (files == 0 && i == optind); i++) {
		unsigned long n[3] = { 0 };
		int fd = files ? open(argv[i], O_RDONLY) : 0;

		if (fd < 0 || count(fd, n) < 0) {
			perror(argv[i]);
			status = 1;
			continue;
		}
		if (files)
			close(fd);
		for (int k = 0; k < 3; k++)
			total[k] += n[k];
		print(n, files ? argv[i] : NULL);
	}
	if (files > 1)
		print(total, "total");
	return status;
}
