/*
 * What Kilburn calls itself (uname, /proc/version). The release is the
 * Linux ABI level it offers, for C libraries that check it.
 */
#ifndef KILBURN_VERSION_H
#define KILBURN_VERSION_H

#define KILBURN_SYSNAME		"Kilburn"
#define KILBURN_NODENAME	"kilburn"
#define KILBURN_RELEASE		"6.1.0-kilburn"
#define KILBURN_VERSION		"#1 SMP"
#define KILBURN_MACHINE		"riscv64"

#endif
