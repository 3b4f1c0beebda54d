# Kilburn user space: the C library and the programs built on it.
#
# Included by the top Makefile (which sets B := build), or used alone:
#	make -f user/user.mk B=build user-progs
# Paths are relative to the repository root. Produces
#	$(B)/user/libc.a, $(B)/user/crt0.o
#	$(B)/user/bin/NAME for each user/bin/NAME.c, $(B)/user/sbin/init
#	$(B)/user/tests/NAME for each user/tests/NAME.c (target user-tests)
# A program user/bin/NAME.c may have private modules in user/bin/NAME/*.c
# (the shell does); their objects go to $(B)/user/parts/bin/NAME/.

ifeq ($(words $(MAKEFILE_LIST)),1)
B ?= build
.DEFAULT_GOAL := user-progs
endif
user_saved_goal := $(.DEFAULT_GOAL)

USER_CROSS ?= $(if $(CROSS),$(CROSS),riscv64-linux-gnu-)
USER_CC    := $(USER_CROSS)gcc
USER_AR    := $(USER_CROSS)ar
USER_CFLAGS := -std=gnu11 -static -nostdlib -nostdinc -ffreestanding -fno-builtin \
	-fno-stack-protector -fno-pie -fno-tree-loop-distribute-patterns \
	-O2 -g -Wall -Wextra -Werror -march=rv64gc -mabi=lp64d \
	-I user/include -isystem $(shell $(USER_CC) -print-file-name=include) \
	-MMD -MP
USER_LDFLAGS := -static -nostdlib -no-pie

USER_LIB_SRCS := $(wildcard user/lib/*.c)
USER_LIB_OBJS := $(patsubst user/%.c,$(B)/user/%.o,$(USER_LIB_SRCS))
USER_CRT0     := $(B)/user/crt0.o
USER_LIBC     := $(B)/user/libc.a

USER_PROGS := $(patsubst user/%.c,$(B)/user/%,$(wildcard user/bin/*.c user/sbin/*.c))
USER_TESTS := $(patsubst user/%.c,$(B)/user/%,$(wildcard user/tests/*.c))

# Private modules: $(B)/user/bin/NAME also links user/bin/NAME/*.c.
user_parts = $(patsubst user/%.c,$(B)/user/parts/%.o,$(wildcard $(patsubst $(B)/user/%,user/%,$(1))/*.c))
$(foreach p,$(USER_PROGS),$(eval $(p): $(call user_parts,$(p))))

user-progs: $(USER_PROGS)
user-tests: $(USER_TESTS)
.PHONY: user-progs user-tests

$(B)/user/%.o: user/%.c
	@mkdir -p $(dir $@)
	$(call say,CC,$<)
	$(Q)$(USER_CC) $(USER_CFLAGS) -c $< -o $@

$(B)/user/parts/%.o: user/%.c
	@mkdir -p $(dir $@)
	$(call say,CC,$<)
	$(Q)$(USER_CC) $(USER_CFLAGS) -c $< -o $@

$(USER_CRT0): user/lib/crt0.S
	@mkdir -p $(dir $@)
	$(call say,AS,$<)
	$(Q)$(USER_CC) $(USER_CFLAGS) -c $< -o $@

$(USER_LIBC): $(USER_LIB_OBJS)
	@rm -f $@
	$(call say,AR,$@)
	$(Q)$(USER_AR) rcs $@ $^

# Programs: crt0 + the program + libc.a + libgcc.
$(USER_PROGS) $(USER_TESTS): $(B)/user/%: $(B)/user/%.o $(USER_CRT0) $(USER_LIBC)
	$(call say,LD,$@)
	$(Q)$(USER_CC) $(USER_CFLAGS) $(USER_LDFLAGS) -o $@ $(USER_CRT0) $< \
		$(call user_parts,$@) $(USER_LIBC) -lgcc

-include $(USER_LIB_OBJS:.o=.d) $(USER_PROGS:=.d) $(USER_TESTS:=.d) \
	$(foreach p,$(USER_PROGS),$(patsubst %.o,%.d,$(call user_parts,$(p))))

.DEFAULT_GOAL := $(user_saved_goal)
