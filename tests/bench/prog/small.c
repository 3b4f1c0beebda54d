/*
 * small: the program vmbench starts, built twice with glibc, statically
 * (/bench/small-static) and dynamically (/bench/small-dynamic), to measure
 * what the dynamic linker costs. With an argument it waits for end of file
 * on its standard input first (the resident-memory rows).
 */
#include <unistd.h>

int main(int argc, char **argv)
{
	char c;

	if (argc > 1)
		while (read(0, &c, 1) > 0)
			;
	return 0;
}
