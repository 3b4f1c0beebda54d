/* System statistics: sysinfo(2) (Linux's struct sysinfo on 64-bit machines). */
#ifndef _SYS_SYSINFO_H
#define _SYS_SYSINFO_H

#define SI_LOAD_SHIFT	16

struct sysinfo {
	long		uptime;		/* seconds since boot */
	unsigned long	loads[3];	/* 1, 5, 15 minute loads, 1.0 = 1 << SI_LOAD_SHIFT */
	unsigned long	totalram, freeram, sharedram, bufferram;
	unsigned long	totalswap, freeswap;
	unsigned short	procs;		/* processes */
	unsigned short	pad;
	unsigned long	totalhigh, freehigh;
	unsigned int	mem_unit;	/* bytes per unit of the sizes above */
	char		_f[4];
};

int sysinfo(struct sysinfo *info);

#endif
