# Headers generated from the interface lists (include/coffer/*.def).

STUBS := $(GEN)/include/coffer/syscall_stubs.h
GENERATED_HEADERS := $(STUBS)

$(STUBS): include/coffer/syscalls.def tools/gen-stubs.sh
	@mkdir -p $(dir $@)
	sh tools/gen-stubs.sh $< > $@.tmp && mv $@.tmp $@
