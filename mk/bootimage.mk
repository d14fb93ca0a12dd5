# Boot images: cpio (newc) archives passed to QEMU with -initrd; the
# kernel starts the first file as the root task (docs/boot.md).

MKBOOTIMAGE := $(BUILD)/tools/mkbootimage
$(MKBOOTIMAGE): tools/mkbootimage.c
	@mkdir -p $(dir $@)
	$(HOSTCC) -std=c11 $(WARN) -O2 $< -o $@

# Programs go into boot images without their debug information (the
# symbol table stays): build/user/<p>.elf keeps it for gdb and addr2line.
$(BUILD)/boot/%.elf: $(BUILD)/user/%.elf
	@mkdir -p $(dir $@)
	$(CROSS)objcopy --strip-debug $< $@

# boot_image(name, root program, other programs, other files as PATH=NAME)
define boot_image
$(BUILD)/boot-$(1).cpio: $(MKBOOTIMAGE) $(patsubst %,$(BUILD)/boot/%.elf,$(2) $(3)) $(foreach f,$(4),$(firstword $(subst =, ,$(f))))
	$(MKBOOTIMAGE) $$@ $(foreach p,$(2) $(3),$(BUILD)/boot/$(p).elf=$(p)) $(4)
BOOT_IMAGES += $(BUILD)/boot-$(1).cpio
endef

$(eval $(call boot_image,demo,root,hello crash shell spin,servers/root/boot.conf=boot.conf))
$(eval $(call boot_image,shell,root,hello crash shell spin,servers/root/boot-shell.conf=boot.conf))
$(eval $(call boot_image,test,coffer-test,hello crash tree spin greedy sleepy threads hoard,\
	$(BUILD)/ports/test/hello.gz=hello.gz $(BUILD)/ports/test/hello.bz2=hello.bz2 \
	$(BUILD)/ports/test/hello-64m.bz2=hello-64m.bz2 $(BUILD)/ports/test/notelf.gz=notelf.gz))
# make soak: the suite's spawn cycles only, 10^3 of each (the file "soak" says how many)
$(eval $(call boot_image,soak,coffer-test,hello crash tree spin greedy sleepy,tests/qemu/soak-cycles=soak))
$(eval $(call boot_image,bench,coffer-bench,stamp hoard,\
	$(BUILD)/ports/test/hello.gz=hello.gz $(BUILD)/ports/test/hello.bz2=hello.bz2))
$(foreach k,$(FAULT_KINDS),$(eval $(call boot_image,fault-$(k),fault-$(k),)))

# A boot image whose root task is not an ELF file: the kernel must refuse it.
$(BUILD)/boot-bad-elf.cpio: $(MKBOOTIMAGE) README.md
	$(MKBOOTIMAGE) $@ README.md=root
BOOT_IMAGES += $(BUILD)/boot-bad-elf.cpio
