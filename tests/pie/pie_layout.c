/*
 * pie_layout: a static PIE (no C library, built with -nostdlib -static-pie)
 * that checks where the kernel placed it, as Linux places a static PIE
 * (an ET_DYN without PT_INTERP, like a loader run by hand): in the mmap
 * area, highest, below the stack, with the heap (brk) moved away from it
 * to ELF_ET_DYN_BASE, below it. It exits with 0 if all holds, else with a
 * bit per failed rule: 1 the code is not below the stack, 2 the heap
 * starts above the code, 4 a new mapping is not below the program, 8 the
 * heap cannot grow. Run by tests/user/exec_pie.c.
 */
static long sys(long n, long a, long b, long c, long d, long e, long f)
{
	register long a0 __asm__("a0") = a, a1 __asm__("a1") = b, a2 __asm__("a2") = c;
	register long a3 __asm__("a3") = d, a4 __asm__("a4") = e, a5 __asm__("a5") = f;
	register long a7 __asm__("a7") = n;

	__asm__ volatile("ecall" : "+r"(a0) : "r"(a1), "r"(a2), "r"(a3), "r"(a4), "r"(a5),
			 "r"(a7) : "memory");
	return a0;
}

static int check(unsigned long sp)
{
	unsigned long pc, brk, map;
	int bad = 0;

	__asm__ volatile("auipc %0, 0" : "=r"(pc));
	brk = (unsigned long)sys(214, 0, 0, 0, 0, 0, 0);		/* brk(0) */
	map = (unsigned long)sys(222, 0, 4096, 1, 0x22, -1, 0);	/* mmap PROT_READ, private anon */
	if (pc >= sp)
		bad |= 1;
	if (brk >= pc)
		bad |= 2;
	if (map >= pc || map > -4096UL)
		bad |= 4;
	if ((unsigned long)sys(214, (long)brk + 65536, 0, 0, 0, 0, 0) != brk + 65536)
		bad |= 8;
	return bad;
}

void _start(void)
{
	unsigned long sp;

	__asm__ volatile("mv %0, sp" : "=r"(sp));
	sys(93, check(sp), 0, 0, 0, 0, 0);		/* exit */
	for (;;)
		;
}
