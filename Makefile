# Kilburn — build, run and test.
#
#   make          build build/kernel.elf (and the root disk, once user space exists)
#   make run      boot it in QEMU (CPUS=2 MEM=128M by default; SWAP=256M adds
#                 a fresh swap disk, /dev/vdb, and swap=/dev/vdb)
#   make test     host unit tests + boot tests; ends with "N passed, N failed"
#   make gdb      boot halted with a gdb stub on :1234
#   make bench    benchmarks (guest instructions per operation)
#   make sim      replacement policies on a page-reference trace (TRACE=, FRAMES=)

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

$(B)/bench/%: tests/bench/%.c $(USER_CRT0) $(USER_LIBC)
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
ROOT := $(B)/root
$(B)/root.img: host/fixtures/elf-tiny-exec host/fixtures/elf-tiny-pie $(USER_PROGS) $(USER_TESTS) $(KTEST_PROGS) $(STRESS_PROGS) $(GLIBC_PROGS) $(BENCH_PROGS) Makefile
	$(call say,CPIO,$@)
	$(Q)rm -rf $(ROOT) && mkdir -p $(ROOT)/bin $(ROOT)/sbin $(ROOT)/tests \
		$(ROOT)/tmp $(ROOT)/dev $(ROOT)/proc $(ROOT)/etc $(ROOT)/bench
	$(Q)cp $(filter $(B)/user/bin/%,$(USER_PROGS)) $(ROOT)/bin/
	$(Q)cp $(filter $(B)/user/sbin/%,$(USER_PROGS)) $(ROOT)/sbin/
	$(Q)cp $(USER_TESTS) $(KTEST_PROGS) $(STRESS_PROGS) $(GLIBC_PROGS) $(ROOT)/tests/
	$(Q)cp host/fixtures/elf-tiny-exec host/fixtures/elf-tiny-pie $(ROOT)/tests/
	$(Q)cp $(BENCH_PROGS) $(ROOT)/bench/
	$(Q)echo "Kilburn" > $(ROOT)/etc/motd
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
HOST_DEPS_pmm      := kernel/vm/pmm.c
HOST_DEPS_kmem     := kernel/vm/kmem.c kernel/vm/pmm.c
HOST_DEPS_bootargs := kernel/kern/bootargs.c
HOST_DEPS_avl      := kernel/lib/avl.c
HOST_DEPS_cpio     := kernel/fs/cpio.c kernel/vm/kmem.c kernel/vm/pmm.c
HOST_DEPS_elf      := kernel/kern/elf.c
HOST_DEPS_exec_stack := kernel/kern/exec_stack.c
POLICY_SRCS        := $(wildcard kernel/vm/policy*.c)
HOST_DEPS_pcache   := kernel/vm/pcache.c kernel/vm/pmm.c kernel/vm/kmem.c kernel/vm/reclaim.c \
		      kernel/vm/swap_header.c kernel/vm/swap_slots.c kernel/vm/swap_areas.c \
		      $(POLICY_SRCS) host/env/pmap_soft.c kernel/vm/rmap.c
HOST_DEPS_vm       := kernel/vm/rmap.c kernel/vm/vmspace.c kernel/vm/vmspace_check.c kernel/vm/fault.c kernel/vm/amap.c kernel/vm/anon.c kernel/vm/pcache.c kernel/vm/shmem.c kernel/vm/reclaim.c kernel/lib/avl.c kernel/vm/pmm.c kernel/vm/kmem.c host/env/pmap_soft.c \
		      kernel/vm/swap_header.c kernel/vm/swap_slots.c kernel/vm/swap_areas.c \
		      $(POLICY_SRCS) host/env/pageout_stub.c
HOST_DEPS_policy   := $(POLICY_SRCS) host/policy_sim.c
HOST_DEPS_swap_header := kernel/vm/swap_header.c
HOST_DEPS_swap_slots := kernel/vm/swap_header.c kernel/vm/swap_slots.c kernel/vm/swap_areas.c kernel/vm/kmem.c kernel/vm/pmm.c

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

# Benchmarks: deterministic instruction counts on one hart, measured on a
# kernel built without the debug checks (in $(B)/bench).
bench: tools
	@$(MAKE) --no-print-directory B=$(B)/bench DEBUG=0 all
	@$(QEMU) -machine virt -bios default -kernel $(B)/bench/kernel.elf -smp 1 -m 256M \
		-nographic -monitor none -serial stdio -icount shift=0,sleep=off \
		-global virtio-mmio.force-legacy=false \
		-drive file=$(B)/bench/root.img,if=none,format=raw,id=root,readonly=on \
		-device virtio-blk-device,drive=root -append "init=/bench/vmbench" \
		</dev/null | tr -d '\r' | sed -n '/^Kilburn VM benchmarks/,/^init exited/p' | grep -v '^init exited'
	@rm -f $(B)/bench/swap.img $(B)/bench/raw.img && truncate -s 256M $(B)/bench/swap.img && \
		truncate -s 64M $(B)/bench/raw.img && PATH="$$PATH:/sbin:/usr/sbin" mkswap -q $(B)/bench/swap.img
	@$(QEMU) -machine virt -bios default -kernel $(B)/bench/kernel.elf -smp 1 -m 64M \
		-nographic -monitor none -serial stdio -icount shift=0,sleep=off \
		-global virtio-mmio.force-legacy=false \
		-drive file=$(B)/bench/root.img,if=none,format=raw,id=root,readonly=on \
		-device virtio-blk-device,drive=root \
		-drive file=$(B)/bench/swap.img,if=none,format=raw,id=swap \
		-device virtio-blk-device,drive=swap \
		-drive file=$(B)/bench/raw.img,if=none,format=raw,id=raw \
		-device virtio-blk-device,drive=raw -append "swap=/dev/vdb init=/bench/swapbench" \
		</dev/null | tr -d '\r' | sed -n '/^Kilburn swap benchmarks/,/^init exited/p' | grep -v '^init exited'
	@rm -f $(B)/bench/swap.img $(B)/bench/raw.img

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

.PHONY: all run gdb test tools clean host-tests bench fuzz sim scratch-disk swap-disk stress
