# Ports (docs/ports.md): libraries Debian does not ship for bare-metal
# RISC-V, built from Debian's own source packages into $(BUILD)/ports/.
# Each is pinned by version and by the SHA-256 of every source file;
# tools/fetch-port.sh fetches and checks them.  Only the objects named are
# compiled, with the flags named: nothing of the sources is changed.
#
#   make ports   both libraries: $(BUILD)/ports/libz.a, libbz2.a
PORTS := $(BUILD)/ports
# Their code is theirs: the target's ABI and picolibc, no -Werror.
PORT_CFLAGS = -std=gnu99 -O2 -g $(PICOLIBC_FLAGS) $(USER_ARCH_FLAGS) -ffunction-sections

ZLIB_VERSION := 1:1.2.13.dfsg-1
ZLIB_PINS := zlib_1.2.13.dfsg-1.dsc=3fa1e6b2fc525062aa88207dda52fed8e045373c809d362fe8a2bfbf7cf515a8 \
	zlib_1.2.13.dfsg.orig.tar.bz2=71feb7947e3c00ef125f83b79a4e529bde31171e5babe48b391f06758d1ab0a1 \
	zlib_1.2.13.dfsg-1.debian.tar.xz=f66cf3d4f2d7defcd4d1fd1fb0a11ee39f1e01b42ec7d059c9dc5c1695133c44
ZLIB_OBJS := inflate inftrees inffast adler32 crc32 zutil
ZLIB_FLAGS := -DZ_SOLO # no malloc or stdio of its own: the caller gives zalloc and zfree

BZIP2_VERSION := 1.0.8-5
BZIP2_PINS := bzip2_1.0.8-5.dsc=ed9c40f4de3f9e064535e15eac1c61a0f606763db98f4579dbc04067b94a8944 \
	bzip2_1.0.8.orig.tar.gz=ab5a03176ee106d3f0fa90e381da478ddae405918153cca248e682cd0c4a2269 \
	bzip2_1.0.8-5.debian.tar.bz2=d68c6eba11d70e14319e24ef1451880a03023b2b75364646adb117086db36039
BZIP2_OBJS := blocksort huffman crctable randtable compress decompress bzlib
BZIP2_FLAGS := -DBZ_NO_STDIO # the caller provides bz_internal_error

# port(name, library, package, version, pins, objects, flags)
define port
$(PORTS)/$(1)/.unpacked: tools/fetch-port.sh mk/ports.mk
	sh tools/fetch-port.sh $(3) $(4) $(PORTS)/$(1) $(5)
$(PORTS)/$(1)/obj/%.o: $(PORTS)/$(1)/.unpacked
	@mkdir -p $$(dir $$@)
	$(CC_TARGET) $$(PORT_CFLAGS) $(7) -I$(PORTS)/$(1)/src -c $(PORTS)/$(1)/src/$$*.c -o $$@
$(PORTS)/$(2): $(patsubst %,$(PORTS)/$(1)/obj/%.o,$(6))
	rm -f $$@
	$(CROSS)ar rcs $$@ $$^
PORT_LIBS += $(PORTS)/$(2)
PORT_INCLUDES += -I$(PORTS)/$(1)/src
PORT_UNPACKED += $(PORTS)/$(1)/.unpacked
endef
$(eval $(call port,zlib,libz.a,zlib,$(ZLIB_VERSION),$(ZLIB_PINS),$(ZLIB_OBJS),$(ZLIB_FLAGS)))
$(eval $(call port,bzip2,libbz2.a,bzip2,$(BZIP2_VERSION),$(BZIP2_PINS),$(BZIP2_OBJS),$(BZIP2_FLAGS)))

# The suite's test of them (tests/qemu/suite/lib/test_ports.c): hello as
# the host's gzip and bzip2 compress it.
$(BUILD)/ports/test/hello.gz: $(BUILD)/boot/hello.elf
	@mkdir -p $(dir $@)
	gzip -9 -n -c $< >$@
$(BUILD)/ports/test/hello.bz2: $(BUILD)/boot/hello.elf
	@mkdir -p $(dir $@)
	bzip2 -1 -c $< >$@
# A gzip stream of text that is no ELF (the exec server refuses it).
$(BUILD)/ports/test/notelf.gz: mk/ports.mk
	@mkdir -p $(dir $@)
	printf 'this is no program at all, only text that gzip squeezed\n%.0s' 1 2 3 4 | gzip -9 -n -c >$@
# The exec server's bomb, the Hurd's in small: hello padded with 64 MiB of
# zeros, bzip2-compressed with 100 kB blocks (so that the decoder needs only
# 0.4 MB and the output is what runs into the limit): 26 KB more than hello.
$(BUILD)/ports/test/hello-64m.bz2: $(BUILD)/boot/hello.elf mk/ports.mk
	@mkdir -p $(dir $@)
	{ cat $(BUILD)/boot/hello.elf; head -c 67108864 /dev/zero; } | bzip2 -1 -c >$@

.PHONY: ports
ports: $(PORT_LIBS)
