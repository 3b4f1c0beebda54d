#!/bin/bash
# Run every Kilburn test and end with "N passed, N failed".
#
#   1. host unit tests (build/host/test_*), one result per test case;
#   2. boot tests: ktest=all on several machine shapes, one result per
#      self-test and one per boot (the exit status must be 0);
#   3. crash tests: boots that must end in a panic with a given message
#      and QEMU's exit status 99;
#   4. user-space tests, one result per check;
#   5. a picture (make picture): the SVGs parse and agree with /proc.
#
# A program counts only by its own final "N passed, M failed" line: it
# passes if N > 0, M == 0 and it exited 0, and (where it prints one line per
# check) if it printed exactly N passing lines. A test that ran nothing, or
# whose lines and summary disagree, is a failure.
#
# The root disk is always attached read-only. Every boot also gets
# throwaway copies of a swap area made by util-linux's mkswap at the start
# of the run (build/test-swap.img, 8 MiB): one for the self-tests, two
# (vdb and vdc) for the user tests. Logs of every boot are kept in
# build/test-logs/.
set -u
cd "$(dirname "$0")/.."

B=${B:-build}
QEMU=${QEMU:-qemu-system-riscv64}
TIMEOUT=${TIMEOUT:-400}
LOGS=$B/test-logs
PATTERN=$B/pattern.img
SWAPIMG=$B/test-swap.img
mkdir -p "$LOGS"

# swap_copy: a throwaway copy of the fresh swap area; prints its name.
swap_copy() {
	local f
	f=$(mktemp "$B/swap-disk.XXXXXX") || return
	cp --sparse=always "$SWAPIMG" "$f" 2>/dev/null && echo "$f" || rm -f "$f"
}
passed=0
failed=0
failures=()

pass() { passed=$((passed + 1)); }
fail() { failed=$((failed + 1)); failures+=("$1"); echo "FAIL $1"; }

rm -f "$SWAPIMG"
if ! truncate -s 8M "$SWAPIMG" || ! PATH="$PATH:/sbin:/usr/sbin" mkswap -q "$SWAPIMG"; then
	fail "could not make $SWAPIMG with mkswap (util-linux)"
	rm -f "$SWAPIMG"
fi

# judge LABEL FILE STATUS [PASS-REGEX [FAIL-REGEX]]: count a program's
# result from the last "N passed, M failed" line of FILE (its output; STATUS
# its exit status). With PASS-REGEX, the lines matching it (one per passed
# check) must number N. Adds N to the passed total; every line matching
# FAIL-REGEX (default: FAIL lines) and every broken rule is a failure.
# Prints one line; returns 0 if it all held.
judge() {
	local label=$1 file=$2 status=$3 regex=${4:-} fregex=${5:-'^FAIL( -)? '}
	local summary n m lines ok=0
	summary=$(grep -E '(^|: )[0-9]+ passed, [0-9]+ failed$' "$file" | tail -1)
	while read -r line; do
		[ -n "$line" ] && fail "$label: ${line#FAIL }" && ok=1
	done < <(grep -E "$fregex" "$file")
	if [ -z "$summary" ]; then
		fail "$label: no \"N passed, M failed\" line (exit status $status)"
		return 1
	fi
	[[ $summary =~ ([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]
	n=${BASH_REMATCH[1]} m=${BASH_REMATCH[2]}
	passed=$((passed + n))
	echo "$label: $n passed, $m failed"
	if [ "$n" = 0 ]; then
		fail "$label: ran nothing (0 checks passed)"; ok=1
	fi
	if [ "$m" != 0 ] && [ "$ok" = 0 ]; then
		fail "$label: $m failed"; ok=1
	fi
	if [ "$status" != 0 ]; then
		fail "$label: exit status $status"; ok=1
	fi
	if [ -n "$regex" ]; then
		lines=$(grep -c -E "$regex" "$file")
		if [ "$lines" != "$n" ]; then
			fail "$label: $lines passing lines but the summary says $n"
			ok=1
		fi
	fi
	return $ok
}

# ---- 1. host unit tests
for t in "$B"/host/test_*; do
	[ -x "$t" ] || continue
	name=$(basename "$t")
	out=$LOGS/host-$name.log
	"$t" >"$out" 2>&1
	judge "host $name" "$out" $? '^PASS ' || grep -v '^PASS ' "$out" | head -40
done

# ---- the VM fuzzer: random operations against a reference model, a fixed
# seed (FUZZ_SEED) so a run is reproducible; `make fuzz` tries new ones
out=$("$B/host/fuzz_vm" --seed "${FUZZ_SEED:-1}" --ops "${FUZZ_OPS:-1000000}" 2>&1)
status=$?
if [ "$status" = 0 ] && grep -q '^PASS fuzz_vm' <<<"$out"; then
	pass
	echo "host fuzz_vm: $(grep 'operations agree' <<<"$out" | sed 's/^fuzz_vm: //')"
else
	fail "host fuzz_vm: status $status"
	echo "$out" | tail -40
fi

# boot CPUS MEM APPEND LOG: run QEMU, leave the console in LOG, return its
# status. Disk 0 is the root disk, read-only; disk 1 a throwaway copy of
# the pattern image that the virtio-blk self-tests find by its signature,
# read and write (scripts/mkpattern.sh); disk 2 a throwaway swap area that
# the swap self-tests find by its signature (without one they fail).
boot() {
	local status disk swap
	[ "$PATTERN" -nt scripts/mkpattern.sh ] || scripts/mkpattern.sh "$PATTERN"
	disk=$(mktemp "$B/scratch-disk.XXXXXX") && cp "$PATTERN" "$disk"
	swap=$(swap_copy)
	timeout --foreground -k 5 "$TIMEOUT" "$QEMU" -machine virt -bios default \
		-kernel "$B/kernel.elf" -smp "$1" -m "$2" -nographic \
		-monitor none -serial stdio -append "$3" \
		-global virtio-mmio.force-legacy=false \
		-drive file="$B/root.img",if=none,format=raw,id=root,readonly=on \
		-device virtio-blk-device,drive=root \
		-drive file="$disk",if=none,format=raw,id=pattern \
		-device virtio-blk-device,drive=pattern \
		${swap:+-drive file="$swap",if=none,format=raw,id=swap} \
		${swap:+-device virtio-blk-device,drive=swap} </dev/null >"$4.raw" 2>&1
	status=$?
	rm -f "$disk" ${swap:+"$swap"}
	tr -d '\r' <"$4.raw" >"$4"
	rm -f "$4.raw"
	return $status
}

# ---- 2. boot self-tests: one result per self-test, one per boot
for shape in "1 128M" "4 128M" "2 64M" "2 512M"; do
	set -- $shape
	label="boot cpus=$1 mem=$2"
	log="$LOGS/ktest-cpus$1-mem$2.log"
	boot "$1" "$2" "ktest=all" "$log"
	status=$?
	if judge "$label" "$log" "$status" '^ktest: .* ok$' '^ktest: .* FAILED$'; then
		pass
	else
		echo "  (log: $log)"
		tail -30 "$log"
	fi
done

# ---- 3. crash tests: NAME, then patterns the console must show
crash() {
	local name=$1; shift
	local log="$LOGS/$name.log"
	boot 2 128M "ktest=$name" "$log"
	local status=$? missing=""
	for pattern in "$@"; do
		grep -q -- "$pattern" "$log" || missing="$missing '$pattern'"
	done
	if [ "$status" = 99 ] && [ -z "$missing" ]; then
		pass
		echo "crash $name: panicked as expected"
	else
		fail "crash $name: status $status (want 99), missing:$missing (log: $log)"
		tail -20 "$log"
	fi
}
crash crash_kernel_stack_overflow "kernel stack overflow on hart"
crash crash_kernel_null_load "load page fault" "stval 0x0000000000000000" \
	"backtrace:" "ktest_crash_kernel_null_load+" "ktest_run+"
crash crash_kmalloc_overflow "red zone" "kmalloc-64"
crash crash_kmalloc_use_after_free "after free" "kmalloc-64"

# ---- a device tree with a broken node: the panic names it
dt=$LOGS/broken
"$QEMU" -machine virt,dumpdtb="$dt.dtb" -smp 2 -m 128M -nographic >/dev/null 2>&1
if dtc -q -I dtb -O dts "$dt.dtb" -o "$dt.dts" &&
   sed -i '/riscv,ndev/d' "$dt.dts" &&
   dtc -q -I dts -O dtb "$dt.dts" -o "$dt.dtb"; then
	log="$LOGS/broken-devicetree.log"
	timeout -k 5 "$TIMEOUT" "$QEMU" -machine virt -bios default \
		-kernel "$B/kernel.elf" -smp 2 -m 128M -nographic -monitor none \
		-serial stdio -dtb "$dt.dtb" </dev/null >"$log" 2>&1
	status=$?
	if [ "$status" = 99 ] && grep -q "panic on hart .*: device tree: PLIC has no riscv,ndev" "$log"; then
		pass; echo "device tree: missing property named in the panic"
	else
		fail "device tree: status $status (log: $log)"
	fi
else
	fail "device tree: could not build the broken device tree"
fi

# ---- boot arguments: unknown keys are reported and ignored
log="$LOGS/bootargs.log"
boot 1 128M "frobnicate=1 ktest=every_hart_is_online" "$log"
status=$?
if [ "$status" = 0 ] && grep -q "unknown option 'frobnicate' ignored" "$log"; then
	pass; echo "bootargs: unknown key reported"
else
	fail "bootargs: status $status (log: $log)"
fi

# ---- 4. user-space tests: every tests/user/NAME.c runs as init on 1 and 4
# harts, and so do the C library's own tests from user/tests.
# The root disk is shared and read-only; vdb and vdc are throwaway copies
# of the fresh swap area (tests/user/swapon.c uses them).
userboot() {	# CPUS INIT LOG: boot the (read-only) root disk with init=INIT
	local status swap1 swap2
	swap1=$(swap_copy)
	swap2=$(swap_copy)
	timeout --foreground -k 5 "$TIMEOUT" "$QEMU" -machine virt -bios default \
		-kernel "$B/kernel.elf" -smp "$1" -m "${MEM:-128M}" -nographic \
		-monitor none -serial stdio -global virtio-mmio.force-legacy=false \
		-drive file="$B/root.img",if=none,format=raw,id=root,readonly=on \
		-device virtio-blk-device,drive=root \
		${swap1:+-drive file="$swap1",if=none,format=raw,id=swap1} \
		${swap1:+-device virtio-blk-device,drive=swap1} \
		${swap2:+-drive file="$swap2",if=none,format=raw,id=swap2} \
		${swap2:+-device virtio-blk-device,drive=swap2} -append "init=$2" \
		</dev/null >"$3.raw" 2>&1
	status=$?
	rm -f ${swap1:+"$swap1"} ${swap2:+"$swap2"}
	tr -d '\r' <"$3.raw" >"$3"
	rm -f "$3.raw"
	return $status
}
# The line each program prints per passed check: tlib's "PASS what" and
# malloc_stress's "ok - what"; libc_test prints its summary only.
check_lines() {
	case $1 in
	tests/user/*|tests/dynamic/*)	echo '^PASS ' ;;
	user/tests/malloc_stress.c)	echo '^ok - ' ;;
	*)				echo '' ;;
	esac
}
# tests/dynamic/NAME.c (not libNAME.c, a library) runs twice, as
# /tests/NAME (PIE) and /tests/NAME-nopie, both dynamically linked.
inits=()
for src in tests/user/*.c user/tests/malloc_stress.c user/tests/libc_test.c; do
	[ -e "$src" ] && inits+=("$src:$(basename "$src" .c)")
done
for src in tests/dynamic/*.c; do
	name=$(basename "$src" .c)
	[ -e "$src" ] && [ "${name#lib}" = "$name" ] && inits+=("$src:$name" "$src:$name-nopie")
done
for entry in "${inits[@]}"; do
	src=${entry%%:*} name=${entry#*:}
	case $name in swap_*) continue ;; esac	# below, with a large swap area
	for cpus in 1 4; do
		label="user $name cpus=$cpus"
		log="$LOGS/user-$name-cpus$cpus.log"
		userboot "$cpus" "/tests/$name" "$log"
		status=$?
		judge "$label" "$log" "$status" "$(check_lines "$src")" ||
			{ echo "  (log: $log)"; tail -15 "$log"; }
	done
done

# ---- 5. swap tests: tests/user/swap_*.c with 64 MiB of RAM and a fresh
# 256 MiB swap area active from boot (swap=/dev/vdb), on 1 and 4 harts.
SWAPBIG=$B/test-swap-256M.img
rm -f "$SWAPBIG"
if ! truncate -s 256M "$SWAPBIG" || ! PATH="$PATH:/sbin:/usr/sbin" mkswap -q "$SWAPBIG"; then
	fail "could not make $SWAPBIG with mkswap (util-linux)"
fi
swapboot() {	# CPUS INIT LOG [BOOT-ARGS]
	local status disk
	disk=$(mktemp "$B/swap-disk.XXXXXX") && cp --sparse=always "$SWAPBIG" "$disk"
	# 3 x RAM through one-page swap-ins: minutes on 4 harts under QEMU
	timeout --foreground -k 5 "$((TIMEOUT > 900 ? TIMEOUT : 900))" "$QEMU" -machine virt -bios default \
		-kernel "$B/kernel.elf" -smp "$1" -m 64M -nographic \
		-monitor none -serial stdio -global virtio-mmio.force-legacy=false \
		-drive file="$B/root.img",if=none,format=raw,id=root,readonly=on \
		-device virtio-blk-device,drive=root \
		-drive file="$disk",if=none,format=raw,id=swap \
		-device virtio-blk-device,drive=swap \
		-append "swap=/dev/vdb${4:+ $4} init=$2" </dev/null >"$3.raw" 2>&1
	status=$?
	rm -f "$disk"
	tr -d '\r' <"$3.raw" >"$3"
	rm -f "$3.raw"
	return $status
}
for src in tests/user/swap_*.c; do
	[ -e "$src" ] || continue
	name=$(basename "$src" .c)
	for cpus in 1 4; do
		label="swap $name cpus=$cpus"
		log="$LOGS/swap-$name-cpus$cpus.log"
		swapboot "$cpus" "/tests/$name" "$log"
		status=$?
		judge "$label" "$log" "$status" '^PASS ' ||
			{ echo "  (log: $log)"; tail -15 "$log"; }
	done
done
# ---- S3-FIFO keeps its hot set through a scan: make bench-policy's small
# workload (470 hot pages used at random and a loop over 2830 more, 10
# rounds) in about 2,000 frames, 50 MiB of RAM locked. A recency policy
# reads back every page every round, about 33,000 (CLOCK on this kernel:
# 33,005); S3-FIFO about 23,000. With the first use of a page mapped by
# swap fault-around taken for a reuse it read 31,400.
log="$LOGS/policy-s3fifo.log"
swapboot 1 "/bench/policybench 470 2830 1880 10 42 50" "$log" "vm.policy=s3fifo"
status=$?
pswpin=$(sed -n 's/^policybench: majflt=[0-9]* pswpin=\([0-9]*\) .*/\1/p' "$log")
if [ "$status" = 0 ] && [ -n "$pswpin" ] && grep -q "^policybench: ballast=50 MiB locked" "$log" &&
   [ "$pswpin" -lt 27000 ]; then
	pass
	echo "policy s3fifo: $pswpin pages read back (a recency policy: about 33,000)"
else
	fail "policy s3fifo: ${pswpin:-no} pages read back, want fewer than 27,000 (status $status, log: $log)"
	tail -10 "$log"
fi
rm -f "$SWAPBIG"
# ---- 5. a picture: memsnap captures a program (its smaps, page table and
# faults) through the console, scripts/picture.py draws the SVGs, and its
# --check parses them back and compares their numbers with the capture
log="$LOGS/picture.log"
mkdir -p "$B/picture-test"
userboot 1 "/bin/memsnap -d 1 /bin/memdemo hold 64" "$log"
if scripts/picture.py "$log" "$B/picture-test" >/dev/null &&
   out=$(scripts/picture.py --check "$log" "$B/picture-test") &&
   grep -q "^=== memsnap pid [0-9]* stable" "$log"; then
	pass
	echo "picture: $out"
else
	fail "picture: the SVGs do not parse or their numbers differ from /proc (log: $log)"
	echo "$out" | tail -10
fi

echo
if [ "$failed" != 0 ]; then
	echo "Failures:"
	printf '  %s\n' "${failures[@]}"
fi
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
