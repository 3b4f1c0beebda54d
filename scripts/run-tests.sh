#!/bin/bash
# Run every Kilburn test and end with "N passed, N failed".
#
#   1. host unit tests (build/host/test_*), one result per test case;
#   2. boot tests: ktest=all on several machine shapes, one result per
#      self-test and one per boot (the exit status must be 0);
#   3. crash tests: boots that must end in a panic with a given message
#      and QEMU's exit status 99.
#
# Logs of every boot are kept in build/test-logs/.
set -u
cd "$(dirname "$0")/.."

B=${B:-build}
QEMU=${QEMU:-qemu-system-riscv64}
TIMEOUT=${TIMEOUT:-180}
LOGS=$B/test-logs
mkdir -p "$LOGS"
passed=0
failed=0
failures=()

pass() { passed=$((passed + 1)); }
fail() { failed=$((failed + 1)); failures+=("$1"); echo "FAIL $1"; }

# ---- 1. host unit tests
for t in "$B"/host/test_*; do
	[ -x "$t" ] || continue
	name=$(basename "$t")
	out=$("$t" 2>&1)
	status=$?
	p=$(grep -c '^PASS ' <<<"$out")
	f=$(grep -c '^FAIL ' <<<"$out")
	passed=$((passed + p))
	echo "host $name: $p passed, $f failed"
	while read -r line; do
		[ -n "$line" ] && fail "host $name: ${line#FAIL }"
	done < <(grep '^FAIL ' <<<"$out")
	if [ "$status" != 0 ] && [ "$f" = 0 ]; then
		fail "host $name exited with status $status"
		echo "$out" | tail -20
	elif [ "$f" != 0 ]; then
		echo "$out" | grep -v '^PASS ' | head -40
	fi
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

: run QEMU, leave the console in LOG, return its status.
# The first virtio disk is a throwaway copy of the pattern image that the
# virtio-blk self-tests read and write (scripts/mkpattern.sh).
boot() {
	local status disk
	[ "$B/test-disk.img" -nt scripts/mkpattern.sh ] ||
		scripts/mkpattern.sh "$B/test-disk.img"
	disk=$(mktemp "$B/test-disk.XXXXXX") && cp "$B/test-disk.img" "$disk"
	timeout --foreground -k 5 "$TIMEOUT" "$QEMU" -machine virt -bios default \
		-kernel "$B/kernel.elf" -smp "$1" -m "$2" -nographic \
		-monitor none -serial stdio -append "$3" \
		-global virtio-mmio.force-legacy=false \
		-drive file="$disk",if=none,format=raw,id=disk0 \
		-device virtio-blk-device,drive=disk0 </dev/null >"$4.raw" 2>&1
	status=$?
	rm -f "$disk"
	tr -d '\r' <"$4.raw" >"$4"
	rm -f "$4.raw"
	return $status
}

# ---- 2. boot self-tests
for shape in "1 128M" "4 128M" "2 64M" "2 512M"; do
	set -- $shape
	label="boot cpus=$1 mem=$2"
	log="$LOGS/ktest-cpus$1-mem$2.log"
	boot "$1" "$2" "ktest=all" "$log"
	status=$?
	ok=$(grep -c '^ktest: .* ok$' "$log")
	passed=$((passed + ok))
	while read -r line; do
		[ -n "$line" ] && fail "$label: $line"
	done < <(grep 'FAILED' "$log")
	if [ "$status" = 0 ] && grep -q '^ktest: [0-9]* passed, 0 failed' "$log"; then
		pass
		echo "$label: $ok self-tests passed"
	else
		fail "$label: exit status $status (log: $log)"
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

# ---- 4. user-space tests: every tests/user/NAME.c runs as init on 1 and 4 harts
userboot() {	# CPUS INIT LOG: boot the root disk with init=INIT
	local status
	timeout --foreground -k 5 "$TIMEOUT" "$QEMU" -machine virt -bios default \
		-kernel "$B/kernel.elf" -smp "$1" -m "${MEM:-128M}" -nographic \
		-monitor none -serial stdio -global virtio-mmio.force-legacy=false \
		-drive file="$B/root.img",if=none,format=raw,id=root,snapshot=on \
		-device virtio-blk-device,drive=root -append "init=$2" \
		</dev/null >"$3.raw" 2>&1
	status=$?
	tr -d '\r' <"$3.raw" >"$3"
	rm -f "$3.raw"
	return $status
}
# (and the C library's own tests from user/tests, which print "ok - ...")
for src in tests/user/*.c user/tests/malloc_stress.c user/tests/libc_test.c; do
	[ -e "$src" ] || continue
	name=$(basename "$src" .c)
	for cpus in 1 4; do
		label="user $name cpus=$cpus"
		log="$LOGS/user-$name-cpus$cpus.log"
		userboot "$cpus" "/tests/$name" "$log"
		status=$?
		p=$(grep -c -e '^PASS ' -e '^ok - ' "$log")
		passed=$((passed + p))
		while read -r line; do
			[ -n "$line" ] && fail "$label: ${line#FAIL }"
		done < <(grep -e '^FAIL ' -e '^FAIL - ' "$log")
		if [ "$status" = 0 ] && grep -q '[0-9]* passed, 0 failed$' "$log"; then
			echo "$label: $p checks passed"
		else
			fail "$label: exit status $status (log: $log)"
			tail -15 "$log"
		fi
	done
done

echo
if [ "$failed" != 0 ]; then
	echo "Failures:"
	printf '  %s\n' "${failures[@]}"
fi
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
