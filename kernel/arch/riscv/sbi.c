/* SBI calls: arguments in a0-a5, function id in a6, extension id in a7. */
#include "arch/riscv/sbi.h"

struct sbiret sbi_call(long ext, long fid, long a0, long a1, long a2,
		       long a3, long a4)
{
	register long r0 __asm__("a0") = a0;
	register long r1 __asm__("a1") = a1;
	register long r2 __asm__("a2") = a2;
	register long r3 __asm__("a3") = a3;
	register long r4 __asm__("a4") = a4;
	register long r6 __asm__("a6") = fid;
	register long r7 __asm__("a7") = ext;

	__asm__ volatile("ecall"
			 : "+r"(r0), "+r"(r1)
			 : "r"(r2), "r"(r3), "r"(r4), "r"(r6), "r"(r7)
			 : "memory");
	return (struct sbiret){ r0, r1 };
}

void sbi_console_putchar(int c)
{
	sbi_call(0x01, 0, c, 0, 0, 0, 0);
}

long sbi_set_timer(uint64_t when)
{
	return sbi_call(SBI_EXT_TIME, 0, (long)when, 0, 0, 0, 0).error;
}

long sbi_send_ipi(unsigned long hart_mask, unsigned long hart_mask_base)
{
	return sbi_call(SBI_EXT_IPI, 0, hart_mask, hart_mask_base, 0, 0, 0).error;
}

long sbi_hart_start(unsigned long hartid, unsigned long start_pa,
		    unsigned long opaque)
{
	return sbi_call(SBI_EXT_HSM, 0, hartid, start_pa, opaque, 0, 0).error;
}

long sbi_probe_extension(long ext)
{
	return sbi_call(SBI_EXT_BASE, 3, ext, 0, 0, 0, 0).value;
}

void sbi_shutdown(bool failure)
{
	/* system reset: type 0 = shutdown; reason 0 = none, 1 = system failure */
	sbi_call(SBI_EXT_SRST, 0, 0, failure ? 1 : 0, 0, 0, 0);
	sbi_call(0x08, 0, 0, 0, 0, 0, 0);		/* legacy shutdown */
	for (;;)
		__asm__ volatile("wfi");
}
