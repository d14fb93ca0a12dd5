# Generated from the interface lists: include/coffer/*.def (the kernel ABI)
# and proto/*.def (user-level protocols), by tools/defgen.
#
#   $(GEN)/include/coffer/syscall_stubs.h   system-call stubs, invocation wrappers
#   $(GEN)/include/coffer/error_names.inc   every error code's name
#   $(GEN)/include/proto/errors.h           every protocol's error codes
#   $(GEN)/include/proto/<p>_client.h       a protocol's client functions
#   $(GEN)/include/proto/<p>_server.h       its handlers' prototypes and dispatcher
#   $(GEN)/kernel/invocation_args.h         the kernel's argument accessors (INV_ARG)
#
# make docs rewrites the generated tables in docs/*.md; make test checks
# they, and the kernel's decoders, agree with the lists.  Objects depend on
# the headers order-only: the compiler's .d files say which header each
# object reads, and defgen leaves a header it would write unchanged alone,
# so editing one list rebuilds only what it changes.

DEFGEN := $(BUILD)/tools/defgen
DEFGEN_SRCS := $(sort $(wildcard tools/defgen/*.c))
ABI_DEFS := $(sort $(wildcard include/coffer/*.def))
PROTO_DEFS := $(sort $(wildcard proto/*.def))
PROTO_STEMS := $(filter-out protocol,$(patsubst proto/%.def,%,$(PROTO_DEFS)))
DEFS := $(ABI_DEFS) $(PROTO_DEFS)
DOCS_WITH_TABLES := $(sort $(wildcard docs/*.md))

$(DEFGEN): $(DEFGEN_SRCS) tools/defgen/def.h
	@mkdir -p $(dir $@)
	$(HOSTCC) -std=c11 $(WARN) -O2 -D_DEFAULT_SOURCE $(DEFGEN_SRCS) -o $@

# One rule writes them all; defgen leaves an output whose text is the
# same untouched, and the stamp records that the run happened.
GENERATED_FILES := $(GEN)/include/coffer/syscall_stubs.h $(GEN)/include/coffer/error_names.inc \
	$(GEN)/include/proto/errors.h $(GEN)/kernel/invocation_args.h \
	$(foreach p,$(PROTO_STEMS),$(GEN)/include/proto/$(p)_client.h $(GEN)/include/proto/$(p)_server.h)
GENERATED_HEADERS := $(GEN)/.generated

$(GEN)/.generated: $(DEFGEN) $(DEFS)
	@mkdir -p $(GEN)/include/coffer $(GEN)/include/proto $(GEN)/kernel
	$(DEFGEN) user $(GEN)/include/coffer/syscall_stubs.h
	$(DEFGEN) error-names $(GEN)/include/coffer/error_names.inc
	$(DEFGEN) proto-errors $(GEN)/include/proto/errors.h
	$(DEFGEN) kernel $(GEN)/kernel/invocation_args.h
	@for p in $(PROTO_STEMS); do \
		$(DEFGEN) client $$p $(GEN)/include/proto/$${p}_client.h && \
		$(DEFGEN) server $$p $(GEN)/include/proto/$${p}_server.h || exit 1; done
	@touch $@

.PHONY: docs check-generated test-tools
docs: $(DEFGEN)
	$(DEFGEN) docs $(DOCS_WITH_TABLES)

# TAP, for make test: the lists, the docs and the kernel agree.
check-generated: $(DEFGEN)
	@sh tools/check-generated.sh $(DEFGEN) "$(DOCS_WITH_TABLES)" "$(KERNEL_CORE_SRCS)"

# The generator's own tests (every refusal, the checks) and the checks above.
test-tools: $(DEFGEN)
	@sh tests/tools/test_defgen.sh $(DEFGEN)
	@$(MAKE) --no-print-directory -s check-generated
