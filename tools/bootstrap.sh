#!/bin/sh
# Check for the Debian packages Coffer builds and runs with, and install the
# missing ones.  Called by the Makefile before any build; safe to run again.
#
# Packages come only from Debian's archive: the RISC-V cross compiler,
# picolibc for user programs, QEMU (with the OpenSBI firmware it bundles),
# the device-tree compiler (used by tests to inspect QEMU's DTB), graphviz
# (CSpace pictures), gdb-multiarch for `make qemu-gdb`, and what the ports
# take (docs/ports.md: dpkg-source, xz, the archive's keyring; gzip and
# bzip2 for their test data).  Host tools the
# tests use (clang, clang-tidy, cppcheck) are listed too.
set -eu

# package:command-or-file that proves it is installed
NEEDED="
gcc-riscv64-unknown-elf:riscv64-unknown-elf-gcc
picolibc-riscv64-unknown-elf:/usr/lib/picolibc/riscv64-unknown-elf/picolibc.specs
qemu-system-misc:qemu-system-riscv64
gdb-multiarch:gdb-multiarch
device-tree-compiler:dtc
cpio:cpio
graphviz:dot
gcc:gcc
make:make
cppcheck:cppcheck
clang-tidy:clang-tidy
clang:clang
valgrind:valgrind
dpkg-dev:dpkg-source
xz-utils:xz
bzip2:bzip2
gzip:gzip
debian-archive-keyring:/usr/share/keyrings/debian-archive-keyring.gpg
libclang-rt-14-dev:/usr/lib/llvm-14/lib/clang/14.0.6/lib/linux/libclang_rt.fuzzer-x86_64.a
"

missing=""
for entry in $NEEDED; do
    pkg=${entry%%:*}
    probe=${entry#*:}
    case "$probe" in
    /*) [ -e "$probe" ] && continue ;;
    *) command -v "$probe" >/dev/null 2>&1 && continue ;;
    esac
    missing="$missing $pkg"
done

[ -z "$missing" ] && exit 0

cmd="apt-get install -y --no-install-recommends$missing"
if [ "$(id -u)" -ne 0 ]; then
    echo "coffer: missing packages:$missing" >&2
    echo "coffer: install them as root with:" >&2
    echo "    apt-get update && $cmd" >&2
    exit 1
fi

echo "coffer: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing
