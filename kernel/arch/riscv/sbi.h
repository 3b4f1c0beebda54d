/*
 * SBI calls into the firmware (the RISC-V Supervisor Binary Interface).
 * Each returns the SBI error code (0 on success, negative otherwise).
 */
#ifndef KILBURN_RISCV_SBI_H
#define KILBURN_RISCV_SBI_H

#include "types.h"

#define SBI_EXT_BASE	0x10
#define SBI_EXT_TIME	0x54494D45
#define SBI_EXT_IPI	0x735049
#define SBI_EXT_HSM	0x48534D
#define SBI_EXT_SRST	0x53525354

struct sbiret {
	long error;
	long value;
};

struct sbiret sbi_call(long ext, long fid, long a0, long a1, long a2,
		       long a3, long a4);

void sbi_console_putchar(int c);		/* legacy extension 0x01 */
long sbi_set_timer(uint64_t when);
long sbi_send_ipi(unsigned long hart_mask, unsigned long hart_mask_base);
long sbi_hart_start(unsigned long hartid, unsigned long start_pa,
		    unsigned long opaque);
long sbi_probe_extension(long ext);
/* Power off through the firmware; failure gives the reason "system failure". */
void sbi_shutdown(bool failure) __noreturn;

#endif
