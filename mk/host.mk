# The portable core built natively: host unit tests, fuzzing, soak runs
# and host benchmarks.
#
#   tests/host/<area>/test_<name>.c   a test program, linked with the host
#                              core; built as $(BUILD)/host/test_<name> (names
#                              are unique across areas)
#   tests/host/servers/test_<x>.c   a server's logic test (below)
#   tests/host/*.c, tests/host/<area>/*.c (others)
#                              fixtures (the host arch layer, test helpers),
#                              archived with the core: a test links those it uses
#
# The core is compiled once per flavour into a library every program of
# that flavour links: ASan+UBSan for tests, clang+libFuzzer for fuzzing,
# -O2 without sanitizers for benchmarks.

# Everything in the core is host-built except what only the target can be:
# its string functions (the host has libc's) and panic (its backtrace reads
# the kernel's own symbol table).
HOST_TARGET_ONLY := kernel/core/support/kstring.c kernel/core/support/panic.c
HOST_CORE_SRCS := $(filter-out $(HOST_TARGET_ONLY),$(KERNEL_CORE_SRCS)) \
	kernel/arch/$(ARCH)/pagetable.c $(KERNEL_LIB_SRCS)
HOST_TREE_SRCS := $(filter-out tests/host/servers/% tests/host/lib/%,$(sort $(wildcard tests/host/*.c tests/host/*/*.c)))
HOST_FIXTURE_SRCS := $(foreach f,$(HOST_TREE_SRCS),$(if $(filter test_%,$(notdir $(f))),,$(f)))
HOST_INCLUDES := $(KERNEL_INCLUDES) -Itests/host
HOST_DEFS := -DCOFFER_HOST -DCONFIG_DEBUG=1 -DCONFIG_FASTPATH=1

# host_core(flavour, compiler, flags): $(BUILD)/<flavour>/libcore.a from
# the core and the fixtures.
define host_core
$(BUILD)/$(1)/obj/%.c.o: %.c mk/host.mk | $(GENERATED_HEADERS)
	@mkdir -p $$(dir $$@)
	$(2) $(3) -MMD -MP -c $$< -o $$@
$(BUILD)/$(1)/libcore.a: $(patsubst %,$(BUILD)/$(1)/obj/%.o,$(HOST_CORE_SRCS) $(HOST_FIXTURE_SRCS))
	rm -f $$@
	ar rcs $$@ $$^
endef

HOST_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all
HOST_CFLAGS := -std=c11 $(WARN) -g -O1 $(HOST_SAN) $(HOST_DEFS) $(HOST_INCLUDES)
$(eval $(call host_core,host,$(HOSTCC),$(HOST_CFLAGS)))

HOST_TEST_SRCS := $(filter-out $(HOST_FIXTURE_SRCS),$(HOST_TREE_SRCS))
HOST_TESTS := $(patsubst %.c,$(BUILD)/host/%,$(notdir $(HOST_TEST_SRCS)))
ifneq ($(words $(HOST_TESTS)),$(words $(sort $(HOST_TESTS))))
$(error two host tests share a name: $(HOST_TEST_SRCS))
endif
define host_test
$(BUILD)/host/$(basename $(notdir $(1))): $(BUILD)/host/obj/$(1).o $(BUILD)/host/libcore.a
	$$(HOSTCC) $$(HOST_CFLAGS) $$^ -o $$@
endef
$(foreach t,$(HOST_TEST_SRCS),$(eval $(call host_test,$(t))))

# User code on the host: a server's logic, servers/<server>/<x>.c and
# <x>_*.c (never main.c, the receive loop), is tested by
# tests/host/servers/test_<x>.c through its protocol's generated
# dispatcher; the library that has lib/<lib>/<x>.c, all of it, by
# tests/host/lib/test_<x>.c.
# The code under test is built as user code (public headers only) with
# COFFER_HOST_SYSCALLS, so its system calls go to the host-built kernel
# core (tests/host/host_syscalls.h); the test sees both worlds.
HOST_USER_CFLAGS := -std=c11 $(WARN) -g -O1 $(HOST_SAN) -DCOFFER_HOST -DCOFFER_HOST_SYSCALLS $(USER_INCLUDES)
HOST_USER_TEST_CFLAGS := $(HOST_CFLAGS) -DCOFFER_HOST_SYSCALLS $(LIB_INCLUDES)
$(BUILD)/host/user/%.c.o: %.c mk/host.mk | $(GENERATED_HEADERS)
	@mkdir -p $(dir $@)
	$(HOSTCC) $(HOST_USER_CFLAGS) -MMD -MP -c $< -o $@
$(BUILD)/host/user-test/%.c.o: %.c mk/host.mk | $(GENERATED_HEADERS)
	@mkdir -p $(dir $@)
	$(HOSTCC) $(HOST_USER_TEST_CFLAGS) $(TEST_INCLUDES) -MMD -MP -c $< -o $@

# The user libraries as user code on the host, for what the code under
# test uses of them (a test's own library comes first on the link line).
# (thread start is the target's: it reads gp and tp; lib/unpack is the
# glue to the ports, which are built for the target only)
HOST_USER_LIB_SRCS := $(filter-out lib/crt/% lib/syscall/thread_start.c lib/unpack/%,$(USER_LIB_SRCS))
$(BUILD)/host/libuser.a: $(patsubst %,$(BUILD)/host/user/%.o,$(HOST_USER_LIB_SRCS))
	rm -f $@
	ar rcs $@ $^

# host_user_test(test source, code under test, the test's fixtures)
define host_user_test
$(BUILD)/host/$(basename $(notdir $(1))): $(patsubst %,$(BUILD)/host/user-test/%.o,$(1) $(3)) \
		$(patsubst %,$(BUILD)/host/user/%.o,$(2)) $(BUILD)/host/libuser.a $(BUILD)/host/libcore.a
	$$(HOSTCC) $$(HOST_CFLAGS) $$(filter-out $(BUILD)/host/libuser.a $(BUILD)/host/libcore.a,$$^) \
		$(BUILD)/host/libuser.a $(BUILD)/host/libcore.a -o $$@
$(patsubst %,$(BUILD)/host/user-test/%.o,$(1) $(3)): TEST_INCLUDES := $(addprefix -I,$(sort $(dir $(2))))
HOST_TESTS += $(BUILD)/host/$(basename $(notdir $(1)))
endef
# A server's tests: test_<x>.c and test_<x>_<part>.c test the logic <x>
# (a stem without an underscore), with tests/host/servers/<x>_fixture.c
# if there is one.
server_logic = $(foreach f,$(wildcard servers/*/$(1).c),$(f) $(wildcard $(dir $(f))$(1)_*.c))
server_of = $(firstword $(subst _, ,$(patsubst test_%,%,$(basename $(notdir $(1))))))
lib_logic = $(wildcard $(dir $(wildcard lib/*/$(1).c))*.c)
$(foreach t,$(sort $(wildcard tests/host/servers/test_*.c)),\
	$(eval $(call host_user_test,$(t),$(call server_logic,$(call server_of,$(t))),\
		$(wildcard tests/host/servers/$(call server_of,$(t))_fixture.c))))
$(foreach t,$(sort $(wildcard tests/host/lib/test_*.c)),\
	$(eval $(call host_user_test,$(t),$(call lib_logic,$(patsubst test_%,%,$(basename $(notdir $(t))))))))

.PHONY: test-host soak fuzz fuzz-tap bench-host print-host-core-srcs
test-host: $(HOST_TESTS) $(BUILD)/virt.dtb $(MKBOOTIMAGE) $(BUILD)/user/hello.elf
	@sh tools/run-host-tests.sh $(BUILD) $(HOST_TESTS)

# Long randomized campaigns (make test runs short, bounded versions):
# 10^6 operations of the derivation-tree, teardown and threads model tests,
# of the tree itself, of the space bank and of the buddy allocator, and 10^6
# mutated boot configurations and ELF images.
SOAK_SEED ?= 1
soak: $(BUILD)/host/test_cdt $(BUILD)/host/test_rbtree $(BUILD)/host/test_zombie_model \
		$(BUILD)/host/test_threads_random $(BUILD)/host/test_bank_model $(BUILD)/host/test_buddy \
		$(BUILD)/host/test_bootconf $(BUILD)/host/test_load_plan
	$(BUILD)/host/test_cdt $(SOAK_SEED) 1000000
	$(BUILD)/host/test_zombie_model $(SOAK_SEED) 1000000
	$(BUILD)/host/test_rbtree $(SOAK_SEED)
	$(BUILD)/host/test_threads_random $(SOAK_SEED) 1000000
	$(BUILD)/host/test_bank_model $(SOAK_SEED) 1000000
	$(BUILD)/host/test_buddy $(SOAK_SEED) 1000000
	$(BUILD)/host/test_bootconf $(SOAK_SEED) 1000000
	$(BUILD)/host/test_load_plan $(SOAK_SEED) 1000000

# ---- fuzzing: libFuzzer targets (tests/fuzz/README.md), built with clang
# under ASan and UBSan: the capability operations, the ELF reader (both in
# the core) and the boot-configuration parser (user code, built as it is).
FUZZ_CC ?= clang
FUZZ_CFLAGS := -std=c11 $(WARN) -g -O1 -fsanitize=fuzzer-no-link,address,undefined \
	-fno-sanitize-recover=all $(HOST_DEFS) $(HOST_INCLUDES)
$(eval $(call host_core,fuzz,$(FUZZ_CC),$(FUZZ_CFLAGS)))
FUZZ_CAPS := $(BUILD)/fuzz/fuzz_caps
FUZZ_ELF := $(BUILD)/fuzz/fuzz_elf
FUZZ_BOOTCONF := $(BUILD)/fuzz/fuzz_bootconf
FUZZ_UNPACK := $(BUILD)/fuzz/fuzz_unpack
FUZZ_TARGETS := $(FUZZ_CAPS) $(FUZZ_ELF) $(FUZZ_BOOTCONF) $(FUZZ_UNPACK)
FUZZ_TIME ?= 600
FUZZ_TEST_RUNS ?= 20000

$(FUZZ_CAPS) $(FUZZ_ELF): $(BUILD)/fuzz/%: $(BUILD)/fuzz/obj/tests/fuzz/%.c.o $(BUILD)/fuzz/libcore.a
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer $^ -o $@
$(FUZZ_BOOTCONF): tests/fuzz/fuzz_bootconf.c $(wildcard lib/bootconf/*.c lib/bootconf/*.h lib/bootconf/include/*/*.h)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -Ilib/bootconf/include -fsanitize=fuzzer $(filter %.c,$^) -o $@

# The decompression path: lib/unpack with the ports' own sources, all under
# the fuzzer's sanitizers (mk/ports.mk fetches them).
FUZZ_UNPACK_SRCS = lib/unpack/unpack.c $(foreach o,$(ZLIB_OBJS),$(PORTS)/zlib/src/$(o).c) \
	$(foreach o,$(BZIP2_OBJS),$(PORTS)/bzip2/src/$(o).c)
$(FUZZ_UNPACK): tests/fuzz/fuzz_unpack.c lib/unpack/unpack.c lib/unpack/include/unpack/unpack.h | $(PORT_UNPACKED)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -std=gnu99 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all $(ZLIB_FLAGS) \
		$(BZIP2_FLAGS) -Ilib/unpack/include $(PORT_INCLUDES) tests/fuzz/fuzz_unpack.c $(FUZZ_UNPACK_SRCS) -o $@
# Its seeds: short streams gzip and bzip2 make, after the byte that says
# how the target cuts them into steps (fuzz_unpack.c).
$(BUILD)/fuzz/seeds-unpack: mk/host.mk
	@rm -rf $@ && mkdir -p $@
	{ printf '\125'; printf 'coffer: whoever benefits pays\n' | gzip -9 -n -c; } >$@/text.gz
	{ printf '\125'; printf 'coffer: whoever benefits pays\n' | bzip2 -1 -c; } >$@/text.bz2
	{ printf '\003'; head -c 20000 /dev/zero | gzip -9 -n -c; } >$@/zeros.gz
	{ printf '\360'; head -c 20000 /dev/zero | bzip2 -1 -c; } >$@/zeros.bz2

# The ELF reader's seeds: the programs the build makes.
$(BUILD)/fuzz/seeds-elf: $(BUILD)/user/hello.elf $(BUILD)/user/root.elf
	@rm -rf $@ && mkdir -p $@ && cp $^ $@/

# A campaign of FUZZ_TIME seconds per target; the short fixed-seed runs of
# make test (tools/run-fuzz.sh).
fuzz: $(FUZZ_TARGETS) $(BUILD)/fuzz/seeds-elf $(BUILD)/fuzz/seeds-unpack
	@sh tools/run-fuzz.sh $(BUILD) campaign $(FUZZ_TIME)
fuzz-tap: $(FUZZ_TARGETS) $(BUILD)/fuzz/seeds-elf $(BUILD)/fuzz/seeds-unpack
	@sh tools/run-fuzz.sh $(BUILD) tap $(FUZZ_TEST_RUNS)

# ---- host benchmarks of the capability core (docs/benchmarks.md): -O2
# without sanitizers; nanoseconds natively, instructions under callgrind.
HOST_BENCH_CFLAGS := -std=c11 $(WARN) -O2 -g $(HOST_DEFS) $(HOST_INCLUDES)
$(eval $(call host_core,host-bench,$(HOSTCC),$(HOST_BENCH_CFLAGS)))
$(BUILD)/host-bench/bench_cdt: $(BUILD)/host-bench/obj/bench/host/bench_cdt.c.o $(BUILD)/host-bench/libcore.a
	$(HOSTCC) $(HOST_BENCH_CFLAGS) $^ -o $@

bench-host: $(BUILD)/host-bench/bench_cdt
	@sh tools/run-host-bench.sh $<
