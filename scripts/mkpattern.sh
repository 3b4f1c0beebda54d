#!/bin/sh
# mkpattern.sh FILE [MIB] - write the pattern disk image of the virtio-blk
# self-tests (kernel/test/ktest_virtio_blk.c): MIB mebibytes (default 8) in
# which the 8-byte little-endian word at byte offset o holds
# o ^ 0x5a5a5a5a5a5a5a5a, so any sector read from it can be checked
# knowing only where it came from. The first sector, pattern like the rest,
# is the image's signature: the self-tests take as their scratch disk the
# disk whose first sector holds it, wherever it is attached, and write to
# no other. They write to it, so give QEMU a fresh copy each time. The file
# is replaced atomically.
set -e
out=${1:?usage: mkpattern.sh FILE [MIB]}
mib=${2:-8}
tmp="$out.tmp.$$"
trap 'rm -f "$tmp"' EXIT
perl -e '
	my $bytes = $ARGV[0] * 1048576;
	my $chunk = 65536;
	binmode STDOUT;
	for (my $o = 0; $o < $bytes; $o += $chunk) {
		print pack("Q<*", map { ($o + 8 * $_) ^ 0x5a5a5a5a5a5a5a5a }
				  0 .. $chunk / 8 - 1);
	}' "$mib" >"$tmp"
mv "$tmp" "$out"
trap - EXIT
