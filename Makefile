# Coffer — top-level build.  See README.md; mk/ holds the build by concern.
#
#   make run        build everything, boot the demo in QEMU (exits with its status)
#   make test       host unit tests + in-QEMU test suite, "N passed, N failed"
#   make bench      benchmarks under QEMU -icount (instructions);  make bench-host  CDT scaling
#   make soak       long randomized model tests (10^6 operations);  make fuzz  libFuzzer
#   make qemu       same as run;  make qemu-gdb  waits for GDB on port $(GDB_PORT)
#   make size       the kernel's static footprint;  make cspace-svg  CDT picture;
#   make bank-svg   the demo's bank tree as a picture
#   make lint       cppcheck over the kernel and libraries;  make tidy  clang-tidy
#
# Variables: DEBUG=0 builds a release kernel (no debug system calls),
# FASTPATH=0 a kernel without the IPC fast path, LTO=0 one without link-time
# optimisation; BUILD=dir puts the output elsewhere, QEMU_TIMEOUT bounds
# each guest run.
#
# What is where (docs/architecture.md):
#   mk/config.mk     options, tools, flags shared by every part
#   mk/generated.mk  headers generated from the .def lists
#   mk/kernel.mk     the kernel: objects, two-pass link with its symbol table
#   mk/user.mk       user libraries (lib/*/) and programs, found by convention
#   mk/bootimage.mk  boot images (cpio archives of user programs)
#   mk/qemu.mk       run, debug, the in-QEMU tests, benchmarks, tracing
#   mk/host.mk       the host-built core, host tests, fuzzing, soak, host benchmarks
#   mk/lint.mk       cppcheck, clang-tidy, the release-build check

# Plain `make` builds the kernel and every boot image.
.DEFAULT_GOAL := all

include mk/config.mk
include mk/generated.mk
include mk/kernel.mk
include mk/ports.mk
include mk/user.mk
include mk/bootimage.mk
include mk/qemu.mk
include mk/host.mk
include mk/lint.mk

.PHONY: all toolchain test clean
all: $(KERNEL) $(BOOT_IMAGES)

toolchain: $(TOOLCHAIN_STAMP)

test: $(TOOLCHAIN_STAMP)
	@$(MAKE) --no-print-directory all $(HOST_TESTS) $(BUILD)/virt.dtb $(FUZZ_TARGETS)
	@{ for part in test-tools test-host test-qemu lint-tap fuzz-tap; do \
	     $(MAKE) --no-print-directory -s $$part || echo "not ok 1 - make $$part stopped with an error (above)"; \
	   done; } 2>&1 | tee $(BUILD)/test.log; \
	 sh tools/tap-summary.sh $(BUILD)/test.log

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
