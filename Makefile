# Kilburn — build, run and test.
#
#   make          build build/kernel.elf (and the root disk, once user space exists)
#   make run      boot it in QEMU (CPUS=2 MEM=128M by default; SWAP=256M adds
#                 a fresh swap disk, /dev/vdb, and swap=/dev/vdb)
#   make test     host unit tests + boot tests; ends with "N passed, N failed"
#   make gdb      boot halted with a gdb stub on :1234
#   make bench    benchmarks (guest instructions per operation)
#   make sim      replacement policies on a page-reference trace (TRACE=, FRAMES=)
#   make bench-swapio  swap throughput against the raw disk (wall clock, ROUNDS=)
#   make bench-policy  each policy's major faults in the guest next to OPT and LRU
#   make profile  one fault's instructions by kernel function (OP=r|w|c|b, N=)

CPUS	?= 2
MEM	?= 128M
APPEND	?=
SWAP	?=
DEBUG	?= 1

CROSS	?= riscv64-linux-gnu-
CC	:= $(CROSS)gcc
LD	:= $(CROSS)ld
NM	:= $(CROSS)nm
OBJCOPY	:= $(CROSS)objcopy
QEMU	?= qemu-system-riscv64
HOSTCC	?= gcc

B	:= build

# Quiet by default; V=1 shows the commands.
ifeq ($(V),1)
Q :=
say = @true
else
Q := @
say = @echo "  $(1)	$(2)"
endif

# ---------------------------------------------------------------- kernel

KCFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -Wno-unused-parameter \
	-march=rv64imac_zicsr_zifencei -mabi=lp64 -mcmodel=medany \
	-ffreestanding -fno-builtin -nostdlib -fno-stack-protector -fno-pic -fno-pie \
	-fno-omit-frame-pointer -fno-optimize-sibling-calls \
	-fno-common -fno-strict-aliasing \
	-I kernel/include -I kernel -DKILBURN_DEBUG=$(DEBUG) -MMD -MP
KASFLAGS := $(filter-out -std=gnu11,$(KCFLAGS)) -D__ASSEMBLY__

KSRCS := $(wildcard kernel/arch/riscv/*.S kernel/arch/riscv/*.c \
	kernel/kern/*.c kernel/lib/*.c kernel/vm/*.c kernel/dev/*.c \
	kernel/fs/*.c kernel/test/*.c)
KOBJS := $(patsubst %,$(B)/%.o,$(KSRCS))
KLDS  := kernel/arch/riscv/kernel.ld

all: $(B)/kernel.elf $(B)/root.img

$(B)/kernel/%.c.o: kernel/%.c Makefile
	@mkdir -p $(dir $@)
	$(call say,CC,$<)
	$(Q)$(CC) $(KCFLAGS) -c $< -o $@

$(B)/kernel/%.S.o: kernel/%.S Makefile
	@mkdir -p $(dir $@)
	$(call say,AS,$<)
	$(Q)$(CC) $(KASFLAGS) -c $< -o $@

# The kernel embeds its own symbol table for backtraces. Link once with an
# empty table, generate the table from that image, link again. Text comes
# first in the image and the table lives in .rodata, so code addresses do not
# move between the two links (scripts/mksyms.sh checks this).
$(B)/ksyms0.o: scripts/mksyms.sh
	@mkdir -p $(B)
	$(Q)scripts/mksyms.sh /dev/null $(NM) > $(B)/ksyms0.S
	$(Q)$(CC) $(KASFLAGS) -c $(B)/ksyms0.S -o $@

$(B)/kernel.pass1.elf: $(KOBJS) $(B)/ksyms0.o $(KLDS)
	$(call say,LD,$@)
	$(Q)$(CC) $(KCFLAGS) -T $(KLDS) -static -no-pie -Wl,--build-id=none -o $@ $(KOBJS) $(B)/ksyms0.o

$(B)/ksyms.o: $(B)/kernel.pass1.elf scripts/mksyms.sh
	$(call say,KSYMS,$@)
	$(Q)scripts/mksyms.sh $< $(NM) > $(B)/ksyms.S
	$(Q)$(CC) $(KASFLAGS) -c $(B)/ksyms.S -o $@

$(B)/kernel.elf: $(KOBJS) $(B)/ksyms.o $(KLDS)
	$(call say,LD,$@)
	$(Q)$(CC) $(KCFLAGS) -T $(KLDS) -static -no-pie -Wl,--build-id=none -o $@ $(KOBJS) $(B)/ksyms.o
	$(Q)scripts/mksyms.sh --verify $(B)/kernel.pass1.elf $@ $(NM)

-include $(KOBJS:.o=.d)

# ---------------------------------------------------------------- user space

include user/user.mk

# Kilburn's own test programs (tests/user/*.c) link with its C library;
# tests/glibc/*.c are built with the cross toolchain's glibc, unmodified.
KTEST_PROGS := $(patsubst tests/user/%.c,$(B)/tests/%,$(wildcard tests/user/*.c))
GLIBC_PROGS := $(patsubst tests/glibc/%.c,$(B)/tests/glibc-%,$(wildcard tests/glibc/*.c))
BENCH_PROGS := $(patsubst tests/bench/%.c,$(B)/bench/%,$(wildcard tests/bench/*.c))
STRESS_PROGS := $(patsubst tests/stress/%.c,$(B)/tests/%,$(wildcard tests/stress/*.c))

# Dynamically linked programs (tests/dynamic/*.c, glibc's shared libraries,
# run through the dynamic linker): /tests/NAME as PIE, /tests/NAME-nopie as
# ET_EXEC; tests/dynamic/libNAME.c become /lib/libNAME.so for dlopen.
# Debian's riscv64 glibc run-time (package libc6-riscv64-cross) is copied
# into the root image's /lib, where the loader (/lib/ld-linux-riscv64-lp64d.so.1)
# looks by default.
DYN_SRCS    := $(filter-out tests/dynamic/lib%,$(wildcard tests/dynamic/*.c))
DYN_PROGS   := $(patsubst tests/dynamic/%.c,$(B)/tests/%,$(DYN_SRCS)) \
	$(patsubst tests/dynamic/%.c,$(B)/tests/%-nopie,$(DYN_SRCS))
DYN_LIBS    := $(patsubst tests/dynamic/%.c,$(B)/lib/%.so,$(wildcard tests/dynamic/lib*.c))
GLIBC_LIBDIR := /usr/riscv64-linux-gnu/lib
GLIBC_RUNTIME := ld-linux-riscv64-lp64d.so.1 libc.so.6 libm.so.6 libgcc_s.so.1 \
	libpthread.so.0 libdl.so.2 libresolv.so.2 librt.so.1
DYN_CFLAGS  := -O2 -Wall -Werror -I tests/user

$(B)/tests/%: tests/dynamic/%.c $(wildcard tests/user/*.h)
	@mkdir -p $(dir $@)
	$(call say,CC,$<)
	$(Q)$(CC) $(DYN_CFLAGS) -o $@ $< -ldl -lm

$(B)/tests/%-nopie: tests/dynamic/%.c $(wildcard tests/user/*.h)
	@mkdir -p $(dir $@)
	$(call say,CC,$< -no-pie)
	$(Q)$(CC) $(DYN_CFLAGS) -no-pie -o $@ $< -ldl -lm

$(B)/lib/%.so: tests/dynamic/%.c
	@mkdir -p $(dir $@)
	$(call say,CC,$<)
	$(Q)$(CC) -O2 -Wall -Werror -shared -fPIC -o $@ $<

# A static PIE without a C library that checks where execve placed it.
$(B)/tests/pie-layout: tests/pie/pie_layout.c
	@mkdir -p $(dir $@)
	$(call say,CC,$< -static-pie)
	$(Q)$(CC) -nostdlib -static-pie -fPIE -O2 -Wall -Werror -Wl,--no-dynamic-linker \
		-Wl,--build-id=none -o $@ $<

# The program vmbench starts, linked statically and dynamically with glibc.
BENCH_SMALL := $(B)/bench/small-static $(B)/bench/small-dynamic

# Benchmarks that need glibc's pthreads (tests/bench/glibc/*.c), static.
BENCH_GLIBC := $(patsubst tests/bench/glibc/%.c,$(B)/bench/%,$(wildcard tests/bench/glibc/*.c))

$(BENCH_GLIBC): $(B)/bench/%: tests/bench/glibc/%.c $(wildcard tests/bench/glibc/*.h)
	@mkdir -p $(dir $@)
	$(call say,CC,$< -static)
	$(Q)$(CC) -O2 -Wall -Werror -static -pthread -o $@ $<

$(B)/bench/small-static: tests/bench/prog/small.c
	@mkdir -p $(dir $@)
	$(call say,CC,$< -static)
	$(Q)$(CC) -O2 -Wall -Werror -static -o $@ $<

$(B)/bench/small-dynamic: tests/bench/prog/small.c
	@mkdir -p $(dir $@)
	$(call say,CC,$<)
	$(Q)$(CC) -O2 -Wall -Werror -o $@ $<

$(B)/bench/%: tests/bench/%.c $(wildcard tests/bench/*.h) $(USER_CRT0) $(USER_LIBC)
	@mkdir -p $(dir $@)
	$(call say,CC,$<)
	$(Q)$(USER_CC) $(USER_CFLAGS) $(USER_LDFLAGS) -o $@ $(USER_CRT0) $< $(USER_LIBC) -lgcc

$(B)/tests/%: tests/user/%.c $(wildcard tests/user/*.h) $(USER_CRT0) $(USER_LIBC)
	@mkdir -p $(dir $@)
	$(call say,CC,$<)
	$(Q)$(USER_CC) $(USER_CFLAGS) $(USER_LDFLAGS) -o $@ $(USER_CRT0) $< $(USER_LIBC) -lgcc

$(B)/tests/stress_%: tests/stress/stress_%.c $(wildcard tests/user/*.h) $(USER_CRT0) $(USER_LIBC)
	@mkdir -p $(dir $@)
	$(call say,CC,$<)
	$(Q)$(USER_CC) $(USER_CFLAGS) -Itests/user $(USER_LDFLAGS) -o $@ $(USER_CRT0) $< $(USER_LIBC) -lgcc

$(B)/tests/glibc-%: tests/glibc/%.c
	@mkdir -p $(dir $@)
	$(call say,CC,$<)
	$(Q)$(CC) -static -O2 -Wall -Werror -o $@ $<

# The root disk: a cpio (newc) archive of the programs, padded to whole
# sectors for the virtio disk.
#
# Bring your own files: ADD="PATH[:/DEST] ..." copies each host file or
# folder into the image, at /DEST or else at /add/NAME (NAME: its last path
# component), for every boot made from it (make run, make test, make gdb):
#	make run ADD=~/hello APPEND="init=/bin/sh"	then: /add/hello
#	make run ADD=data:/etc/data
# Programs must be static riscv64 Linux executables (riscv64-linux-gnu-gcc
# -static). The image is remade whenever ADD is given or changes.
ROOT := $(B)/root
ADD ?=
$(B)/add.list: FORCE
	@mkdir -p $(B)
	@echo '$(ADD)' | cmp -s - $@ 2>/dev/null || echo '$(ADD)' > $@
# cp each ADD entry into $(ROOT)
define add_to_root
	$(Q)for a in $(ADD); do \
		src=$${a%%:*}; dst=$${a#*:}; [ "$$dst" = "$$a" ] && dst=/add/$$(basename "$$src"); \
		[ -e "$$src" ] || { echo "ADD: no such file: $$src" >&2; exit 1; }; \
		mkdir -p "$(ROOT)$$(dirname "$$dst")" && cp -r "$$src" "$(ROOT)$$dst" || exit 1; \
	done
endef
# A 48 MiB file of the pattern of scripts/mkpattern.sh (the word at byte
# offset o is o ^ 0x5a5a5a5a5a5a5a5a), made at build time, for the tests that
# map more file than they can keep in RAM (tests/user/swap_file.c,
# tests/user/file_reclaim.c): /tests/big.pattern in the image.
BIGFILE := $(B)/big.pattern
$(BIGFILE): scripts/mkpattern.sh
	@mkdir -p $(B)
	$(call say,PATTERN,$@)
	$(Q)scripts/mkpattern.sh $@ 48
$(B)/root.img: host/fixtures/elf-tiny-exec host/fixtures/elf-tiny-pie $(B)/tests/pie-layout $(USER_PROGS) $(USER_TESTS) $(KTEST_PROGS) $(STRESS_PROGS) $(GLIBC_PROGS) $(BENCH_PROGS) $(BENCH_SMALL) $(BENCH_GLIBC) $(DYN_PROGS) $(DYN_LIBS) docs/tour.md $(wildcard user/etc/*) $(BIGFILE) Makefile $(B)/add.list $(if $(ADD),FORCE)
	$(call say,CPIO,$@)
	$(Q)rm -rf $(ROOT) && mkdir -p $(ROOT)/bin $(ROOT)/sbin $(ROOT)/tests \
		$(ROOT)/tmp $(ROOT)/dev $(ROOT)/proc $(ROOT)/etc $(ROOT)/bench $(ROOT)/lib
	$(Q)cp -L $(addprefix $(GLIBC_LIBDIR)/,$(GLIBC_RUNTIME)) $(ROOT)/lib/
	$(Q)cp $(DYN_PROGS) $(ROOT)/tests/
	$(Q)$(if $(DYN_LIBS),cp $(DYN_LIBS) $(ROOT)/lib/)
	$(Q)cp $(filter $(B)/user/bin/%,$(USER_PROGS)) $(ROOT)/bin/
	$(Q)cp $(filter $(B)/user/sbin/%,$(USER_PROGS)) $(ROOT)/sbin/
	$(Q)cp $(USER_TESTS) $(KTEST_PROGS) $(STRESS_PROGS) $(GLIBC_PROGS) $(ROOT)/tests/
	$(Q)cp host/fixtures/elf-tiny-exec host/fixtures/elf-tiny-pie $(B)/tests/pie-layout $(ROOT)/tests/
	$(Q)cp $(BIGFILE) $(ROOT)/tests/big.pattern
	$(Q)cp $(BENCH_PROGS) $(BENCH_SMALL) $(BENCH_GLIBC) $(ROOT)/bench/
	$(Q)echo "Kilburn" > $(ROOT)/etc/motd
	$(Q)cp user/etc/* $(ROOT)/etc/
	$(Q)mkdir -p $(ROOT)/doc && cp docs/tour.md $(ROOT)/doc/
	$(if $(ADD),$(add_to_root))
	$(Q)cd $(ROOT) && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet > ../root.img
	$(Q)truncate -s %4096 $@

# ---------------------------------------------------------------- host tests

HOSTCFLAGS := -std=gnu11 -g -O1 -Wall -Wextra -Werror -Wno-unused-parameter \
	-fsanitize=address,undefined -fno-sanitize-recover=undefined \
	-fno-omit-frame-pointer -pthread \
	-iquote host/env -iquote host -iquote kernel/include -iquote kernel \
	-DKILBURN_DEBUG=1

# Machine-independent kernel sources each host test links with.
HOST_DEPS_format   := kernel/lib/format.c
HOST_DEPS_fdt      := kernel/lib/fdt.c kernel/kern/board.c
HOST_DEPS_pmm      := kernel/vm/pmm.c kernel/vm/vmstat.c
HOST_DEPS_kmem     := kernel/vm/kmem.c kernel/vm/pmm.c kernel/vm/vmstat.c
HOST_DEPS_bootargs := kernel/kern/bootargs.c
HOST_DEPS_avl      := kernel/lib/avl.c
HOST_DEPS_cpio     := kernel/fs/cpio.c kernel/vm/kmem.c kernel/vm/pmm.c kernel/vm/vmstat.c
HOST_DEPS_elf      := kernel/kern/elf.c
HOST_DEPS_exec_stack := kernel/kern/exec_stack.c
HOST_DEPS_exec_script := kernel/kern/exec_script.c
POLICY_SRCS        := $(wildcard kernel/vm/policy*.c)
HOST_DEPS_pcache   := kernel/vm/pcache.c kernel/vm/pmm.c kernel/vm/vmstat.c kernel/vm/kmem.c kernel/vm/reclaim.c \
		      kernel/vm/swap_header.c kernel/vm/swap_slots.c kernel/vm/swap_areas.c \
		      $(POLICY_SRCS) host/env/pmap_soft.c kernel/vm/rmap.c
HOST_DEPS_vm       := kernel/vm/refault.c kernel/vm/rmap.c kernel/vm/mlock.c kernel/vm/vmspace.c kernel/vm/vmspace_check.c kernel/vm/fault.c kernel/vm/amap.c kernel/vm/anon.c kernel/vm/pcache.c kernel/vm/shmem.c kernel/vm/reclaim.c kernel/lib/avl.c kernel/vm/pmm.c kernel/vm/vmstat.c kernel/vm/kmem.c kernel/vm/commit.c kernel/vm/vmspace_pages.c kernel/vm/faulttrace.c host/env/pmap_soft.c \
		      kernel/vm/swap_header.c kernel/vm/swap_slots.c kernel/vm/swap_areas.c \
		      $(POLICY_SRCS) host/env/pageout_stub.c
HOST_DEPS_fault_mt := $(HOST_DEPS_vm)
HOST_DEPS_policy   := $(POLICY_SRCS) host/policy_sim.c
HOST_DEPS_swap_header := kernel/vm/swap_header.c
HOST_DEPS_refault  := kernel/vm/refault.c kernel/vm/vmstat.c
HOST_DEPS_swap_slots := kernel/vm/swap_header.c kernel/vm/swap_slots.c kernel/vm/swap_areas.c kernel/vm/kmem.c kernel/vm/pmm.c kernel/vm/vmstat.c

HOST_TESTS := $(patsubst host/%.c,$(B)/host/%,$(wildcard host/test_*.c))

.SECONDEXPANSION:
$(B)/host/test_%: host/test_%.c host/runner.c host/env/env.c $(wildcard host/*.h) host/env/env.h $$(HOST_DEPS_$$*) $$(wildcard kernel/*/*.h kernel/include/*.h)
	@mkdir -p $(dir $@)
	$(call say,HOSTCC,$@)
	$(Q)$(HOSTCC) $(HOSTCFLAGS) -o $@ $< host/runner.c host/env/env.c $(HOST_DEPS_$*)

# The VM fuzzer (host/fuzz_vm.c): random operations against a reference
# model. `make test` runs 1 M operations of it with a fixed seed (see
# scripts/run-tests.sh); `make fuzz` runs OPS (10 M) from SEED (random if empty).
$(B)/host/fuzz_vm: host/fuzz_vm.c host/env/env.c host/env/env.h $(HOST_DEPS_vm) $(wildcard kernel/*/*.h kernel/include/*.h)
	@mkdir -p $(dir $@)
	$(call say,HOSTCC,$@)
	$(Q)$(HOSTCC) $(HOSTCFLAGS) -o $@ $< host/env/env.c $(HOST_DEPS_vm)

$(B)/host/test_policy: host/policy_sim.h

# The replacement-policy simulator (host/sim_policy.c), optimised and without
# the sanitizers so that long traces run quickly. `make sim` runs it on
# TRACE (one page number per line) with FRAMES frames, or without TRACE on
# a generated hot-set-plus-scan workload.
$(B)/host/sim_policy: host/sim_policy.c host/policy_sim.c host/policy_sim.h host/env/env.c host/env/env.h $(POLICY_SRCS) $(wildcard kernel/*/*.h kernel/include/*.h)
	@mkdir -p $(dir $@)
	$(call say,HOSTCC,$@)
	$(Q)$(HOSTCC) $(filter-out -fsanitize% -fno-sanitize% -O1,$(HOSTCFLAGS)) -O2 \
		-o $@ $< host/policy_sim.c host/env/env.c $(POLICY_SRCS)

host-tests: $(HOST_TESTS) $(B)/host/fuzz_vm $(B)/host/sim_policy

TRACE	?=
FRAMES	?=
sim: $(B)/host/sim_policy
	@$(B)/host/sim_policy $(if $(TRACE),--trace $(TRACE)) $(if $(FRAMES),--frames $(FRAMES))

SEED	?=
OPS	?= 10000000
fuzz: $(B)/host/fuzz_vm
	@$(B)/host/fuzz_vm --seed "$(SEED)" --ops $(OPS)

# The fault model test (host/test_fault_mt.c) under ThreadSanitizer instead
# of ASan and UBSan: `make tsan` (ROUNDS=n, SEED=S as for the test).
ROUNDS	?=
comma	:= ,
$(B)/host/tsan/test_fault_mt: host/test_fault_mt.c host/runner.c host/env/env.c host/env/env.h $(HOST_DEPS_fault_mt) $(wildcard host/*.h kernel/*/*.h kernel/include/*.h)
	@mkdir -p $(dir $@)
	$(call say,HOSTCC,$@)
	$(Q)$(HOSTCC) $(subst -fsanitize=address$(comma)undefined,-fsanitize=thread,$(HOSTCFLAGS)) \
		-o $@ $< host/runner.c host/env/env.c $(HOST_DEPS_fault_mt)

tsan: $(B)/host/tsan/test_fault_mt
	@FAULT_MT_SEED="$(SEED)" FAULT_MT_ROUNDS="$(ROUNDS)" $<

# ---------------------------------------------------------------- running

# The root disk is always read-only: nothing a boot does can change it.
# With ktest in APPEND, a fresh copy of the pattern disk (scripts/mkpattern.sh)
# is attached as a second disk for the virtio-blk self-tests to write to.
PATTERN	:= $(B)/pattern.img
SCRATCH	:= $(B)/scratch-disk.img
SCRATCH_DISK := -drive file=$(SCRATCH),if=none,format=raw,id=pattern \
	-device virtio-blk-device,drive=pattern
# With SWAP=SIZE (256M, 1G: a size truncate understands), a fresh swap area
# made by util-linux's mkswap is attached as the second disk, /dev/vdb, and
# the boot argument swap=/dev/vdb activates it before init. With ktest in
# APPEND and no SWAP, an 8 MiB one is attached for the swap self-tests.
SWAPIMG	:= $(B)/swap.img
SWAP_SIZE = $(or $(SWAP),$(if $(findstring ktest,$(APPEND)),8M))
MKSWAP	:= PATH="$$PATH:/sbin:/usr/sbin" mkswap
SWAP_DISK := -drive file=$(SWAPIMG),if=none,format=raw,id=swap \
	-device virtio-blk-device,drive=swap
BOOTLINE = $(strip $(if $(SWAP),swap=/dev/vdb) $(APPEND))
QEMU_BASE = $(QEMU) -machine virt -bios default -kernel $(B)/kernel.elf \
	-smp $(CPUS) -m $(MEM) -nographic \
	-global virtio-mmio.force-legacy=false \
	-drive file=$(B)/root.img,if=none,format=raw,id=root,readonly=on \
	-device virtio-blk-device,drive=root \
	$(if $(SWAP_SIZE),$(SWAP_DISK)) \
	$(if $(findstring ktest,$(APPEND)),$(SCRATCH_DISK))

$(PATTERN): scripts/mkpattern.sh
	@mkdir -p $(B)
	$(call say,PATTERN,$@)
	$(Q)scripts/mkpattern.sh $@

# A fresh copy for each boot that runs the self-tests.
scratch-disk: $(PATTERN)
	$(if $(findstring ktest,$(APPEND)),$(Q)cp $(PATTERN) $(SCRATCH))

# A fresh swap area for each boot with SWAP (what was swapped is gone anyway).
swap-disk:
	$(if $(SWAP_SIZE),@mkdir -p $(B))
	$(if $(SWAP_SIZE),$(call say,MKSWAP,$(SWAPIMG) $(SWAP_SIZE)))
	$(if $(SWAP_SIZE),$(Q)rm -f $(SWAPIMG) && truncate -s $(SWAP_SIZE) $(SWAPIMG) && $(MKSWAP) -q $(SWAPIMG))

tools:
	@scripts/ensure-tools.sh

run: tools all scratch-disk swap-disk
	@echo "$(QEMU_BASE) $(if $(BOOTLINE),-append '$(BOOTLINE)')"
	@$(QEMU_BASE) $(if $(BOOTLINE),-append '$(BOOTLINE)')

gdb: all scratch-disk swap-disk
	@scripts/ensure-tools.sh gdb
	@echo "QEMU is halted with a gdb stub on localhost:1234. In another terminal:"
	@echo "  gdb-multiarch $(B)/kernel.elf -ex 'target remote localhost:1234'"
	@echo "$(QEMU_BASE) -S -s $(if $(BOOTLINE),-append '$(BOOTLINE)')"
	@$(QEMU_BASE) -S -s $(if $(BOOTLINE),-append '$(BOOTLINE)')

test: tools
	@$(MAKE) --no-print-directory all host-tests $(PATTERN)
	@scripts/run-tests.sh

# Pictures: boot, run PROG under memsnap (its address space, page table and
# faults, captured through the console) and draw them as SVG files in
# $(B)/picture: space.svg, pagetable.svg, faults.svg; then check that the
# numbers in them are those /proc gave. DELAY=SECS captures a program that
# runs longer (then kills it).
#	make picture PROG="memdemo cow 64"
#	make picture PROG="memdemo hold 256" DELAY=1
PROG ?= memdemo cow 64
picture: tools all
	@mkdir -p $(B)/picture
	@timeout 120 $(QEMU) -machine virt -bios default -kernel $(B)/kernel.elf \
		-smp $(CPUS) -m $(MEM) -nographic -global virtio-mmio.force-legacy=false \
		-drive file=$(B)/root.img,if=none,format=raw,id=root,readonly=on \
		-device virtio-blk-device,drive=root \
		-append "init=/bin/memsnap $(if $(DELAY),-d $(DELAY)) $(PROG)" \
		</dev/null > $(B)/picture/console.log 2>&1 || true
	@scripts/picture.py $(B)/picture/console.log $(B)/picture
	@scripts/picture.py --check $(B)/picture/console.log $(B)/picture

# Benchmarks: deterministic instruction counts on one hart, measured on a
# kernel built without the debug checks (in $(B)/bench); then the thread
# benchmarks on 4 harts (still -icount: scripts/icount-smp.py keeps QEMU's
# round robin going) and the parallel sum on 4 harts without -icount (each
# hart a host thread), timed by the clock.
bench: tools
	@$(MAKE) --no-print-directory B=$(B)/bench DEBUG=0 all
	@$(QEMU) -machine virt -bios default -kernel $(B)/bench/kernel.elf -smp 1 -m 256M \
		-nographic -monitor none -serial stdio -icount shift=0,sleep=off \
		-global virtio-mmio.force-legacy=false \
		-drive file=$(B)/bench/root.img,if=none,format=raw,id=root,readonly=on \
		-device virtio-blk-device,drive=root -append "init=/bench/vmbench" \
		</dev/null | tr -d '\r' | sed -n '/^Kilburn VM benchmarks/,/^init exited/p' | grep -v '^init exited'
	@rm -f $(B)/bench/swap.img && truncate -s 256M $(B)/bench/swap.img && \
		PATH="$$PATH:/sbin:/usr/sbin" mkswap -q $(B)/bench/swap.img
	@$(QEMU) -machine virt -bios default -kernel $(B)/bench/kernel.elf -smp 1 -m 64M \
		-nographic -monitor none -serial stdio -icount shift=0,sleep=off \
		-global virtio-mmio.force-legacy=false \
		-drive file=$(B)/bench/root.img,if=none,format=raw,id=root,readonly=on \
		-device virtio-blk-device,drive=root \
		-drive file=$(B)/bench/swap.img,if=none,format=raw,id=swap \
		-device virtio-blk-device,drive=swap -append "swap=/dev/vdb init=/bench/swapbench" \
		</dev/null | tr -d '\r' | sed -n '/^Kilburn swap benchmarks/,/^init exited/p' | grep -v '^init exited'
	@rm -f $(B)/bench/swap.img
	@scripts/icount-smp.py $(QEMU) -machine virt -bios default -kernel $(B)/bench/kernel.elf -smp 4 -m 256M \
		-nographic -serial stdio -icount shift=0,sleep=off \
		-global virtio-mmio.force-legacy=false \
		-drive file=$(B)/bench/root.img,if=none,format=raw,id=root,readonly=on \
		-device virtio-blk-device,drive=root -append "init=/bench/thrbench" \
		| tr -d '\r' | sed -n '/^Kilburn thread benchmarks/,/^init exited/p' | grep -v '^init exited'
	@$(QEMU) -machine virt -bios default -kernel $(B)/bench/kernel.elf -smp 4 -m 256M \
		-nographic -monitor none -serial stdio \
		-global virtio-mmio.force-legacy=false \
		-drive file=$(B)/bench/root.img,if=none,format=raw,id=root,readonly=on \
		-device virtio-blk-device,drive=root -append "init=/bench/psum" \
		</dev/null | tr -d '\r' | sed -n '/^Kilburn parallel sum/,/^init exited/p' | grep -v '^init exited'
	@echo "(the host has $$(nproc) cores)"

# Swap throughput against the raw disk (tests/bench/swapio.c): wall-clock
# figures, so this boot runs WITHOUT -icount (CLOCK_MONOTONIC is real time),
# on one hart with 64 MiB of RAM and a fresh 256 MiB mkswap'ed disk that
# swapio writes and reads raw, then swapons and swaps to. ROUNDS=n rounds.
ROUNDS ?= 5
bench-swapio: tools
	@$(MAKE) --no-print-directory B=$(B)/bench DEBUG=0 all
	@rm -f $(B)/bench/swapio.img && truncate -s 256M $(B)/bench/swapio.img && \
		PATH="$$PATH:/sbin:/usr/sbin" mkswap -q $(B)/bench/swapio.img
	@$(QEMU) -machine virt -bios default -kernel $(B)/bench/kernel.elf -smp 1 -m 64M \
		-nographic -monitor none -serial stdio -global virtio-mmio.force-legacy=false \
		-drive file=$(B)/bench/root.img,if=none,format=raw,id=root,readonly=on \
		-device virtio-blk-device,drive=root \
		-drive file=$(B)/bench/swapio.img,if=none,format=raw,id=swap \
		-device virtio-blk-device,drive=swap -append "init=/bench/swapio $(ROUNDS)" \
		</dev/null | tr -d '\r' | sed -n '/^Kilburn swap throughput/,/^init exited/p' | \
		grep -v '^init exited\|^Adding '
	@rm -f $(B)/bench/swapio.img

.PHONY: bench-swapio

# Where a fault's instructions go (scripts/insn-profile.py): the benchmark
# kernel boots tests/bench/faultloop.c twice under -icount, N pages mapped
# and 0 or N faults of kind OP (r: zero-page read, w: first write, c: copy-on-write),
# QEMU logging every block it runs; the difference per fault, by function.
# OP=b (read back from swap, with the evictions that make room) boots with
# 64 MiB of RAM and a fresh 256 MiB swap area: give it N=32768 (twice RAM).
OP	?= r
N	?= 4000
ifeq ($(OP),b)
PROFILE_MACHINE = -m 64M -drive file=$(B)/bench/profile-swap.img,if=none,format=raw,id=swap \
		-device virtio-blk-device,drive=swap
PROFILE_ARGS = swap=/dev/vdb
else
PROFILE_MACHINE = -m 256M
endif
profile: tools
	@$(MAKE) --no-print-directory B=$(B)/bench DEBUG=0 all
	@for n in 0 $(N); do \
		rm -f $(B)/bench/profile-swap.img && truncate -s 256M $(B)/bench/profile-swap.img && \
		PATH="$$PATH:/sbin:/usr/sbin" mkswap -q $(B)/bench/profile-swap.img && \
		scripts/insn-profile.py run $(B)/bench/profile-$$n.txt -- \
		$(QEMU) -machine virt -bios default -kernel $(B)/bench/kernel.elf -smp 1 \
		-nographic -monitor none -serial null -icount shift=0,sleep=off \
		-global virtio-mmio.force-legacy=false \
		-drive file=$(B)/bench/root.img,if=none,format=raw,id=root,readonly=on \
		-device virtio-blk-device,drive=root $(PROFILE_MACHINE) \
		-append "$(PROFILE_ARGS) init=/bench/faultloop $(N) $$n $(OP)" || exit 1; \
	done
	@rm -f $(B)/bench/profile-swap.img
	@echo "instructions per fault ($(OP)), by function:"
	@scripts/insn-profile.py diff $(B)/bench/profile-0.txt $(B)/bench/profile-$(N).txt $(N)

.PHONY: profile

# Replacement quality (tests/bench/policybench.c, scripts/bench-policy.sh):
# one boot per policy of the benchmark kernel, each policy's major faults
# next to the simulator's OPT, LRU and policies on the same reference
# string (generated on the host by host/hotscan_trace, checked against the
# guest's checksum). Twice: with 52 MiB of the 64 locked (about 1,900
# frames left), all four policies; then with all the RAM (about 15,000
# frames), without the kernel's LRU, whose scan of every frame per victim
# would take more than ten minutes there. About three minutes.
$(B)/host/hotscan_trace: host/hotscan_trace.c tests/bench/hotscan.h
	@mkdir -p $(dir $@)
	$(call say,HOSTCC,$@)
	$(Q)$(HOSTCC) -O2 -Wall -Wextra -Werror -o $@ $<

$(B)/bench/policybench: tests/bench/hotscan.h

bench-policy: tools $(B)/host/sim_policy $(B)/host/hotscan_trace
	@$(MAKE) --no-print-directory B=$(B)/bench DEBUG=0 all
	@QEMU=$(QEMU) scripts/bench-policy.sh $(B)/bench/kernel.elf $(B)/bench/root.img \
		$(B)/host/sim_policy $(B)/host/hotscan_trace $(B)/bench/policy
	@echo
	@QEMU=$(QEMU) POLICIES="clock fifo s3fifo" ARGS="3700 22200 14800 6 42 0" \
		scripts/bench-policy.sh $(B)/bench/kernel.elf $(B)/bench/root.img \
		$(B)/host/sim_policy $(B)/host/hotscan_trace $(B)/bench/policy-full

.PHONY: bench-policy

# The swap stress run (not part of `make test`): 4 harts, 64 MiB of RAM, a
# fresh 512 MiB swap area, tests/stress/stress_swap.c for DURATION seconds.
DURATION ?= 1800
stress: tools all
	@rm -f $(B)/stress-swap.img && truncate -s 512M $(B)/stress-swap.img && \
		PATH="$$PATH:/sbin:/usr/sbin" mkswap -q $(B)/stress-swap.img
	@$(QEMU) -machine virt -bios default -kernel $(B)/kernel.elf -smp 4 -m 64M \
		-nographic -monitor none -serial stdio -global virtio-mmio.force-legacy=false \
		-drive file=$(B)/root.img,if=none,format=raw,id=root,readonly=on \
		-device virtio-blk-device,drive=root \
		-drive file=$(B)/stress-swap.img,if=none,format=raw,id=swap \
		-device virtio-blk-device,drive=swap \
		-append "swap=/dev/vdb init=/tests/stress_swap $(DURATION)" </dev/null | tr -d '\r'
	@rm -f $(B)/stress-swap.img

clean:
	rm -rf $(B)

FORCE:

.PHONY: all run gdb test tools clean host-tests bench fuzz sim tsan scratch-disk swap-disk FORCE picture stress
