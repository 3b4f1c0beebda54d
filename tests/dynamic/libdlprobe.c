/*
 * libdlprobe.so: a small shared library that tests/dynamic/dyn_hello.c
 * loads with dlopen. It has text, initialised data, bss and a constructor,
 * so loading it exercises every kind of segment and relocation.
 */
static int calls;			/* bss */
static int base = 40;			/* data */
int probe_constructed;

__attribute__((constructor)) static void probe_init(void)
{
	probe_constructed = 1;
}

/* base + x + the number of earlier calls */
int probe_add(int x)
{
	return base + x + calls++;
}
