/* Primitive system data types (Linux riscv64 sizes). */
#ifndef _SYS_TYPES_H
#define _SYS_TYPES_H

#include <stddef.h>
#include <stdint.h>

typedef long		ssize_t;
typedef long		off_t;
typedef int		pid_t;
typedef unsigned int	uid_t;
typedef unsigned int	gid_t;
typedef unsigned int	mode_t;
typedef unsigned int	nlink_t;
typedef unsigned long	dev_t;
typedef unsigned long	ino_t;
typedef long		blksize_t;
typedef long		blkcnt_t;
typedef long		time_t;
typedef long		suseconds_t;
typedef unsigned int	useconds_t;
typedef int		clockid_t;
typedef int		timer_t;
typedef long		clock_t;

#endif
