# The kernel: the portable core (kernel/core/*/), the architecture layer
# (kernel/arch/$(ARCH)/) and the shared image parsers (lib/image/), linked
# twice so that its symbol table can be part of it.

TARGET_ARCH_FLAGS := -march=rv64imac_zicsr_zifencei -mabi=lp64 -mcmodel=medany
KLTO := $(if $(filter 1,$(LTO)),-flto=auto,)
KCFLAGS := -std=c11 $(WARN) -O2 -g -ffreestanding -fno-builtin-printf \
	-fno-omit-frame-pointer -fno-stack-protector -fno-pie -fno-common -mno-relax \
	$(CONFIG_FLAGS) $(TARGET_ARCH_FLAGS) $(KERNEL_INCLUDES) $(KLTO)
KLDFLAGS := -nostdlib -static -Wl,--no-relax -Wl,-T,kernel/arch/$(ARCH)/kernel.ld \
	-Wl,--build-id=none $(MAX_PAGE_FLAG)

KERNEL_CORE_SRCS := $(sort $(wildcard kernel/core/*/*.c))
KERNEL_ARCH_SRCS := $(sort $(wildcard kernel/arch/$(ARCH)/*.c kernel/arch/$(ARCH)/*.S))
KERNEL_LIB_SRCS := $(sort $(wildcard lib/image/*.c))
KERNEL_SRCS := $(KERNEL_CORE_SRCS) $(KERNEL_ARCH_SRCS) $(KERNEL_LIB_SRCS)
KERNEL_OBJS := $(patsubst %,$(BUILD)/kernel-obj/%.o,$(KERNEL_SRCS))
KERNEL := $(BUILD)/kernel.elf

$(BUILD)/kernel-obj/%.c.o: %.c mk/kernel.mk | $(GENERATED_HEADERS) $(TOOLCHAIN_STAMP)
	@mkdir -p $(dir $@)
	$(CC_TARGET) $(KCFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/kernel-obj/%.S.o: %.S | $(TOOLCHAIN_STAMP)
	@mkdir -p $(dir $@)
	$(CC_TARGET) $(KCFLAGS) -MMD -MP -c $< -o $@

# Runs before paging, at physical addresses: no absolute jump tables (and
# no link-time optimisation, which would not keep the per-file flag).
$(BUILD)/kernel-obj/kernel/arch/$(ARCH)/vm_boot.c.o: KCFLAGS += -fno-jump-tables -fno-lto
# The compiler itself emits calls to memcpy and memset, also after link-time
# optimisation has run: their definitions must be ordinary object code.
$(BUILD)/kernel-obj/kernel/core/support/kstring.c.o: KCFLAGS += -fno-lto

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

# The same kernel without the IPC fast path (make test runs the suite on it).
SLOW_KERNEL := $(BUILD)/nofast/kernel.elf
$(SLOW_KERNEL): $(KERNEL_SRCS) $(wildcard kernel/*/*/*.h kernel/arch/$(ARCH)/*.h include/coffer/*)
	@$(MAKE) --no-print-directory -s FASTPATH=0 BUILD=$(BUILD)/nofast $@ >/dev/null
