#!/bin/bash
# Replacement quality (`make bench-policy`): boot the benchmark kernel once
# per policy (vm.policy=NAME) with tests/bench/policybench.c as init, on one
# hart with 64 MiB of RAM and a fresh 256 MiB swap area, and put each
# policy's major faults next to what the host's simulator (host/sim_policy)
# gives for OPT, exact LRU and every policy on the same page-reference
# string. The string is generated on the host from the shape and seed the
# guest prints (host/hotscan_trace, the same tests/bench/hotscan.h), and
# its length and checksum must match the guest's. The simulator is given
# the frames the workload had: the mean, over the boots, of its pages
# resident at the end of each round (mincore).
#
#	scripts/bench-policy.sh KERNEL ROOT_IMG SIM_POLICY HOTSCAN_TRACE OUTDIR
#
# POLICIES (default: all four) and ARGS (policybench's arguments: hot loop
# hot_refs rounds seed ballast_mib; default its own) come from the
# environment.
set -u
KERNEL=$1 ROOT=$2 SIM=$3 TRACEGEN=$4 OUT=$5
QEMU=${QEMU:-qemu-system-riscv64}
POLICIES=${POLICIES:-clock fifo lru s3fifo}
TIMEOUT=${TIMEOUT:-300}
ARGS=${ARGS:-}
MKSWAP="env PATH=$PATH:/sbin:/usr/sbin mkswap"

mkdir -p "$OUT" || exit 1

# boot POLICY: the policybench lines of one boot into $OUT/POLICY.log
boot() {
	local swap="$OUT/swap-$1.img"

	rm -f "$swap" && truncate -s 256M "$swap" && $MKSWAP -q "$swap" || return 1
	timeout --foreground -k 5 "$TIMEOUT" "$QEMU" -machine virt -bios default \
		-kernel "$KERNEL" -smp 1 -m 64M -nographic -monitor none -serial stdio \
		-global virtio-mmio.force-legacy=false \
		-drive file="$ROOT",if=none,format=raw,id=root,readonly=on \
		-device virtio-blk-device,drive=root \
		-drive file="$swap",if=none,format=raw,id=swap \
		-device virtio-blk-device,drive=swap \
		-append "swap=/dev/vdb vm.policy=$1 init=/bench/policybench${ARGS:+ $ARGS}" \
		</dev/null 2>&1 | tr -d '\r' | grep '^policybench: ' >"$OUT/$1.log"
	rm -f "$swap"
	grep -q '^policybench: frames=' "$OUT/$1.log"
}

# field FILE NAME: the value of NAME=value in FILE
field() {
	sed -n "s/^\(.*[ :]\)\{0,1\}$2=\([^ ]*\).*/\2/p" "$1" | head -n 1
}

for pol in $POLICIES; do
	if ! boot "$pol"; then
		echo "bench-policy: the $pol boot did not finish (log: $OUT/$pol.log)"
		exit 1
	fi
done

first=$OUT/${POLICIES%% *}.log
set -- $(sed -n 's/^policybench: shape //p' "$first" | tr -d 'a-z_=')
hot=$1 loop=$2 hot_refs=$3 rounds=$4 seed=$5
if ! "$TRACEGEN" "$hot" "$loop" "$hot_refs" "$rounds" "$seed" \
	>"$OUT/trace.txt" 2>"$OUT/trace.sum"; then
	echo "bench-policy: hotscan_trace failed"
	exit 1
fi
host_refs=$(field "$OUT/trace.sum" refs)
host_sum=$(field "$OUT/trace.sum" sum)
frames_total=0
for pol in $POLICIES; do
	if [ "$(field "$OUT/$pol.log" refs)" != "$host_refs" ] ||
	   [ "$(field "$OUT/$pol.log" sum)" != "$host_sum" ]; then
		echo "bench-policy: the $pol boot's string differs from the host's" \
		     "(refs $(field "$OUT/$pol.log" refs) sum $(field "$OUT/$pol.log" sum)," \
		     "host refs $host_refs sum $host_sum)"
		exit 1
	fi
	frames_total=$((frames_total + $(field "$OUT/$pol.log" frames)))
done
npol=$(echo $POLICIES | wc -w)
frames=$(( (frames_total + npol / 2) / npol ))
"$SIM" --trace "$OUT/trace.txt" --frames "$frames" >"$OUT/sim.txt" || exit 1
pages=$((hot + loop))

# sim_faults NAME: the simulator's faults for NAME minus the first touches
sim_faults() {
	awk -v n="$1" -v p="$pages" '$1 == n { print $2 - p }' "$OUT/sim.txt"
}

echo "Kilburn replacement quality: $hot hot pages used at random ($hot_refs uses a round)"
echo "and a loop over $loop more, $rounds rounds; $host_refs references, checksum $host_sum"
echo "(the guest's and the host's strings agree). 64 MiB of RAM, $(sed -n 's/^policybench: ballast=\([0-9]*\) MiB.*/\1/p' "$first") MiB of it locked:"
printf "the workload had %s frames (mean resident; per boot:" "$frames"
for pol in $POLICIES; do
	printf " %s %s" "$pol" "$(field "$OUT/$pol.log" frames)"
done
echo ")."
echo "Faults are major faults: the $pages first touches (minor in the guest) are"
echo "taken out of the simulated counts; guest pages read = pages read from swap"
echo "(majflt plus readahead pages a fault found; readahead makes majflt smaller)."
echo
printf "| %-7s | %12s | %12s | %10s | %9s | %9s |\n" policy "guest majflt" \
	"guest pswpin" "sim faults" "sim /OPT" "sim /LRU"
echo "|---------|--------------|--------------|------------|-----------|-----------|"
opt=$(sim_faults OPT)
lru=$(sim_faults lru)
printf "| %-7s | %12s | %12s | %10s | %9.3f | %9.3f |\n" OPT - - "$opt" 1 \
	"$(echo "$opt $lru" | awk '{ print $2 ? $1 / $2 : 0 }')"
for pol in $POLICIES; do
	f=$(sim_faults "$pol")
	printf "| %-7s | %12s | %12s | %10s | %9.3f | %9.3f |\n" "$pol" \
		"$(field "$OUT/$pol.log" majflt)" "$(field "$OUT/$pol.log" pswpin)" "$f" \
		"$(echo "$f $opt" | awk '{ print $2 ? $1 / $2 : 0 }')" \
		"$(echo "$f $lru" | awk '{ print $2 ? $1 / $2 : 0 }')"
done
echo
echo "Seconds per boot:$(for pol in $POLICIES; do printf " %s %s" "$pol" "$(field "$OUT/$pol.log" seconds)"; done)"
