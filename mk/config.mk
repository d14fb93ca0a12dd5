# Options, tools and the flags every part of the build shares.

BUILD ?= build
DEBUG ?= 1
FASTPATH ?= 1
# Link-time optimisation: a kernel entry crosses many small files (trap,
# scheduler, capability lookup, object invocation); letting the compiler
# inline across them saves about 45 instructions per system call and up
# to a third of some operations (docs/benchmarks.md).  User code too: a
# server's books cross its files and the libraries (a bank purchase 3925
# -> 3711).  LTO=0 turns it off for both.
LTO ?= 1
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

# The toolchain is installed (or asked for) before anything is built.
TOOLCHAIN_STAMP := $(BUILD)/.toolchain
$(TOOLCHAIN_STAMP): tools/bootstrap.sh
	@mkdir -p $(BUILD)
	@sh tools/bootstrap.sh
	@touch $@

# The page size, from the ABI (COFFER_PAGE_BITS): the linker scripts align
# sections to it through -z max-page-size.
PAGE_BITS := $(shell sed -n 's/^\#define COFFER_PAGE_BITS *\([0-9][0-9]*\)$$/\1/p' include/coffer/abi.h)
PAGE_SIZE := $(shell echo $$((1 << $(PAGE_BITS))))
MAX_PAGE_FLAG := -Wl,-z,max-page-size=$(PAGE_SIZE)

WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
CONFIG_FLAGS := -DCONFIG_DEBUG=$(DEBUG) -DCONFIG_FASTPATH=$(FASTPATH)

# Generated headers (mk/generated.mk) land here; everyone includes them.
GEN := $(BUILD)/gen

# Libraries: lib/<name>/, public headers in lib/<name>/include.  The
# image parsers (lib/image) are shared by the kernel, user programs and
# host tests.
LIB_NAMES := $(notdir $(patsubst %/,%,$(sort $(dir $(wildcard lib/*/)))))
LIB_INCLUDES := $(patsubst %,-I%,$(sort $(wildcard lib/*/include)))

# The kernel sees the ABI, its own tree and the shared image parsers;
# user code sees only public headers (the ABI and the libraries').
KERNEL_INCLUDES := -Iinclude -I$(GEN)/include -I$(GEN)/kernel -Ikernel/core -Ikernel/arch/$(ARCH) -Ilib/image/include
USER_INCLUDES := -Iinclude -I$(GEN)/include $(LIB_INCLUDES)
