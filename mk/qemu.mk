# QEMU: the demo, the debugger, the in-QEMU tests, benchmarks and tracing.

QEMU_BASE := $(QEMU) -machine virt -cpu rv64 -m $(QEMU_MEM) -smp 1 -nographic \
	-bios default -kernel $(KERNEL)

.PHONY: run shell qemu qemu-gdb cspace-svg bank-svg size test-qemu bench trace-path trace-call

run qemu: $(KERNEL) $(BUILD)/boot-demo.cpio
	$(QEMU_BASE) -initrd $(BUILD)/boot-demo.cpio

# The same system with the shell on the keyboard (Ctrl-A X leaves QEMU).
shell: $(KERNEL) $(BUILD)/boot-shell.cpio
	$(QEMU_BASE) -initrd $(BUILD)/boot-shell.cpio

# Start halted with a GDB stub; in another terminal:
#   gdb-multiarch build/kernel.elf -ex 'target remote :1234'
qemu-gdb: $(KERNEL) $(BUILD)/boot-demo.cpio
	@echo "*** waiting for gdb-multiarch on port $(GDB_PORT) (see README.md)"
	$(QEMU_BASE) -initrd $(BUILD)/boot-demo.cpio -S -gdb tcp::$(GDB_PORT)

# The derivation tree the demo builds, as a picture (Graphviz).
cspace-svg: $(KERNEL) $(BUILD)/boot-demo.cpio
	@sh tools/cspace-svg.sh "$(QEMU_BASE)" $(BUILD)/boot-demo.cpio $(BUILD)/cdt.svg
bank-svg: $(KERNEL) $(BUILD)/boot-demo.cpio
	@sh tools/cspace-svg.sh "$(QEMU_BASE)" $(BUILD)/boot-demo.cpio $(BUILD)/banks.svg bank

size: $(KERNEL)
	@sh tools/kernel-size.sh $(KERNEL) $(NM)

$(BUILD)/virt.dtb: | $(TOOLCHAIN_STAMP)
	$(QEMU) -machine virt,dumpdtb=$@ -cpu rv64 -m $(QEMU_MEM) -smp 1 -nographic -bios default >/dev/null

# The suite runs twice: on the kernel, and on one built without the IPC
# fast path (FASTPATH=0), whose general path must agree.
test-qemu: $(KERNEL) $(BOOT_IMAGES) $(SLOW_KERNEL)
	@SLOW_QEMU="$(subst $(KERNEL),$(SLOW_KERNEL),$(QEMU_BASE))" \
		sh tools/run-qemu-tests.sh $(BUILD) "$(QEMU_BASE)" $(QEMU_TIMEOUT) $(FAULT_KINDS)

bench: $(KERNEL) $(BUILD)/boot-bench.cpio $(BUILD)/boot-fault-store-unmapped.cpio
	@sh tools/run-bench.sh "$(QEMU_BASE) -icount shift=0" $(BUILD)/boot-bench.cpio $(QEMU_TIMEOUT) $(BUILD)/boot-fault-store-unmapped.cpio

# Where a kernel path's instructions go, per function (tools/trace-path.sh):
#   make trace-path TRACE_FUNC=cnode_copy [TRACE_SKIP=100] [TRACE_ENTRIES=1]
# boots the benchmark image, lets TRACE_FUNC be hit TRACE_SKIP times and
# single-steps the next TRACE_ENTRIES kernel entries in GDB.
TRACE_SKIP ?= 100
TRACE_ENTRIES ?= 1
TRACE_NTH ?= 1
trace-path: $(KERNEL) $(BUILD)/boot-bench.cpio
	@sh tools/trace-path.sh "$(QEMU_BASE) -icount shift=0" $(BUILD)/boot-bench.cpio $(KERNEL) \
		$(TRACE_FUNC) $(TRACE_SKIP) $(TRACE_ENTRIES)

# Where a benchmark sample's instructions go, user and kernel code together
# (tools/trace-call.sh), e.g. the bank's 101st purchase (TRACE_NTH=3: its free; the reads
# count in address order):
#   make trace-call TRACE_FUNC=buy_free TRACE_NTH=2 [TRACE_SKIP=100]
trace-call: $(KERNEL) $(BUILD)/boot-bench.cpio
	@sh tools/trace-call.sh "$(QEMU_BASE) -icount shift=0" $(BUILD)/boot-bench.cpio $(KERNEL) \
		$(BUILD)/user/coffer-bench.elf $(TRACE_FUNC) $(TRACE_NTH) $(TRACE_SKIP)

# make soak's QEMU part: the process manager's spawn, exit, wait and spawn,
# kill, wait cycles, 10^3 of each (make test runs 50 in the suite), with
# the bank's and the manager's own memory checked after each.
.PHONY: soak-qemu
soak: soak-qemu
soak-qemu: $(KERNEL) $(BUILD)/boot-soak.cpio
	@timeout -s KILL 900 $(QEMU_BASE) -initrd $(BUILD)/boot-soak.cpio -m 3G </dev/null >$(BUILD)/qemu-soak.log 2>&1; \
		status=$$?; grep -E '^(ok|not ok|#)' $(BUILD)/qemu-soak.log | sed 's/\r$$//'; exit $$status
