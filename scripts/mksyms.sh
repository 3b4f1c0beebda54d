#!/bin/sh
# Generate the kernel's embedded symbol table as assembly.
#   mksyms.sh ELF NM > ksyms.S        table of ELF's text symbols (/dev/null: empty)
#   mksyms.sh --verify A B NM          check that A and B have the same text symbols
set -e

text_symbols() {
	"$2" -n --defined-only "$1" | awk '$2 ~ /^[tT]$/ && $3 !~ /^\.L/ { print $1, $3 }'
}

if [ "$1" = "--verify" ]; then
	a=$(mktemp); b=$(mktemp)
	text_symbols "$2" "$4" > "$a"
	text_symbols "$3" "$4" > "$b"
	if ! cmp -s "$a" "$b"; then
		echo "mksyms: text symbols moved between the two links" >&2
		rm -f "$a" "$b"
		exit 1
	fi
	rm -f "$a" "$b"
	exit 0
fi

if [ "$1" = /dev/null ]; then
	syms=""
else
	syms=$(text_symbols "$1" "$2")
fi

printf '\t.section .ksyms, "a"\n\t.balign 8\n'
printf '\t.globl ksyms_count\nksyms_count:\n'
printf '%s\n' "$syms" | awk 'NF { n++ } END { printf "\t.dword %d\n", n }'
printf '\t.globl ksyms_addrs\nksyms_addrs:\n'
printf '%s\n' "$syms" | awk 'NF { printf "\t.dword 0x%s\n", $1 }'
printf '\t.globl ksyms_name_offsets\nksyms_name_offsets:\n'
printf '%s\n' "$syms" | awk 'NF { printf "\t.word %d\n", off; off += length($2) + 1 }'
printf '\t.globl ksyms_names\nksyms_names:\n'
printf '%s\n' "$syms" | awk 'NF { printf "\t.asciz \"%s\"\n", $2 }'
