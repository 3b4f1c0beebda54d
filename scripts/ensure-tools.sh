#!/bin/sh
# Make sure the tools Kilburn needs are installed (Debian/Ubuntu packages).
# As root it installs what is missing; otherwise it prints the command to run.
# "ensure-tools.sh gdb" also wants gdb-multiarch.
set -e

need=""
check() {	# check COMMAND PACKAGE
	command -v "$1" >/dev/null 2>&1 || need="$need $2"
}
check riscv64-linux-gnu-gcc gcc-riscv64-linux-gnu
check qemu-system-riscv64 qemu-system-misc
check cpio cpio
check gcc gcc
check make make
check mkswap util-linux
check dtc device-tree-compiler
[ "${1:-}" = gdb ] && check gdb-multiarch gdb-multiarch
[ -e /usr/riscv64-linux-gnu/lib/libc.a ] || need="$need libc6-dev-riscv64-cross"
# the shared glibc run-time the root image ships in /lib
[ -e /usr/riscv64-linux-gnu/lib/ld-linux-riscv64-lp64d.so.1 ] || need="$need libc6-riscv64-cross"

[ -z "$need" ] && exit 0

if [ "$(id -u)" = 0 ]; then
	echo "Installing:$need"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q
	apt-get install -y -q $need
else
	echo "Kilburn needs these Debian packages:$need"
	echo "Install them with:"
	echo "  sudo apt-get install -y$need"
	exit 1
fi
