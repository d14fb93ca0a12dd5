# Coffer — top-level build.  See README.md.
#
#   make run        build everything, boot the demo in QEMU (exits with its status)
#   make test       host unit tests + in-QEMU test suite, "N passed, N failed"
#   make bench      benchmarks under QEMU -icount (instructions);  make bench-host  CDT scaling
#   make soak       long randomized model tests (10^6 operations);  make fuzz  libFuzzer
#   make qemu       same as run;  make qemu-gdb  waits for GDB on port $(GDB_PORT)
#   make size       the kernel's static footprint;  make cspace-svg  CDT picture
#   make lint       cppcheck over the kernel and libraries;  make tidy  clang-tidy
#
# Variables: DEBUG=0 builds a release kernel (no debug system calls),
# FASTPATH=0 a kernel without the IPC fast path, LTO=0 one without link-time
# optimisation; BUILD=dir puts the output elsewhere, QEMU_TIMEOUT bounds
# each guest run.

BUILD ?= build
DEBUG ?= 1
FASTPATH ?= 1
ARCH := riscv64
CROSS ?= riscv64-unknown-elf-
CC_TARGET := $(CROSS)gcc
OBJDUMP := $(CROSS)objdump
NM := $(CROSS)nm
SIZE := $(CROSS)size
HOSTCC ?= gcc
QEMU ?= qemu-system-riscv64
QEMU_MEM ?= 128M
QEMU_TIMEOUT ?= 60
GDB_PORT ?= 1234

# Plain `make` builds the kernel and every boot image (`all`, below).
.DEFAULT_GOAL := all

# The toolchain is installed (or asked for) before anything is built.
TOOLCHAIN_STAMP := $(BUILD)/.toolchain
$(TOOLCHAIN_STAMP): tools/bootstrap.sh
	@mkdir -p $(BUILD)
	@sh tools/bootstrap.sh
	@touch $@

WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
TARGET_ARCH_FLAGS := -march=rv64imac_zicsr_zifencei -mabi=lp64 -mcmodel=medany
COMMON_KFLAGS := -std=c11 $(WARN) -O2 -g -ffreestanding -fno-builtin-printf \
	-fno-omit-frame-pointer -fno-stack-protector -fno-pie \
	-fno-common -mno-relax -DCONFIG_DEBUG=$(DEBUG) -DCONFIG_FASTPATH=$(FASTPATH)
KINCLUDE := -Iinclude -Ikernel/core -Ikernel/arch/$(ARCH)
# Link-time optimisation: a kernel entry crosses many small files (trap,
# scheduler, capability lookup, object invocation); letting the compiler
# inline across them saves about 45 instructions per system call and up
# to a third of some operations (docs/benchmarks.md).  LTO=0 turns it off.
LTO ?= 1
KLTO := $(if $(filter 1,$(LTO)),-flto=auto,)
KCFLAGS := $(COMMON_KFLAGS) $(TARGET_ARCH_FLAGS) $(KINCLUDE) $(KLTO)
KLDFLAGS := -nostdlib -static -Wl,--no-relax -Wl,-T,kernel/arch/$(ARCH)/kernel.ld \
	-Wl,--build-id=none -Wl,-z,max-page-size=4096

KERNEL_CORE_SRCS := $(sort $(wildcard kernel/core/*.c))
KERNEL_ARCH_SRCS := $(sort $(wildcard kernel/arch/$(ARCH)/*.c kernel/arch/$(ARCH)/*.S))
KERNEL_SRCS := $(KERNEL_CORE_SRCS) $(KERNEL_ARCH_SRCS)
KERNEL_OBJS := $(patsubst %,$(BUILD)/%.o,$(KERNEL_SRCS))
KERNEL := $(BUILD)/kernel.elf

$(BUILD)/kernel/%.c.o: kernel/%.c Makefile | $(TOOLCHAIN_STAMP)
	@mkdir -p $(dir $@)
	$(CC_TARGET) $(KCFLAGS) -MMD -MP -c $< -o $@

# Runs before paging, at physical addresses: no absolute jump tables (and
# no link-time optimisation, which would not keep the per-file flag).
$(BUILD)/kernel/arch/$(ARCH)/vm_boot.c.o: KCFLAGS += -fno-jump-tables -fno-lto
# The compiler itself emits calls to memcpy and memset, also after link-time
# optimisation has run: their definitions must be ordinary object code.
$(BUILD)/kernel/core/kstring.c.o: KCFLAGS += -fno-lto

$(BUILD)/kernel/%.S.o: kernel/%.S | $(TOOLCHAIN_STAMP)
	@mkdir -p $(dir $@)
	$(CC_TARGET) $(KCFLAGS) -MMD -MP -c $< -o $@

# Two links: the first with an empty symbol table, the second with the
# table generated from the first.  .ksyms sits after .bss, so nothing else
# moves; the check below proves it.
$(BUILD)/ksyms-empty.S: tools/gen-ksyms.sh | $(TOOLCHAIN_STAMP)
	@mkdir -p $(BUILD)
	sh tools/gen-ksyms.sh /dev/null > $@

$(BUILD)/kernel.pass1.elf: $(KERNEL_OBJS) $(BUILD)/ksyms-empty.S kernel/arch/$(ARCH)/kernel.ld
	$(CC_TARGET) $(KCFLAGS) $(KLDFLAGS) $(KERNEL_OBJS) $(BUILD)/ksyms-empty.S -o $@

$(BUILD)/ksyms.S: $(BUILD)/kernel.pass1.elf tools/gen-ksyms.sh
	$(NM) -n --defined-only $< | sh tools/gen-ksyms.sh - > $@

$(KERNEL): $(KERNEL_OBJS) $(BUILD)/ksyms.S kernel/arch/$(ARCH)/kernel.ld
	$(CC_TARGET) $(KCFLAGS) $(KLDFLAGS) $(KERNEL_OBJS) $(BUILD)/ksyms.S -o $@
	@$(NM) -n $(BUILD)/kernel.pass1.elf | grep -v -e ksyms -e _kernel_end > $(BUILD)/syms.pass1
	@$(NM) -n $@ | grep -v -e ksyms -e _kernel_end > $(BUILD)/syms.pass2
	@cmp -s $(BUILD)/syms.pass1 $(BUILD)/syms.pass2 || \
		{ echo "error: symbols moved between the two kernel links"; exit 1; }
	$(OBJDUMP) -d -S $@ > $(BUILD)/kernel.asm
	$(NM) -n $@ > $(BUILD)/kernel.sym

# ---------------------------------------------------------------- user space
# User programs are linked against Debian's picolibc (its crt0, stdio and
# string functions) and libcoffer (system-call stubs from the ABI list).
USER_ARCH_FLAGS := -march=rv64imac -mabi=lp64 -mcmodel=medany
UCFLAGS := -std=c11 $(WARN) -O2 -g --specs=picolibc.specs $(USER_ARCH_FLAGS) \
	-fno-common -DCOFFER_USER -DCONFIG_DEBUG=$(DEBUG) -Iinclude -I$(BUILD)/include \
	-Ilib/libcoffer -Ikernel/core
STUBS := $(BUILD)/include/coffer/syscall_stubs.h

$(STUBS): include/coffer/syscalls.def tools/gen-stubs.sh
	@mkdir -p $(dir $@)
	sh tools/gen-stubs.sh $< > $@.tmp && mv $@.tmp $@
ULDFLAGS := --specs=picolibc.specs --crt0=hosted $(USER_ARCH_FLAGS) -T lib/runtime/user.ld \
	-Wl,--build-id=none -Wl,-z,max-page-size=4096

# The runtime (stdio on the console, _exit) is linked as objects because
# picolibc, searched after our libraries, refers to it.
RUNTIME_OBJS := $(patsubst %,$(BUILD)/user/%.o,$(sort $(wildcard lib/runtime/*.c)))
LIBCOFFER_SRCS := $(sort $(wildcard lib/libcoffer/*.c)) kernel/core/bootimage.c kernel/core/elf.c
LIBCOFFER_OBJS := $(patsubst %,$(BUILD)/user/%.o,$(LIBCOFFER_SRCS))
LIBCOFFER := $(BUILD)/user/libcoffer.a

$(BUILD)/user/%.c.o: %.c $(STUBS) Makefile | $(TOOLCHAIN_STAMP)
	@mkdir -p $(dir $@)
	$(CC_TARGET) $(UCFLAGS) -MMD -MP -c $< -o $@

$(LIBCOFFER): $(LIBCOFFER_OBJS)
	rm -f $@
	$(CROSS)ar rcs $@ $^

# user_program(name, sources, extra cflags)
define user_program
$(BUILD)/user/$(1).elf: $(patsubst %,$(BUILD)/user/%.o,$(2)) $(RUNTIME_OBJS) $(LIBCOFFER) lib/runtime/user.ld
	$(CC_TARGET) $(ULDFLAGS) $(patsubst %,$(BUILD)/user/%.o,$(2)) $(RUNTIME_OBJS) $(LIBCOFFER) -o $$@
USER_PROGRAMS += $(BUILD)/user/$(1).elf
endef

$(eval $(call user_program,root,$(wildcard servers/root/*.c)))
$(eval $(call user_program,hello,$(wildcard servers/hello/*.c)))
$(eval $(call user_program,coffer-test,$(wildcard tests/qemu/suite/*.c)))
$(eval $(call user_program,coffer-bench,$(wildcard bench/*.c) tests/qemu/suite/threads_fixture.c))
FAULT_KINDS := illegal-instruction load-kernel store-unmapped fetch-kernel \
	store-readonly-alias load-after-revoke
$(foreach k,$(FAULT_KINDS),$(eval $(call user_program,fault-$(k),tests/qemu/faults/fault-$(k).c)))

# ---------------------------------------------------------------- boot images
# A boot image is a cpio (newc) archive passed to QEMU with -initrd; the
# kernel starts its first file as the root task (docs/boot.md).
MKBOOTIMAGE := $(BUILD)/tools/mkbootimage
$(MKBOOTIMAGE): tools/mkbootimage.c
	@mkdir -p $(dir $@)
	$(HOSTCC) -std=c11 $(WARN) -O2 $< -o $@

$(BUILD)/boot-demo.cpio: $(MKBOOTIMAGE) $(BUILD)/user/root.elf $(BUILD)/user/hello.elf
	$(MKBOOTIMAGE) $@ $(BUILD)/user/root.elf=root $(BUILD)/user/hello.elf=hello
$(BUILD)/boot-test.cpio: $(MKBOOTIMAGE) $(BUILD)/user/coffer-test.elf $(BUILD)/user/hello.elf
	$(MKBOOTIMAGE) $@ $(BUILD)/user/coffer-test.elf=coffer-test $(BUILD)/user/hello.elf=hello
$(BUILD)/boot-bench.cpio: $(MKBOOTIMAGE) $(BUILD)/user/coffer-bench.elf
	$(MKBOOTIMAGE) $@ $(BUILD)/user/coffer-bench.elf=coffer-bench
$(BUILD)/boot-fault-%.cpio: $(MKBOOTIMAGE) $(BUILD)/user/fault-%.elf
	$(MKBOOTIMAGE) $@ $(BUILD)/user/fault-$*.elf=fault-$*

# A boot image whose root task is not an ELF file: the kernel must refuse it.
$(BUILD)/boot-bad-elf.cpio: $(MKBOOTIMAGE) README.md
	$(MKBOOTIMAGE) $@ README.md=root

BOOT_IMAGES := $(BUILD)/boot-demo.cpio $(BUILD)/boot-test.cpio $(BUILD)/boot-bench.cpio \
	$(patsubst %,$(BUILD)/boot-fault-%.cpio,$(FAULT_KINDS)) $(BUILD)/boot-bad-elf.cpio

# ---------------------------------------------------------------- QEMU
QEMU_BASE := $(QEMU) -machine virt -cpu rv64 -m $(QEMU_MEM) -smp 1 -nographic \
	-bios default -kernel $(KERNEL)

.PHONY: all run qemu qemu-gdb size test test-host test-qemu bench bench-host trace-path soak fuzz fuzz-tap cspace-svg lint tidy lint-tap clean toolchain
all: $(KERNEL) $(BOOT_IMAGES)

toolchain: $(TOOLCHAIN_STAMP)

run qemu: $(KERNEL) $(BUILD)/boot-demo.cpio
	$(QEMU_BASE) -initrd $(BUILD)/boot-demo.cpio

# Start halted with a GDB stub; in another terminal:
#   gdb-multiarch build/kernel.elf -ex 'target remote :1234'
qemu-gdb: $(KERNEL) $(BUILD)/boot-demo.cpio
	@echo "*** waiting for gdb-multiarch on port $(GDB_PORT) (see README.md)"
	$(QEMU_BASE) -initrd $(BUILD)/boot-demo.cpio -S -gdb tcp::$(GDB_PORT)

# The derivation tree the demo builds, as a picture (Graphviz).
cspace-svg: $(KERNEL) $(BUILD)/boot-demo.cpio
	@sh tools/cspace-svg.sh "$(QEMU_BASE)" $(BUILD)/boot-demo.cpio $(BUILD)/cdt.svg

size: $(KERNEL)
	@sh tools/kernel-size.sh $(KERNEL) $(NM)

# ---------------------------------------------------------------- host tests
# The portable core built natively, under AddressSanitizer and UBSan.
HOST_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all
HOST_CFLAGS := -std=c11 $(WARN) -g -O1 $(HOST_SAN) -DCOFFER_HOST -DCONFIG_DEBUG=1 \
	-Iinclude -Ikernel/core -Ikernel/arch/$(ARCH) -Itests/host
HOST_CORE_SRCS := kernel/core/rbtree.c kernel/core/rbtree_cut.c kernel/core/cdt.c kernel/core/cap_delete.c kernel/core/zombie.c kernel/core/asid.c kernel/core/frame.c kernel/core/page_table.c kernel/core/vspace.c kernel/arch/riscv64/pagetable.c kernel/core/objects.c kernel/core/invoke.c kernel/core/untyped.c kernel/core/cnode.c \
	kernel/core/thread.c kernel/core/tcb.c kernel/core/sched.c kernel/core/sched_context.c kernel/core/ipc.c kernel/core/fault.c kernel/core/irq.c kernel/core/fastpath.c \
	kernel/core/boot_mem.c kernel/core/boot_memmap.c kernel/core/fdt.c kernel/core/fdt_machine.c kernel/core/bootimage.c \
	kernel/core/elf.c kernel/core/kprintf.c kernel/core/ksyms.c kernel/core/backtrace.c
HOST_TEST_SRCS := $(sort $(wildcard tests/host/test_*.c))
HOST_TESTS := $(patsubst tests/host/%.c,$(BUILD)/host/%,$(HOST_TEST_SRCS))

$(BUILD)/host/%: tests/host/%.c $(HOST_CORE_SRCS) tests/host/host_arch.c $(wildcard tests/host/*.h kernel/core/*.h include/coffer/*)
	@mkdir -p $(dir $@)
	$(HOSTCC) $(HOST_CFLAGS) $< $(HOST_CORE_SRCS) tests/host/host_arch.c -o $@

$(BUILD)/virt.dtb: | $(TOOLCHAIN_STAMP)
	$(QEMU) -machine virt,dumpdtb=$@ -cpu rv64 -m $(QEMU_MEM) -smp 1 -nographic -bios default >/dev/null

test-host: $(HOST_TESTS) $(BUILD)/virt.dtb $(MKBOOTIMAGE) $(BUILD)/user/hello.elf
	@sh tools/run-host-tests.sh $(BUILD) $(HOST_TESTS)

# The suite runs twice: on the kernel, and on one built without the IPC
# fast path (FASTPATH=0), whose general path must agree.
SLOW_KERNEL := $(BUILD)/nofast/kernel.elf
$(SLOW_KERNEL): $(KERNEL_SRCS) $(wildcard kernel/core/*.h kernel/arch/$(ARCH)/*.h include/coffer/*)
	@$(MAKE) --no-print-directory -s FASTPATH=0 BUILD=$(BUILD)/nofast $@ >/dev/null

test-qemu: $(KERNEL) $(BOOT_IMAGES) $(SLOW_KERNEL)
	@SLOW_QEMU="$(subst $(KERNEL),$(SLOW_KERNEL),$(QEMU_BASE))" \
		sh tools/run-qemu-tests.sh $(BUILD) "$(QEMU_BASE)" $(QEMU_TIMEOUT) $(FAULT_KINDS)

test: $(TOOLCHAIN_STAMP)
	@$(MAKE) --no-print-directory all $(HOST_TESTS) $(BUILD)/virt.dtb $(FUZZ_CAPS)
	@{ $(MAKE) --no-print-directory -s test-host; $(MAKE) --no-print-directory -s test-qemu; \
	   $(MAKE) --no-print-directory -s lint-tap; $(MAKE) --no-print-directory -s fuzz-tap; } 2>&1 \
	   | tee $(BUILD)/test.log; \
	 sh tools/tap-summary.sh $(BUILD)/test.log

# ---------------------------------------------------------------- fuzzing
# A libFuzzer target over the capability operations (tests/fuzz/README.md),
# built with clang: the host-test core under ASan and UBSan plus libFuzzer.
FUZZ_CC ?= clang
FUZZ_CFLAGS := -std=c11 $(WARN) -g -O1 -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=all -DCOFFER_HOST -DCONFIG_DEBUG=1 \
	-Iinclude -Ikernel/core -Ikernel/arch/$(ARCH) -Itests/host
FUZZ_CAPS := $(BUILD)/fuzz/fuzz_caps
# Seeds, and inputs that once crashed it (regressions), when there are any.
FUZZ_SEEDS := tests/fuzz/corpus $(wildcard tests/fuzz/crashes)
FUZZ_FLAGS := -max_len=3072 -artifact_prefix=$(BUILD)/fuzz/
FUZZ_TIME ?= 600
FUZZ_TEST_RUNS ?= 20000

$(FUZZ_CAPS): tests/fuzz/fuzz_caps.c $(HOST_CORE_SRCS) tests/host/host_arch.c \
		$(wildcard tests/host/*.h kernel/core/*.h include/coffer/*)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $< $(HOST_CORE_SRCS) tests/host/host_arch.c -o $@

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

# Long randomized campaigns (make test runs short, bounded versions):
# 10^6 operations of the derivation-tree model test and of the tree itself.
SOAK_SEED ?= 1
soak: $(BUILD)/host/test_cdt $(BUILD)/host/test_rbtree $(BUILD)/host/test_teardown_model \
		$(BUILD)/host/test_threads_random
	$(BUILD)/host/test_cdt $(SOAK_SEED) 1000000
	$(BUILD)/host/test_teardown_model $(SOAK_SEED) 1000000
	$(BUILD)/host/test_rbtree $(SOAK_SEED)
	$(BUILD)/host/test_threads_random $(SOAK_SEED) 1000000

bench: $(KERNEL) $(BUILD)/boot-bench.cpio $(BUILD)/boot-fault-store-unmapped.cpio
	@sh tools/run-bench.sh "$(QEMU_BASE) -icount shift=0" $(BUILD)/boot-bench.cpio $(QEMU_TIMEOUT) $(BUILD)/boot-fault-store-unmapped.cpio

# Where a kernel path's instructions go, per function (tools/trace-path.sh):
#   make trace-path TRACE_FUNC=cnode_copy [TRACE_SKIP=100] [TRACE_ENTRIES=1]
# boots the benchmark image, lets TRACE_FUNC be hit TRACE_SKIP times and
# single-steps the next TRACE_ENTRIES kernel entries in GDB.
TRACE_SKIP ?= 100
TRACE_ENTRIES ?= 1
trace-path: $(KERNEL) $(BUILD)/boot-bench.cpio
	@sh tools/trace-path.sh "$(QEMU_BASE) -icount shift=0" $(BUILD)/boot-bench.cpio $(KERNEL) \
		$(TRACE_FUNC) $(TRACE_SKIP) $(TRACE_ENTRIES)

# Host benchmarks of the capability core (docs/benchmarks.md): the core at
# -O2 without sanitizers; nanoseconds natively, instructions under callgrind.
HOST_BENCH_CFLAGS := -std=c11 $(WARN) -O2 -g -DCOFFER_HOST -DCONFIG_DEBUG=1 \
	-Iinclude -Ikernel/core -Ikernel/arch/$(ARCH) -Itests/host
$(BUILD)/host/bench_cdt: bench/host/bench_cdt.c $(HOST_CORE_SRCS) tests/host/host_arch.c \
		$(wildcard tests/host/*.h kernel/core/*.h include/coffer/*)
	@mkdir -p $(dir $@)
	$(HOSTCC) $(HOST_BENCH_CFLAGS) $< $(HOST_CORE_SRCS) tests/host/host_arch.c -o $@

bench-host: $(BUILD)/host/bench_cdt
	@sh tools/run-host-bench.sh $<

LINT_SRCS := kernel lib servers tools/mkbootimage.c
lint: $(TOOLCHAIN_STAMP)
	cppcheck --quiet --error-exitcode=1 --enable=warning,style,performance,portability \
		--std=c11 --inline-suppr -Iinclude -Ikernel/core -Ikernel/arch/$(ARCH) \
		-DCONFIG_DEBUG=1 $(LINT_SRCS)

# clang-tidy (checks in .clang-tidy) one file at a time: the portable core
# as host code, the architecture layer and user code for the target.
# (clang-tidy 14 reports spurious va_list findings when given several files.)
CLANG_RES := $(shell clang -print-resource-dir 2>/dev/null)
TIDY_TARGET := --target=riscv64-unknown-elf -march=rv64imac -mabi=lp64 -nostdlibinc \
	-isystem $(CLANG_RES)/include -std=c11 -DCONFIG_DEBUG=1 -Iinclude -Ikernel/core \
	-Ikernel/arch/$(ARCH)
TIDY_USER := $(TIDY_TARGET) -isystem /usr/lib/picolibc/riscv64-unknown-elf/include \
	-I$(BUILD)/include -Ilib/libcoffer -DCOFFER_USER
tidy: $(TOOLCHAIN_STAMP) $(STUBS)
	@status=0; \
	for f in $(KERNEL_CORE_SRCS); do clang-tidy --quiet $$f -- -std=c11 -DCOFFER_HOST \
		-Iinclude -Ikernel/core -Ikernel/arch/$(ARCH) || status=1; done; \
	for f in $(filter %.c,$(KERNEL_ARCH_SRCS)); do \
		clang-tidy --quiet $$f -- $(TIDY_TARGET) -ffreestanding || status=1; done; \
	for f in $(LIBCOFFER_SRCS) $(sort $(wildcard lib/runtime/*.c servers/*/*.c)); do \
		clang-tidy --quiet $$f -- $(TIDY_USER) || status=1; done; \
	exit $$status

lint-tap:
	@if $(MAKE) --no-print-directory -s lint > $(BUILD)/lint.log 2>&1; then \
		echo "ok 1 - cppcheck: no findings"; \
	else cat $(BUILD)/lint.log; echo "not ok 1 - cppcheck: findings above"; fi
	@if $(MAKE) --no-print-directory -s tidy > $(BUILD)/tidy.log 2>&1; then \
		echo "ok 2 - clang-tidy: no findings"; \
	else grep -E 'error:|warning:' $(BUILD)/tidy.log; echo "not ok 2 - clang-tidy: findings above"; fi
	@if $(MAKE) --no-print-directory -s DEBUG=0 BUILD=$(BUILD)/release $(BUILD)/release/kernel.elf \
		> $(BUILD)/release.log 2>&1; then \
		echo "ok 3 - release kernel (DEBUG=0) builds with -Werror"; \
	else tail -20 $(BUILD)/release.log; echo "not ok 3 - release kernel (DEBUG=0) does not build"; fi

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
