# Static analysis and the release-build check (make test runs all three
# through lint-tap).

.PHONY: lint tidy lint-tap
LINT_SRCS := kernel lib servers tools/mkbootimage.c tools/defgen
lint: $(TOOLCHAIN_STAMP)
	cppcheck --quiet --error-exitcode=1 --enable=warning,style,performance,portability \
		--std=c11 --inline-suppr $(KERNEL_INCLUDES) $(LIB_INCLUDES) \
		-DCONFIG_DEBUG=1 $(LINT_SRCS)

# clang-tidy (checks in .clang-tidy) one file at a time: the portable core
# as host code, the architecture layer and user code for the target.
# (clang-tidy 14 reports spurious va_list findings when given several files.)
CLANG_RES := $(shell clang -print-resource-dir 2>/dev/null)
TIDY_TARGET := --target=riscv64-unknown-elf -march=rv64imac -mabi=lp64 -nostdlibinc \
	-isystem $(CLANG_RES)/include -std=c11 -DCONFIG_DEBUG=1 $(KERNEL_INCLUDES)
TIDY_USER := --target=riscv64-unknown-elf -march=rv64imac -mabi=lp64 -nostdlibinc \
	-isystem $(CLANG_RES)/include -std=c11 -DCONFIG_DEBUG=1 \
	-isystem /usr/lib/picolibc/riscv64-unknown-elf/include/release $(USER_INCLUDES) \
	$(foreach v,$(SERVICE_NAMES),-Iservers/$(v)) $(PORT_INCLUDES) -DCOFFER_USER $(POSIX_FEATURES)
tidy: $(TOOLCHAIN_STAMP) $(GENERATED_HEADERS) | $(PORT_UNPACKED)
	@status=0; \
	for f in $(KERNEL_CORE_SRCS) $(KERNEL_LIB_SRCS); do clang-tidy --quiet $$f -- -std=c11 -DCOFFER_HOST \
		$(KERNEL_INCLUDES) || status=1; done; \
	for f in $(filter %.c,$(KERNEL_ARCH_SRCS)); do \
		clang-tidy --quiet $$f -- $(TIDY_TARGET) -ffreestanding || status=1; done; \
	for f in $(USER_LIB_SRCS) $(sort $(wildcard lib/crt/*.c lib/runtime/*.c servers/*/*.c)); do \
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
