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

# A server's logic, servers/<server>/<x>.c, is tested on the host through
# its protocol's generated dispatcher by tests/host/servers/test_<x>.c:
# plain C against public headers, no kernel.
HOST_SERVER_CFLAGS := -std=c11 $(WARN) -g -O1 $(HOST_SAN) -DCOFFER_HOST $(USER_INCLUDES) -Itests/host
HOST_SERVER_TEST_SRCS := $(sort $(wildcard tests/host/servers/test_*.c))
server_logic = $(wildcard servers/*/$(1).c)
define host_server_test
$(BUILD)/host/test_$(1): tests/host/servers/test_$(1).c $(call server_logic,$(1)) tests/host/tap.c $(GENERATED_HEADERS)
	@mkdir -p $$(dir $$@)
	$(HOSTCC) $(HOST_SERVER_CFLAGS) -I$(dir $(call server_logic,$(1))) tests/host/servers/test_$(1).c \
		$(call server_logic,$(1)) tests/host/tap.c -o $$@
endef
$(foreach t,$(patsubst tests/host/servers/test_%.c,%,$(HOST_SERVER_TEST_SRCS)),$(eval $(call host_server_test,$(t))))
HOST_TESTS += $(patsubst tests/host/servers/%.c,$(BUILD)/host/%,$(HOST_SERVER_TEST_SRCS))

# A library's logic, lib/<lib>/<x>.c (bookkeeping that makes no system
# call), is tested on the host by tests/host/lib/test_<x>.c the same way.
HOST_LIB_TEST_SRCS := $(sort $(wildcard tests/host/lib/test_*.c))
lib_logic = $(wildcard lib/*/$(1).c)
define host_lib_test
$(BUILD)/host/test_$(1): tests/host/lib/test_$(1).c $(call lib_logic,$(1)) tests/host/tap.c $(GENERATED_HEADERS)
	@mkdir -p $$(dir $$@)
	$(HOSTCC) $(HOST_SERVER_CFLAGS) tests/host/lib/test_$(1).c $(call lib_logic,$(1)) tests/host/tap.c -o $$@
endef
$(foreach t,$(patsubst tests/host/lib/test_%.c,%,$(HOST_LIB_TEST_SRCS)),$(eval $(call host_lib_test,$(t))))
HOST_TESTS += $(patsubst tests/host/lib/%.c,$(BUILD)/host/%,$(HOST_LIB_TEST_SRCS))

.PHONY: test-host soak fuzz fuzz-tap bench-host print-host-core-srcs
test-host: $(HOST_TESTS) $(BUILD)/virt.dtb $(MKBOOTIMAGE) $(BUILD)/user/hello.elf
	@sh tools/run-host-tests.sh $(BUILD) $(HOST_TESTS)

# Long randomized campaigns (make test runs short, bounded versions):
# 10^6 operations of the derivation-tree, teardown and threads model tests
# and of the tree itself.
SOAK_SEED ?= 1
soak: $(BUILD)/host/test_cdt $(BUILD)/host/test_rbtree $(BUILD)/host/test_zombie_model \
		$(BUILD)/host/test_threads_random
	$(BUILD)/host/test_cdt $(SOAK_SEED) 1000000
	$(BUILD)/host/test_zombie_model $(SOAK_SEED) 1000000
	$(BUILD)/host/test_rbtree $(SOAK_SEED)
	$(BUILD)/host/test_threads_random $(SOAK_SEED) 1000000

# ---- fuzzing: a libFuzzer target over the capability operations
# (tests/fuzz/README.md), built with clang under ASan and UBSan.
FUZZ_CC ?= clang
FUZZ_CFLAGS := -std=c11 $(WARN) -g -O1 -fsanitize=fuzzer-no-link,address,undefined \
	-fno-sanitize-recover=all $(HOST_DEFS) $(HOST_INCLUDES)
$(eval $(call host_core,fuzz,$(FUZZ_CC),$(FUZZ_CFLAGS)))
FUZZ_CAPS := $(BUILD)/fuzz/fuzz_caps
# Seeds, and inputs that once crashed it (regressions), when there are any.
FUZZ_SEEDS := tests/fuzz/corpus $(wildcard tests/fuzz/crashes)
FUZZ_FLAGS := -max_len=3072 -artifact_prefix=$(BUILD)/fuzz/
FUZZ_TIME ?= 600
FUZZ_TEST_RUNS ?= 20000

$(FUZZ_CAPS): $(BUILD)/fuzz/obj/tests/fuzz/fuzz_caps.c.o $(BUILD)/fuzz/libcore.a
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer $^ -o $@

# A campaign: new inputs accumulate in $(BUILD)/fuzz/corpus (never in the
# seed directory), a crash lands in $(BUILD)/fuzz/crash-*.
fuzz: $(FUZZ_CAPS)
	@mkdir -p $(BUILD)/fuzz/corpus
	$(FUZZ_CAPS) -max_total_time=$(FUZZ_TIME) $(FUZZ_FLAGS) $(BUILD)/fuzz/corpus $(FUZZ_SEEDS)

# The short, fixed-seed run for make test, from a fresh output directory.
fuzz-tap: $(FUZZ_CAPS)
	@rm -rf $(BUILD)/fuzz/test-corpus && mkdir -p $(BUILD)/fuzz/test-corpus
	@if $(FUZZ_CAPS) -runs=$(FUZZ_TEST_RUNS) -seed=1 $(FUZZ_FLAGS) $(BUILD)/fuzz/test-corpus \
		$(FUZZ_SEEDS) > $(BUILD)/fuzz/test.log 2>&1; then \
		echo "ok 1 - libFuzzer: $(FUZZ_TEST_RUNS) runs of fuzz_caps without a finding"; \
	else grep -E '^fuzz_caps:|^  [a-z]|SUMMARY|Test unit written' $(BUILD)/fuzz/test.log; \
		echo "not ok 1 - libFuzzer: fuzz_caps found a crash (see $(BUILD)/fuzz/test.log)"; fi

# ---- host benchmarks of the capability core (docs/benchmarks.md): -O2
# without sanitizers; nanoseconds natively, instructions under callgrind.
HOST_BENCH_CFLAGS := -std=c11 $(WARN) -O2 -g $(HOST_DEFS) $(HOST_INCLUDES)
$(eval $(call host_core,host-bench,$(HOSTCC),$(HOST_BENCH_CFLAGS)))
$(BUILD)/host-bench/bench_cdt: $(BUILD)/host-bench/obj/bench/host/bench_cdt.c.o $(BUILD)/host-bench/libcore.a
	$(HOSTCC) $(HOST_BENCH_CFLAGS) $^ -o $@

bench-host: $(BUILD)/host-bench/bench_cdt
	@sh tools/run-host-bench.sh $<
