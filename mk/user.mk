# User space: libraries and programs, found by convention.
#
#   lib/<name>/*.c          a library, archived as $(BUILD)/user/lib<name>.a
#                           (lib/crt, the C runtime glue, is linked as objects:
#                           picolibc, searched after the libraries, refers to it)
#   servers/<name>/*.c      the program <name>, when there is a main.c
#   tests/qemu/suite/*.c, tests/qemu/suite/<area>/*.c
#                           the in-QEMU test suite's root task, coffer-test
#                           (its files include "ktest.h", "thread/threads_fixture.h"
#                           from tests/qemu/suite)
#   tests/qemu/faults/fault-<kind>.c   one fault program per kind
#   bench/*.c               the benchmark root task, coffer-bench (with its own
#                           set-up, bench/fixture.c)
#
# Programs link against Debian's picolibc (crt0, stdio, string functions)
# and every library: its release build (--picolibc-buildtype=release), the
# one Debian builds for speed -- its headers differ from the default
# build's only in PREFER_SIZE_OVER_SPEED, and its memset and memcpy store
# words where the default's store a byte at a time (a malloc'ed page,
# which picolibc's malloc clears, costs 1,000 instructions instead of
# 16,000).
PICOLIBC_FLAGS := --specs=picolibc.specs --picolibc-buildtype=release

USER_ARCH_FLAGS := -march=rv64imac -mabi=lp64 -mcmodel=medany
# Link-time optimisation for user code too (LTO=0 turns it off): a
# server's small accessors and the libraries' helpers inline across files.
ULTO := $(if $(filter 1,$(LTO)),-flto=auto,)
# -fno-tree-loop-distribute-patterns: a loop that clears a few words stays
# one, in line, rather than a call to memset (the protocol layer clears a
# reply's unused registers so: 24 instructions more a call as memset).
# The POSIX clocks and sleeps lib/runtime provides (picolibc declares
# clock_gettime, nanosleep and CLOCK_MONOTONIC only for a system that says
# it has them).
POSIX_FEATURES := -D_POSIX_TIMERS=200809L -D_POSIX_MONOTONIC_CLOCK=200809L
UCFLAGS := -std=c11 $(WARN) -O2 -g $(PICOLIBC_FLAGS) $(USER_ARCH_FLAGS) \
	-fno-common -fno-tree-loop-distribute-patterns -DCOFFER_USER -DCONFIG_DEBUG=$(DEBUG) $(POSIX_FEATURES) \
	$(USER_INCLUDES) $(ULTO)
ULDFLAGS := $(PICOLIBC_FLAGS) --crt0=hosted $(USER_ARCH_FLAGS) -O2 $(ULTO) -T lib/crt/user.ld \
	-Wl,--build-id=none $(MAX_PAGE_FLAG)

$(BUILD)/user/%.c.o: %.c mk/user.mk | $(GENERATED_HEADERS) $(TOOLCHAIN_STAMP)
	@mkdir -p $(dir $@)
	$(CC_TARGET) $(UCFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/user/tests/qemu/suite/%.c.o: UCFLAGS += -Itests/qemu/suite

user_objs = $(patsubst %,$(BUILD)/user/%.o,$(1))

CRT_OBJS := $(call user_objs,$(sort $(wildcard lib/crt/*.c)))
# Only picolibc refers to the C runtime glue (stdout, _exit), and it is no
# LTO object: LTO would see nothing use them and drop them.
$(CRT_OBJS): UCFLAGS += -fno-lto
# A process (a program the process manager starts) begins in lib/runtime
# instead of picolibc's crt0, and ends there too: it links lib/runtime and
# lib/crt's console, not lib/crt's exit (which ends the whole system, as a
# root task's exit does).
RUNTIME_OBJS := $(call user_objs,$(sort $(wildcard lib/runtime/*.c)))
PROCESS_CRT_OBJS := $(RUNTIME_OBJS) $(call user_objs,lib/crt/console.c)
$(RUNTIME_OBJS): UCFLAGS += -fno-lto
USER_LIB_NAMES := $(filter-out crt runtime,$(LIB_NAMES))
USER_LIB_SRCS := $(sort $(foreach l,$(USER_LIB_NAMES),$(wildcard lib/$(l)/*.c)))
USER_LIBS := $(patsubst %,$(BUILD)/user/lib%.a,$(USER_LIB_NAMES))

# (A library of headers alone, lib/bank, is an empty archive: its folder
# may not exist yet, since no object of its made it.)
define user_library
$(BUILD)/user/lib$(1).a: $(call user_objs,$(wildcard lib/$(1)/*.c))
	@mkdir -p $$(dir $$@)
	rm -f $$@
	$(CROSS)gcc-ar rcs $$@ $$^
endef
$(foreach l,$(USER_LIB_NAMES),$(eval $(call user_library,$(l))))

# user_program(name, sources[, ports' libraries])
define user_program
$(BUILD)/user/$(1).elf: $(call user_objs,$(2)) $(CRT_OBJS) $(USER_LIBS) $(3) lib/crt/user.ld
	$(CC_TARGET) $(ULDFLAGS) $(call user_objs,$(2)) $(CRT_OBJS) -Wl,--start-group $(USER_LIBS) $(3) -Wl,--end-group -o $$@
USER_PROGRAMS += $(BUILD)/user/$(1).elf
endef

# user_process(name, sources): a program for the process manager.  Its
# stack is the one the manager maps (no __stack in its .bss).
define user_process
$(BUILD)/user/$(1).elf: $(call user_objs,$(2)) $(PROCESS_CRT_OBJS) $(USER_LIBS) lib/crt/user.ld
	$(CC_TARGET) $(ULDFLAGS) -nostartfiles -Wl,--defsym=__stack_size=0 $(call user_objs,$(2)) $(PROCESS_CRT_OBJS) \
		-Wl,--start-group $(USER_LIBS) -Wl,--end-group -o $$@
USER_PROGRAMS += $(BUILD)/user/$(1).elf
endef

# Root tasks: the programs the kernel starts itself (with picolibc's crt0).
ROOT_TASK_NAMES := root

# A server folder with a main.c is a program; one without is a service,
# which the root task, the test suite and the benchmarks link and start
# as a thread of their own (the bank: servers/bank/bank_service.h).
SERVER_NAMES := $(notdir $(patsubst %/,%,$(sort $(dir $(wildcard servers/*/main.c)))))
SERVICE_NAMES := $(filter-out $(SERVER_NAMES),$(notdir $(patsubst %/,%,$(sort $(dir $(wildcard servers/*/*.c))))))
SERVICE_SRCS := $(sort $(foreach v,$(SERVICE_NAMES),$(wildcard servers/$(v)/*.c)))
UCFLAGS += $(foreach v,$(SERVICE_NAMES),-Iservers/$(v))
$(foreach s,$(filter $(ROOT_TASK_NAMES),$(SERVER_NAMES)),$(eval $(call user_program,$(s),\
	$(sort $(wildcard servers/$(s)/*.c)) $(SERVICE_SRCS))))
$(foreach s,$(filter-out $(ROOT_TASK_NAMES),$(SERVER_NAMES)),$(eval $(call user_process,$(s),\
	$(sort $(wildcard servers/$(s)/*.c)))))
$(eval $(call user_program,coffer-test,$(sort $(wildcard tests/qemu/suite/*.c tests/qemu/suite/*/*.c)) $(SERVICE_SRCS),\
	$(PORT_LIBS)))
# The suite tests the ports (mk/ports.mk) with their own headers; lib/unpack
# is their glue (its objects are pulled in only by programs that decompress).
$(BUILD)/user/tests/qemu/suite/lib/test_ports.c.o $(BUILD)/user/lib/unpack/unpack.c.o $(BUILD)/user/bench/bench_exec.c.o: UCFLAGS += $(PORT_INCLUDES)
$(BUILD)/user/tests/qemu/suite/lib/test_ports.c.o $(BUILD)/user/lib/unpack/unpack.c.o: | $(PORT_UNPACKED)
# The benchmarks also run the demo's text server (bench_proto.c) and the services.
$(eval $(call user_program,coffer-bench,$(sort $(wildcard bench/*.c)) servers/root/upper.c $(SERVICE_SRCS),\
	$(PORT_LIBS)))
$(BUILD)/user/bench/bench_proto.c.o: UCFLAGS += -Iservers/root
FAULT_KINDS := $(patsubst tests/qemu/faults/fault-%.c,%,$(sort $(wildcard tests/qemu/faults/fault-*.c)))
$(foreach k,$(FAULT_KINDS),$(eval $(call user_program,fault-$(k),tests/qemu/faults/fault-$(k).c)))
