/*
 * The few compiler support routines the kernel needs. The kernel is built
 * for the soft-float ABI (it never touches floating-point registers, so user
 * floating-point state survives traps untouched), and Debian's libgcc is
 * built for the hard-float one, so the kernel links no libgcc and carries
 * these itself.
 */
#include "types.h"

int __clzdi2(unsigned long x);
int __ctzdi2(unsigned long x);
int __clzsi2(unsigned int x);
int __ctzsi2(unsigned int x);
int __popcountdi2(unsigned long x);

int __clzdi2(unsigned long x)
{
	int n = 0;

	for (unsigned long bit = 1UL << 63; bit && !(x & bit); bit >>= 1)
		n++;
	return n;
}

int __ctzdi2(unsigned long x)
{
	int n = 0;

	for (; n < 64 && !(x & 1); x >>= 1)
		n++;
	return n;
}

int __clzsi2(unsigned int x)
{
	return __clzdi2(x) - 32;
}

int __ctzsi2(unsigned int x)
{
	return x ? __ctzdi2(x) : 32;
}

int __popcountdi2(unsigned long x)
{
	int n = 0;

	for (; x; x &= x - 1)
		n++;
	return n;
}
